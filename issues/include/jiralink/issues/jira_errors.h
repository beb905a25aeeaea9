// Clear messages for failed Jira calls of the issue views.
//
// DescribeJiraFailure: one line for the command line, worded after the
// forge's messages for its issue list and naming the setting to check:
//
//   401             the credentials for accessing Jira are not valid ...
//   403             the Jira user is not allowed to access the data ...
//   400 / others    an error occurred while requesting data from Jira: <Jira's messages>
//   no answer       cannot reach Jira at <url>: <what the network layer said>
#pragma once

#include <string>
#include <string_view>

#include "jiralink/jira/client.h"

namespace jiralink::issues {

// One line (no trailing newline) for a failed call. `api_url` names the site.
std::string DescribeJiraFailure(const jira::ApiStatus& status, std::string_view api_url);

// What the web page shows for a failed call: the forge's own message
// (Jira::Requests::Base#error_message, without its documentation links) and
// the HTTP status the page is answered with. Never holds the token or a
// request's headers.
//
//   Jira 401                    "The credentials for accessing Jira are not valid. ..."     502
//   Jira 403                    "The credentials for accessing Jira are not allowed ..."    502
//   Jira 400 with errorMessages "An error occurred while requesting data from Jira: a and b
//                                Check your Jira integration configuration and try again."  502
//   other Jira answers          "An error occurred while requesting data from Jira. ..."    502
//                               (503 when Jira answered 503 or 429: it asks us to wait)
//   TLS failure                 "An SSL error occurred while connecting to Jira: <curl>. ..." 502
//   host not found / bad URL    "The Jira API URL for connecting to Jira is not valid. ..." 502
//   timeout                     "A timeout error occurred while connecting to Jira. ..."    504
//   refused / reset / other     "A connection error occurred while connecting to Jira. ..." 502
//
// With `filter` (the visitor's own filters as the page names them, e.g.
// `status "Bogus"`), Jira's 400 is the visitor's to fix, not the
// operator's: "Jira did not accept the filter status "Bogus": <Jira's
// messages> Change the filter and try again.", 400. Without it a 400
// points at the configuration as above.
//
// retry_after_seconds: Jira's Retry-After on a 503 or 429 (the page's 503
// passes it on), at most kMaxForgeRetryAfterSeconds; 0 when Jira gave none.
inline constexpr int kMaxForgeRetryAfterSeconds = 3600;
struct ForgeError {
  int http_status = 502;
  std::string message;
  int retry_after_seconds = 0;
};
ForgeError DescribeForForge(const jira::ApiStatus& status, std::string_view filter = {});

// Jira's own words: errorMessages joined by "; ", then "field: message" for
// each field error. Empty when Jira said nothing useful. At most 5000 bytes.
std::string JiraMessages(const jira::ApiStatus& status);

}  // namespace jiralink::issues
