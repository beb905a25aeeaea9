// "Test settings": does the configured Jira answer, and does it accept the
// credentials? The forge's test calls serverInfo and myself; so does this.
#pragma once

#include <string>

#include "jiralink/jira/client.h"

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

// What to call the user: "Display Name (name or e-mail or account id)".
std::string DescribeUser(const User& user);

}  // namespace jiralink::jira
