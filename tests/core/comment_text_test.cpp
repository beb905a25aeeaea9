#include "jiralink/core/comment_text.h"

#include <string>

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
  c.commit_url.clear();
  EXPECT_EQ(SolvedComment(c), "Issue solved with " + c.sha + ".");
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
  EXPECT_EQ(JiraLink("a|b[c]", "https://x"), "[a/b(c)|https://x]");
  EXPECT_EQ(JiraLink("plain", ""), "plain");
}

}  // namespace
}  // namespace jiralink
