// Wiring shared by the subcommands: loading settings and building the
// module option structs from them. No command logic lives here.
#pragma once

#include <functional>
#include <initializer_list>
#include <memory>
#include <string>

#include "CLI/CLI.hpp"
#include "commands.h"
#include "jiralink/config/loader.h"
#include "jiralink/core/key_scanner.h"
#include "jiralink/issues/issue_scope.h"
#include "jiralink/jira/client.h"
#include "jiralink/jira/devinfo.h"
#include "jiralink/outbox/open_outbox.h"
#include "jiralink/outbox/outbox.h"
#include "jiralink/outbox/sqlite_outbox.h"
#include "jiralink/renderer/cached_renderer.h"
#include "jiralink/renderer/renderer.h"

namespace jiralink::cli {

// Adds --config FILE to a command, bound to ctx.config_path.
void AddConfigOption(CLI::App& app, Context& ctx);

// Loads the settings file named by ctx (or found by the search order).
// Prints every diagnostic to stderr as "file:line:column: error: ...".
// Returns false when the file has errors (the caller exits 2).
bool LoadConfig(const Context& ctx, config::Config* out);

// The matching options of the settings.
MatchingOptions ToMatchingOptions(const config::MatchingSettings& matching);

// The render options of the settings (`render` and `cache` must agree on
// them: they decide the cache epoch).
renderer::RenderOptions ToRenderOptions(const config::Settings& settings);

// The render cache of the settings: enabled by [render] cache, the SQLite
// file under [state] dir, or the Redis server [render] cache names (its
// password resolved). `warn` is left empty. Fails only when the Redis
// password cannot be read (*out is then complete but for it).
Status ToCacheOptions(const config::Settings& settings, renderer::CacheOptions* out);

// The Development Information API client's options of the settings
// ([devinfo], with [jira] web_url as the site and [jira]'s timeouts and TLS
// settings), the client secret read. Fails, naming the setting, when
// client_id is unset or the secret cannot be read. Whether devinfo is
// enabled, and whether the site is Cloud, is the caller's to check.
Status ToDevinfoOptions(const config::Settings& settings, jira::DevinfoOptions* out);

// Where the settings put the outbox ([state] outbox, else <[state] dir>/
// outbox.sqlite3), with the PostgreSQL password read.
Status OutboxLocationOf(const config::Settings& settings, outbox::OutboxLocation* location);

// Opens the outbox the settings name (see OutboxLocationOf). With a
// `spool_reason`, a PostgreSQL server that cannot be reached gives the
// host's SQLite spool instead, and *spool_reason says why (empty when the
// outbox itself was opened): outbox/open_outbox.h.
Status OpenOutbox(const config::Settings& settings, std::unique_ptr<outbox::Outbox>* out,
                  outbox::Checkpoints checkpoints = outbox::Checkpoints::kAutomatic,
                  std::string* spool_reason = nullptr);

// What `deliver`, `queue` and `state init` start with: loads the settings
// file, takes its top-level settings into *settings and opens the outbox
// they name into *outbox (*cfg keeps the whole file, for per-repository
// settings). On failure prints "<command>: <reason>" and returns
// the exit code: 1 when the outbox's server cannot be reached, else 2.
// Returns -1 on success.
int OpenTopLevelOutbox(const Context& ctx, const char* command, config::Config* cfg,
                       config::Settings* settings, std::unique_ptr<outbox::Outbox>* outbox);

// Root acts as the owner of the state directory the settings name before
// anything there is opened (state/state_owner.h); any other user, or root
// on a root-owned state, goes on as it is. Fails, with the line to run,
// when the state directory is missing (root never creates it) or the switch
// fails.
Status BecomeStateOwner(const Context& ctx, const config::Settings& settings);

// Prints config::SiteWarnings() for these settings as one line on stderr,
// "jiralink: warning: ...", each distinct line once per process. For the
// operator, never the pushers: the hooks do not call it (the delivery run a
// push starts says it in deliver.log).
void WarnAboutSite(const config::JiraSettings& jira);

// From now on WarnAboutSite starts its line with the UTC time, as every line
// of a log does (`deliver --log`, whose stderr is the log file).
void StampWarnings();

// Builds a Jira client from the settings: checks that the API settings are
// complete and reads the token. On failure prints the reason (naming the
// missing setting), prefixed by `command`, to stderr and returns nullptr (the caller exits 2).
// Warns about an unsafe connection (WarnAboutSite).
std::unique_ptr<jira::Client> MakeJiraClient(
    const config::Settings& settings, const char* command,
    const std::function<void(jira::ClientOptions*)>& adjust = nullptr);

// A client of Jira Cloud's Development Information API from the settings:
// [devinfo] api_url, client_id and the secret it names, with [jira]'s site,
// timeouts and TLS settings. On failure prints the reason (naming the
// setting), prefixed by `command`, to stderr and returns nullptr.
std::unique_ptr<jira::DevinfoClient> MakeDevinfoClient(const config::Settings& settings,
                                                       const char* command);

// The client options without the token (for code that resolves it itself).
// The Jira site a repository's jobs go to is settings.jira.api_url.
// (jiralink/issues/issue_scope.h, shared with `serve`.)
using issues::ToClientOptions;

// Runs a CLI11 app over argv; returns -1 when parsing succeeded and the
// command should go on, else the exit code to return (0 for --help, 2 for errors).
// Errors name the program and the command (and the subcommand when one was
// reached): "jiralink issues list: --state: ...", then where help is.
int ParseOrExit(CLI::App& app, int argc, char** argv);

// One subcommand of a command whose subcommands parse their own options.
struct Subcommand {
  const char* name;  // "list"
  int (*run)(Context&, int, char**);
  const char* summary;
};

// Dispatches `argv[1]` to its subcommand, which sees argv[0] = "<argv[0]> <name>".
// `-h`, `--help` and `help` print `description` and list the subcommands
// with their summaries, as CLI11 lists the subcommands of the other groups
// (exit 0; `<argv[0]> <name> --help` describes one). A missing or unknown
// subcommand says so on stderr and exits 2.
int RunSubcommands(Context& ctx, int argc, char** argv, const char* description,
                   std::initializer_list<Subcommand> subcommands);

}  // namespace jiralink::cli
