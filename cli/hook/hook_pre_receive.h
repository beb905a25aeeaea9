// jiralink hook pre-receive: the push policy ([policy]); see
// hooks/pre_receive_policy.h for what it checks.
#pragma once

#include <string>

#include "commands.h"

namespace jiralink::cli {

// Checks the push git describes in `input` (pre-receive's stdin) for the
// repository at `git_dir`. Prints warnings and, when the push is refused,
// the rejection to stderr (git shows it as "remote: ..."). Returns 1 to
// refuse the push, 0 to accept it. Broken settings accept it with a
// warning, as the post-receive hook does; commits that cannot be read
// refuse it.
int PreReceive(Context& ctx, const std::string& input, const std::string& git_dir);

}  // namespace jiralink::cli
