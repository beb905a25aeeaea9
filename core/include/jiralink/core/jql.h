// JQL for the issue list, built exactly as the forge's JQL builder builds it.
//
// Filter clauses come in a fixed order and are joined with " AND ":
//
//     project in ("K1","K2")                      project keys
//     labels = "a" AND labels = "b"               every label must match
//     status = "s"
//     reporter = "u"
//     assignee = "u"
//     statusCategory != Done | statusCategory = Done      opened | closed
//     (summary ~ "q" OR description ~ "q")        free-text search
//     (description ~ "\"Issue created from vulnerability <id>\"" OR ...)
//     (id = 1 OR id = 2)                          issue ids
//
// followed by "order by <field> <DIR>" (default "order by created DESC").
//
// Every key and value is double-quoted with '\' -> "\\" and '"' -> "\"", so
// JQL reserved words (a project key such as INT) need no special care. The
// search text has the JQL special characters removed and is then downcased
// and its whitespace squished, as the forge does.
//
// Pure text, no I/O.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "jiralink/core/status.h"

namespace jiralink::jql {

// The list tabs: status category not Done / Done / any.
enum class IssueState { kOpened, kClosed, kAll };

enum class SortField { kCreated, kUpdated };
enum class SortDirection { kDescending, kAscending };

struct IssueSort {
  SortField field = SortField::kCreated;
  SortDirection direction = SortDirection::kDescending;
};

// The filters of one issue search. Empty strings and empty lists add no clause.
struct IssueQuery {
  // Each entry may itself be a comma-separated list ("A, B"); entries are split
  // on ',', stripped and blanks dropped, as the forge treats project_keys.
  std::vector<std::string> project_keys;
  std::vector<std::string> labels;  // all must match
  std::string status;
  std::string reporter;
  std::string assignee;
  IssueState state = IssueState::kAll;
  std::string search;  // raw user text; sanitised by BuildJql
  // Finds issues created from these vulnerabilities (the duplicate check).
  std::vector<std::string> vulnerability_ids;
  std::vector<std::string> issue_ids;  // numeric Jira ids, inserted unquoted
  IssueSort sort;
};

// The whole JQL text for `query`.
std::string BuildJql(const IssueQuery& query);

// The JQL that finds exactly the issues `keys` name, in one search:
// `key in ("A-1","B-2")`, each key quoted as QuoteValue() quotes it. Empty
// `keys` give "" (a search needs at least one).
std::string IssueKeysJql(const std::vector<std::string>& keys);

// `value` double-quoted, with '\' and '"' escaped by a backslash.
std::string QuoteValue(std::string_view value);

// The search text as the forge sends it: the characters " + . , ; ? | * / % ^
// $ # @ [ ] \ removed, ASCII letters downcased, runs of whitespace collapsed to
// one space and leading/trailing whitespace dropped. Single quotes are kept.
std::string SanitizeSearchText(std::string_view text);

// The first line of a description created from vulnerability `id`; the
// duplicate check searches for this phrase.
std::string VulnerabilityMarker(std::string_view id);

// Parses "opened", "closed" or "all".
Status ParseIssueState(std::string_view text, IssueState* out);

// Parses "created_desc", "created_asc", "updated_desc" or "updated_asc"
// (and the forge's alias "created_date" for created_desc). On anything else
// *out is left as it is; GitLab then sorts by created, newest first, which
// is IssueSort{} (the command line and the pages do so too).
Status ParseIssueSort(std::string_view text, IssueSort* out);

}  // namespace jiralink::jql
