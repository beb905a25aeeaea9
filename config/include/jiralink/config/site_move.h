// Moving the settings to a new Jira site (`jiralink migrate`, Server ->
// Cloud): what the move is, whether it is allowed, and which [jira] tables of
// the settings file it rewrites.
//
// The move is checked by the settings' own rules, not a copy of them: the
// URLs as [jira] web_url and api_url are checked (value_checks.h's
// CheckSiteUrl: http(s), a host, no user name or password, no query), and
// the authentication as `config check` checks it (no personal access token
// on Jira Cloud). What a check refuses here, the settings file would refuse
// after the move.
//
// Every level of the file is considered: the top-level [jira] always moves;
// a [groups."x".jira] or [projects."x".jira] table that sets a site moves
// when that site is the old one. Each level left alone is kept with the
// reason (another site; its own credentials on an inherited site; not
// written as a table the editor can change, jira_table_edit.h).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "jiralink/config/jira_table_edit.h"
#include "jiralink/config/loader.h"
#include "jiralink/core/status.h"

namespace jiralink::config {

// What the user asked for: the new site and, optionally, new credentials.
struct SiteMove {
  std::string web_url;
  std::string api_url;     // "" = the web URL
  std::string auth;        // "basic", "pat" or "" (unchanged)
  std::string username;    // "" = unchanged
  std::string token_file;  // at most one of token_file and token_env; both "" = unchanged
  std::string token_env;
};

// Trims the URLs' trailing slashes and checks the move with the settings'
// rules (see above) against the site's current [jira] settings. On refusal,
// InvalidArgument with the flag's name first: "--web-url must be an absolute
// http(s) URL such as ...".
Status CheckSiteMove(const JiraSettings& current, SiteMove* move);

// The [jira] settings after the move: the current ones with the move applied
// (a new token source replaces the old one; the old API URL is dropped with
// the old site).
JiraSettings MovedJiraSettings(const JiraSettings& current, const SiteMove& move);

// What the move does with one level of the file.
struct LevelMove {
  Config::Level level;
  bool edit = false;
  std::string left_because;              // when not edited and worth saying
  std::vector<JiraTableChange> changes;  // when edited; empty = already so
};

struct SiteMovePlan {
  std::string edited;             // the whole file after the move
  std::vector<LevelMove> levels;  // the levels edited or left with a reason, in file order
};

// Plans the move over the settings file whose text is `text` and whose
// loaded form is `config`. Fails (and plans nothing) only when the top-level
// [jira] cannot be edited; a group or project table that cannot is left with
// the editor's reason. Refusals are judged on the file as the user wrote it,
// so their line numbers are the user's.
Status PlanSiteMove(const Config& config, std::string_view text, const SiteMove& move,
                    SiteMovePlan* plan);

}  // namespace jiralink::config
