// Clear messages for failed Jira calls of the issue commands, worded after
// the forge's messages for its issue list:
//
//   401             the credentials for accessing Jira are not valid ...
//   403             the Jira user is not allowed to access the data ...
//   400 / others    an error occurred while requesting data from Jira: <Jira's messages>
//   no answer       cannot reach Jira at <url>: <what the network layer said>
#pragma once

#include <string>
#include <string_view>

#include "jiralink/jira/client.h"

namespace jiralink::cli {

// One line (no trailing newline) for a failed call. `api_url` names the site.
std::string DescribeJiraFailure(const jira::ApiStatus& status, std::string_view api_url);

// Jira's own words: errorMessages joined by "; ", then "field: message" for
// each field error. Empty when Jira said nothing useful. At most 5000 bytes.
std::string JiraMessages(const jira::ApiStatus& status);

}  // namespace jiralink::cli
