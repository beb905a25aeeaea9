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

int PrintConnectionTest(jira::Client& client, bool json, const char* command) {
  jira::ConnectionReport report = jira::TestConnection(client);
  if (json) {
    std::printf("%s\n", ReportJson(report, client).dump(2).c_str());
    return report.ok ? 0 : 1;
  }
  if (!report.ok) {
    std::fprintf(stderr, "%s: %s\n%s: reason: %s\n", command, kFailed, command,
                 report.reason.c_str());
    return 1;
  }
  const jira::ServerInfo& info = report.server_info;
  std::printf("Connection successful.\n");
  std::printf("  deployment:  %s\n", jira::DeploymentName(info.deployment));
  std::printf("  version:     %s%s\n", info.version.empty() ? "unknown" : info.version.c_str(),
              info.server_title.empty() ? "" : (" (" + info.server_title + ")").c_str());
  std::printf("  user:        %s\n", jira::DescribeUser(report.user).c_str());
  std::printf("  API base:    %s\n", report.api_base.c_str());
  return 0;
}

}  // namespace jiralink::cli
