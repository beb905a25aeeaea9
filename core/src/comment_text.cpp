#include "jiralink/core/comment_text.h"

#include "jiralink/core/text.h"

namespace jiralink {

namespace {

// Cuts `title` to at most `limit` bytes including the "..." omission, at the
// last space that fits, as Rails' String#truncate(limit, separator: ' ') does.
std::string TruncateAtSpace(std::string_view title, std::size_t limit) {
  constexpr std::string_view kOmission = "...";
  std::size_t keep = limit - kOmission.size();
  std::size_t space = title.rfind(' ', keep);
  if (space != std::string_view::npos && space > 0) keep = space;
  // Never cut inside a UTF-8 sequence.
  while (keep > 0 && (static_cast<unsigned char>(title[keep]) & 0xC0) == 0x80) --keep;
  return std::string(title.substr(0, keep)) + std::string(kOmission);
}

}  // namespace

std::string CommitTitle(std::string_view message) {
  std::size_t end = message.find_first_of("\r\n");
  std::string_view line = message.substr(0, end);
  if (line.empty()) return "No commit message";
  if (line.size() >= kLongTitleBytes) return TruncateAtSpace(line, kTruncatedTitleBytes);
  return std::string(line);
}

std::string ExpandUrlTemplate(std::string_view url_template, std::string_view repo,
                              std::string_view sha, std::string_view branch) {
  std::string out;
  out.reserve(url_template.size() + 64);
  std::size_t pos = 0;
  while (pos < url_template.size()) {
    std::size_t open = url_template.find('{', pos);
    if (open == std::string_view::npos) break;
    std::size_t close = url_template.find('}', open);
    if (close == std::string_view::npos) break;
    out.append(url_template.substr(pos, open - pos));
    std::string_view name = url_template.substr(open + 1, close - open - 1);
    if (name == "repo") {
      out.append(repo);
    } else if (name == "sha") {
      out.append(sha);
    } else if (name == "branch") {
      // A branch name may hold '|', ']', '{', '!' and more: percent-encoded,
      // it can neither end the URL's [text|url] link nor add markup.
      out.append(PercentEncode(branch, "/"));
    } else {
      out.append(url_template.substr(open, close - open + 1));
    }
    pos = close + 1;
  }
  out.append(url_template.substr(pos));
  return out;
}

namespace {

// Atlassian's own set of characters Jira's wiki renderer takes literally
// after a backslash (atlassian-renderer's BackslashEscapeRendererComponent).
bool IsEscapable(char c) {
  switch (c) {
    case '!':
    case '[':
    case ']':
    case '^':
    case '~':
    case '+':
    case '?':
    case '%':
    case '{':
    case '}':
    case '(':
    case ')':
    case '*':
    case '_':
    case '-':
    case '|':
    case '@':
      return true;
    default:
      return false;
  }
}

// The phrase markers (*bold*, _emphasis_, ??citation??, -deleted-,
// +inserted+, ^super^, ~sub~) open and close only next to a space or
// punctuation: one between two letters or digits ("PROJ-1", "snake_case")
// is plain text, and is left unescaped so that Jira still links issue keys.
bool IsPhraseMarker(char c) {
  return c == '*' || c == '_' || c == '?' || c == '-' || c == '+' || c == '^' || c == '~';
}

bool IsWordByte(char c) {
  const auto u = static_cast<unsigned char>(c);
  return (u >= '0' && u <= '9') || (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || u >= 0x80;
}

// Whether the line starting at `at` begins (after spaces) with a block
// marker that no backslash escapes: a numbered list ("# "), a heading
// ("h1. "... "h6. ") or a block quote ("bq. ").
bool StartsBlockMarker(std::string_view text, std::size_t at) {
  while (at < text.size() && (text[at] == ' ' || text[at] == '\t')) ++at;
  std::string_view rest = text.substr(at);
  if (!rest.empty() && rest[0] == '#') return true;
  if (rest.size() >= 3 && rest[0] == 'h' && rest[1] >= '1' && rest[1] <= '6' && rest[2] == '.') {
    return true;
  }
  return rest.rfind("bq.", 0) == 0;
}

// U+200B ZERO WIDTH SPACE: put before a line's block marker, it keeps the
// marker off the start of the line without changing what the reader sees.
constexpr std::string_view kZeroWidthSpace = "\xE2\x80\x8B";

}  // namespace

std::string JiraEscaped(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8 + 8);
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if ((i == 0 || text[i - 1] == '\n' || text[i - 1] == '\r') && StartsBlockMarker(text, i)) {
      out += kZeroWidthSpace;
    }
    if (c == '\\') {
      // Ours would pair with it ("\\" is a line break, "\{" escapes our own
      // closing brace at the end): written as '/' then.
      const bool pairs = i + 1 == text.size() || text[i + 1] == '\\' || IsEscapable(text[i + 1]);
      out += pairs ? '/' : '\\';
      continue;
    }
    if (IsEscapable(c)) {
      const bool inside_word = IsPhraseMarker(c) && i > 0 && i + 1 < text.size() &&
                               IsWordByte(text[i - 1]) && IsWordByte(text[i + 1]);
      if (!inside_word) out += '\\';
    }
    out += c;
  }
  return out;
}

