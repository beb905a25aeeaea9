// "Test settings": does the configured Jira answer, and does it accept the
// credentials? The forge's test calls serverInfo and myself; so does this.
#pragma once

#include <string>

#include "jiralink/jira/client.h"
#include "jiralink/jira/devinfo.h"

namespace jiralink::jira {

struct ConnectionReport {
  bool ok = false;
  ServerInfo server_info;  // filled when serverInfo answered
  User user;               // filled when myself answered
  std::string api_base;    // e.g. "https://jira.example.com/jira/rest/api/2"
  ApiStatus failed_call;   // the call that failed (when !ok and a call failed)
  std::string reason;      // one line, never containing the token; empty when ok
};

// GET serverInfo, then GET myself. Fails when either call fails, or when
// myself answers with X-Seraph-LoginReason: AUTHENTICATED_FAILED (the
// credentials were not accepted although Jira answered).
ConnectionReport TestConnection(Client& client);

// What is wrong with the Development Information API's settings, as
// `jiralink test` names it.
enum class DevinfoProblem {
  kNone,
  kCredentials,  // the token endpoint refused the client ID or secret
  kSite,         // the site gave no cloud ID (not Jira Cloud, or not that site)
  kPermission,   // the credentials lack the "Development information" permission
  kUnreachable,  // no answer, or a server error: nothing is known to be wrong
};

struct DevinfoReport {
  bool ok = false;
  std::string cloud_id;  // filled when tenant_info answered
  DevinfoProblem problem = DevinfoProblem::kNone;
  ApiStatus failed_call;  // the call that failed (when !ok)
  std::string reason;     // one line naming the setting to fix; never a secret
};

// A token, the site's cloud ID, then DevinfoClient::CheckAccess (a read
// of a repository no tool stores): says which of the client ID/secret, the
// site or the permission is wrong. Writes nothing to Jira.
DevinfoReport TestDevinfo(DevinfoClient& client);

// "credentials", "site", "permission", "unreachable" ("" for kNone), for JSON.
const char* DevinfoProblemName(DevinfoProblem problem);

// What to call the user: "Display Name (name or e-mail or account id)".
std::string DescribeUser(const User& user);

}  // namespace jiralink::jira
