// The texts jiralink writes into Jira for a commit: the "mentioned" comment,
// the "Issue solved" comment, remote-link titles and identifiers, and the
// URL templates of [git] settings. Pure text, no I/O.
//
// The wording follows the forge's Jira integration (standard detail level):
//
//   [Ada|] mentioned this issue in [a commit|<commit url>] of
//   [platform/api|<repo url>] on branch [main|<branch url>]:{quote}<title>{quote}
//
// (one line). Parts whose URL template is empty are written as plain text
// instead of a [text|url] link.
#pragma once

#include <string>
#include <string_view>

namespace jiralink {

// The facts about one commit that the texts need.
struct CommitFacts {
  std::string repository;  // "platform/api"
  std::string sha;         // full 40-hex SHA
  std::string branch;      // "main"; empty = no " on branch ..." part
  std::string author;      // author name as recorded in the commit
  std::string message;     // full commit message
  std::string commit_url;  // expanded [git] commit_url; may be empty
  std::string repo_url;    // expanded [git] repo_url; may be empty
  std::string branch_url;  // expanded [git] branch_url; may be empty
};

// Titles of 100 bytes or more are cut to at most 81 bytes at a space, with "...".
inline constexpr std::size_t kLongTitleBytes = 100;
inline constexpr std::size_t kTruncatedTitleBytes = 81;

// The first line of a commit message (split at '\r' or '\n'), shortened as
// the forge does when it is 100 bytes or longer; "No commit message" when empty.
std::string CommitTitle(std::string_view message);

// Replaces {repo}, {sha} and {branch} in a URL template. Unknown {names} are
// kept as written. An empty template gives an empty URL.
std::string ExpandUrlTemplate(std::string_view url_template, std::string_view repo,
                              std::string_view sha, std::string_view branch);

// "[text|url]", or just `text` when url is empty. '|', '[' and ']' in the text
// would break Jira's link syntax; they are replaced by look-alikes.
std::string JiraLink(std::string_view text, std::string_view url);

// The "mentioned this issue" comment (wiki markup, one line).
std::string MentionComment(const CommitFacts& commit);

// "Issue solved with [<sha>|<commit url>]." (plain sha when there is no URL).
std::string SolvedComment(const CommitFacts& commit);

// Remote-link titles: "Commit - <title>" and "Solved by commit <sha>.".
std::string MentionLinkTitle(const CommitFacts& commit);
std::string SolvedLinkTitle(const CommitFacts& commit);

// What identifies the commit inside Jira text: the commit URL when there is
// one, else the full SHA. A comment containing it was written for this commit.
std::string CommitIdentity(const CommitFacts& commit);

// The remote link's globalId: "jiralink:" + the commit URL. One link per
// (issue, commit): the solved link replaces the mention link, as on the forge.
// Empty when there is no commit URL (Jira needs a URL for a remote link).
std::string RemoteLinkGlobalId(const CommitFacts& commit);

}  // namespace jiralink
