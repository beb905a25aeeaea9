#include "jiralink/config/jira_table_edit.h"

#include "toml_string.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <optional>

namespace jiralink::config {

namespace {

// One physical line, its ending kept apart so it can be reproduced exactly.
struct Line {
  std::string text;
  std::string ending;      // "\n", "\r\n" or "" (last line without one)
  bool continues = false;  // inside a multi-line string or array from an earlier line
};

std::vector<Line> SplitLines(std::string_view text) {
  std::vector<Line> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t newline = text.find('\n', start);
    if (newline == std::string_view::npos) {
      lines.push_back(Line{std::string(text.substr(start)), std::string(), false});
      break;
    }
    const bool crlf = newline > start && text[newline - 1] == '\r';
    const size_t end = crlf ? newline - 1 : newline;
    lines.push_back(Line{std::string(text.substr(start, end - start)),
                         std::string(crlf ? "\r\n" : "\n"), false});
    start = newline + 1;
  }
  return lines;
}

// Tracks what spans lines in TOML: multi-line strings and open brackets.
class LineScanner {
 public:
  // Scans one line; returns the offset of a comment ('#') outside strings,
  // or npos. Updates the state carried to the next line.
  size_t Scan(const std::string& line) {
    size_t comment = std::string::npos;
    for (size_t i = 0; i < line.size(); ++i) {
      char c = line[i];
      if (in_multiline_basic_) {
        if (c == '\\') {
          ++i;
        } else if (line.compare(i, 3, "\"\"\"") == 0) {
          in_multiline_basic_ = false;
          i += 2;
        }
        continue;
      }
      if (in_multiline_literal_) {
        if (line.compare(i, 3, "'''") == 0) {
          in_multiline_literal_ = false;
          i += 2;
        }
        continue;
      }
      if (c == '#') {
        comment = i;
        break;
      }
      if (line.compare(i, 3, "\"\"\"") == 0) {
        in_multiline_basic_ = true;
        i += 2;
      } else if (line.compare(i, 3, "'''") == 0) {
        in_multiline_literal_ = true;
        i += 2;
      } else if (c == '"') {
        for (++i; i < line.size() && line[i] != '"'; ++i) {
          if (line[i] == '\\') ++i;
        }
      } else if (c == '\'') {
        for (++i; i < line.size() && line[i] != '\''; ++i) {
        }
      } else if (c == '[' || c == '{') {
        ++depth_;
      } else if ((c == ']' || c == '}') && depth_ > 0) {
        --depth_;
      }
    }
    return comment;
  }

  bool open() const { return in_multiline_basic_ || in_multiline_literal_ || depth_ > 0; }

 private:
  bool in_multiline_basic_ = false;
  bool in_multiline_literal_ = false;
  int depth_ = 0;
};

std::string Trim(std::string_view text) {
  size_t begin = text.find_first_not_of(" \t");
  if (begin == std::string_view::npos) return "";
  size_t end = text.find_last_not_of(" \t");
  return std::string(text.substr(begin, end - begin + 1));
}

std::string Unquote(std::string text) {
  if (text.size() >= 2 && (text.front() == '"' || text.front() == '\'') &&
      text.back() == text.front()) {
    return text.substr(1, text.size() - 2);
  }
  return text;
}

// The parts of a dotted TOML key: `groups."ops/x" . jira` -> {groups, ops/x, jira}.
std::vector<std::string> SplitKeyPath(std::string_view key) {
  std::vector<std::string> parts(1);
  for (size_t i = 0; i < key.size(); ++i) {
    char c = key[i];
    if (c == '"') {
      for (++i; i < key.size() && key[i] != '"'; ++i) {
        if (key[i] == '\\' && i + 1 < key.size()) ++i;
        parts.back() += key[i];
      }
    } else if (c == '\'') {
      for (++i; i < key.size() && key[i] != '\''; ++i) parts.back() += key[i];
    } else if (c == '.') {
      parts.emplace_back();
    } else if (c != ' ' && c != '\t') {
      parts.back() += c;
    }
  }
  return parts;
}

// The key path as TOML writes it: bare parts where allowed, else quoted.
std::string JoinKeyPath(const std::vector<std::string>& parts) {
  std::string text;
  for (const std::string& part : parts) {
    bool bare = !part.empty() && std::all_of(part.begin(), part.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
             c == '_' || c == '-';
    });
    text += (text.empty() ? "" : ".") + (bare ? part : TomlString(part));
  }
  return text;
}

bool StartsWith(const std::vector<std::string>& path, const std::vector<std::string>& prefix) {
  return path.size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), path.begin());
}

// The key path a header line opens ({"jira"} for `[jira]` or `[ "jira" ]`),
// or nullopt when the line is not a header. *array is set for `[[x]]`.
std::optional<std::vector<std::string>> HeaderPath(const std::string& text, size_t comment,
                                                   bool* array) {
  std::string code = Trim(text.substr(0, comment));
  if (code.empty() || code[0] != '[') return std::nullopt;
  *array = code.rfind("[[", 0) == 0;
  size_t open = *array ? 2 : 1;
  size_t close = code.rfind(*array ? "]]" : "]");
  if (close == std::string::npos || close < open) return std::nullopt;
  return SplitKeyPath(code.substr(open, close - open));
}

