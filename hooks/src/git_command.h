// Running the server's own `git` program on a repository.
//
// The hook reads history through git's plumbing (rev-list, cat-file) rather
// than a library: git is always present where a post-receive hook runs, it
// understands every repository format that server's git can write, and it
// starts in about a millisecond. (Debian's libgit2 1.5, the other candidate,
// parses the whole CA bundle on every git_libgit2_init(): 3.5-4.5 ms per
// push, more than `git log` needs for ten commits.)
//
// Arguments go to execvp() as they are: no shell ever sees them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "jiralink/core/status.h"

namespace jiralink::hooks {

// Runs `git --git-dir=<git_dir> <args...>` with `input` on its stdin and
// stores its stdout in *output. Fails with kIOError when git cannot be
// started, and with kInternal naming the command and quoting git's first
// error line when it exits non-zero.
Status RunGit(const std::string& git_dir, const std::vector<std::string>& args,
              std::string_view input, std::string* output);

}  // namespace jiralink::hooks
