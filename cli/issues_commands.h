// What `jiralink issues list|show`, `issue-types` and `vulnerability create`
// share: their settings, the project-key restriction and the Jira web URL.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "commands.h"
#include "jiralink/config/settings.h"

namespace jiralink::cli {

int RunIssuesList(Context& ctx, int argc, char** argv);  // jiralink issues list
int RunIssuesShow(Context& ctx, int argc, char** argv);  // jiralink issues show KEY

// Loads the settings file and picks the settings of `repo` (the [projects]
// / [groups] layer; empty = the top-level tables). Prints diagnostics.
// Returns false when the file has errors (the caller exits 2).
bool LoadSettingsFor(const Context& ctx, const std::string& repo, config::Settings* out);

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

}  // namespace jiralink::cli
