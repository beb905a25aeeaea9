#include "standin_jql.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>

namespace jiralink::standin::internal {

namespace {

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) { return Lower(a) == Lower(b); }

bool ContainsIgnoreCase(std::string_view haystack, std::string_view needle) {
  return Lower(haystack).find(Lower(needle)) != std::string::npos;
}

struct Token {
  enum class Kind { kWord, kString, kOperator, kOpen, kClose, kComma, kEnd };
  Kind kind = Kind::kEnd;
  std::string text;
};

// Splits JQL into words, quoted strings, operators and punctuation.
bool Tokenize(std::string_view jql, std::vector<Token>* out, std::string* error) {
  size_t i = 0;
  while (i < jql.size()) {
    char c = jql[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
    } else if (c == '"' || c == '\'') {
      std::string text;
      size_t j = i + 1;
      bool closed = false;
      for (; j < jql.size(); ++j) {
        if (jql[j] == '\\' && j + 1 < jql.size()) {
          text += jql[++j];
        } else if (jql[j] == c) {
          closed = true;
          break;
        } else {
          text += jql[j];
        }
      }
      if (!closed) {
        *error = "Error in the JQL Query: The quoted string starting at character " +
                 std::to_string(i) + " is not terminated.";
        return false;
      }
      out->push_back({Token::Kind::kString, text});
      i = j + 1;
    } else if (c == '(') {
      out->push_back({Token::Kind::kOpen, "("});
      ++i;
    } else if (c == ')') {
      out->push_back({Token::Kind::kClose, ")"});
      ++i;
    } else if (c == ',') {
      out->push_back({Token::Kind::kComma, ","});
      ++i;
    } else if (c == '=' || c == '~') {
      out->push_back({Token::Kind::kOperator, std::string(1, c)});
      ++i;
    } else if (c == '!' && i + 1 < jql.size() && (jql[i + 1] == '=' || jql[i + 1] == '~')) {
      out->push_back({Token::Kind::kOperator, std::string(jql.substr(i, 2))});
      i += 2;
    } else if (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' ||
               c == '@' || c == ':') {
      size_t j = i;
      while (j < jql.size() && (std::isalnum(static_cast<unsigned char>(jql[j])) || jql[j] == '_' ||
                                jql[j] == '-' || jql[j] == '.' || jql[j] == '@' || jql[j] == ':')) {
        ++j;
      }
      out->push_back({Token::Kind::kWord, std::string(jql.substr(i, j - i))});
      i = j;
    } else {
      *error = "Error in the JQL Query: The character '" + std::string(1, c) +
               "' is a reserved JQL character. (line 1, character " + std::to_string(i) + ")";
      return false;
    }
  }
  out->push_back({Token::Kind::kEnd, ""});
  return true;
}

const char* const kKnownFields[] = {
    "project",    "key",      "issuekey",       "id",        "summary",  "description",
    "text",       "status",   "statuscategory", "labels",    "reporter", "assignee",
    "resolution", "priority", "type",           "issuetype", "created",  "updated",
};

bool IsKnownField(const std::string& field) {
  return std::find(std::begin(kKnownFields), std::end(kKnownFields), field) !=
         std::end(kKnownFields);
}

bool IsTextField(const std::string& field) {
  return field == "summary" || field == "description" || field == "text";
}

int PriorityRank(const std::string& priority) {
  static const char* const kOrder[] = {"lowest", "low", "medium", "high", "highest"};
  for (int i = 0; i < 5; ++i) {
    if (Lower(priority) == kOrder[i]) return i;
  }
  return 2;
}

// "PROJ-12" sorts by project, then by number.
bool KeyLess(const std::string& a, const std::string& b) {
  size_t da = a.rfind('-'), db = b.rfind('-');
  std::string pa = a.substr(0, da), pb = b.substr(0, db);
  if (pa != pb) return pa < pb;
  return std::atol(a.c_str() + da + 1) < std::atol(b.c_str() + db + 1);
}

std::vector<std::string> FieldValues(const std::string& field, const JqlFields& issue) {
  if (field == "project") return {issue.project};
  if (field == "key" || field == "issuekey") {
    std::vector<std::string> keys = {issue.key};
    keys.insert(keys.end(), issue.previous_keys.begin(), issue.previous_keys.end());
    return keys;
  }
  if (field == "id") return {issue.id};
  if (field == "summary") return {issue.summary};
  if (field == "description") {
    return issue.description.empty() ? std::vector<std::string>{} : std::vector{issue.description};
  }
  if (field == "text") return {issue.summary, issue.description};
  if (field == "status") return {issue.status};
  if (field == "statuscategory") return {issue.category_key, issue.category_name};
  if (field == "labels") return issue.labels;
  if (field == "reporter") return issue.reporter;
  if (field == "assignee") return issue.assignee;
  if (field == "resolution") {
    return issue.resolution.empty() ? std::vector<std::string>{} : std::vector{issue.resolution};
  }
  if (field == "priority") return {issue.priority};
  if (field == "type" || field == "issuetype") return {issue.issue_type};
  if (field == "created") return {issue.created};
  if (field == "updated") return {issue.updated};
  return {};
}

}  // namespace

