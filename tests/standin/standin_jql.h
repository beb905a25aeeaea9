// The JQL subset the stand-in answers (see standin.h for the list).
//
// A query is parsed once into a small expression tree (AND, OR, NOT,
// parentheses, clauses) plus an ORDER BY list, then evaluated against the
// values of each issue. Anything outside the subset is a parse error whose
// message reads like Jira's, so the stand-in can answer 400 with it.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace jiralink::standin::internal {

// The values of one issue that JQL can see.
struct JqlFields {
  std::string id;
  std::string key;
  std::vector<std::string> previous_keys;  // a moved issue matches `key = OLD-1` too
  std::string project;
  std::string issue_type;
  std::string summary;
  std::string description;
  std::string status;
  std::string category_key;   // "new", "indeterminate", "done"
  std::string category_name;  // "To Do", "In Progress", "Done"
  std::string resolution;     // empty = unresolved
  std::string priority;
  std::string created;  // Jira timestamps sort as text within one offset
  std::string updated;
  std::vector<std::string> labels;
  std::vector<std::string> reporter;  // every name the user answers to
  std::vector<std::string> assignee;  // empty = unassigned
};

class JqlQuery {
 public:
  JqlQuery();
  ~JqlQuery();
  JqlQuery(JqlQuery&&) noexcept;
  JqlQuery& operator=(JqlQuery&&) noexcept;

  // Parses `jql`; on failure returns false and sets *error to a Jira-like message.
  static bool Parse(std::string_view jql, JqlQuery* out, std::string* error);

  // True when the query restricts the result (Cloud refuses unbounded JQL).
  bool bounded() const;
  bool Matches(const JqlFields& issue) const;
  // Orders by the ORDER BY list; without one, newest id first.
  bool Before(const JqlFields& a, const JqlFields& b) const;

  struct Node;  // the expression tree; defined in standin_jql.cpp

 private:
  struct SortKey {
    std::string field;
    bool descending = false;
  };
  std::unique_ptr<Node> root_;  // null = every issue
  std::vector<SortKey> order_;
};

}  // namespace jiralink::standin::internal
