// Loading, layering and validating the jiralink TOML file.
//
// Where the file is found, first hit wins:
//   1. an explicit path (--config FILE),
//   2. $JIRALINK_CONFIG,
//   3. $XDG_CONFIG_HOME/jiralink/config.toml (or ~/.config/jiralink/config.toml),
//   4. /etc/jiralink/config.toml.
// An explicit path or $JIRALINK_CONFIG that does not exist is an error; when
// none of 3 and 4 exists the built-in defaults apply (scanning and rendering
// need no file).
//
// Every push reads the file, so it is refused, with the position of the
// first offence, before the TOML parser runs when it breaks a limit below
// (the parser recurses per dotted part and per nested array, and a file of
// 200,000 tables took 39 s). At most kMaxReportedErrors errors are listed.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "jiralink/config/settings.h"
#include "jiralink/core/status.h"

namespace jiralink::config {

// One finding about the file. Errors make Load() fail; warnings do not.
struct Diagnostic {
  enum class Severity { kError, kWarning };
  Severity severity = Severity::kError;
  std::string file;  // empty when not about a file (e.g. a missing env variable)
  int line = 0;      // 1-based; 0 when unknown
  int column = 0;    // 1-based; 0 when unknown
  std::string message;

  // "file:line:column: error: message" (parts that are unknown are left out).
  std::string ToString() const;
};

inline constexpr std::size_t kMaxSettingsFileBytes = 1024 * 1024;
inline constexpr std::size_t kMaxKeyParts = 8;    // a.b.c = 1 has 3; [groups."x".jira] has 3
inline constexpr std::size_t kMaxNesting = 8;     // arrays and inline tables inside each other
inline constexpr std::size_t kMaxTables = 10000;  // table headers plus inline tables
inline constexpr int kMaxReportedErrors = 100;

// Where the effective value of each setting came from, by "table.key"
// ("jira.web_url" -> "groups.\"ops\" (line 12)"). A setting that no layer sets
// is absent (its value is the built-in default or derived).
using ValueSources = std::map<std::string, std::string>;

struct LoadOptions {
  std::string explicit_path;  // --config; empty = search
  // Whether the files the settings name (token_file, ca_file, the password
  // and secret files) are opened now and an unreadable one is an error, or
  // left to the command that uses them. `config check` checks them; the
  // commands do not, so that a user who needs no secret (the web server
  // running `render`, a pusher handing jobs to the maildrop) is not refused
  // for a file that only the queue's owner may read.
  bool check_files = true;
};

class Config {
 public:
  // Finds, parses and validates the file. Every problem found is appended to
  // *diagnostics (errors and warnings, including "readable by others" for a
  // file holding a secret). Returns an error Status if any error was found.
  static Status Load(const LoadOptions& options, Config* out, std::vector<Diagnostic>* diagnostics);

  // Parses TOML text as if read from `path` (for tests and for `migrate`).
  static Status LoadFromString(std::string_view toml, std::string_view path, Config* out,
                               std::vector<Diagnostic>* diagnostics);

  // The effective settings for a repository path such as "platform/api"
  // (empty = the instance defaults), or a repository directory. The name is
  // found by RepositoryName() (with [git] root), so "platform/api.git" and
  // "/srv/git/platform/api.git" both find [projects."platform/api"].
  //
  // Layers apply in this order, each key overriding the one before: built-in
  // defaults, the top-level tables, every [groups."<prefix>"] whose prefix
  // covers the repository on whole path components, outermost first
  // ("ops" then "ops/deep" for "ops/deep/x"), then [projects."<path>"].
  // Derived values are filled in last (api_url, state.dir, jira.cloud).
  // With `sources`, also says which layer each effective value came from.
  Settings ForRepo(std::string_view repo_path, ValueSources* sources = nullptr) const;

  // The layers of the file (top level first, then groups, then projects, each
  // in file order) with what their [jira] table sets, for `migrate`.
  struct Level {
    std::vector<std::string> table_path;  // {} for the top level, {"groups", "ops"}
    std::string display;                  // "the top level", "[groups.\"ops\"]"
    int line = 0;                         // where the level starts; 0 for the top level
    std::string web_url;                  // as set by this level ("" = not set)
    std::string api_url;                  // as set by this level ("" = not set)
    bool sets_credentials = false;        // auth, username or a token source
  };
  std::vector<Level> Levels() const;

  // Warnings about the safety of the Jira connection (cleartext credentials,
  // verify_tls = false) and of a shared render cache (Redis without
  // cache_key_file) for every scope, with positions. Load() keeps them
  // apart from its diagnostics: `config check` prints them, and commands that
  // use the site print SiteWarnings() for their own settings.
  const std::vector<Diagnostic>& site_diagnostics() const { return site_diagnostics_; }

  // The file that was read; empty when the defaults apply.
  const std::string& path() const { return path_; }

  // Human-readable dump of the effective settings, secrets as <redacted>
  // (what `jiralink config check` prints). The text is valid TOML.
  // With `sources` (from ForRepo), each line ends with a comment naming the
  // layer its value came from ("# groups.\"ops\" (line 12)", "# default").
  static std::string Describe(const Settings& settings, const ValueSources* sources = nullptr);

