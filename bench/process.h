// Running a program the way cgit, Gitea or git run jiralink, for the
// whole-process benchmarks: stdin from a file, stdout to /dev/null.
#pragma once

#include <string>
#include <vector>

namespace jiralink::bench {

// Runs `argv` in `cwd` (empty = here) with stdin read from `stdin_path` and
// stdout and stderr discarded; returns the exit status, or -1 when it could
// not run or was killed. `env` adds NAME=value entries to the environment.
int RunProcess(const std::vector<std::string>& argv, const std::string& stdin_path,
               const std::string& cwd = "", const std::vector<std::string>& env = {});

}  // namespace jiralink::bench
