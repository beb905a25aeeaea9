// Running the server's own `git` program on a repository.
//
// The hook reads history through git's plumbing (rev-list, cat-file) rather
// than a library: git is always present where a post-receive hook runs, it
// understands every repository format that server's git can write, and it
// starts in about a millisecond. (Debian's libgit2 1.5, the other candidate,
// parses the whole CA bundle on every git_libgit2_init(): 3.5-4.5 ms per
// push, more than `git log` needs for ten commits.)
//
// Arguments go to posix_spawnp() as they are: no shell ever sees them.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

#include "jiralink/core/status.h"

namespace jiralink::hooks {

// One running `git --git-dir=<git_dir> <args...>` whose output is read as it
// comes, so that the caller can work while git still walks.
class GitProcess {
 public:
  GitProcess() = default;
  // Closes the pipes and waits for git (which then ends on EOF or SIGPIPE).
  ~GitProcess();
  GitProcess(const GitProcess&) = delete;
  GitProcess& operator=(const GitProcess&) = delete;

  // Starts git with `input` to be written to its stdin. Fails with kIOError
  // when git cannot be started.
  Status Start(const std::string& git_dir, const std::vector<std::string>& args, std::string input);

  // Waits until git writes or closes its output; appends what it wrote to
  // *output. *more is false once the output is closed (nothing was appended).
  // Meanwhile feeds git's stdin and collects its errors.
  void Read(std::string* output, bool* more);

  // After the output is closed: waits for git to exit. Fails with kInternal
  // naming the command and quoting git's first error line on a non-zero exit.
  Status Wait();

 private:
  void Pump(std::string* output, bool* got_output);
  void WriteInput();  // as much of input_ as the pipe takes
  void CloseAll();

  std::string command_;  // "git rev-list", for messages
  pid_t pid_ = -1;
  int to_child_ = -1;     // git's stdin
  int from_child_ = -1;   // git's stdout
  int errors_from_ = -1;  // git's stderr
  std::string input_;
  std::size_t written_ = 0;
  std::string errors_;
};

// Runs git to the end with `input` on its stdin and stores its stdout in
// *output. Errors as GitProcess::Start and GitProcess::Wait.
Status RunGit(const std::string& git_dir, const std::vector<std::string>& args,
              std::string_view input, std::string* output);

}  // namespace jiralink::hooks
