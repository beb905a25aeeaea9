// Limits checked on the raw text of a settings file before the TOML parser
// sees it, so that no file can make a push slow or crash the parser (toml++
// recurses once per dotted key part and per nested array).
#pragma once

#include <string>
#include <string_view>

namespace jiralink::config {

// The first limit the text breaks, with where (1-based line and column).
struct ShapeProblem {
  int line = 0;
  int column = 0;
  std::string message;
};

// Checks the limits documented in loader.h (kMaxSettingsFileBytes, ...).
// Understands TOML's strings, comments, table headers, dotted keys, arrays
// and inline tables well enough to count; malformed text passes through (the
// parser reports it). Returns false and fills *problem on the first limit hit.
bool CheckShape(std::string_view text, ShapeProblem* problem);

}  // namespace jiralink::config
