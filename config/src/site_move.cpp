#include "jiralink/config/site_move.h"

#include <utility>

#include "effective_checks.h"
#include "jiralink/core/jira_site.h"
#include "jiralink/core/text.h"
#include "toml_string.h"
#include "value_checks.h"

namespace jiralink::config {
namespace {

JiraTableEdit TableEdit(const SiteMove& move, std::vector<std::string> table) {
  JiraTableEdit edit;
  edit.table = std::move(table);
  edit.set.emplace_back("web_url", TomlString(move.web_url));
  if (!move.api_url.empty()) {
    edit.set.emplace_back("api_url", TomlString(move.api_url));
  } else {
    edit.remove.push_back("api_url");
  }
  if (!move.auth.empty()) edit.set.emplace_back("auth", TomlString(move.auth));
  if (!move.username.empty()) edit.set.emplace_back("username", TomlString(move.username));
  if (!move.token_file.empty()) {
    edit.set.emplace_back("token_file", TomlString(move.token_file));
    edit.remove.insert(edit.remove.end(), {"token", "token_env"});
  } else if (!move.token_env.empty()) {
    edit.set.emplace_back("token_env", TomlString(move.token_env));
    edit.remove.insert(edit.remove.end(), {"token", "token_file"});
  }
  return edit;
}

// Whether one level's [jira] table moves, and why not.
LevelMove Decide(const Config& config, const Config::Level& level, const JiraSettings& old_site,
                 const std::string& new_site) {
  LevelMove decision;
  decision.level = level;
  if (level.table_path.empty()) {
    decision.edit = true;
    return decision;
  }
  const JiraSettings jira = config.ForRepo(level.table_path[1]).jira;
  const bool on_old_site = (!old_site.web_url.empty() && jira.web_url == old_site.web_url) ||
                           (!old_site.api_url.empty() && jira.api_url == old_site.api_url);
  if (level.web_url.empty() && level.api_url.empty()) {
    if (level.sets_credentials && on_old_site) {
      decision.left_because =
          "it sets its own [jira] credentials (auth, username or token) and inherits the site, "
          "which moves to " +
          new_site + ": check that they work there";
    }
  } else if (on_old_site) {
    decision.edit = true;
  } else {
    decision.left_because = "its Jira site is " + jira.api_url + ", not the old site " +
                            (old_site.api_url.empty() ? "(none)" : old_site.api_url);
  }
  return decision;
}

}  // namespace

Status CheckSiteMove(const JiraSettings& current, SiteMove* move) {
  move->web_url = std::string(TrimTrailingSlashes(move->web_url));
  move->api_url = std::string(TrimTrailingSlashes(move->api_url));
  if (std::string problem = CheckSiteUrl(move->web_url); !problem.empty()) {
    return Status::InvalidArgument("--web-url " + problem);
  }
  if (!move->api_url.empty()) {
    if (std::string problem = CheckSiteUrl(move->api_url); !problem.empty()) {
      return Status::InvalidArgument("--api-url " + problem);
    }
  }
  if (std::string problem = CloudAuthProblem(MovedJiraSettings(current, *move)); !problem.empty()) {
    return Status::InvalidArgument("--auth: " + problem);
  }
  return Status::Ok();
}

JiraSettings MovedJiraSettings(const JiraSettings& current, const SiteMove& move) {
  JiraSettings next = current;
  next.web_url = move.web_url;
  next.api_url = move.api_url;  // empty = the web URL; the old API URL belongs to the old site
  if (move.auth == "pat") next.auth = AuthMode::kPat;
  if (move.auth == "basic") next.auth = AuthMode::kBasic;
  if (!move.username.empty()) next.username = move.username;
  if (!move.token_file.empty()) {
    next.token_source = TokenSource::kFile;
    next.token_file = move.token_file;
    next.token.clear();
    next.token_env.clear();
  } else if (!move.token_env.empty()) {
    next.token_source = TokenSource::kEnv;
    next.token_env = move.token_env;
    next.token.clear();
    next.token_file.clear();
  }
  next.cloud = IsJiraCloudUrl(next.web_url) || IsJiraCloudUrl(next.api_url);
  return next;
}

Status PlanSiteMove(const Config& config, std::string_view text, const SiteMove& move,
                    SiteMovePlan* plan) {
  const JiraSettings old_site = config.ForRepo("").jira;
  const std::string new_site = move.api_url.empty() ? move.web_url : move.api_url;
  SiteMovePlan result;
  result.edited = std::string(text);
  for (const Config::Level& level : config.Levels()) {
    LevelMove decision = Decide(config, level, old_site, new_site);
    if (decision.edit) {
      const JiraTableEdit edit = TableEdit(move, level.table_path);
      std::string edited;
      std::vector<JiraTableChange> ignored;
      Status status = EditJiraTable(text, config.path(), edit, &edited, &ignored);
      if (status.ok()) {
        status = EditJiraTable(result.edited, config.path(), edit, &edited, &decision.changes);
      }
      if (!status.ok()) {
        if (level.table_path.empty()) return status;
        decision.edit = false;
        decision.changes.clear();
        decision.left_because = status.message();
      } else {
        result.edited = std::move(edited);
      }
    }
    if (decision.edit || !decision.left_because.empty()) {
      result.levels.push_back(std::move(decision));
    }
  }
  *plan = std::move(result);
  return Status::Ok();
}

}  // namespace jiralink::config