std::string JiraLink(std::string_view text, std::string_view url) {
  if (url.empty()) return JiraEscaped(text);
  // Inside [text|url] the link's own delimiters become look-alikes (a
  // backslash does not hide them from the link parser); the rest is escaped.
  std::string safe(text);
  for (char& c : safe) {
    if (c == '|') c = '/';
    if (c == '[') c = '(';
    if (c == ']') c = ')';
  }
  return "[" + JiraEscaped(safe) + "|" + std::string(url) + "]";
}

namespace {

// A link whose text jiralink writes itself ("a commit", "commit <sha>",
// "merge request !42", "!42"): taken as it is, so that "!42" keeps its
// look (one '!' cannot open an image; all user text around it is escaped).
std::string OwnLink(std::string_view text, std::string_view url) {
  if (url.empty()) return std::string(text);
  return "[" + std::string(text) + "|" + std::string(url) + "]";
}

constexpr std::string_view kSolvedPrefix = "Issue solved with ";
constexpr std::string_view kGlobalIdPrefix = "jiralink:";

// The merge request's title: the first line of its message, whole.
std::string MergeRequestTitle(std::string_view message) {
  std::string_view line = message.substr(0, message.find_first_of("\r\n"));
  return line.empty() ? "No title" : std::string(line);
}

// What the quote and the link title show: the title (commit or merge request).
std::string SourceTitle(const CommitFacts& commit) {
  return commit.merge_request ? MergeRequestTitle(commit.message) : CommitTitle(commit.message);
}

// The message without trailing line ends (the forge quotes it so).
std::string_view TrimmedMessage(std::string_view message) {
  std::size_t end = message.find_last_not_of("\r\n");
  return end == std::string_view::npos ? std::string_view() : message.substr(0, end + 1);
}

}  // namespace

std::string JiraQuoted(std::string_view text) { return JiraEscaped(text); }

std::string MentionComment(const CommitFacts& commit, CommentDetail detail) {
  bool all = detail == CommentDetail::kAllDetails;
  std::string entity;
  if (commit.merge_request) {
    entity = all ? "merge request " + commit.sha : "a merge request";
  } else if (commit.commit_url.empty()) {
    entity = "commit " + commit.sha;
  } else {
    entity = all ? "commit " + commit.sha.substr(0, kShortShaLength) : "a commit";
  }
  std::string text = JiraLink(commit.author.empty() ? "Someone" : commit.author, "");
  text += " mentioned this issue in ";
  text += OwnLink(entity, commit.commit_url);
  text += " of ";
  text += JiraLink(commit.repository, commit.repo_url);
  if (!commit.branch.empty()) {
    text += " on branch ";
    text += JiraLink(commit.branch, commit.branch_url);
  }
  text += ":{quote}";
  std::string_view message = TrimmedMessage(commit.message);
  bool whole = all && !commit.merge_request && !message.empty();
  text += JiraQuoted(whole ? std::string(message) : SourceTitle(commit));
  text += "{quote}";
  return text;
}

std::string SolvedComment(const CommitFacts& commit) {
  return std::string(kSolvedPrefix) + OwnLink(commit.sha, commit.commit_url) + ".";
}

bool IsSolvedComment(std::string_view body) { return body.rfind(kSolvedPrefix, 0) == 0; }

std::string MentionLinkTitle(const CommitFacts& commit) {
  return (commit.merge_request ? "Merge request - " : "Commit - ") + SourceTitle(commit);
}

std::string SolvedLinkTitle(const CommitFacts& commit) {
  return (commit.merge_request ? "Solved by merge request " : "Solved by commit ") + commit.sha +
         ".";
}

std::string CommitIdentity(const CommitFacts& commit) {
  return commit.commit_url.empty() ? commit.sha : commit.commit_url;
}

std::string RemoteLinkGlobalId(const CommitFacts& commit) {
  if (commit.commit_url.empty()) return "";
  return std::string(kGlobalIdPrefix) + commit.commit_url;
}

bool IsJiralinkGlobalId(std::string_view global_id) {
  return global_id.rfind(kGlobalIdPrefix, 0) == 0;
}

std::string SmartCommandMarker(const CommitFacts& commit, int index) {
  std::string source =
      commit.commit_url.empty()
          ? "commit " + commit.sha
          : OwnLink("commit " + commit.sha.substr(0, kShortShaLength), commit.commit_url);
  return "Smart Commit command " + std::to_string(index + 1) + " of " + source;
}

std::string SmartCommandText(const CommitFacts& commit, int index, std::string_view text,
                             std::string_view who) {
  std::string out(text);
  if (!out.empty()) out += "\n\n";
  out += "(" + SmartCommandMarker(commit, index) + ", by ";
  out += who.empty() ? JiraLink(commit.author.empty() ? "unknown author" : commit.author, "")
                     : std::string(who);
  out += ")";
  return out;
}

std::string JiraUserMention(std::string_view account_id, std::string_view name) {
  std::string_view id = account_id.empty() ? name : account_id;
  if (id.empty()) return "";
  for (char c : id) {
    if (c == ']' || c == '[' || c == '|' || c == '{' || c == '}' ||
        static_cast<unsigned char>(c) < 0x20) {
      return "";
    }
  }
  return account_id.empty() ? "[~" + std::string(name) + "]"
                            : "[~accountid:" + std::string(account_id) + "]";
}

}  // namespace jiralink
