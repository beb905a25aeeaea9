// Small helpers shared by the tests: temporary directories, files, and
// running a program with given stdin and environment.
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace jiralink::testing {

// A fresh directory under $TMPDIR, removed (recursively) on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  // path() + "/" + name
  std::string Path(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Waits until `done` holds, asking every 50 ms, for at most `limit`; returns
// whether it held. Tests wait on the condition itself, never a fixed time:
// the suite runs on loaded 2-core machines.
bool WaitFor(const std::function<bool()>& done,
             std::chrono::milliseconds limit = std::chrono::milliseconds(30000));

void WriteFile(const std::string& path, const std::string& contents);
std::string ReadFile(const std::string& path);

struct ProcessResult {
  int exit_code = -1;   // -1 when killed by a signal
  int term_signal = 0;  // the signal, when killed
  bool timed_out = false;
  std::string out;
  std::string err;
  std::chrono::milliseconds elapsed{0};
};

struct ProcessOptions {
  std::string stdin_data;
  std::string cwd;                           // empty = inherit
  std::map<std::string, std::string> env;    // added to / overriding the environment
  std::vector<std::string> unset_env;        // removed from the environment
  std::chrono::milliseconds timeout{60000};  // killed (SIGKILL) after this
};

// Runs argv[0] (looked up in PATH when it has no '/') without a shell.
ProcessResult RunProcess(const std::vector<std::string>& argv, const ProcessOptions& options = {});

// Runs the built jiralink binary with the given arguments.
ProcessResult RunJiralink(const std::vector<std::string>& args, const ProcessOptions& options = {});

// A program left running while the test goes on (`jiralink deliver
// --daemon`, say): started without a shell, stdin from /dev/null, stdout
// and stderr appended to a file (sanitizer reports land there too), with
// options.env added to the environment (options.stdin_data and timeout are
// not used). Stop sends a signal and reaps it; the destructor stops a
// running one with SIGKILL.
class BackgroundProcess {
 public:
  BackgroundProcess() = default;
  ~BackgroundProcess() { Stop(SIGKILL); }
  BackgroundProcess(BackgroundProcess&& other) noexcept : pid_(other.pid_) { other.pid_ = -1; }
  BackgroundProcess& operator=(BackgroundProcess&& other) noexcept {
    if (this != &other) {
      Stop(SIGKILL);
      pid_ = other.pid_;
      other.pid_ = -1;
    }
    return *this;
  }

  // False (and a test failure) when it cannot start. `output` empty: /dev/null.
  bool Start(const std::vector<std::string>& argv, const ProcessOptions& options = {},
             const std::string& output = "");
  // The wait status (see waitpid); 0 when nothing runs.
  int Stop(int signal = SIGTERM);
  bool running() const { return pid_ > 0; }

 private:
  pid_t pid_ = -1;
};

// Runs `git` with arguments in cwd; fails the current test on non-zero exit.
std::string Git(const std::string& cwd, const std::vector<std::string>& args,
                const std::map<std::string, std::string>& env = {});

// Paths of the repository, ../shared and the built binaries.
std::string SourceDir();
std::string SharedDir();
std::string JiralinkBin();
std::string StandinBin();

}  // namespace jiralink::testing
