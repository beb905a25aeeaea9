// Running a program the way git runs a hook and cgit or Gitea run a
// renderer: input on stdin and output on stdout, both through pipes.
#pragma once

#include <string>
#include <vector>

#include <benchmark/benchmark.h>

namespace jiralink::bench {

struct ProcessRun {
  int exit_code = -1;  // -1 when it could not run or was killed
  std::string out;     // its stdout (stderr is discarded)
};

// Runs `argv` (argv[0] looked up on PATH) in `cwd` (empty = here), with
// `env` entries (NAME=value) added to the environment. All of `input` is
// written before stdout is read, so the program must read its whole stdin
// before it writes much: git, fast-import and jiralink all do.
ProcessRun RunProcess(const std::vector<std::string>& argv, const std::string& input = "",
                      const std::string& cwd = "", const std::vector<std::string>& env = {});

// Seconds of CPU (user + system) used by the children waited for so far
// (getrusage RUSAGE_CHILDREN: a process's own and its waited-for children's,
// e.g. the git that jiralink runs). A busy machine disturbs it less than wall
// time.
double ChildrenCpuSeconds();

// Sets the counter cpu_ms: the children's CPU per iteration since
// `cpu_before` (a ChildrenCpuSeconds() taken before the loop).
void SetChildrenCpuCounter(benchmark::State& state, double cpu_before);

// The jira-standin program beside the jiralink binary (JIRALINK_BIN's build
// tree), on an ephemeral loopback port, seeded from `seed_path` (see
// tests/standin/standin.h, Seed()); stopped (SIGTERM) when destroyed.
// url() is "" when it did not start.
class StandinProcess {
 public:
  explicit StandinProcess(const std::string& seed_path,
                          const std::vector<std::string>& extra_args = {});
  ~StandinProcess();
  StandinProcess(const StandinProcess&) = delete;
  StandinProcess& operator=(const StandinProcess&) = delete;
  const std::string& url() const { return url_; }

 private:
  int pid_ = -1;
  std::string url_;
};

}  // namespace jiralink::bench
