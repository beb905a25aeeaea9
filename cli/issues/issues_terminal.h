// What the issue commands need to know about the terminal they print to.
#pragma once

#include <cstdio>

namespace jiralink::cli {

// The width to fit tables into: $COLUMNS when it is a positive number, else
// the window width of `stream` when it is a terminal, else 0: no limit, so
// that output piped to another program or written to a file is never cut
// (as ps(1) does).
int TerminalWidth(std::FILE* stream);

// Colour only when `stream` is a terminal, $NO_COLOR is unset or empty
// (https://no-color.org) and $TERM is not "dumb".
bool UseColor(std::FILE* stream);

}  // namespace jiralink::cli
