#include "jiralink/hooks/installer.h"

#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "git_command.h"
#include "jiralink/core/shell_quote.h"

namespace jiralink::hooks {

namespace {

namespace fs = std::filesystem;

bool IsOurs(const fs::path& hook) {
  std::ifstream in(hook, std::ios::binary);
  std::string line;
  for (int i = 0; i < 3 && std::getline(in, line); ++i) {
    if (line.rfind(kHookMarker, 0) == 0) return true;
  }
  return false;
}

// The repository's git directory, checked to be bare.
Status OpenBare(const std::string& repo_path, fs::path* git_dir) {
  std::error_code ec;
  if (!fs::exists(repo_path, ec)) return Status::NotFound(repo_path + ": no such directory");
  const Status not_bare = Status::InvalidArgument(
      repo_path +
      ": not a bare repository; install the hook on the server's bare repository "
      "(the one you push to)");
  std::string output;
  Status status =
      RunGit(repo_path, {"rev-parse", "--is-bare-repository", "--absolute-git-dir"}, "", &output);
  if (!status.ok()) {
    // A work tree is not a git directory itself; its .git is.
    if (fs::exists(fs::path(repo_path) / ".git", ec)) return not_bare;
    return Status::InvalidArgument(repo_path + ": not a git repository (" + status.message() + ")");
  }
  // "true\n/abs/path\n" or "false\n...".
  std::size_t newline = output.find('\n');
  if (output.compare(0, newline, "true") != 0) return not_bare;
  std::string path = output.substr(newline + 1);
  path.erase(path.find_last_not_of('\n') + 1);
  *git_dir = fs::path(path);
  return Status::Ok();
}

// Where git runs this repository's hooks from: core.hooksPath when set
// (relative to the git directory, where hooks run), else <git dir>/hooks.
fs::path HooksDirectory(const fs::path& git_dir) {
  std::string configured;
  if (!RunGit(git_dir.string(), {"config", "--get", "core.hooksPath"}, "", &configured).ok()) {
    return git_dir / "hooks";  // not set
  }
  configured.erase(configured.find_last_not_of('\n') + 1);
  if (configured.empty()) return git_dir / "hooks";
  if (configured[0] == '~') {
    const char* home = std::getenv("HOME");
    if (home != nullptr) configured = home + configured.substr(1);
  }
  fs::path path(configured);
  return path.is_absolute() ? path : git_dir / path;
}

Status WriteExecutable(const fs::path& path, const std::string& text) {
  fs::path temporary = path;
  temporary += ".jiralink-tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out) return Status::IOError("cannot write " + temporary.string());
  }
  if (::chmod(temporary.c_str(), 0755) != 0) {
    return Status::IOError("cannot make " + temporary.string() + " executable");
  }
  std::error_code ec;
  fs::rename(temporary, path, ec);
  if (ec) return Status::IOError("cannot rename " + temporary.string() + ": " + ec.message());
  return Status::Ok();
}

}  // namespace

std::string HookScript(const InstallOptions& options, bool chained) {
  const std::string& name = options.hook;
  const bool pre_receive = name == "pre-receive";
  std::string command = "\"$jiralink\"";
  if (!options.config_path.empty()) command += " --config " + ShellQuote(options.config_path);
  command += " hook " + name;
  // Without jiralink (the package removed) a push is never refused for it,
  // unless the push policy says to refuse: one line says what happened.
  std::string missing;
  if (!pre_receive) {
    missing =
        "  echo \"jiralink: $jiralink is not installed; this push was not queued for Jira\" >&2\n";
  } else if (options.reject_when_missing) {
    missing =
        "  echo \"jiralink: $jiralink is not installed, so the Jira push policy cannot be "
        "checked; push refused ([policy] on_jiralink_missing = \\\"reject\\\")\" >&2\n"
        "  exit 1\n";
  } else {
    missing =
        "  echo \"jiralink: $jiralink is not installed; the Jira push policy was not checked\" "
        ">&2\n";
  }
  std::ostringstream out;
  out << "#!/bin/sh\n"
      << kHookMarker << ": written by `jiralink hook install`;\n"
      << "# `jiralink hook install --uninstall` removes it.\n"
      << "jiralink=" << ShellQuote(options.jiralink_path) << "\n";
  if (!chained) {
    out << "if [ ! -x \"$jiralink\" ]; then\n"
        << missing << (pre_receive && options.reject_when_missing ? "" : "  exit 0\n") << "fi\n"
        << "exec " << command << "\n";
    return out.str();
  }
  out << "# The " << name << " that was here before runs first, with the same input.\n"
      << "input=$(mktemp \"${TMPDIR:-/tmp}/jiralink-" << name << ".XXXXXX\") || exit 1\n"
      << "trap 'rm -f \"$input\"' EXIT\n"
      << "cat >\"$input\"\n"
      << "status=0\n"
      << "chained=\"$(dirname \"$0\")/" << name << kChainedSuffix << "\"\n"
      << "if [ -x \"$chained\" ]; then\n";
  if (pre_receive) {
    // The first hook that refuses the push ends the chain with its status.
    out << "  \"$chained\" \"$@\" <\"$input\" || exit $?\n"
        << "fi\n"
        << "if [ ! -x \"$jiralink\" ]; then\n"
        << missing << "  exit 0\n"
        << "fi\n"
        << command << " <\"$input\"\n"
        << "exit $?\n";
    return out.str();
  }
  out << "  \"$chained\" \"$@\" <\"$input\" || status=$?\n"
      << "fi\n"
      << "if [ -x \"$jiralink\" ]; then\n"
      << "  " << command << " <\"$input\"\n"
      << "else\n"
      << missing << "fi\n"
      << "exit $status\n";
  return out.str();
}

