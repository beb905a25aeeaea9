// A bare "server" repository and a clone to push from, in a temporary
// directory, for the hook tests (real git, no network).
#pragma once

#include <dirent.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "jiralink/hooks/ref_update.h"
#include "support/test_support.h"

namespace jiralink::testing {

inline const std::map<std::string, std::string>& GitIdentityEnv() {
  static const std::map<std::string, std::string> env = {
      {"GIT_AUTHOR_NAME", "Ada Lovelace"},    {"GIT_AUTHOR_EMAIL", "ada@example.com"},
      {"GIT_COMMITTER_NAME", "Ada Lovelace"}, {"GIT_COMMITTER_EMAIL", "ada@example.com"},
      {"GIT_CONFIG_NOSYSTEM", "1"},           {"GIT_CONFIG_GLOBAL", "/dev/null"},
      {"JIRALINK_NO_AUTO_DELIVER", "1"}};
  return env;
}

class GitFixture {
 public:
  // root/srv/<name>.git (bare, HEAD -> main) and root/work (a clone).
  explicit GitFixture(const std::string& name = "platform/api")
      : root_(dir_.path() + "/srv"),
        bare_(root_ + "/" + name + ".git"),
        work_(dir_.path() + "/work") {
    Git(dir_.path(), {"init", "-q", "--bare", "-b", "main", bare_}, GitIdentityEnv());
    Git(dir_.path(), {"init", "-q", "-b", "main", work_}, GitIdentityEnv());
    Git(work_, {"remote", "add", "origin", bare_}, GitIdentityEnv());
  }

  const std::string& root() const { return root_; }  // the [git] root
  const std::string& bare() const { return bare_; }
  const std::string& work() const { return work_; }
  std::string Path(const std::string& name) const { return dir_.Path(name); }

  // Commits a change in the work tree; returns the new SHA.
  std::string Commit(const std::string& message) {
    WriteFile(work_ + "/file.txt", std::to_string(++counter_) + "\n");
    Git(work_, {"add", "file.txt"}, GitIdentityEnv());
    Git(work_, {"commit", "-q", "-m", message}, GitIdentityEnv());
    return Rev("HEAD");
  }

  std::string Rev(const std::string& what) {
    std::string out = Git(work_, {"rev-parse", what}, GitIdentityEnv());
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
    return out;
  }

  // The SHA a ref of the bare repository points at, or 40 zeros.
  std::string ServerRev(const std::string& ref) {
    ProcessOptions options;
    options.cwd = bare_;
    options.env = GitIdentityEnv();
    ProcessResult r = RunProcess({"git", "rev-parse", "--verify", "-q", ref}, options);
    std::string out = r.out;
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
    return r.exit_code == 0 ? out : std::string(40, '0');
  }

  // `git push` from the work tree; returns the process result (stdout+stderr).
  ProcessResult Push(const std::vector<std::string>& args,
                     const std::map<std::string, std::string>& extra_env = {}) {
    std::vector<std::string> argv = {"git", "push", "-q"};
    argv.insert(argv.end(), args.begin(), args.end());
    ProcessOptions options;
    options.cwd = work_;
    options.env = GitIdentityEnv();
    for (const auto& [k, v] : extra_env) options.env[k] = v;
    options.timeout = std::chrono::milliseconds(60000);
    return RunProcess(argv, options);
  }

  // Pushes with `push_args`; returns what git gives post-receive on stdin
  // for `refs`: "<old> <new> <ref>" lines.
  std::string PushForHook(const std::vector<std::string>& refs,
                          const std::vector<std::string>& push_args) {
    std::vector<std::string> before;
    for (const std::string& ref : refs) before.push_back(ServerRev(ref));
    ProcessResult r = Push(push_args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::string input;
    for (std::size_t i = 0; i < refs.size(); ++i) {
      input += before[i] + " " + ServerRev(refs[i]) + " " + refs[i] + "\n";
    }
    return input;
  }

  void Run(const std::vector<std::string>& args) { Git(work_, args, GitIdentityEnv()); }

 private:
  TempDir dir_;
  std::string root_;
  std::string bare_;
  std::string work_;
  int counter_ = 0;
};

// PushForHook, parsed.
inline std::vector<hooks::RefUpdate> PushAndRecord(GitFixture& git,
                                                   const std::vector<std::string>& refs,
                                                   const std::vector<std::string>& push_args) {
  return hooks::ParseRefUpdates(git.PushForHook(refs, push_args), nullptr);
}

// This process's child processes named "git", zombies included: a walk must
// leave none behind.
inline std::vector<pid_t> GitChildren() {
  std::vector<pid_t> children;
  DIR* proc = ::opendir("/proc");
  if (proc == nullptr) return children;
  while (dirent* entry = ::readdir(proc)) {
    pid_t pid = static_cast<pid_t>(std::atoi(entry->d_name));
    if (pid <= 0) continue;
    std::ifstream file("/proc/" + std::string(entry->d_name) + "/stat");
    std::string stat;
    std::getline(file, stat);
    // "<pid> (<comm>) <state> <ppid> ...": comm may hold anything, so from the last ')'.
    std::size_t open = stat.find('(');
    std::size_t close = stat.rfind(')');
    if (open == std::string::npos || close == std::string::npos || close + 4 > stat.size()) {
      continue;
    }
    std::string comm = stat.substr(open + 1, close - open - 1);
    pid_t ppid = static_cast<pid_t>(std::atoi(stat.c_str() + close + 4));
    if (ppid == ::getpid() && comm == "git") children.push_back(pid);
  }
  ::closedir(proc);
  return children;
}

}  // namespace jiralink::testing
