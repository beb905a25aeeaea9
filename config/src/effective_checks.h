// Rules that involve several settings: `auth = "pat"` with a Cloud URL,
// `mode = "custom"` without ids, a regex and a prefix that do not compile
// together, and the connection-safety warnings (a token or password sent to
// an http:// api_url, verify_tls = false). They can only be judged on the
// layered settings of a scope.
#pragma once

#include <string>
#include <string_view>

#include "jiralink/config/settings.h"
#include "table_reader.h"

namespace jiralink::config {

// Checks the effective settings of one scope (the top level, a group, a
// project) whose layers have rank <= `rank`. A problem is reported only by
// the scope that completes it (its most specific key has rank `rank`), at
// that key, so a conflict in the top level is not repeated for every project.
// `display_prefix` names the scope in messages ("" or "projects.\"a/b\".").
// Errors go to `sink`; connection-safety warnings to `site_sink`.
// "" when the [jira] authentication can work with the site (jira.cloud must
// be set); else why not, as the tail of a message: auth = "pat" cannot be
// used with Jira Cloud, which has no personal access tokens. `config check`
// and `migrate` both ask this.
std::string CloudAuthProblem(const JiraSettings& jira);

void CheckEffective(const Settings& settings, const Origins& origins, int rank,
                    std::string_view display_prefix, DiagnosticSink& sink,
                    DiagnosticSink& site_sink);

}  // namespace jiralink::config
