#include "common.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "jiralink/core/postgres_uri.h"
#include "jiralink/core/shell_quote.h"
#include "jiralink/os/core_dumps.h"
#include "jiralink/outbox/job.h"
#include "jiralink/outbox/open_outbox.h"
#include "jiralink/outbox/sqlite_outbox.h"
#include "jiralink/state/state_owner.h"

namespace jiralink::cli {

void AddConfigOption(CLI::App& app, Context& ctx) {
  app.add_option("--config", ctx.config_path, "settings file (TOML)");
}

bool LoadConfig(const Context& ctx, config::Config* out) {
  // Settings hold or name secrets (the Jira token, the webhook secret,
  // passwords): every command that may read one loads them here first.
  KeepSecretsOutOfCoreDumps();
  config::LoadOptions options;
  options.explicit_path = ctx.config_path;
  // A command reads a secret when it uses it (`config check` checks them all).
  options.check_files = false;
  std::vector<config::Diagnostic> diagnostics;
  Status status = config::Config::Load(options, out, &diagnostics);
  for (const config::Diagnostic& d : diagnostics) {
    std::fprintf(stderr, "%s\n", d.ToString().c_str());
  }
  if (!status.ok() && diagnostics.empty()) {
    std::fprintf(stderr, "jiralink: %s\n", status.message().c_str());
  }
  return status.ok();
}

MatchingOptions ToMatchingOptions(const config::MatchingSettings& matching) {
  MatchingOptions options;
  options.regex = matching.regex;
  options.prefix = matching.prefix;
  return options;
}

renderer::RenderOptions ToRenderOptions(const config::Settings& settings) {
  renderer::RenderOptions options;
  options.web_url = settings.jira.web_url;
  options.matching = ToMatchingOptions(settings.matching);
  options.max_bytes = settings.render.max_bytes;
  options.hardbreaks = settings.render.hardbreaks;
  return options;
}

Status ToDevinfoOptions(const config::Settings& settings, jira::DevinfoOptions* out) {
  const config::DevinfoSettings& devinfo = settings.devinfo;
  if (devinfo.client_id.empty()) {
    return Status::InvalidArgument(
        "[devinfo] client_id is not set: the client ID of the site's OAuth credentials");
  }
  jira::DevinfoOptions options;
  if (Status status = config::ResolveDevinfoClientSecret(devinfo, &options.client_secret);
      !status.ok()) {
    return status;
  }
  // The transport settings are [jira]'s, as the REST client reads them.
  const jira::ClientOptions site = ToClientOptions(settings.jira);
  options.api_url = devinfo.api_url;
  options.site_url = site.web_url;
  options.client_id = devinfo.client_id;
  options.timeout_seconds = site.timeout_seconds;
  options.connect_timeout_seconds = site.connect_timeout_seconds;
  options.ca_file = site.ca_file;
  options.verify_tls = site.verify_tls;
  options.debug = site.debug;
  *out = std::move(options);
  return Status::Ok();
}

Status ToCacheOptions(const config::Settings& settings, renderer::CacheOptions* out) {
  // The SQLite cache is the state owner's: another user (the web server,
  // root on another user's state) renders without it, silently, and never
  // creates a file there.
  out->enabled =
      settings.render.cache && (settings.render.redis || state::MayKeepStateIn(settings.state.dir));
  out->state_dir = settings.state.dir;
  out->redis.reset();
  if (!settings.render.cache || !settings.render.redis) return Status::Ok();
  renderer::RedisCacheOptions redis;
  redis.url = settings.render.redis_url;
  Status status = config::ResolveRenderCachePassword(settings.render, &redis.password);
  if (status.ok()) status = config::ResolveRenderCacheKey(settings.render, &redis.key);
  out->redis = std::move(redis);
  return status;
}

Status OutboxLocationOf(const config::Settings& settings, outbox::OutboxLocation* location) {
  location->sqlite_path = config::SqliteOutboxPath(settings.state);
  location->postgres_uri.clear();
  location->postgres_password.clear();
  if (!IsPostgresUri(settings.state.outbox)) return Status::Ok();
  location->postgres_uri = settings.state.outbox;
  return config::ResolveOutboxPassword(settings.state, &location->postgres_password);
}

Status OpenOutbox(const config::Settings& settings, std::unique_ptr<outbox::Outbox>* out,
                  outbox::Checkpoints checkpoints, std::string* spool_reason) {
  outbox::OutboxLocation location;
  Status status = OutboxLocationOf(settings, &location);
  if (!status.ok()) return status;
  std::string reason;
  status = outbox::OpenOutboxAt(
      location, checkpoints,
      spool_reason != nullptr ? outbox::WhenUnreachable::kSpool : outbox::WhenUnreachable::kFail,
      out, &reason);
  if (spool_reason != nullptr) *spool_reason = reason;
  return status;
}

Status BecomeStateOwner(const Context& ctx, const config::Settings& settings) {
  std::string init = "jiralink";
  if (!ctx.config_path.empty()) {
    std::error_code ec;
    init += " --config " + ShellQuote(std::filesystem::absolute(ctx.config_path, ec).string());
  }
  init += " state init";
  std::string became;
  return state::ActAsOwnerOf(settings.state.dir, settings.git.root, init, &became);
}

int OpenTopLevelOutbox(const Context& ctx, const char* command, config::Config* cfg,
                       config::Settings* settings, std::unique_ptr<outbox::Outbox>* outbox) {
  if (!LoadConfig(ctx, cfg)) return 2;
  *settings = cfg->ForRepo("");
  Status status = BecomeStateOwner(ctx, *settings);
  if (status.ok()) status = OpenOutbox(*settings, outbox);
  if (status.ok()) return -1;
  std::fprintf(stderr, "%s: %s\n", command, status.message().c_str());
  return status.code() == Status::Code::kUnavailable ? 1 : 2;
}

namespace {
bool stamp_warnings = false;
}  // namespace

void StampWarnings() { stamp_warnings = true; }

void WarnAboutSite(const config::JiraSettings& jira) {
  static std::set<std::string> printed;
  std::string line;
  for (const std::string& warning : config::SiteWarnings(jira)) {
    line += (line.empty() ? "" : "; ") + warning;
  }
  if (line.empty() || !printed.insert(line).second) return;
  if (stamp_warnings) {
    std::fprintf(stderr, "%s ", outbox::FormatMillisUtc(outbox::NowMillis()).c_str());
  }
  std::fprintf(stderr, "jiralink: warning: %s\n", line.c_str());
}

std::unique_ptr<jira::Client> MakeJiraClient(
    const config::Settings& settings, const char* command,
    const std::function<void(jira::ClientOptions*)>& adjust) {
  std::unique_ptr<jira::Client> client;
  if (Status status = issues::MakeClient(settings, &client, adjust); !status.ok()) {
    std::fprintf(stderr, "%s: %s\n", command, status.message().c_str());
    return nullptr;
  }
  WarnAboutSite(settings.jira);
  return client;
}

std::unique_ptr<jira::DevinfoClient> MakeDevinfoClient(const config::Settings& settings,
                                                       const char* command) {
  jira::DevinfoOptions options;
  options.api_url = settings.devinfo.api_url;
  options.site_url = settings.jira.web_url;
  options.client_id = settings.devinfo.client_id;
  options.timeout_seconds = settings.jira.timeout_seconds;
  options.connect_timeout_seconds = settings.jira.connect_timeout_seconds;
  options.ca_file = settings.jira.ca_file;
  options.verify_tls = settings.jira.verify_tls;
  if (options.client_id.empty()) {
    std::fprintf(stderr, "%s: [devinfo] client_id is not set\n", command);
    return nullptr;
  }
  if (options.site_url.empty()) {
    std::fprintf(stderr, "%s: [jira] web_url is not set\n", command);
    return nullptr;
  }
  Status secret = config::ResolveDevinfoClientSecret(settings.devinfo, &options.client_secret);
  if (!secret.ok()) {
    std::fprintf(stderr, "%s: [devinfo] client secret: %s\n", command, secret.message().c_str());
    return nullptr;
  }
  return std::make_unique<jira::DevinfoClient>(std::move(options));
}

int ParseOrExit(CLI::App& app, int argc, char** argv) {
  app.failure_message([](const CLI::App* failed, const CLI::Error& error) {
    std::string command = failed->get_name();
    for (const CLI::App* sub = failed; sub != nullptr;) {
      const auto parsed = sub->get_subcommands();
      sub = parsed.empty() ? nullptr : parsed.front();
      if (sub != nullptr) command += " " + sub->get_name();
    }
    return command + ": " + error.what() + "\n`" + command + " --help` lists the options.\n";
  });
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  return -1;
}

}  // namespace jiralink::cli

