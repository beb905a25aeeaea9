// Printing the outcome of a connection test (serverInfo + myself), shared by
// `jiralink test` and `jiralink migrate`.
#pragma once

#include "jiralink/jira/client.h"

namespace jiralink::cli {

// Tests the connection and prints the outcome: the deployment, version, user
// and API base on stdout, or "Connection failed. Check your integration
// settings." and the reason on stderr. `json` prints one JSON object to
// stdout instead. Returns 0 on success, 1 on failure.
int PrintConnectionTest(jira::Client& client, bool json, const char* command);

}  // namespace jiralink::cli