// A key = value line: the key (unquoted) and where its value starts.
struct Assignment {
  std::string key;
  std::vector<std::string> path;  // the key's dotted parts
  size_t value_begin = 0;
};

std::optional<Assignment> ParseAssignment(const std::string& text, size_t comment) {
  std::string_view code(text.data(), std::min(comment, text.size()));
  size_t eq = std::string_view::npos;
  char quote = 0;
  for (size_t i = 0; i < code.size(); ++i) {
    if (quote != 0) {
      if (code[i] == quote) quote = 0;
    } else if (code[i] == '"' || code[i] == '\'') {
      quote = code[i];
    } else if (code[i] == '=') {
      eq = i;
      break;
    }
  }
  if (eq == std::string_view::npos) return std::nullopt;
  Assignment a;
  a.key = Unquote(Trim(code.substr(0, eq)));
  if (a.key.empty()) return std::nullopt;
  a.path = SplitKeyPath(code.substr(0, eq));
  a.value_begin = code.find_first_not_of(" \t", eq + 1);
  if (a.value_begin == std::string_view::npos) a.value_begin = code.size();
  return a;
}

struct Statement {
  size_t first = 0;  // line index
  size_t end = 0;    // one past the last line
  Assignment assignment;
  size_t comment = std::string::npos;  // on the first line
};

std::string ValueText(const std::vector<Line>& lines, const Statement& s) {
  if (s.end - s.first == 1) {
    const std::string& text = lines[s.first].text;
    return Trim(text.substr(s.assignment.value_begin,
                            std::min(s.comment, text.size()) - s.assignment.value_begin));
  }
  std::string value = lines[s.first].text.substr(s.assignment.value_begin);
  for (size_t i = s.first + 1; i < s.end; ++i) value += "\n" + lines[i].text;
  return Trim(value);
}

bool IsSecretKey(const std::string& key) { return key == "token"; }

}  // namespace

std::string JiraTableChange::ToString() const {
  switch (kind) {
    case Kind::kAdded:
      return key + ": added " + new_value;
    case Kind::kReplaced:
      return key + ": " + old_value + " -> " + new_value;
    case Kind::kRemoved:
      return key + ": removed (was " + old_value + ")";
  }
  return key;
}

