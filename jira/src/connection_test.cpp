#include "jiralink/jira/connection_test.h"

#include "jiralink/core/text.h"

namespace jiralink::jira {

ConnectionReport TestConnection(Client& client) {
  ConnectionReport report;
  report.api_base = std::string(TrimTrailingSlashes(client.options().api_url)) + "/rest/api/2";

  ApiStatus status = client.GetServerInfo(&report.server_info);
  if (!status.ok()) {
    report.failed_call = status;
    report.reason = status.ToString();
    return report;
  }
  status = client.GetMyself(&report.user);
  if (!status.ok()) {
    report.failed_call = status;
    report.reason = status.ToString();
    return report;
  }
  if (status.login_reason == "AUTHENTICATED_FAILED" ||
      status.login_reason == "AUTHENTICATION_DENIED") {
    report.failed_call = status;
    report.reason =
        status.method + " " + status.path +
        ": Jira did not accept the credentials (X-Seraph-LoginReason: " + status.login_reason + ")";
    return report;
  }
  report.ok = true;
  return report;
}

DevinfoReport TestDevinfo(DevinfoClient& client) {
  DevinfoReport report;
  ApiStatus status = client.Connect(&report.cloud_id);
  if (status.ok()) status = client.CheckAccess();
  if (status.ok()) {
    report.ok = true;
    return report;
  }
  report.failed_call = status;
  const int code = status.http_status;
  const bool answered = status.network_error.empty() && code != 0 && code < 500 && code != 429;
  if (!answered) {
    report.problem = DevinfoProblem::kUnreachable;
    report.reason = "no usable answer: " + status.ToString();
  } else if (status.path == "/oauth/token") {
    report.problem = DevinfoProblem::kCredentials;
    report.reason =
        "the OAuth client ID or secret is wrong: check [devinfo] client_id and "
        "client_secret_file/client_secret_env against the site's OAuth credentials (" +
        status.ToString() + ")";
  } else if (status.path == "/_edge/tenant_info") {
    report.problem = DevinfoProblem::kSite;
    report.reason =
        "the site gave no cloud ID: [jira] web_url must be the Jira Cloud site "
        "(https://<name>.atlassian.net) whose admin made the credentials (" +
        status.ToString() + ")";
  } else if (code == 403) {
    report.problem = DevinfoProblem::kPermission;
    report.reason =
        "the OAuth credentials lack the \"Development information\" permission: edit them "
        "in Jira (Settings > Apps > OAuth credentials) (" +
        status.ToString() + ")";
  } else if (code == 401) {
    report.problem = DevinfoProblem::kCredentials;
    report.reason =
        "the API refused a fresh token of these OAuth credentials (" + status.ToString() + ")";
  } else {
    report.problem = DevinfoProblem::kUnreachable;
    report.reason = status.ToString();
  }
  return report;
}

const char* DevinfoProblemName(DevinfoProblem problem) {
  switch (problem) {
    case DevinfoProblem::kNone:
      return "";
    case DevinfoProblem::kCredentials:
      return "credentials";
    case DevinfoProblem::kSite:
      return "site";
    case DevinfoProblem::kPermission:
      return "permission";
    case DevinfoProblem::kUnreachable:
      return "unreachable";
  }
  return "";
}

std::string DescribeUser(const User& user) {
  std::string id = !user.name.empty()    ? user.name
                   : !user.email.empty() ? user.email
                                         : user.account_id;
  if (user.display_name.empty()) return id;
  if (id.empty() || id == user.display_name) return user.display_name;
  return user.display_name + " (" + id + ")";
}

}  // namespace jiralink::jira
