// jiralink migrate: move to a new Jira site (Server -> Cloud) in one step.
//
//   jiralink migrate --web-url URL [--api-url URL] [--auth basic|pat]
//                    [--username U] [--token-file F | --token-env V]
//                    [--no-test] [--config FILE]
//
// Tests the new settings against the new site first (as `jiralink test`),
// then edits the [jira] tables of the settings file in place, atomically and
// with the same file mode, then invalidates the render cache so that
// rendered links point at the new site. Changes nothing when the test fails.
//
// Every level is considered: the top-level [jira] always moves; a
// [groups."x".jira] or [projects."x".jira] table that sets a site moves when
// that site is the old one. Each level left alone is listed with the reason
// (another site; its own credentials on an inherited site; not written as a
// table the editor can change).
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "common.h"
#include "connection_report.h"
#include "jiralink/config/jira_table_edit.h"
#include "jiralink/core/jira_site.h"
#include "jiralink/renderer/render_cache.h"

namespace jiralink::cli {

namespace {

constexpr char kCommand[] = "jiralink migrate";

struct MigrateFlags {
  std::string web_url;
  std::string api_url;
  std::string auth;
  std::string username;
  std::string token_file;
  std::string token_env;
  bool no_test = false;
};

int Fail(int code, const std::string& message) {
  std::fprintf(stderr, "%s: %s\n", kCommand, message.c_str());
  return code;
}

bool IsHttpUrl(const std::string& url) {
  return url.rfind("https://", 0) == 0 || url.rfind("http://", 0) == 0;
}

std::string WithoutTrailingSlash(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

// The settings after the move: the current ones with the flags applied.
config::JiraSettings NewSettings(const config::JiraSettings& current, const MigrateFlags& flags) {
  config::JiraSettings next = current;
  next.web_url = flags.web_url;
  next.api_url = flags.api_url;  // empty = the web URL; the old API URL belongs to the old site
  if (!flags.auth.empty()) {
    next.auth = flags.auth == "pat" ? config::AuthMode::kPat : config::AuthMode::kBasic;
  }
  if (!flags.username.empty()) next.username = flags.username;
  if (!flags.token_file.empty()) {
    next.token_source = config::TokenSource::kFile;
    next.token_file = flags.token_file;
    next.token.clear();
    next.token_env.clear();
  } else if (!flags.token_env.empty()) {
    next.token_source = config::TokenSource::kEnv;
    next.token_env = flags.token_env;
    next.token.clear();
    next.token_file.clear();
  }
  return next;
}

config::JiraTableEdit TableEdit(const MigrateFlags& flags, std::vector<std::string> table) {
  config::JiraTableEdit edit;
  edit.table = std::move(table);
  edit.set.emplace_back("web_url", config::TomlString(flags.web_url));
  if (!flags.api_url.empty()) {
    edit.set.emplace_back("api_url", config::TomlString(flags.api_url));
  } else {
    edit.remove.push_back("api_url");
  }
  if (!flags.auth.empty()) edit.set.emplace_back("auth", config::TomlString(flags.auth));
  if (!flags.username.empty()) {
    edit.set.emplace_back("username", config::TomlString(flags.username));
  }
  if (!flags.token_file.empty()) {
    edit.set.emplace_back("token_file", config::TomlString(flags.token_file));
    edit.remove.insert(edit.remove.end(), {"token", "token_env"});
  } else if (!flags.token_env.empty()) {
    edit.set.emplace_back("token_env", config::TomlString(flags.token_env));
    edit.remove.insert(edit.remove.end(), {"token", "token_file"});
  }
  return edit;
}

// What migrate does with one level of the file.
struct LevelPlan {
  const config::Config::Level* level = nullptr;
  bool edit = false;
  std::string left_because;  // when not edited and worth saying
};

// Decides, for every level, whether its [jira] table moves to the new site.
std::vector<LevelPlan> PlanLevels(const config::Config& config,
                                  const std::vector<config::Config::Level>& levels,
                                  const config::JiraSettings& old_site,
                                  const std::string& new_site) {
  std::vector<LevelPlan> plans;
  for (const config::Config::Level& level : levels) {
    LevelPlan plan;
    plan.level = &level;
    if (level.table_path.empty()) {
      plan.edit = true;
      plans.push_back(plan);
      continue;
    }
    const config::JiraSettings jira = config.ForRepo(level.table_path[1]).jira;
    const bool on_old_site = (!old_site.web_url.empty() && jira.web_url == old_site.web_url) ||
                             (!old_site.api_url.empty() && jira.api_url == old_site.api_url);
    if (level.web_url.empty() && level.api_url.empty()) {
      if (level.sets_credentials && on_old_site) {
        plan.left_because =
            "it sets its own [jira] credentials (auth, username or token) and inherits the site, "
            "which moves to " +
            new_site + ": check that they work there";
      }
    } else if (on_old_site) {
      plan.edit = true;
    } else {
      plan.left_because = "its Jira site is " + jira.api_url + ", not the old site " +
                          (old_site.api_url.empty() ? "(none)" : old_site.api_url);
    }
    if (plan.edit || !plan.left_because.empty()) plans.push_back(plan);
  }
  return plans;
}

}  // namespace

int RunMigrate(Context& ctx, int argc, char** argv) {
  CLI::App app(
      "Move to a new Jira site: test the new settings, rewrite the [jira] table of the "
      "settings file in place, invalidate the render cache.",
      argv[0]);
  MigrateFlags flags;
  app.add_option("--web-url", flags.web_url, "the new Jira site, e.g. https://acme.atlassian.net")
      ->required();
  app.add_option("--api-url", flags.api_url, "the new API URL when it differs from --web-url");
  app.add_option("--auth", flags.auth, "basic (Cloud: e-mail + API token) or pat (Server/DC)")
      ->check(CLI::IsMember({"basic", "pat"}));
  app.add_option("--username", flags.username, "the account (Cloud: its e-mail address)");
  CLI::Option* file =
      app.add_option("--token-file", flags.token_file, "file holding the new API token");
  CLI::Option* env =
      app.add_option("--token-env", flags.token_env, "environment variable holding the token");
  file->excludes(env);
  app.add_flag("--no-test", flags.no_test, "write the settings without testing them first");
  AddConfigOption(app, ctx);
  if (int code = ParseOrExit(app, argc, argv); code >= 0) return code;

  flags.web_url = WithoutTrailingSlash(flags.web_url);
  flags.api_url = WithoutTrailingSlash(flags.api_url);
  if (!IsHttpUrl(flags.web_url)) {
    return Fail(2, "--web-url \"" + flags.web_url + "\" is not an http(s) URL");
  }
  if (!flags.api_url.empty() && !IsHttpUrl(flags.api_url)) {
    return Fail(2, "--api-url \"" + flags.api_url + "\" is not an http(s) URL");
  }
  if (!flags.token_file.empty()) {
    // Written into the settings file: make it independent of today's directory.
    flags.token_file = std::filesystem::absolute(flags.token_file).lexically_normal().string();
  }

  config::Config config;
  if (!LoadConfig(ctx, &config)) return 2;
  if (config.path().empty()) {
    return Fail(2, "no settings file was found; name the one to change with --config FILE");
  }
  const config::Settings settings = config.ForRepo("");
  config::JiraSettings next = NewSettings(settings.jira, flags);
  if (next.auth == config::AuthMode::kPat &&
      (IsJiraCloudUrl(next.web_url) || IsJiraCloudUrl(next.api_url))) {
    return Fail(2,
                "for Jira Cloud the authentication type must be basic: use --auth basic with "
                "the account's e-mail (--username) and an API token");
  }

  if (!flags.no_test) {
    Status status = config::RequireApiSettings(next);
    std::string token;
    if (status.ok()) status = config::ResolveToken(next, &token);
    if (!status.ok()) return Fail(2, status.message() + " (for the new site)");
    if (next.api_url.empty()) next.api_url = next.web_url;
    WarnAboutSite(next);
    jira::ClientOptions options = ToClientOptions(next);
    options.token = std::move(token);
    jira::Client client(std::move(options));
    std::printf("Testing %s ...\n", next.api_url.c_str());
    if (PrintConnectionTest(client, false, kCommand) != 0) {
      return Fail(1, config.path() + " was not changed");
    }
  }

  std::string text;
  if (std::string error; !ReadWholeFile(config.path(), &text, &error)) {
    return Fail(2, "cannot read " + config.path() + ": " + error);
  }
  const std::vector<config::Config::Level> levels = config.Levels();
  std::vector<LevelPlan> plans =
      PlanLevels(config, levels, settings.jira, next.api_url.empty() ? next.web_url : next.api_url);
  std::string edited = text;
  std::vector<std::pair<const config::Config::Level*, std::vector<config::JiraTableChange>>>
      changed;
  Status status;
  for (LevelPlan& plan : plans) {
    if (!plan.edit) continue;
    std::string result;
    std::vector<config::JiraTableChange> changes;
    const config::JiraTableEdit edit = TableEdit(flags, plan.level->table_path);
    // Refusals are judged on the file as it is, so that their line numbers
    // are the user's.
    status = config::EditJiraTable(text, config.path(), edit, &result, &changes);
    changes.clear();
    if (status.ok()) status = config::EditJiraTable(edited, config.path(), edit, &result, &changes);
    if (!status.ok()) {
      if (plan.level->table_path.empty()) return Fail(2, status.message());
      plan.edit = false;
      plan.left_because = status.message();
      continue;
    }
    edited = std::move(result);
    if (!changes.empty()) changed.emplace_back(plan.level, std::move(changes));
  }
  auto print_left = [&plans]() {
    bool first = true;
    for (const LevelPlan& plan : plans) {
      if (plan.edit || plan.left_because.empty()) continue;
      if (first) std::printf("Left as they were:\n");
      first = false;
      std::printf("  %s (line %d): %s\n", plan.level->display.c_str(), plan.level->line,
                  plan.left_because.c_str());
    }
  };
  if (edited == text) {
    std::printf("%s already has these [jira] settings; nothing changed.\n", config.path().c_str());
    print_left();
    return 0;
  }
  // Never write a file that the next command could not read.
  config::Config check;
  std::vector<config::Diagnostic> diagnostics;
  status = config::Config::LoadFromString(edited, config.path(), &check, &diagnostics);
  if (!status.ok()) {
    for (const config::Diagnostic& d : diagnostics) {
      if (d.severity == config::Diagnostic::Severity::kError) {
        std::fprintf(stderr, "%s\n", d.ToString().c_str());
      }
    }
    return Fail(2, "the edited settings would not load; " + config.path() + " was not changed");
  }
  status = config::ReplaceFileAtomically(config.path(), edited);
  if (!status.ok()) return Fail(1, status.message());
  for (const auto& [level, changes] : changed) {
    if (level->table_path.empty()) {
      std::printf("Updated [jira] in %s:\n", config.path().c_str());
    } else {
      std::printf("Updated the [jira] settings of %s (line %d):\n", level->display.c_str(),
                  level->line);
    }
    for (const config::JiraTableChange& change : changes) {
      std::printf("  %s\n", change.ToString().c_str());
    }
  }
  print_left();

  renderer::CacheOptions cache;
  renderer::CacheInvalidation done;
  // The settings file was root's to change; the render cache is the state
  // owner's (root acts as that user from here on).
  status = BecomeStateOwner(ctx, settings);
  if (status.ok()) status = ToCacheOptions(settings, &cache);
  if (status.ok()) status = renderer::InvalidateCaches(cache, &done);
  const std::int64_t version = done.local_version;
  if (!status.ok()) {
    return Fail(1, "the settings were changed, but the render cache was not invalidated (" +
                       status.message() + "); run `jiralink cache invalidate`");
  }
  std::printf("Render cache invalidated: local version is now %lld.\n",
              static_cast<long long>(version));
  return 0;
}

}  // namespace jiralink::cli