Status EditJiraTable(std::string_view text, std::string_view path, const JiraTableEdit& edit,
                     std::string* out, std::vector<JiraTableChange>* changes) {
  std::vector<Line> lines = SplitLines(text);
  std::string newline = "\n";
  for (const Line& line : lines) {
    if (!line.ending.empty()) {
      newline = line.ending;
      break;
    }
  }

  // Find the [...jira] table and its key = value statements.
  std::vector<std::string> target = edit.table;
  target.push_back("jira");
  const std::string table_text = JoinKeyPath(target);
  LineScanner scanner;
  std::optional<size_t> header;
  size_t table_end = lines.size();
  std::vector<std::string> current;  // the key path of the table being read
  bool in_target = false;
  std::vector<Statement> statements;
  for (size_t i = 0; i < lines.size(); ++i) {
    lines[i].continues = scanner.open();
    size_t comment = scanner.Scan(lines[i].text);
    if (lines[i].continues) {
      if (!statements.empty() && statements.back().end == i) statements.back().end = i + 1;
      continue;
    }
    bool array = false;
    if (std::optional<std::vector<std::string>> opened =
            HeaderPath(lines[i].text, comment, &array)) {
      current = *opened;
      if (array) current.insert(current.begin(), "[[");  // never the target
      if (header && table_end == lines.size()) table_end = i;
      in_target = !header && current == target;
      if (in_target) header = i;
      continue;
    }
    std::optional<Assignment> assignment = ParseAssignment(lines[i].text, comment);
    if (!assignment) continue;
    if (!in_target) {
      std::vector<std::string> full = current;
      full.insert(full.end(), assignment->path.begin(), assignment->path.end());
      if (StartsWith(full, target) || StartsWith(target, full)) {
        std::string whose = edit.table.empty() ? "" : " of " + JoinKeyPath(edit.table);
        return Status::InvalidArgument(std::string(path) + ":" + std::to_string(i + 1) +
                                       ": the jira settings" + whose + " are not written as a [" +
                                       table_text + "] table; migrate only edits a [" + table_text +
                                       "] table, change this by hand");
      }
      continue;
    }
    statements.push_back({i, i + 1, *assignment, comment});
  }

  // A key the edit names, written as the start of a dotted key
  // (`web_url.x = ...`), is a table here: setting it would write a second,
  // conflicting definition, and removing it is not a line's work.
  for (const Statement& s : statements) {
    const std::vector<std::string>& parts = s.assignment.path;
    if (parts.size() < 2) continue;
    bool named = edit.remove.end() != std::find(edit.remove.begin(), edit.remove.end(), parts[0]);
    for (const auto& set : edit.set) named = named || set.first == parts[0];
    if (named) {
      return Status::InvalidArgument(std::string(path) + ":" + std::to_string(s.first + 1) + ": [" +
                                     table_text + "] " + parts[0] +
                                     " is written as a dotted key, not `" + parts[0] +
                                     " = value`; migrate only edits such lines, change this by "
                                     "hand");
    }
  }

  std::map<std::string, size_t> by_key;  // key -> index in statements
  for (size_t s = 0; s < statements.size(); ++s) by_key[statements[s].assignment.key] = s;

  // Per line: replacement text (nullopt = keep), or deletion.
  std::vector<std::optional<std::string>> replaced(lines.size());
  std::vector<bool> deleted(lines.size(), false);
  std::vector<std::pair<std::string, std::string>> appended;
  for (const auto& [key, value] : edit.set) {
    auto it = by_key.find(key);
    if (it == by_key.end()) {
      appended.emplace_back(key, value);
      changes->push_back(
          {JiraTableChange::Kind::kAdded, key, "", IsSecretKey(key) ? "<redacted>" : value});
      continue;
    }
    const Statement& s = statements[it->second];
    std::string old_value = ValueText(lines, s);
    if (old_value == value) continue;
    const std::string& first = lines[s.first].text;
    std::string line = first.substr(0, s.assignment.value_begin) + value;
    if (s.end - s.first == 1 && s.comment != std::string::npos) {
      // Keep the comment and the spaces before it.
      size_t value_end = first.find_last_not_of(" \t", s.comment - 1);
      line += first.substr(value_end + 1);
    }
    replaced[s.first] = line;
    for (size_t i = s.first + 1; i < s.end; ++i) deleted[i] = true;
    changes->push_back({JiraTableChange::Kind::kReplaced, key,
                        IsSecretKey(key) ? "<redacted>" : old_value,
                        IsSecretKey(key) ? "<redacted>" : value});
  }
  for (const std::string& key : edit.remove) {
    auto it = by_key.find(key);
    if (it == by_key.end()) continue;
    const Statement& s = statements[it->second];
    for (size_t i = s.first; i < s.end; ++i) deleted[i] = true;
    changes->push_back({JiraTableChange::Kind::kRemoved, key,
                        IsSecretKey(key) ? "<redacted>" : ValueText(lines, s), ""});
  }

  std::string added;
  for (const auto& [key, value] : appended) added += key + " = " + value + newline;
  // New keys go after the table's last setting (so comments that introduce
  // the next table stay with it), or right after the header.
  std::optional<size_t> insert_after;
  if (header) insert_after = statements.empty() ? *header : statements.back().end - 1;

  std::string result;
  result.reserve(text.size() + added.size() + 16);
  for (size_t i = 0; i < lines.size(); ++i) {
    if (!deleted[i]) {
      result += replaced[i] ? *replaced[i] : lines[i].text;
      result += lines[i].ending;
    }
    if (insert_after && *insert_after == i && !added.empty()) {
      if (lines[i].ending.empty()) result += newline;  // the file ended without one
      result += added;
    }
  }
  if (!header && !added.empty()) {
    if (!result.empty() && result.back() != '\n') result += newline;
    if (!result.empty()) result += newline;
    result += "[" + table_text + "]" + newline + added;
  }
  *out = std::move(result);
  return Status::Ok();
}

Status ReplaceFileAtomically(const std::string& path, std::string_view contents) {
  std::error_code ec;
  std::filesystem::path target = std::filesystem::canonical(path, ec);
  if (ec) return Status::IOError(path + ": " + ec.message());
  struct stat info {};
  if (stat(target.c_str(), &info) != 0) {
    return Status::IOError(target.string() + ": " + std::strerror(errno));
  }
  std::string temp =
      (target.parent_path() / ("." + target.filename().string() + ".XXXXXX")).string();
  int fd = mkstemp(temp.data());
  if (fd < 0) {
    return Status::IOError("cannot create a temporary file next to " + target.string() + ": " +
                           std::strerror(errno));
  }
  auto fail = [&](const std::string& what) {
    int saved = errno;
    close(fd);
    unlink(temp.c_str());
    return Status::IOError(what + " " + temp + ": " + std::strerror(saved));
  };
  if (fchmod(fd, info.st_mode & 07777) != 0) return fail("cannot set the mode of");
  // Keep the owner when allowed (as root); otherwise the file becomes ours.
  if (fchown(fd, info.st_uid, info.st_gid) != 0 && errno != EPERM) {
    return fail("cannot set the owner of");
  }
  size_t written = 0;
  while (written < contents.size()) {
    ssize_t n = write(fd, contents.data() + written, contents.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return fail("cannot write");
    written += static_cast<size_t>(n);
  }
  if (fsync(fd) != 0) return fail("cannot sync");
  if (close(fd) != 0) {
    unlink(temp.c_str());
    return Status::IOError("cannot close " + temp + ": " + std::strerror(errno));
  }
  if (rename(temp.c_str(), target.c_str()) != 0) {
    int saved = errno;
    unlink(temp.c_str());
    return Status::IOError("cannot replace " + target.string() + ": " + std::strerror(saved));
  }
  return Status::Ok();
}

}  // namespace jiralink::config
