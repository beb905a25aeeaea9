#include "jiralink/core/comment_text.h"

#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

namespace jiralink {
namespace {

CommitFacts SampleCommit() {
  CommitFacts c;
  c.repository = "platform/api";
  c.sha = "0123456789abcdef0123456789abcdef01234567";
  c.branch = "main";
  c.author = "Ada Lovelace";
  c.message = "Fix the parser for PROJ-1\n\nLonger body.\n";
  c.commit_url = "https://git.example.com/platform/api/commit/" + c.sha;
  c.repo_url = "https://git.example.com/platform/api";
  c.branch_url = "https://git.example.com/platform/api/tree/main";
  return c;
}

TEST(CommentText, MentionCommentNamesAuthorCommitRepositoryBranchAndQuotesTitle) {
  EXPECT_EQ(MentionComment(SampleCommit()),
            "Ada Lovelace mentioned this issue in "
            "[a commit|https://git.example.com/platform/api/commit/"
            "0123456789abcdef0123456789abcdef01234567] of "
            "[platform/api|https://git.example.com/platform/api] on branch "
            "[main|https://git.example.com/platform/api/tree/main]:{quote}Fix the parser for "
            "PROJ-1{quote}");
}

TEST(CommentText, MentionCommentWithoutUrlsUsesPlainTextAndTheFullSha) {
  CommitFacts c = SampleCommit();
  c.commit_url.clear();
  c.repo_url.clear();
  c.branch_url.clear();
  c.branch.clear();
  EXPECT_EQ(MentionComment(c),
            "Ada Lovelace mentioned this issue in commit "
            "0123456789abcdef0123456789abcdef01234567 of platform/api:{quote}Fix the parser for "
            "PROJ-1{quote}");
  EXPECT_EQ(CommitIdentity(c), c.sha);
  EXPECT_EQ(RemoteLinkGlobalId(c), "");
}

TEST(CommentText, SolvedCommentAndLinkTitlesFollowTheForge) {
  CommitFacts c = SampleCommit();
  EXPECT_EQ(SolvedComment(c), "Issue solved with [" + c.sha + "|" + c.commit_url + "].");
  EXPECT_EQ(SolvedLinkTitle(c), "Solved by commit " + c.sha + ".");
  EXPECT_EQ(MentionLinkTitle(c), "Commit - Fix the parser for PROJ-1");
  EXPECT_EQ(RemoteLinkGlobalId(c), "jiralink:" + c.commit_url);
  EXPECT_TRUE(IsSolvedComment(SolvedComment(c)));
  EXPECT_FALSE(IsSolvedComment(MentionComment(c)));
  EXPECT_TRUE(IsJiralinkGlobalId(RemoteLinkGlobalId(c)));
  EXPECT_FALSE(IsJiralinkGlobalId("GitLab"));
  c.commit_url.clear();
  EXPECT_EQ(SolvedComment(c), "Issue solved with " + c.sha + ".");
  EXPECT_TRUE(IsSolvedComment(SolvedComment(c)));
}

TEST(CommentText, CommitTitleIsTheFirstLine) {
  EXPECT_EQ(CommitTitle("one\ntwo"), "one");
  EXPECT_EQ(CommitTitle("one\r\ntwo"), "one");
  EXPECT_EQ(CommitTitle(""), "No commit message");
  EXPECT_EQ(CommitTitle("\nbody only"), "No commit message");
}

TEST(CommentText, LongTitlesAreCutAtASpaceWithEllipsis) {
  std::string title;
  while (title.size() < 120) title += "word ";
  std::string cut = CommitTitle(title);
  EXPECT_LE(cut.size(), kTruncatedTitleBytes);
  EXPECT_EQ(cut.substr(cut.size() - 3), "...");
  EXPECT_EQ(cut, title.substr(0, cut.size() - 3) + "...");
  EXPECT_NE(cut[cut.size() - 4], ' ');
  // 99 bytes stay whole.
  std::string short_title(99, 'x');
  EXPECT_EQ(CommitTitle(short_title), short_title);
}

TEST(CommentText, ExpandUrlTemplateFillsKnownNamesOnly) {
  EXPECT_EQ(
      ExpandUrlTemplate("https://h/{repo}/commit/{sha}?b={branch}&x={other}", "g/p", "abc", "dev"),
      "https://h/g/p/commit/abc?b=dev&x={other}");
  EXPECT_EQ(ExpandUrlTemplate("", "g/p", "abc", "dev"), "");
  EXPECT_EQ(ExpandUrlTemplate("https://h/{repo", "g", "a", "b"), "https://h/{repo");
}

TEST(CommentText, LinkTextCannotBreakJiraLinkSyntax) {
  EXPECT_EQ(JiraLink("a|b[c]", "https://x"), "[a/b\\(c\\)|https://x]");
  EXPECT_EQ(JiraLink("x{quote}y", "https://x"), "[x\\{quote\\}y|https://x]");
  EXPECT_EQ(JiraLink("plain", ""), "plain");
  EXPECT_EQ(JiraLink("Eve [~admin]", ""), "Eve \\[\\~admin\\]");
}

TEST(CommentText, QuotedTextCannotEndTheQuoteOrAddLinks) {
  EXPECT_EQ(JiraQuoted("a {quote} b"), "a \\{quote\\} b");
  EXPECT_EQ(JiraQuoted("[evil|https://x]"), "\\[evil\\|https://x\\]");
  // A user's backslash cannot pair with ours into "\\" (a line break) that
  // would leave the brace bare.
  EXPECT_EQ(JiraQuoted("a\\{quote}"), "a/\\{quote\\}");
  EXPECT_EQ(JiraQuoted("C:\\dir\\file"), "C:\\dir\\file");
  // Nor can one at the end escape the brace of our closing {quote}.
  EXPECT_EQ(JiraQuoted("two\\\\"), "two//");
}

// Issue #24: every wiki markup vector is shown as text, and the text still
// reads as written once Jira drops the backslashes.
TEST(CommentText, EveryWikiMarkupIsEscapedAndReadsAsWritten) {
  const std::string zwsp = "\xE2\x80\x8B";
  const std::vector<std::pair<std::string, std::string>> vectors = {
      {"!https://evil.example/a.png!", "\\!https://evil.example/a.png\\!"},
      {"*bold*", "\\*bold\\*"},
      {"_em_ ??cite?? -del- +ins+ ^sup^ ~sub~",
       "\\_em\\_ \\?\\?cite\\?\\? \\-del\\- \\+ins\\+ \\^sup\\^ \\~sub\\~"},
      {"----", "\\-\\-\\-\\-"},
      {"a -- b --- c", "a \\-\\- b \\-\\-\\- c"},
      {"{color:red}x{color}", "\\{color:red\\}x\\{color\\}"},
      {"(color:red)", "\\(color:red\\)"},
      {"(~admin) [~admin] [~accountid:5b10]",
       "\\(\\~admin\\) \\[\\~admin\\] \\[\\~accountid:5b10\\]"},
      {"(y) (!) (i)", "\\(y\\) \\(\\!\\) \\(i\\)"},
      {"||h||\n|c|", "\\|\\|h\\|\\|\n\\|c\\|"},
      {"{{mono}} {code}x{code} {noformat}",
       "\\{\\{mono\\}\\} \\{code\\}x\\{code\\} \\{noformat\\}"},
      {"@here 50% [link|https://x]", "\\@here 50\\% \\[link\\|https://x\\]"},
      {"# one\n  # two\nh1. T\nh7. no\nbq. q",
       zwsp + "# one\n" + zwsp + "  # two\n" + zwsp + "h1. T\nh7. no\n" + zwsp + "bq. q"},
      {"line\\\\break", "line/\\break"},
      // Between two letters or digits a phrase marker is plain text: keys
      // stay keys, identifiers stay whole.
      {"Fix PROJ-12 in snake_case_name, a+b, 2^8, x~y",
       "Fix PROJ-12 in snake_case_name, a+b, 2^8, x~y"},
      {"- item\n* item", "\\- item\n\\* item"},
  };
  for (const auto& [text, escaped] : vectors) {
    EXPECT_EQ(JiraEscaped(text), escaped) << text;
    EXPECT_EQ(JiraQuoted(text), escaped) << text;
    // Dropping each escaping backslash and the zero-width spaces gives the
    // text back (but for the user's backslashes that became '/').
    std::string shown;
    for (std::size_t i = 0; i < escaped.size(); ++i) {
      if (escaped[i] == '\\' && i + 1 < escaped.size()) continue;
      shown += escaped[i];
    }
    for (std::size_t at; (at = shown.find(zwsp)) != std::string::npos;)
      shown.erase(at, zwsp.size());
    if (text.find('\\') == std::string::npos) {
      EXPECT_EQ(shown, text) << text;
    }
  }
}

TEST(CommentText, TheBranchIsPercentEncodedInUrls) {
  EXPECT_EQ(ExpandUrlTemplate("https://h/{repo}/-/tree/{branch}", "g/p", "abc", "feat/x-1.2_y~z"),
            "https://h/g/p/-/tree/feat/x-1.2_y~z");
  EXPECT_EQ(ExpandUrlTemplate("https://h/tree/{branch}", "g/p", "abc", "a|b]!{c} d"),
            "https://h/tree/a%7Cb%5D%21%7Bc%7D%20d");
}

TEST(CommentText, UserTextInTheMentionCommentIsEscaped) {
  CommitFacts c = SampleCommit();
  c.branch = "fix|x]{quote}";
  c.author = "Eve [admin|https://evil]";
  c.message = "Title {quote}[link|https://evil]{quote}\n";
  EXPECT_EQ(MentionComment(c),
            "Eve \\[admin\\|https://evil\\] mentioned this issue in "
            "[a commit|https://git.example.com/platform/api/commit/"
            "0123456789abcdef0123456789abcdef01234567] of "
            "[platform/api|https://git.example.com/platform/api] on branch "
            "[fix/x\\)\\{quote\\}|https://git.example.com/platform/api/tree/main]:{quote}Title "
            "\\{quote\\}\\[link\\|https://evil\\]\\{quote\\}{quote}");
}

TEST(CommentText, AllDetailsNamesTheShortShaAndQuotesTheWholeMessage) {
  CommitFacts c = SampleCommit();
  EXPECT_EQ(MentionComment(c, CommentDetail::kAllDetails),
            "Ada Lovelace mentioned this issue in "
            "[commit 0123456789a|https://git.example.com/platform/api/commit/"
            "0123456789abcdef0123456789abcdef01234567] of "
            "[platform/api|https://git.example.com/platform/api] on branch "
            "[main|https://git.example.com/platform/api/tree/main]:{quote}Fix the parser for "
            "PROJ-1\n\nLonger body.{quote}");
  EXPECT_EQ(MentionComment(c, CommentDetail::kStandard), MentionComment(c));
  c.message.clear();
  EXPECT_NE(MentionComment(c, CommentDetail::kAllDetails).find("{quote}No commit message{quote}"),
            std::string::npos);
}

TEST(CommentText, MergeRequestsUseTheForgesMergeRequestWording) {
  CommitFacts mr;
  mr.repository = "platform/api";
  mr.sha = "!42";
  mr.merge_request = true;
  mr.branch = "feature";
  mr.author = "Grace";
  // 111 bytes: a commit title this long would be cut.
  const std::string whole = std::string(60, 'a') + " " + std::string(50, 'b');
  mr.message = whole + "\n\nbody";
  mr.commit_url = "https://git.example.com/platform/api/-/merge_requests/42";
  EXPECT_EQ(MentionComment(mr), "Grace mentioned this issue in [a merge request|" + mr.commit_url +
                                    "] of platform/api on branch feature:{quote}" + whole +
                                    "{quote}");
  EXPECT_NE(MentionComment(mr, CommentDetail::kAllDetails)
                .find("[merge request !42|" + mr.commit_url + "]"),
            std::string::npos);
  EXPECT_NE(MentionComment(mr, CommentDetail::kAllDetails).find("{quote}" + whole + "{quote}"),
            std::string::npos)
      << "a merge request's title, not its description";
  EXPECT_EQ(MentionLinkTitle(mr), "Merge request - " + whole);
  EXPECT_EQ(SolvedComment(mr), "Issue solved with [!42|" + mr.commit_url + "].");
  EXPECT_EQ(SolvedLinkTitle(mr), "Solved by merge request !42.");
  EXPECT_NE(CommitTitle(mr.message), whole) << "the same text as a commit title is cut";
}

TEST(SmartCommandText, EndsWithTheMarkerAndTheAuthorMadeMarkupSafe) {
  CommitFacts commit = SampleCommit();
  commit.author = "Ada [admin] |x|";
  std::string marker = SmartCommandMarker(commit, 2);
  EXPECT_EQ(marker, "Smart Commit command 3 of [commit " + commit.sha.substr(0, 11) + "|" +
                        commit.commit_url + "]");
  EXPECT_EQ(SmartCommandText(commit, 2, "Looks *good*", ""),
            "Looks *good*\n\n(" + marker + ", by Ada \\[admin\\] \\|x\\|)");
  EXPECT_EQ(SmartCommandText(commit, 2, "", "[~ada]"), "(" + marker + ", by [~ada])");
  commit.commit_url.clear();
  EXPECT_EQ(SmartCommandMarker(commit, 0), "Smart Commit command 1 of commit " + commit.sha);
}

TEST(JiraUserMention, CloudByAccountIdServerByNameAndNothingUnsafe) {
  EXPECT_EQ(JiraUserMention("5b10ac8d82e05b22cc7d4ef5", ""),
            "[~accountid:5b10ac8d82e05b22cc7d4ef5]");
  EXPECT_EQ(JiraUserMention("", "ada.lovelace"), "[~ada.lovelace]");
  EXPECT_EQ(JiraUserMention("", ""), "");
  EXPECT_EQ(JiraUserMention("", "ada]evil["), "");
  EXPECT_EQ(JiraUserMention("a|b", ""), "");
}

}  // namespace
}  // namespace jiralink
