// How deep a JSON text nests, checked before it is parsed.
//
// nlohmann::json parses any depth, but copying or printing a value recurses
// once per level, so a few kilobytes of "[" overflow the stack. Every JSON
// that comes from outside (Jira's answers, forge webhooks) is checked here
// first, in one linear pass with no allocation.
#pragma once

#include <string_view>

namespace jiralink {

// True when no array or object in `text` is nested deeper than `max_depth`.
// Brackets inside strings (with their backslash escapes) do not count.
// Malformed text is not judged: that is left to the parser.
bool JsonNestingWithin(std::string_view text, int max_depth);

}  // namespace jiralink
