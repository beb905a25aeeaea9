#include "jiralink/jira/connection_test.h"

namespace jiralink::jira {

ConnectionReport TestConnection(Client& client) {
  ConnectionReport report;
  std::string base = client.options().api_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  report.api_base = base + "/rest/api/2";

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

std::string DescribeUser(const User& user) {
  std::string id = !user.name.empty()    ? user.name
                   : !user.email.empty() ? user.email
                                         : user.account_id;
  if (user.display_name.empty()) return id;
  if (id.empty() || id == user.display_name) return user.display_name;
  return user.display_name + " (" + id + ")";
}

}  // namespace jiralink::jira