struct JqlQuery::Node {
  enum class Kind { kAnd, kOr, kNot, kClause };
  Kind kind = Kind::kClause;
  std::vector<std::unique_ptr<Node>> children;
  // Clause: field (lower-case), operator ("=", "!=", "~", "!~", "in", "not in",
  // "is empty", "is not empty") and values.
  std::string field;
  std::string op;
  std::vector<std::string> values;

  bool Evaluate(const JqlFields& issue) const {
    switch (kind) {
      case Kind::kAnd:
        return std::all_of(children.begin(), children.end(),
                           [&](const auto& c) { return c->Evaluate(issue); });
      case Kind::kOr:
        return std::any_of(children.begin(), children.end(),
                           [&](const auto& c) { return c->Evaluate(issue); });
      case Kind::kNot:
        return !children[0]->Evaluate(issue);
      case Kind::kClause:
        return EvaluateClause(issue);
    }
    return false;
  }

  bool EvaluateClause(const JqlFields& issue) const {
    std::vector<std::string> have = FieldValues(field, issue);
    if (op == "is empty") return have.empty();
    if (op == "is not empty") return !have.empty();
    auto equals_any = [&] {
      for (const std::string& want : values) {
        if (field == "resolution" && EqualsIgnoreCase(want, "unresolved") && have.empty()) {
          return true;
        }
        for (const std::string& value : have) {
          if (EqualsIgnoreCase(value, want)) return true;
        }
      }
      return false;
    };
    auto contains_any = [&] {
      // A value wrapped in (escaped) double quotes is a phrase: quotes removed.
      std::string needle = values[0];
      if (needle.size() >= 2 && needle.front() == '"' && needle.back() == '"') {
        needle = needle.substr(1, needle.size() - 2);
      }
      for (const std::string& value : have) {
        if (ContainsIgnoreCase(value, needle)) return true;
      }
      return false;
    };
    if (op == "=" || op == "in") return equals_any();
    if (op == "!=" || op == "not in") return !equals_any();
    if (op == "~") return contains_any();
    if (op == "!~") return !contains_any();
    return false;
  }
};

namespace {

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : tokens_(std::move(tokens)) {}

  using Node = std::unique_ptr<JqlQuery::Node>;

  const Token& Peek() const { return tokens_[pos_]; }
  bool PeekWord(const char* word) const {
    return Peek().kind == Token::Kind::kWord && EqualsIgnoreCase(Peek().text, word);
  }
  Token Next() { return tokens_[pos_ < tokens_.size() - 1 ? pos_++ : pos_]; }

