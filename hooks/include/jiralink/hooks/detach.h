// Starting a program that outlives the hook and does not hold up `git push`.
#pragma once

#include <string>
#include <vector>

#include "jiralink/core/status.h"

namespace jiralink::hooks {

// Runs argv (argv[0] is an absolute path) in a new session with stdin,
// stdout and stderr on /dev/null and cwd "/", double-forked so no zombie or
// inherited pipe keeps the caller's client waiting. Returns once the program
// has been started (or failed to fork); it does not wait for it.
Status StartDetached(const std::vector<std::string>& argv);

// The absolute path of the running program (/proc/self/exe, resolved).
std::string CurrentExecutable();

}  // namespace jiralink::hooks