  // Every key a settings file may set, as {table, key} in the order of the
  // reference: the same lists that reading the file checks keys against, so
  // the documentation's tests hold the README and the example to them.
  static std::vector<std::pair<std::string_view, std::string_view>> Keys();

 private:
  struct Layers;  // the validated [groups] and [projects] tables (config.cpp)

  // What Load() and LoadFromString() share; `on_disk` enables the check of
  // the file's permissions.
  static Status Parse(std::string_view text, const std::string& path, bool on_disk,
                      bool check_files, Config* out, std::vector<Diagnostic>* diagnostics);

  std::string path_;
  std::vector<Diagnostic> site_diagnostics_;
  ValueSources top_sources_;
  Settings defaults_;  // built-ins + top-level tables
  std::shared_ptr<const Layers> layers_;
};

// The one answer to "which repository is this?": the name that selects the
// [groups] and [projects] settings, fills {repo} in link templates and is
// stored with every job. The hook, `config check --repo`, `render` and a
// webhook service all ask here, so they select the same settings.
//
//   - `gl_project_path` (GitLab's $GL_PROJECT_PATH, passed in by the caller;
//     GitLab keeps repositories under hashed paths) wins when not empty;
//   - a relative `path` is a name ("platform/api.git" -> "platform/api");
//   - an absolute `path` is a directory: its path under `git_root` when it
//     lies there ("/srv/git/platform/api.git" under "/srv/git" ->
//     "platform/api"), else its own last component ("/srv/work/.git" ->
//     "work"). Symbolic links in the directory and the root are resolved.
//
// Every form is normalized: no leading or trailing '/', no trailing ".git".
// Pure apart from resolving symbolic links; reads no environment variable.
std::string RepositoryName(std::string_view path, std::string_view git_root,
                           std::string_view gl_project_path = {});

// Reads the API token named by the settings (inline, file or environment).
// A token file's trailing newline is dropped; a relative token_file was
// already made absolute against the settings file's directory by Load().
// Never puts the token in a message. Fails, naming the setting to add, when
// there is no token source, or no username with basic auth.
Status ResolveToken(const JiraSettings& jira, std::string* token);

// One message per unsafe property of the connection these settings make:
// credentials (a token or password) sent to an http:// api_url, and
// verify_tls = false. Empty when there is none. Commands that use the site
// print them as one warning line; `config check` reports them with positions.
std::vector<std::string> SiteWarnings(const JiraSettings& jira);

// Reads the webhook secret named by [serve] secret_file or secret_env (a
// file's trailing newline is dropped). Never puts the secret in a message.
// kNotFound when neither is set; another error when the file cannot be read,
// the variable is unset, or the secret is empty.
Status ResolveWebhookSecret(const ServeSettings& serve, std::string* secret);

// The password of the Redis render cache: the one in the [render] cache URL,
// else the one named by cache_password_file or cache_password_env (a file's
// trailing newline is dropped); empty when there is none (no AUTH). Never
// puts the password in a message.
Status ResolveRenderCachePassword(const RenderSettings& render, std::string* password);

// A [render] cache_key_file must hold at least this many bytes.
inline constexpr std::size_t kMinRenderCacheKeyBytes = 32;

// The key of the shared render cache's MAC, read from [render]
// cache_key_file (a final newline dropped); empty when none is set. Fails,
// naming the file (never the key), when it cannot be read or holds fewer
// than kMinRenderCacheKeyBytes bytes.
Status ResolveRenderCacheKey(const RenderSettings& render, std::string* key);

// Reads the PostgreSQL outbox password named by [state] outbox_password_file
// or outbox_password_env. *password is empty when neither is set. Never puts
// the password in a message.
Status ResolveOutboxPassword(const StateSettings& state, std::string* password);

// Reads the OAuth client secret of Jira Cloud's Development Information API,
// named by [devinfo] client_secret_file or client_secret_env (a file's
// trailing newline is dropped). Never puts the secret in a message.
// kNotFound when neither is set; another error when the file cannot be read
// or the variable is unset or empty.
Status ResolveDevinfoClientSecret(const DevinfoSettings& devinfo, std::string* secret);

// The SQLite outbox file: [state] outbox when it is a path, else
// <state dir>/outbox.sqlite3 (with PostgreSQL: the push spool).
std::string SqliteOutboxPath(const StateSettings& state);

// The socket where the host's `deliver --daemon` takes pushes' jobs for a
// PostgreSQL outbox (outbox/enqueue_relay.h): <state dir>/outbox.sock.
std::string OutboxRelaySocketPath(const StateSettings& state);

// Checks that the settings allow calling the Jira API: web_url set, a token
// source, a username for basic auth. The message names the missing setting.
Status RequireApiSettings(const JiraSettings& jira);

// The state directory the Debian package creates for the queue's owner.
inline constexpr const char* kSystemStateDir = "/var/lib/jiralink";

// The default state directory: `system_dir` when it exists (the package is
// installed: every user of the host then shares its queue, the pushers
// through the maildrop), else $XDG_STATE_HOME/jiralink or
// ~/.local/state/jiralink.
std::string DefaultStateDir(const std::string& system_dir = kSystemStateDir);

}  // namespace jiralink::config