namespace jiralink::cli {

int RunSubcommands(Context& ctx, int argc, char** argv, const char* description,
                   std::initializer_list<Subcommand> subcommands) {
  std::string names;  // "list or show"
  std::size_t index = 0;
  for (const Subcommand& sub : subcommands) {
    if (index > 0) names += index + 1 == subcommands.size() ? " or " : ", ";
    names += sub.name;
    ++index;
  }
  std::string_view wanted = argc >= 2 ? argv[1] : "";
  if (wanted == "-h" || wanted == "--help" || wanted == "help") {
    // The shape CLI11 gives the other groups (queue, cache, hook...): the
    // subcommands listed, each describing its own options.
    std::printf("%s\nUsage: %s SUBCOMMAND [OPTIONS]\n\nOptions:\n  %-28s%s\n\nSubcommands:\n",
                description, argv[0], "-h,--help", "Print this help message and exit");
    for (const Subcommand& sub : subcommands) std::printf("  %-28s%s\n", sub.name, sub.summary);
    std::printf("\n");
    return 0;
  }
  for (const Subcommand& sub : subcommands) {
    if (wanted != sub.name) continue;
    // The subcommand becomes argv[0] of its own parser: "jiralink issues list".
    std::string name = std::string(argv[0]) + " " + sub.name;
    std::vector<char*> args(argv + 1, argv + argc);
    args[0] = name.data();
    return sub.run(ctx, static_cast<int>(args.size()), args.data());
  }
  if (wanted.empty()) {
    std::fprintf(stderr, "%s: name a subcommand: %s\n`%s --help` lists them.\n", argv[0],
                 names.c_str(), argv[0]);
  } else {
    std::fprintf(stderr, "%s: unknown subcommand '%s' (expected %s)\n`%s --help` lists them.\n",
                 argv[0], argv[1], names.c_str(), argv[0]);
  }
  return 2;
}

}  // namespace jiralink::cli
