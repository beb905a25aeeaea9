// Which Jira site and which projects a repository's issue views show, and
// the Jira client for them. Shared by `jiralink issues list|show` and the
// "View Jira issues" pages of `jiralink serve`.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "jiralink/config/settings.h"
#include "jiralink/core/status.h"
#include "jiralink/jira/client.h"

namespace jiralink::issues {

// The forge's DEFAULT_FIELDS for its issue list (what a search asks for).
const std::vector<std::string>& ListFields();

// The configured project keys, stripped, blanks and repeats dropped.
std::vector<std::string> ConfiguredProjectKeys(const config::IssuesSettings& issues);

// True when [issues] project_keys is empty or holds `project_key`.
bool ProjectKeyAllowed(const config::IssuesSettings& issues, std::string_view project_key);

// "A, B" for messages.
std::string JoinKeys(const std::vector<std::string>& keys);

// The project of an issue key ("PROJ-12" -> "PROJ"); empty when `key` is
// not of the form <project>-<number>.
std::string ProjectOfIssueKey(std::string_view key);

// Where issues are browsed: [jira] web_url, else api_url, without a trailing '/'.
std::string JiraWebUrl(const config::JiraSettings& jira);

// {web_url}/browse/KEY (web_url without a trailing '/').
std::string IssueUrl(std::string_view web_url, std::string_view key);

// The client options of the settings, without the token. JIRALINK_DEBUG
// (set, not "0") turns on the client's request log.
jira::ClientOptions ToClientOptions(const config::JiraSettings& jira);

// A client for the settings' site: the API settings must be complete
// (config::RequireApiSettings) and the token readable (config::ResolveToken).
// `adjust`, when set, may change the options before the client is made
// (delivery adds its rate-budget hooks). Errors name the missing setting and
// never hold the token.
Status MakeClient(const config::Settings& settings, std::unique_ptr<jira::Client>* out,
                  const std::function<void(jira::ClientOptions*)>& adjust = {});

}  // namespace jiralink::issues
