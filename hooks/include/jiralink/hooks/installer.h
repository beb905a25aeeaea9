// Installing the post-receive and pre-receive hooks into bare repositories.
//
// The installed hook is a small sh script that runs
//   '<jiralink>' [--config '<file>'] hook <post-receive|pre-receive>
// with the push's stdin. When that program is gone (the package removed),
// the script says so in one line and lets the push through: post-receive
// always, pre-receive unless `reject_when_missing` (the push policy's
// on_jiralink_missing = "reject"). A hook of that name that is not ours is never
// overwritten: it is renamed to <name>.jiralink-chained and the installed
// script (a wrapper) saves stdin to a temporary file, runs the old hook with
// it first, then jiralink with the same input. A chained post-receive exits
// with the old hook's status (jiralink's never fails a push); a chained
// pre-receive stops at the first hook that fails and exits with its status,
// so the push is refused when either refuses it (as gitolite chains
// pre-receive hooks). Installing again refreshes our script (idempotent);
// uninstalling puts the old hook back. The hooks directory is the one git
// uses: the repository's core.hooksPath when set, else <git dir>/hooks.
//
// A gitolite repository (its hooks/update is gitolite's) is refused with
// the way to install jiralink there: gitolite owns its hooks, runs the
// repo-specific ones through a driver that finds them by name, and rewrites
// them at its next compile, so jiralink goes in as a repo-specific hook of
// gitolite's (README, gitolite3).
#pragma once

#include <string>

#include "jiralink/core/status.h"

namespace jiralink::hooks {

struct InstallOptions {
  std::string jiralink_path;          // absolute path of the jiralink binary
  std::string config_path;            // absolute; empty = let jiralink search
  std::string hook = "post-receive";  // or "pre-receive"
  // pre-receive: refuse pushes while the jiralink program is missing.
  bool reject_when_missing = false;
  // Without config_path: keep the --config of the hook installed before
  // (re-running `install` never drops it silently).
  bool keep_installed_config = true;
};

// What an install or uninstall did, in words for the operator.
struct InstallResult {
  std::string hook_path;
  std::string action;  // "installed", "updated", "installed (chained ...)", "removed", ...
};

// The marker line that identifies a hook written by jiralink.
inline constexpr const char* kHookMarker = "# jiralink-managed-hook";
inline constexpr const char* kChainedSuffix = ".jiralink-chained";

// Fails (kNotFound / kInvalidArgument) for a missing path or a repository
// that is not bare, saying which.
Status InstallHook(const std::string& repo_path, const InstallOptions& options,
                   InstallResult* result);
Status UninstallHook(const std::string& repo_path, InstallResult* result,
                     const std::string& hook = "post-receive");

// The --config an installed jiralink hook passes ("" when none, or when
// `hook_path` is not jiralink's).
std::string InstalledConfigPath(const std::string& hook_path);

// True when `git_dir`'s hooks belong to gitolite (hooks/update is a link
// into gitolite's).
bool IsGitoliteRepository(const std::string& git_dir);

// The text of the hook script (for tests and `--print`).
std::string HookScript(const InstallOptions& options, bool chained);

}  // namespace jiralink::hooks
