#include "jiralink/core/jql.h"

#include <string_view>

namespace jiralink::jql {
namespace {

// The forge's JQL_SPECIAL_CHARS: removed from search text because Jira's text
// search would treat them as operators.
constexpr std::string_view kSearchSpecialChars = "\"+.,;?|*/%^$#@[]\\";

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

std::string_view Strip(std::string_view text) {
  while (!text.empty() && IsSpace(text.front())) text.remove_prefix(1);
  while (!text.empty() && IsSpace(text.back())) text.remove_suffix(1);
  return text;
}

// Splits every entry on ',' and keeps the non-blank, stripped pieces.
std::vector<std::string> SplitKeys(const std::vector<std::string>& entries) {
  std::vector<std::string> keys;
  for (std::string_view entry : entries) {
    while (true) {
      std::size_t comma = entry.find(',');
      std::string_view piece = Strip(entry.substr(0, comma));
      if (!piece.empty()) keys.emplace_back(piece);
      if (comma == std::string_view::npos) break;
      entry.remove_prefix(comma + 1);
    }
  }
  return keys;
}

void AppendClause(std::string* jql, std::string_view clause) {
  if (!jql->empty()) jql->append(" AND ");
  jql->append(clause);
}

std::string ProjectClause(const std::vector<std::string>& entries) {
  std::vector<std::string> keys = SplitKeys(entries);
  if (keys.empty()) return {};
  std::string clause = "project in (";
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (i > 0) clause.push_back(',');
    clause.append(QuoteValue(keys[i]));
  }
  clause.push_back(')');
  return clause;
}

std::string OrderBy(const IssueSort& sort) {
  std::string order = "order by ";
  order.append(sort.field == SortField::kUpdated ? "updated" : "created");
  order.append(sort.direction == SortDirection::kAscending ? " ASC" : " DESC");
  return order;
}

}  // namespace

std::string IssueKeysJql(const std::vector<std::string>& keys) {
  if (keys.empty()) return {};
  std::string jql = "key in (";
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (i > 0) jql.push_back(',');
    jql.append(QuoteValue(keys[i]));
  }
  jql.push_back(')');
  return jql;
}

std::string QuoteValue(std::string_view value) {
  std::string quoted;
  quoted.reserve(value.size() + 2);
  quoted.push_back('"');
  for (char c : value) {
    if (c == '\\' || c == '"') quoted.push_back('\\');
    quoted.push_back(c);
  }
  quoted.push_back('"');
  return quoted;
}

std::string SanitizeSearchText(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool pending_space = false;
  for (char c : text) {
    if (kSearchSpecialChars.find(c) != std::string_view::npos) continue;
    if (IsSpace(c)) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
  }
  return out;
}

std::string VulnerabilityMarker(std::string_view id) {
  std::string marker = "Issue created from vulnerability ";
  marker.append(id);
  return marker;
}

std::string BuildJql(const IssueQuery& query) {
  std::string jql;
  std::string projects = ProjectClause(query.project_keys);
  if (!projects.empty()) AppendClause(&jql, projects);
  for (const std::string& label : query.labels) {
    AppendClause(&jql, "labels = " + QuoteValue(label));
  }
  if (!query.status.empty()) AppendClause(&jql, "status = " + QuoteValue(query.status));
  if (!query.reporter.empty()) AppendClause(&jql, "reporter = " + QuoteValue(query.reporter));
  if (!query.assignee.empty()) AppendClause(&jql, "assignee = " + QuoteValue(query.assignee));
  if (query.state == IssueState::kOpened) AppendClause(&jql, "statusCategory != Done");
  if (query.state == IssueState::kClosed) AppendClause(&jql, "statusCategory = Done");
  std::string search = SanitizeSearchText(query.search);
  if (!search.empty()) {
    std::string quoted = QuoteValue(search);
    AppendClause(&jql, "(summary ~ " + quoted + " OR description ~ " + quoted + ")");
  }
  if (!query.vulnerability_ids.empty()) {
    std::string clause = "(";
    for (std::size_t i = 0; i < query.vulnerability_ids.size(); ++i) {
      if (i > 0) clause.append(" OR ");
      // A phrase search: the marker itself in escaped quotes.
      clause.append("description ~ " +
                    QuoteValue(QuoteValue(VulnerabilityMarker(query.vulnerability_ids[i]))));
    }
    clause.push_back(')');
    AppendClause(&jql, clause);
  }
  if (!query.issue_ids.empty()) {
    std::string clause = "(";
    for (std::size_t i = 0; i < query.issue_ids.size(); ++i) {
      if (i > 0) clause.append(" OR ");
      clause.append("id = " + query.issue_ids[i]);
    }
    clause.push_back(')');
    AppendClause(&jql, clause);
  }
  if (!jql.empty()) jql.push_back(' ');
  jql.append(OrderBy(query.sort));
  return jql;
}

Status ParseIssueState(std::string_view text, IssueState* out) {
  if (text == "opened") {
    *out = IssueState::kOpened;
  } else if (text == "closed") {
    *out = IssueState::kClosed;
  } else if (text == "all") {
    *out = IssueState::kAll;
  } else {
    return Status::InvalidArgument("unknown state '" + std::string(text) +
                                   "' (expected opened, closed or all)");
  }
  return Status::Ok();
}

Status ParseIssueSort(std::string_view text, IssueSort* out) {
  if (text == "created_desc" || text == "created_date") {
    *out = {SortField::kCreated, SortDirection::kDescending};
  } else if (text == "created_asc") {
    *out = {SortField::kCreated, SortDirection::kAscending};
  } else if (text == "updated_desc") {
    *out = {SortField::kUpdated, SortDirection::kDescending};
  } else if (text == "updated_asc") {
    *out = {SortField::kUpdated, SortDirection::kAscending};
  } else {
    return Status::InvalidArgument("unknown sort '" + std::string(text) +
                                   "' (expected created_desc, created_asc, updated_desc or "
                                   "updated_asc)");
  }
  return Status::Ok();
}

}  // namespace jiralink::jql
