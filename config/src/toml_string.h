// Writing a value as a TOML basic string ("...", escaped), for the settings
// dump of `config check` and for `migrate`'s edits of the file.
#pragma once

#include <string>
#include <string_view>

namespace jiralink::config {

// `value` as a TOML basic string, quotes included: `"`, `\\` and control
// characters escaped (\n, \t, \r, else \uXXXX).
std::string TomlString(std::string_view value);

}  // namespace jiralink::config
