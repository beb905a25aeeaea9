// Editing a [jira] table of a settings file in place (for `jiralink migrate`):
// the top-level [jira], or the [groups."x".jira] / [projects."x".jira] of one
// layer.
//
// Only lines inside that table change; every other byte of the file (other
// tables, comments, blank lines, line endings) stays as it was. The editor
// understands TOML's line structure (key = value lines, comments, multi-line
// strings and arrays, quoted and dotted keys) but not the whole language: it
// refuses files whose jira settings for that layer are not such a table (an
// inline `jira = {...}` or dotted `jira.web_url = ...` keys).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "jiralink/core/status.h"

namespace jiralink::config {

struct JiraTableEdit {
  // Whose [jira] table: {} for the top level, {"groups", "ops"} for
  // [groups."ops".jira] (the key as written in the file).
  std::vector<std::string> table;
  // key -> new value as TOML text (use TomlString for strings), in order.
  // An existing key has its value replaced (its comment kept); a missing
  // one is appended after the table's last setting.
  std::vector<std::pair<std::string, std::string>> set;
  // Keys to delete, with their lines.
  std::vector<std::string> remove;
};

struct JiraTableChange {
  enum class Kind { kAdded, kReplaced, kRemoved };
  Kind kind = Kind::kAdded;
  std::string key;
  std::string old_value;  // TOML text; "<redacted>" for token
  std::string new_value;  // TOML text; "<redacted>" for token

  // "web_url: \"https://old\" -> \"https://new\"", "token: removed", ...
  std::string ToString() const;
};

// Applies `edit` to the TOML `text`, creating the table at the end when
// there is none. `path` only names the file in messages; a refusal names
// the line ("config.toml:7: the jira settings of groups.ops are not written
// as a [groups.ops.jira] table; ...").
Status EditJiraTable(std::string_view text, std::string_view path, const JiraTableEdit& edit,
                     std::string* out, std::vector<JiraTableChange>* changes);

// A TOML basic string: "..." with quotes, backslashes and control characters escaped.
std::string TomlString(std::string_view value);

// Replaces the file at `path` (following a symbolic link) with `contents`:
// written to a temporary file in the same directory with the old file's
// mode, synced, then renamed over it, so readers see the old or the new
// file, never a mix.
Status ReplaceFileAtomically(const std::string& path, std::string_view contents);

}  // namespace jiralink::config
