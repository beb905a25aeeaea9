// What `jiralink issues list|show`, `issue-types` and `vulnerability create`
// share: their settings, the project-key restriction and the Jira web URL.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "commands.h"
#include "jiralink/config/settings.h"
#include "jiralink/issues/issue_scope.h"

namespace jiralink::cli {

int RunIssuesList(Context& ctx, int argc, char** argv);  // jiralink issues list
int RunIssuesShow(Context& ctx, int argc, char** argv);  // jiralink issues show KEY

// Loads the settings file and picks the settings of `repo` (the [projects]
// / [groups] layer; empty = the top-level tables). Prints diagnostics.
// Returns false when the file has errors (the caller exits 2).
bool LoadSettingsFor(const Context& ctx, const std::string& repo, config::Settings* out);

// The project-key restriction and the Jira web URL live in the issues module
// (jiralink/issues/issue_scope.h), shared with the web pages of `serve`.
using issues::ConfiguredProjectKeys;
using issues::JiraWebUrl;
using issues::JoinKeys;
using issues::ProjectKeyAllowed;
using issues::ProjectOfIssueKey;

}  // namespace jiralink::cli
