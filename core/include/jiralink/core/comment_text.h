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
// instead of a [text|url] link. With all_details ([comments] detail) the
// commit is named "commit <short sha>" and the whole message is quoted; a
// merge request is "a merge request" / "merge request !<iid>" and its title
// is quoted at both levels, as on the forge.
//
// User text (author, repository, branch, title, message) never breaks or
// adds markup, and still reads as written (JiraEscaped): image embeds
// (!url!), emphasis (*bold*, _em_, -deleted-...), rules (----), colours
// ({color:red}), macros ({quote}, {code}), links and mentions ([~user]),
// emoticons ((y), (!)), tables (||) and line breaks (\\) are all shown as
// text. Inside a [text|url] link '|', '[' and ']' also become look-alikes.
#pragma once

#include <string>
#include <string_view>

namespace jiralink {

// How much the "mentioned" comment says ([comments] detail).
enum class CommentDetail {
  kStandard,    // "a commit", the title (the default)
  kAllDetails,  // "commit <short sha>", the whole message
};

// The facts about one commit (or merge request) that the texts need.
struct CommitFacts {
  std::string repository;  // "platform/api"
  // Full 40-hex SHA; for a merge request "!<iid>" (see merge_request).
  std::string sha;
  bool merge_request = false;  // the source is a merge request, not a commit
  std::string branch;          // "main"; empty = no " on branch ..." part
  std::string author;          // author name as recorded in the commit
  std::string message;     // full commit message (merge request: title, blank line, description)
  std::string commit_url;  // expanded [git] commit_url; may be empty
  std::string repo_url;    // expanded [git] repo_url; may be empty
  std::string branch_url;  // expanded [git] branch_url; may be empty
};

// Titles of 100 bytes or more are cut to at most 81 bytes at a space, with "...".
inline constexpr std::size_t kLongTitleBytes = 100;
inline constexpr std::size_t kTruncatedTitleBytes = 81;

// Characters of a commit SHA that name it in all_details comments (the
// forge's short id).
inline constexpr std::size_t kShortShaLength = 11;

// The first line of a commit message (split at '\r' or '\n'), shortened as
// the forge does when it is 100 bytes or longer; "No commit message" when empty.
std::string CommitTitle(std::string_view message);

// Replaces {repo}, {sha} and {branch} in a URL template; the branch is
// percent-encoded (all but letters, digits and "-._~/"). Unknown {names} are
// kept as written. An empty template gives an empty URL.
std::string ExpandUrlTemplate(std::string_view url_template, std::string_view repo,
                              std::string_view sha, std::string_view branch);

// `text` made plain text for Jira's wiki renderer, reading as written:
//  - Atlassian's escapable characters ! [ ] ^ ~ + ? % { } ( ) * _ - | @
//    get a backslash (Jira then shows them as written), except a phrase
//    marker (* _ ? - + ^ ~) between two letters or digits, which cannot
//    open or close a phrase ("PROJ-1" stays a linked issue key);
//  - a line whose first non-blank characters are a block marker no
//    backslash escapes ("#" list, "h1." to "h6." heading, "bq." quote)
//    starts with U+200B ZERO WIDTH SPACE;
//  - a backslash the user wrote before one of the escapable characters,
//    before another backslash or at the end becomes '/', so that it cannot
//    pair with ours into Jira's "\\" line break or escape what follows.
// Left as they are: URLs (Jira links them, as the forge does) and the
// emoticons made of letters (":D", ":P"), which show Jira's own images.
std::string JiraEscaped(std::string_view text);

// "[text|url]" with `text` escaped (JiraEscaped) after '|', '[' and ']' in
// it became look-alikes ('/', '(', ')'), which the link parser cannot take
// for its own; just JiraEscaped(text) when url is empty.
std::string JiraLink(std::string_view text, std::string_view url);

// `text` made safe to place between {quote} and {quote}: JiraEscaped.
std::string JiraQuoted(std::string_view text);

// The "mentioned this issue" comment (wiki markup; one line at standard
// detail, the whole message inside {quote} with all_details).
std::string MentionComment(const CommitFacts& commit,
                           CommentDetail detail = CommentDetail::kStandard);

// "Issue solved with [<sha>|<commit url>]." (plain sha when there is no URL).
// A merge request closes as its head commit (serve/merge_request_jobs.h);
// only when the forge's payload had no head SHA: "Issue solved with
// [!<iid>|<merge request url>]."
std::string SolvedComment(const CommitFacts& commit);

// True when `body` is a "solved" comment (SolvedComment) of any commit or
// merge request.
bool IsSolvedComment(std::string_view body);

// Remote-link titles: "Commit - <title>" / "Merge request - <title>", and
// "Solved by commit <sha>." / "Solved by merge request !<iid>.".
std::string MentionLinkTitle(const CommitFacts& commit);
std::string SolvedLinkTitle(const CommitFacts& commit);

// What identifies the commit inside Jira text: the commit URL when there is
// one, else the full SHA. A comment containing it was written for this commit.
std::string CommitIdentity(const CommitFacts& commit);

// The remote link's globalId: "jiralink:" + the commit URL. One link per
// (issue, commit): the solved link replaces the mention link, as on the forge.
// Empty when there is no commit URL (Jira needs a URL for a remote link).
std::string RemoteLinkGlobalId(const CommitFacts& commit);

// True when `global_id` is one RemoteLinkGlobalId makes.
bool IsJiralinkGlobalId(std::string_view global_id);

// Smart Commits (core/smart_commit.h). What identifies one command's text in
// Jira (a comment or worklog containing it was written for that command):
//   "Smart Commit command <index + 1> of [commit <short sha>|<commit url>]"
// ("commit <full sha>" when there is no URL).
std::string SmartCommandMarker(const CommitFacts& commit, int index);

// A Smart Commit's comment or worklog comment: the user's text (wiki markup
// as written, like a comment typed in Jira), a blank line, then
// "(<marker>, by <who>)". `who` is a Jira mention ("[~accountid:...]",
// "[~name]") when the author was mapped, else empty: the commit's author name
// is written instead, made markup-safe as in JiraLink.
std::string SmartCommandText(const CommitFacts& commit, int index, std::string_view text,
                             std::string_view who);

// The Jira mention of a user: "[~accountid:<id>]" on Cloud, "[~<name>]" on
// Server/Data Center. Empty when the id or name is empty or would break the
// markup.
std::string JiraUserMention(std::string_view account_id, std::string_view name);

}  // namespace jiralink
