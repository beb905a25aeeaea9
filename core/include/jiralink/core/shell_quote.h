// Quoting for sh(1): what jiralink writes into a hook script, and the
// commands it tells an operator to run ("run: runuser -u git -- ...").
// jiralink itself never runs a shell on a string it built.
#pragma once

#include <string>
#include <string_view>

namespace jiralink {

// `text` as one sh word: in single quotes, an embedded single quote closed,
// escaped and reopened ('it'\''s').
std::string ShellQuote(std::string_view text);

}  // namespace jiralink
