// Printing the outcome of a connection test (serverInfo + myself, and with
// [devinfo] enabled the Development Information API's), shared by
// `jiralink test` and `jiralink migrate`.
#pragma once

#include <string>

#include "jiralink/jira/client.h"
#include "jiralink/jira/connection_test.h"

namespace jiralink::cli {

// Tests the connection and prints the outcome: the deployment, version, user
// and API base on stdout, or "Connection failed. Check your integration
// settings." and the reason on stderr. `json` prints one JSON object to
// stdout instead. Returns 0 on success, 1 on failure.
int PrintConnectionTest(jira::Client& client, bool json, const char* command);

// The Development Information API's part of `jiralink test`.
struct DevinfoOutcome {
  jira::DevinfoReport report;
  std::string api_url;  // [devinfo] api_url
};

// Prints a connection test already made, and `devinfo`'s outcome when it is
// not null (stdout, or on failure stderr; with `json` a "devinfo" member).
// Returns 0 when both succeeded, else 1.
int PrintConnectionReport(const jira::ConnectionReport& report, const jira::Client& client,
                          const DevinfoOutcome* devinfo, bool json, const char* command);

}  // namespace jiralink::cli
