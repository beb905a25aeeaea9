#include "jiralink/hooks/installer.h"

#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "git_command.h"

namespace jiralink::hooks {

namespace {

namespace fs = std::filesystem;

// 'text' for sh, with embedded single quotes closed, escaped and reopened.
std::string ShellQuote(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

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
  std::string command = ShellQuote(options.jiralink_path);
  if (!options.config_path.empty()) command += " --config " + ShellQuote(options.config_path);
  command += " hook " + options.hook;
  std::ostringstream out;
  out << "#!/bin/sh\n"
      << kHookMarker << ": written by `jiralink hook install`;\n"
      << "# `jiralink hook install --uninstall` removes it.\n";
  if (!chained) {
    out << "exec " << command << "\n";
    return out.str();
  }
  const std::string& name = options.hook;
  out << "# The " << name << " that was here before runs first, with the same input.\n"
      << "input=$(mktemp \"${TMPDIR:-/tmp}/jiralink-" << name << ".XXXXXX\") || exit 1\n"
      << "trap 'rm -f \"$input\"' EXIT\n"
      << "cat >\"$input\"\n";
  if (name == "pre-receive") {
    // The first hook that refuses the push ends the chain with its status.
    out << "chained=\"$(dirname \"$0\")/" << name << kChainedSuffix << "\"\n"
        << "if [ -x \"$chained\" ]; then\n"
        << "  \"$chained\" \"$@\" <\"$input\" || exit $?\n"
        << "fi\n"
        << command << " <\"$input\"\n"
        << "exit $?\n";
    return out.str();
  }
  out << "status=0\n"
      << "chained=\"$(dirname \"$0\")/" << name << kChainedSuffix << "\"\n"
      << "if [ -x \"$chained\" ]; then\n"
      << "  \"$chained\" \"$@\" <\"$input\" || status=$?\n"
      << "fi\n"
      << command << " <\"$input\"\n"
      << "exit $status\n";
  return out.str();
}

Status InstallHook(const std::string& repo_path, const InstallOptions& options,
                   InstallResult* result) {
  fs::path git_dir;
  Status status = OpenBare(repo_path, &git_dir);
  if (!status.ok()) return status;
  fs::path hooks = HooksDirectory(git_dir);
  std::error_code ec;
  fs::create_directories(hooks, ec);
  if (ec) return Status::IOError("cannot create " + hooks.string() + ": " + ec.message());
  fs::path hook = hooks / options.hook;
  fs::path chained = hooks / (options.hook + kChainedSuffix);
  result->hook_path = hook.string();

  bool exists = fs::symlink_status(hook, ec).type() != fs::file_type::not_found;
  if (exists && IsOurs(hook)) {
    result->action = "updated";
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
