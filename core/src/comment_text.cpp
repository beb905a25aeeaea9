#include "jiralink/core/comment_text.h"

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
      out.append(branch);
    } else {
      out.append(url_template.substr(open, close - open + 1));
    }
    pos = close + 1;
  }
  out.append(url_template.substr(pos));
  return out;
}

std::string JiraLink(std::string_view text, std::string_view url) {
  std::string safe;
  safe.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '|':
        safe += '/';
        break;
      case '[':
        safe += '(';
        break;
      case ']':
        safe += ')';
        break;
      default:
        safe += c;
    }
  }
  if (url.empty()) return safe;
  return "[" + safe + "|" + std::string(url) + "]";
}

std::string MentionComment(const CommitFacts& commit) {
  std::string entity = commit.commit_url.empty() ? "commit " + commit.sha : "a commit";
  std::string text = JiraLink(commit.author.empty() ? "Someone" : commit.author, "");
  text += " mentioned this issue in ";
  text += JiraLink(entity, commit.commit_url);
  text += " of ";
  text += JiraLink(commit.repository, commit.repo_url);
  if (!commit.branch.empty()) {
    text += " on branch ";
    text += JiraLink(commit.branch, commit.branch_url);
  }
  text += ":{quote}";
  text += CommitTitle(commit.message);
  text += "{quote}";
  return text;
}

std::string SolvedComment(const CommitFacts& commit) {
  return "Issue solved with " + JiraLink(commit.sha, commit.commit_url) + ".";
}

std::string MentionLinkTitle(const CommitFacts& commit) {
  return "Commit - " + CommitTitle(commit.message);
}

std::string SolvedLinkTitle(const CommitFacts& commit) {
  return "Solved by commit " + commit.sha + ".";
}

std::string CommitIdentity(const CommitFacts& commit) {
  return commit.commit_url.empty() ? commit.sha : commit.commit_url;
}

std::string RemoteLinkGlobalId(const CommitFacts& commit) {
  if (commit.commit_url.empty()) return "";
  return "jiralink:" + commit.commit_url;
}

}  // namespace jiralink
