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
#include "jiralink/config/site_move.h"
#include "jiralink/os/whole_file.h"
#include "jiralink/renderer/render_cache.h"

namespace jiralink::cli {

namespace {

constexpr char kCommand[] = "jiralink migrate";

struct MigrateFlags : config::SiteMove {
  bool no_test = false;
};

int Fail(int code, const std::string& message) {
  std::fprintf(stderr, "%s: %s\n", kCommand, message.c_str());
  return code;
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
  if (Status status = config::CheckSiteMove(settings.jira, &flags); !status.ok()) {
    return Fail(2, status.message());
  }
  config::JiraSettings next = config::MovedJiraSettings(settings.jira, flags);

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
  if (Status read = ReadWholeFile(config.path(), config::kMaxSettingsFileBytes, &text);
      !read.ok()) {
    return Fail(2, "cannot read " + config.path() + ": " + read.message());
  }
  config::SiteMovePlan plan;
  if (Status status = config::PlanSiteMove(config, text, flags, &plan); !status.ok()) {
    return Fail(2, status.message());
  }
  const std::string& edited = plan.edited;
  auto print_left = [&plan]() {
    bool first = true;
    for (const config::LevelMove& level : plan.levels) {
      if (level.edit || level.left_because.empty()) continue;
      if (first) std::printf("Left as they were:\n");
      first = false;
      std::printf("  %s (line %d): %s\n", level.level.display.c_str(), level.level.line,
                  level.left_because.c_str());
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
  Status status = config::Config::LoadFromString(edited, config.path(), &check, &diagnostics);
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
  for (const config::LevelMove& level : plan.levels) {
    if (level.changes.empty()) continue;
    if (level.level.table_path.empty()) {
      std::printf("Updated [jira] in %s:\n", config.path().c_str());
    } else {
      std::printf("Updated the [jira] settings of %s (line %d):\n", level.level.display.c_str(),
                  level.level.line);
    }
    for (const config::JiraTableChange& change : level.changes) {
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