std::string InstalledConfigPath(const std::string& hook_path) {
  if (!IsOurs(hook_path)) return "";
  std::ifstream in(hook_path, std::ios::binary);
  std::string line;
  const std::string flag = " --config '";
  while (std::getline(in, line)) {
    std::size_t at = line.find(flag);
    if (at == std::string::npos) continue;
    // Undo ShellQuote: '...' with '\'' for each quote inside.
    std::string path;
    for (std::size_t i = at + flag.size(); i < line.size(); ++i) {
      if (line.compare(i, 4, "'\\''") == 0) {
        path += '\'';
        i += 3;
      } else if (line[i] == '\'') {
        return path;
      } else {
        path += line[i];
      }
    }
  }
  return "";
}

bool IsGitoliteRepository(const std::string& git_dir) {
  std::error_code ec;
  fs::path update = fs::path(git_dir) / "hooks" / "update";
  if (!fs::is_symlink(update, ec)) return false;
  return fs::read_symlink(update, ec).string().find("gitolite") != std::string::npos;
}

Status InstallHook(const std::string& repo_path, const InstallOptions& given,
                   InstallResult* result) {
  fs::path git_dir;
  Status status = OpenBare(repo_path, &git_dir);
  if (!status.ok()) return status;
  if (IsGitoliteRepository(git_dir.string())) {
    return Status::InvalidArgument(
        repo_path +
        " is a gitolite repository: gitolite owns its hooks and rewrites them at its next "
        "compile, so jiralink leaves them alone. Install jiralink as a gitolite repo-specific "
        "hook: put `exec " +
        given.jiralink_path + (given.config_path.empty() ? "" : " --config " + given.config_path) +
        " hook " + given.hook +
        "` in $LOCAL_CODE/hooks/repo-specific/jiralink (executable) and add `option hook." +
        given.hook + " = jiralink` to the repository in gitolite.conf (README: gitolite3)");
  }
  fs::path hooks = HooksDirectory(git_dir);
  std::error_code ec;
  fs::create_directories(hooks, ec);
  if (ec) return Status::IOError("cannot create " + hooks.string() + ": " + ec.message());
  InstallOptions options = given;
  fs::path hook = hooks / options.hook;
  fs::path chained = hooks / (options.hook + kChainedSuffix);
  result->hook_path = hook.string();

  bool exists = fs::symlink_status(hook, ec).type() != fs::file_type::not_found;
  if (exists && IsOurs(hook)) {
    result->action = "updated";
    if (options.config_path.empty() && options.keep_installed_config) {
      options.config_path = InstalledConfigPath(hook.string());
      if (!options.config_path.empty()) {
        result->action += " (kept --config " + options.config_path + ")";
      }
    }
    return WriteExecutable(hook, HookScript(options, fs::exists(chained, ec)));
  }
  if (exists) {
    if (fs::symlink_status(chained, ec).type() != fs::file_type::not_found) {
      return Status::InvalidArgument(hook.string() + " is not jiralink's and " + chained.string() +
                                     " exists too; move one of them away first");
    }
    fs::rename(hook, chained, ec);
    if (ec) return Status::IOError("cannot rename " + hook.string() + ": " + ec.message());
    result->action = "installed; the existing " + options.hook + " still runs first, kept as " +
                     chained.filename().string();
    return WriteExecutable(hook, HookScript(options, /*chained=*/true));
  }
  result->action = "installed";
  return WriteExecutable(hook, HookScript(options, /*chained=*/false));
}

Status UninstallHook(const std::string& repo_path, InstallResult* result, const std::string& name) {
  fs::path git_dir;
  Status status = OpenBare(repo_path, &git_dir);
  if (!status.ok()) return status;
  fs::path hooks = HooksDirectory(git_dir);
  fs::path hook = hooks / name;
  fs::path chained = hooks / (name + kChainedSuffix);
  result->hook_path = hook.string();
  std::error_code ec;
  if (!fs::exists(hook, ec) || !IsOurs(hook)) {
    result->action = "not installed (no " + name + " of jiralink's; nothing changed)";
    return Status::Ok();
  }
  fs::remove(hook, ec);
  if (ec) return Status::IOError("cannot remove " + hook.string() + ": " + ec.message());
  if (fs::symlink_status(chained, ec).type() != fs::file_type::not_found) {
    fs::rename(chained, hook, ec);
    if (ec) return Status::IOError("cannot restore " + chained.string() + ": " + ec.message());
    result->action = "removed; the previous " + name + " is back";
    return Status::Ok();
  }
  result->action = "removed";
  return Status::Ok();
}

}  // namespace jiralink::hooks