  bool ParseOr(Node* out, std::string* error) {
    Node first;
    if (!ParseAnd(&first, error)) return false;
    if (!PeekWord("or")) {
      *out = std::move(first);
      return true;
    }
    auto node = std::make_unique<JqlQuery::Node>();
    node->kind = JqlQuery::Node::Kind::kOr;
    node->children.push_back(std::move(first));
    while (PeekWord("or")) {
      Next();
      Node next;
      if (!ParseAnd(&next, error)) return false;
      node->children.push_back(std::move(next));
    }
    *out = std::move(node);
    return true;
  }

  bool ParseAnd(Node* out, std::string* error) {
    Node first;
    if (!ParseUnary(&first, error)) return false;
    if (!PeekWord("and")) {
      *out = std::move(first);
      return true;
    }
    auto node = std::make_unique<JqlQuery::Node>();
    node->kind = JqlQuery::Node::Kind::kAnd;
    node->children.push_back(std::move(first));
    while (PeekWord("and")) {
      Next();
      Node next;
      if (!ParseUnary(&next, error)) return false;
      node->children.push_back(std::move(next));
    }
    *out = std::move(node);
    return true;
  }

  bool ParseUnary(Node* out, std::string* error) {
    if (PeekWord("not")) {
      Next();
      auto node = std::make_unique<JqlQuery::Node>();
      node->kind = JqlQuery::Node::Kind::kNot;
      Node child;
      if (!ParseUnary(&child, error)) return false;
      node->children.push_back(std::move(child));
      *out = std::move(node);
      return true;
    }
    if (Peek().kind == Token::Kind::kOpen) {
      Next();
      if (!ParseOr(out, error)) return false;
      if (Peek().kind != Token::Kind::kClose) {
        *error = "Error in the JQL Query: Expecting ')' but got '" + Peek().text + "'.";
        return false;
      }
      Next();
      return true;
    }
    return ParseClause(out, error);
  }

  bool ParseValue(std::string* value, std::string* error) {
    const Token& token = Peek();
    if (token.kind != Token::Kind::kWord && token.kind != Token::Kind::kString) {
      *error = "Error in the JQL Query: Expecting either a value, list or function but got '" +
               token.text + "'.";
      return false;
    }
    *value = Next().text;
    return true;
  }

  bool ParseClause(Node* out, std::string* error) {
    const Token field_token = Next();
    if (field_token.kind != Token::Kind::kWord && field_token.kind != Token::Kind::kString) {
      *error = "Error in the JQL Query: Expecting a field name but got '" + field_token.text + "'.";
      return false;
    }
    auto node = std::make_unique<JqlQuery::Node>();
    node->field = Lower(field_token.text);
    if (!IsKnownField(node->field)) {
      *error = "Field '" + field_token.text +
               "' does not exist or you do not have permission to view it.";
      return false;
    }
    if (Peek().kind == Token::Kind::kOperator) {
      node->op = Next().text;
      if ((node->op == "~" || node->op == "!~") && !IsTextField(node->field)) {
        *error = "The operator '" + node->op + "' is not supported by the '" + field_token.text +
                 "' field.";
        return false;
      }
      std::string value;
      if (!ParseValue(&value, error)) return false;
      node->values.push_back(value);
    } else if (PeekWord("in") || PeekWord("not")) {
      bool negated = PeekWord("not");
      Next();
      if (negated) {
        if (!PeekWord("in")) {
          *error = "Error in the JQL Query: Expecting 'in' after 'not'.";
          return false;
        }
        Next();
      }
      node->op = negated ? "not in" : "in";
      if (Peek().kind != Token::Kind::kOpen) {
        *error = "Error in the JQL Query: Expecting '(' after 'in'.";
        return false;
      }
      Next();
      while (true) {
        std::string value;
        if (!ParseValue(&value, error)) return false;
        node->values.push_back(value);
        if (Peek().kind == Token::Kind::kComma) {
          Next();
          continue;
        }
        if (Peek().kind == Token::Kind::kClose) {
          Next();
          break;
        }
        *error = "Error in the JQL Query: Expecting ',' or ')' but got '" + Peek().text + "'.";
        return false;
      }
    } else if (PeekWord("is")) {
      Next();
      bool negated = PeekWord("not");
      if (negated) Next();
      if (!PeekWord("empty") && !PeekWord("null")) {
        *error = "Error in the JQL Query: Expecting EMPTY or NULL after 'is'.";
        return false;
      }
      Next();
      node->op = negated ? "is not empty" : "is empty";
    } else {
      *error = "Error in the JQL Query: Expecting operator but got '" + Peek().text +
               "'. The valid operators are '=', '!=', '~', '!~', 'in', 'not in', 'is'.";
      return false;
    }
    *out = std::move(node);
    return true;
  }

