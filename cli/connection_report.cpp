#include "connection_report.h"

#include <cstdio>
#include <string>

#include <nlohmann/json.hpp>

#include "jiralink/jira/connection_test.h"

namespace jiralink::cli {

namespace {

constexpr char kFailed[] = "Connection failed. Check your integration settings.";

nlohmann::json ReportJson(const jira::ConnectionReport& report, const jira::Client& client) {
  if (!report.ok) {
    nlohmann::json out = {{"success", false}, {"message", kFailed}, {"reason", report.reason}};
    out["http_status"] = report.failed_call.http_status;
    if (!report.failed_call.network_error.empty()) {
      out["network_error"] = report.failed_call.network_error;
    }
    out["api_base"] = report.api_base;
    return out;
  }
  const jira::ServerInfo& info = report.server_info;
  return {{"success", true},
          {"deployment", jira::DeploymentName(info.deployment)},
          {"deployment_type", info.deployment_type},
          {"version", info.version},
          {"version_numbers", info.version_numbers},
          {"server_title", info.server_title},
          {"base_url", info.base_url},
          {"api_base", report.api_base},
          {"web_url", client.options().web_url},
          {"user",
           {{"display_name", report.user.display_name},
            {"name", report.user.name},
            {"account_id", report.user.account_id},
            {"email", report.user.email}}}};
}

}  // namespace

nlohmann::json DevinfoJson(const DevinfoOutcome& devinfo) {
  const jira::DevinfoReport& report = devinfo.report;
  if (report.ok) {
    return {{"success", true},
            {"cloud_id", report.cloud_id},
            {"api_base", devinfo.api_url + "/jira/devinfo/0.1/cloud/" + report.cloud_id}};
  }
  nlohmann::json out = {{"success", false},
                        {"problem", jira::DevinfoProblemName(report.problem)},
                        {"reason", report.reason},
                        {"http_status", report.failed_call.http_status}};
  if (!report.cloud_id.empty()) out["cloud_id"] = report.cloud_id;
  return out;
}

int PrintConnectionReport(const jira::ConnectionReport& report, const jira::Client& client,
                          const DevinfoOutcome* devinfo, bool json, const char* command) {
  const bool ok = report.ok && (devinfo == nullptr || devinfo->report.ok);
  if (json) {
    nlohmann::json out = ReportJson(report, client);
    if (devinfo != nullptr) out["devinfo"] = DevinfoJson(*devinfo);
    std::printf("%s\n", out.dump(2).c_str());
    return ok ? 0 : 1;
  }
  if (!report.ok) {
    std::fprintf(stderr, "%s: %s\n%s: reason: %s\n", command, kFailed, command,
                 report.reason.c_str());
  } else {
    const jira::ServerInfo& info = report.server_info;
    std::printf("Connection successful.\n");
    std::printf("  deployment:  %s\n", jira::DeploymentName(info.deployment));
    std::printf("  version:     %s%s\n", info.version.empty() ? "unknown" : info.version.c_str(),
                info.server_title.empty() ? "" : (" (" + info.server_title + ")").c_str());
    std::printf("  user:        %s\n", jira::DescribeUser(report.user).c_str());
    std::printf("  API base:    %s\n", report.api_base.c_str());
  }
  if (devinfo != nullptr) {
    const jira::DevinfoReport& d = devinfo->report;
    if (d.ok) {
      std::printf("Development information: ready.\n");
      std::printf("  cloud ID:    %s\n", d.cloud_id.c_str());
      std::printf("  API base:    %s/jira/devinfo/0.1/cloud/%s\n", devinfo->api_url.c_str(),
                  d.cloud_id.c_str());
    } else {
      std::fprintf(stderr, "%s: Development information failed: %s\n", command, d.reason.c_str());
    }
  }
  return ok ? 0 : 1;
}

int PrintConnectionTest(jira::Client& client, bool json, const char* command) {
  return PrintConnectionReport(jira::TestConnection(client), client, nullptr, json, command);
}

}  // namespace jiralink::cli
