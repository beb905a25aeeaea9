// The hand-written scan for the default key pattern
//
//     \b(?P<issue>\b([A-Z][A-Z_0-9]+-\d+))
//
// Internal to jiralink_core; KeyScanner is the public interface.
#pragma once

#include <cstddef>
#include <string_view>

namespace jiralink::internal {

// Finds the leftmost match of the default pattern that starts at or after
// `pos`, exactly as RE2::Match(text, pos, text.size(), UNANCHORED, ...) with
// the default options finds it: the byte before `pos` is context for `\b`, and
// word bytes are ASCII [0-9A-Za-z_] only. On success sets [*begin, *end) to the
// match (which is also the key) and returns true.
bool FindDefaultKey(std::string_view text, std::size_t pos, std::size_t* begin, std::size_t* end);

}  // namespace jiralink::internal
