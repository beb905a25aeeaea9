// Nearest-name suggestions for misspelt keys ("did you mean 'web_url'?").
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

namespace jiralink::config {

// The edit distance between a and b: insertions, deletions, substitutions
// and swaps of two neighbouring characters each cost 1.
std::size_t EditDistance(std::string_view a, std::string_view b);

// The candidate closest to `name`, or "" when none is close enough to be a
// plausible typo (the allowed distance grows with the length of `name`).
std::string NearestName(std::string_view name, std::span<const std::string_view> candidates);

}  // namespace jiralink::config
