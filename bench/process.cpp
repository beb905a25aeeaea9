#include "process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

extern char** environ;

namespace jiralink::bench {

double ChildrenCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_CHILDREN, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

void SetChildrenCpuCounter(benchmark::State& state, double cpu_before) {
  const double iterations =
      static_cast<double>(std::max<benchmark::IterationCount>(1, state.iterations()));
  state.counters["cpu_ms"] = (ChildrenCpuSeconds() - cpu_before) / iterations * 1e3;
}

ProcessRun RunProcess(const std::vector<std::string>& argv, const std::string& input,
                      const std::string& cwd, const std::vector<std::string>& env) {
  ProcessRun run;
  std::vector<std::string> words = argv;
  std::vector<char*> args;
  for (std::string& word : words) args.push_back(word.data());
  args.push_back(nullptr);
  std::vector<std::string> env_words = env;
  std::vector<char*> envp;
  for (char** entry = environ; *entry != nullptr; ++entry) envp.push_back(*entry);
  for (std::string& entry : env_words) envp.push_back(entry.data());
  envp.push_back(nullptr);

  int to_child[2];
  int from_child[2];
  if (pipe2(to_child, O_CLOEXEC) != 0) return run;
  if (pipe2(from_child, O_CLOEXEC) != 0) {
    close(to_child[0]);
    close(to_child[1]);
    return run;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, to_child[0], 0);
  posix_spawn_file_actions_adddup2(&actions, from_child[1], 1);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  // glibc >= 2.29: the child changes directory before exec.
  if (!cwd.empty()) posix_spawn_file_actions_addchdir_np(&actions, cwd.c_str());
  pid_t pid = 0;
  int spawned = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  close(to_child[0]);
  close(from_child[1]);
  if (spawned == 0) {
    // A program that exits without reading must not kill us with SIGPIPE.
    signal(SIGPIPE, SIG_IGN);
    std::size_t written = 0;
    while (written < input.size()) {
      ssize_t n = write(to_child[1], input.data() + written, input.size() - written);
      if (n <= 0) break;
      written += static_cast<std::size_t>(n);
    }
  }
  close(to_child[1]);
  char buffer[1 << 16];
  ssize_t n;
  while ((n = read(from_child[0], buffer, sizeof buffer)) > 0) {
    run.out.append(buffer, static_cast<std::size_t>(n));
  }
  close(from_child[0]);
  int status = 0;
  if (spawned == 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status)) {
    run.exit_code = WEXITSTATUS(status);
  }
  return run;
}

StandinProcess::StandinProcess(const std::string& seed_path,
                               const std::vector<std::string>& extra_args) {
  std::string program = (std::filesystem::path(JIRALINK_BIN).parent_path().parent_path() /
                         "tests/standin/jira-standin")
                            .string();
  std::vector<std::string> words = {program, "--port", "0", "--seed", seed_path};
  words.insert(words.end(), extra_args.begin(), extra_args.end());
  std::vector<char*> args;
  for (std::string& word : words) args.push_back(word.data());
  args.push_back(nullptr);
  int out_pipe[2];
  if (pipe(out_pipe) != 0) return;
  pid_ = fork();
  if (pid_ == 0) {
    dup2(out_pipe[1], 1);
    close(out_pipe[0]);
    execv(program.c_str(), args.data());
    _exit(127);
  }
  close(out_pipe[1]);
  char buffer[256];
  ssize_t n = read(out_pipe[0], buffer, sizeof buffer - 1);
  close(out_pipe[0]);
  if (n > 0) {
    url_.assign(buffer, static_cast<std::size_t>(n));
    while (!url_.empty() && (url_.back() == '\n' || url_.back() == '\r')) url_.pop_back();
  }
}

StandinProcess::~StandinProcess() {
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    waitpid(pid_, nullptr, 0);
  }
}

}  // namespace jiralink::bench