  size_t pos_ = 0;

 private:
  std::vector<Token> tokens_;
};

}  // namespace

JqlQuery::JqlQuery() = default;
JqlQuery::~JqlQuery() = default;
JqlQuery::JqlQuery(JqlQuery&&) noexcept = default;
JqlQuery& JqlQuery::operator=(JqlQuery&&) noexcept = default;

bool JqlQuery::Parse(std::string_view jql, JqlQuery* out, std::string* error) {
  std::vector<Token> tokens;
  if (!Tokenize(jql, &tokens, error)) return false;
  Parser parser(std::move(tokens));
  JqlQuery query;
  if (parser.Peek().kind != Token::Kind::kEnd && !parser.PeekWord("order")) {
    if (!parser.ParseOr(&query.root_, error)) return false;
  }
  if (parser.PeekWord("order")) {
    parser.Next();
    if (!parser.PeekWord("by")) {
      *error = "Error in the JQL Query: Expecting 'by' after 'order'.";
      return false;
    }
    parser.Next();
    while (true) {
      Token field = parser.Next();
      std::string name = Lower(field.text);
      if (field.kind != Token::Kind::kWord ||
          (name != "created" && name != "updated" && name != "key" && name != "priority" &&
           name != "id")) {
        *error = "Not able to sort using field '" + field.text + "'.";
        return false;
      }
      SortKey key{name, false};
      if (parser.PeekWord("asc") || parser.PeekWord("desc")) {
        key.descending = parser.PeekWord("desc");
        parser.Next();
      }
      query.order_.push_back(key);
      if (parser.Peek().kind != Token::Kind::kComma) break;
      parser.Next();
    }
  }
  if (parser.Peek().kind != Token::Kind::kEnd) {
    *error = "Error in the JQL Query: Expecting end of query but got '" + parser.Peek().text + "'.";
    return false;
  }
  *out = std::move(query);
  return true;
}

bool JqlQuery::bounded() const { return root_ != nullptr; }

bool JqlQuery::Matches(const JqlFields& issue) const {
  return root_ == nullptr || root_->Evaluate(issue);
}

bool JqlQuery::Before(const JqlFields& a, const JqlFields& b) const {
  for (const SortKey& key : order_) {
    int cmp = 0;
    if (key.field == "created") {
      cmp = a.created.compare(b.created);
    } else if (key.field == "updated") {
      cmp = a.updated.compare(b.updated);
    } else if (key.field == "priority") {
      cmp = PriorityRank(a.priority) - PriorityRank(b.priority);
    } else if (key.field == "key") {
      cmp = KeyLess(a.key, b.key) ? -1 : (KeyLess(b.key, a.key) ? 1 : 0);
    } else if (key.field == "id") {
      cmp = std::atol(a.id.c_str()) < std::atol(b.id.c_str())
                ? -1
                : (std::atol(a.id.c_str()) > std::atol(b.id.c_str()) ? 1 : 0);
    }
    if (cmp != 0) return key.descending ? cmp > 0 : cmp < 0;
  }
  return std::atol(a.id.c_str()) > std::atol(b.id.c_str());
}

}  // namespace jiralink::standin::internal
