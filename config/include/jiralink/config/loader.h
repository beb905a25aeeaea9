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
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
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

struct LoadOptions {
  std::string explicit_path;  // --config; empty = search
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
  // (empty = the instance defaults). The path is normalized first (see
  // NormalizeRepoPath), so "platform/api.git" finds [projects."platform/api"].
  Settings ForRepo(std::string_view repo_path) const;

  // The file that was read; empty when the defaults apply.
  const std::string& path() const { return path_; }

  // Human-readable dump of the effective settings, secrets as <redacted>
  // (what `jiralink config check` prints). The text is valid TOML.
  static std::string Describe(const Settings& settings);

 private:
  struct Layers;  // the validated [groups] and [projects] tables (config.cpp)

  // What Load() and LoadFromString() share; `on_disk` enables the check of
  // the file's permissions.
  static Status Parse(std::string_view text, const std::string& path, bool on_disk, Config* out,
                      std::vector<Diagnostic>* diagnostics);

  std::string path_;
  Settings defaults_;  // built-ins + top-level tables
  std::shared_ptr<const Layers> layers_;
};

// The repository path that [groups] and [projects] names are matched
// against: no leading or trailing '/', no trailing ".git", and, when
// `git_root` is set and `path` lies under it, relative to `git_root`
// ("/srv/git/platform/api.git" with root "/srv/git" -> "platform/api").
std::string NormalizeRepoPath(std::string_view path, std::string_view git_root = {});

// Reads the API token named by the settings (inline, file or environment).
// A token file's trailing newline is dropped; a relative token_file was
// already made absolute against the settings file's directory by Load().
// Never puts the token in a message. Fails, naming the setting to add, when
// there is no token source, or no username with basic auth.
Status ResolveToken(const JiraSettings& jira, std::string* token);

// Reads the webhook secret named by [serve] secret_file or secret_env (a
// file's trailing newline is dropped). Never puts the secret in a message.
// kNotFound when neither is set; another error when the file cannot be read,
// the variable is unset, or the secret is empty.
Status ResolveWebhookSecret(const ServeSettings& serve, std::string* secret);

// Checks that the settings allow calling the Jira API: web_url set, a token
// source, a username for basic auth. The message names the missing setting.
Status RequireApiSettings(const JiraSettings& jira);

// The default state directory: $XDG_STATE_HOME/jiralink or ~/.local/state/jiralink.
std::string DefaultStateDir();

}  // namespace jiralink::config
