#include "jiralink/hooks/new_commits.h"

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "git_fixture.h"

namespace jiralink::hooks {
namespace {

using testing::GitFixture;
using testing::PushAndRecord;

std::vector<std::string> Messages(const BranchCommits& branch) {
  std::vector<std::string> out;
  for (const NewCommit& c : branch.commits) out.push_back(c.message);
  return out;
}

WalkResult Walk(GitFixture& git, const std::vector<RefUpdate>& updates, int limit = 100) {
  WalkOptions options;
  options.max_commits_per_update = limit;
  WalkResult result;
  std::vector<std::string> warnings;
  Status status = FindNewCommits(git.bare(), updates, options, &result, &warnings);
  EXPECT_TRUE(status.ok()) << status.ToString();
  return result;
}

TEST(NewCommits, FirstPushReportsEveryCommitOldestFirstWithAuthor) {
  GitFixture git;
  git.Commit("one PROJ-1");
  git.Commit("two");
  auto updates = PushAndRecord(git, {"refs/heads/main"}, {"origin", "main"});
  WalkResult result = Walk(git, updates);
  ASSERT_EQ(result.updates.size(), 1u);
  EXPECT_EQ(result.default_branch, "main");
  EXPECT_TRUE(result.updates[0].is_default);
  EXPECT_EQ(Messages(result.updates[0]), (std::vector<std::string>{"one PROJ-1\n", "two\n"}));
  EXPECT_EQ(result.updates[0].commits[0].author, "Ada Lovelace");
  EXPECT_EQ(result.updates[0].commits[1].sha, git.Rev("HEAD"));
}

TEST(NewCommits, FastForwardReportsOnlyTheNewCommits) {
  GitFixture git;
  git.Commit("old");
  git.Push({"origin", "main"});
  git.Commit("new 1");
  git.Commit("new 2");
  auto updates = PushAndRecord(git, {"refs/heads/main"}, {"origin", "main"});
  WalkResult result = Walk(git, updates);
  ASSERT_EQ(result.updates.size(), 1u);
  EXPECT_EQ(Messages(result.updates[0]), (std::vector<std::string>{"new 1\n", "new 2\n"}));
}

TEST(NewCommits, NewBranchFromExistingCommitsBringsNothingNew) {
  GitFixture git;
  git.Commit("base");
  git.Push({"origin", "main"});
  git.Run({"branch", "feature"});
  auto updates = PushAndRecord(git, {"refs/heads/feature"}, {"origin", "feature"});
  WalkResult result = Walk(git, updates);
  ASSERT_EQ(result.updates.size(), 1u);
  EXPECT_TRUE(result.updates[0].commits.empty());
  EXPECT_FALSE(result.updates[0].is_default);
}

// Per branch update, as the forge counts: old..new of main holds the topic's
// commits although the repository had them on `feature` already.
TEST(NewCommits, NoFastForwardMergeOfAPushedBranchReportsItsCommitsAndTheMerge) {
  GitFixture git;
  git.Commit("base");
  git.Push({"origin", "main"});
  git.Run({"checkout", "-q", "-b", "feature"});
  git.Commit("feature work PROJ-2");
  git.Push({"origin", "feature"});
  git.Run({"checkout", "-q", "main"});
  git.Run({"merge", "-q", "--no-ff", "-m", "Merge feature", "feature"});
  auto updates = PushAndRecord(git, {"refs/heads/main"}, {"origin", "main"});
  WalkResult result = Walk(git, updates);
  ASSERT_EQ(result.updates.size(), 1u);
  EXPECT_TRUE(result.updates[0].is_default);
  EXPECT_EQ(Messages(result.updates[0]),
            (std::vector<std::string>{"feature work PROJ-2\n", "Merge feature\n"}));
}

TEST(NewCommits, FastForwardToAPushedBranchReportsItsCommitsOnTheDefaultBranch) {
  GitFixture git;
  git.Commit("base");
  git.Push({"origin", "main"});
  git.Run({"checkout", "-q", "-b", "topic"});
  git.Commit("Fixes PROJ-2");
  git.Commit("More PROJ-3");
  git.Push({"origin", "topic"});
  git.Run({"checkout", "-q", "main"});
  git.Run({"merge", "-q", "--ff-only", "topic"});
  auto updates = PushAndRecord(git, {"refs/heads/main"}, {"origin", "main"});
  WalkResult result = Walk(git, updates);
  ASSERT_EQ(result.updates.size(), 1u);
  EXPECT_TRUE(result.updates[0].is_default);
  EXPECT_EQ(Messages(result.updates[0]),
            (std::vector<std::string>{"Fixes PROJ-2\n", "More PROJ-3\n"}));
}

TEST(NewCommits, ForcePushReportsTheRewrittenCommitOnly) {
  GitFixture git;
  git.Commit("base");
  git.Commit("first try");
  git.Push({"origin", "main"});
  git.Run({"commit", "-q", "--amend", "-m", "second try"});
  auto updates = PushAndRecord(git, {"refs/heads/main"}, {"--force", "origin", "main"});
  WalkResult result = Walk(git, updates);
  ASSERT_EQ(result.updates.size(), 1u);
  EXPECT_EQ(Messages(result.updates[0]), (std::vector<std::string>{"second try\n"}));
}

TEST(NewCommits, DeletionsAndTagsAreIgnored) {
  GitFixture git;
  git.Commit("base");
  git.Push({"origin", "main"});
  git.Run({"checkout", "-q", "-b", "gone"});
  git.Commit("on gone");
  git.Push({"origin", "gone"});
  git.Run({"checkout", "-q", "main"});
  git.Commit("tagged PROJ-3");
  git.Run({"tag", "-a", "-m", "v1", "v1"});
  std::string tag_target = git.Rev("v1");
  std::string old_gone = git.ServerRev("refs/heads/gone");
  std::vector<RefUpdate> updates = {
      {old_gone, std::string(40, '0'), "refs/heads/gone"},
      {std::string(40, '0'), tag_target, "refs/tags/v1"},
  };
  WalkResult result = Walk(git, updates);
  EXPECT_TRUE(result.updates.empty());
  EXPECT_EQ(result.ignored_updates, 2);
}

TEST(NewCommits, SeveralRefsReportEachCommitOnceDefaultBranchFirst) {
  GitFixture git;
  git.Commit("base");
  git.Push({"origin", "main"});
  git.Commit("shared PROJ-4");
  git.Run({"branch", "feature"});
  auto updates =
      PushAndRecord(git, {"refs/heads/feature", "refs/heads/main"}, {"origin", "feature", "main"});
  WalkResult result = Walk(git, updates);
  ASSERT_EQ(result.updates.size(), 2u);
  EXPECT_EQ(result.updates[0].branch, "main");
  EXPECT_EQ(Messages(result.updates[0]), (std::vector<std::string>{"shared PROJ-4\n"}));
  EXPECT_TRUE(result.updates[1].commits.empty());
}

TEST(NewCommits, LimitKeepsTheNewestAndCountsTheRest) {
  GitFixture git;
  for (int i = 1; i <= 5; ++i) git.Commit("c" + std::to_string(i));
  auto updates = PushAndRecord(git, {"refs/heads/main"}, {"origin", "main"});
  WalkResult result = Walk(git, updates, 2);
  ASSERT_EQ(result.updates.size(), 1u);
  EXPECT_EQ(Messages(result.updates[0]), (std::vector<std::string>{"c4\n", "c5\n"}));
  EXPECT_EQ(result.updates[0].skipped, 3);
}

TEST(NewCommits, MissingObjectIsAWarningNotAFailure) {
  GitFixture git;
  git.Commit("base");
  git.Push({"origin", "main"});
  std::vector<RefUpdate> updates = {
      {std::string(40, '0'), std::string(40, 'a'), "refs/heads/ghost"}};
  WalkOptions options;
  WalkResult result;
  std::vector<std::string> warnings;
  ASSERT_TRUE(FindNewCommits(git.bare(), updates, options, &result, &warnings).ok());
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("refs/heads/ghost"), std::string::npos);
}

TEST(NewCommits, MessagesKeepEveryByteBlankLinesAndHexLinesIncluded) {
  GitFixture git;
  // A body line that looks like a commit id must not start a new record.
  std::string tricky = "Subject PROJ-5\n\n" + std::string(40, 'a') + "\n  indented\ttab \n";
  git.Run({"commit", "-q", "--allow-empty", "--cleanup=verbatim", "-m", tricky});
  git.Commit("after");
  auto updates = PushAndRecord(git, {"refs/heads/main"}, {"origin", "main"});
  WalkResult result = Walk(git, updates);
  ASSERT_EQ(result.updates.size(), 1u);
  EXPECT_EQ(Messages(result.updates[0]), (std::vector<std::string>{tricky, "after\n"}));
}

// A new branch brings what the default branch lacks, even commits another
// branch has (the forge's heuristic; the outbox keeps each job once).
TEST(NewCommits, NewBranchReportsWhatTheDefaultBranchLacksThoughAnotherBranchHasIt) {
  GitFixture git;
  git.Commit("base");
  git.Push({"origin", "main"});
  git.Run({"checkout", "-q", "-b", "feature"});
  std::string feature_only = git.Commit("only on feature PROJ-6");
  git.Push({"origin", "feature"});
  auto updates = PushAndRecord(git, {"refs/heads/copy"}, {"origin", "feature:copy"});
  WalkResult result = Walk(git, updates);
  ASSERT_EQ(result.updates.size(), 1u);
  EXPECT_FALSE(result.updates[0].is_default);
  ASSERT_EQ(result.updates[0].commits.size(), 1u);
  EXPECT_EQ(result.updates[0].commits[0].sha, feature_only);
}

TEST(NewCommits, CreatingTheDefaultBranchReportsItsNewestCommits) {
  GitFixture git;
  git.Run({"checkout", "-q", "-b", "topic"});
  for (int i = 1; i <= 4; ++i) git.Commit("t" + std::to_string(i));
  git.Push({"origin", "topic"});
  auto updates = PushAndRecord(git, {"refs/heads/main"}, {"origin", "topic:main"});
  WalkResult result = Walk(git, updates, 3);
  ASSERT_EQ(result.updates.size(), 1u);
  EXPECT_TRUE(result.updates[0].is_default);
  EXPECT_EQ(Messages(result.updates[0]), (std::vector<std::string>{"t2\n", "t3\n", "t4\n"}));
  EXPECT_EQ(result.updates[0].skipped, 1);
}

TEST(NewCommits, ANewBranchIsMeasuredAgainstAPackedDefaultBranch) {
  GitFixture git;
  git.Commit("base");
  git.Push({"origin", "main"});
  testing::ProcessOptions options;
  options.cwd = git.bare();
  ASSERT_EQ(testing::RunProcess({"git", "pack-refs", "--all"}, options).exit_code, 0);
  ASSERT_FALSE(std::filesystem::exists(git.bare() + "/refs/heads/main"));
  git.Run({"checkout", "-q", "-b", "feature"});
  git.Commit("feature PROJ-1");
  auto updates = PushAndRecord(git, {"refs/heads/feature"}, {"origin", "feature"});
  WalkResult result = Walk(git, updates);
  ASSERT_EQ(result.updates.size(), 1u);
  EXPECT_EQ(Messages(result.updates[0]), (std::vector<std::string>{"feature PROJ-1\n"}));
}

TEST(NewCommits, TheAuthorNameFollowsTheMailmap) {
  GitFixture git;
  testing::WriteFile(git.work() + "/.mailmap", "Augusta Ada King <ada@example.com>\n");
  git.Run({"add", ".mailmap"});
  git.Run({"commit", "-q", "-m", "PROJ-1 mailmap"});
  auto updates = PushAndRecord(git, {"refs/heads/main"}, {"origin", "main"});
  WalkResult result = Walk(git, updates);
  ASSERT_EQ(result.updates.size(), 1u);
  ASSERT_EQ(result.updates[0].commits.size(), 1u);
  EXPECT_EQ(result.updates[0].commits[0].author, "Augusta Ada King");
}

// A fresh `git init --bare` names `master` in HEAD; the first push brings main.
TEST(NewCommits, AnUnbornHeadIsPointedAtTheOnlyBranchOfTheFirstPush) {
  GitFixture git;
  git.Run({"--git-dir=" + git.bare(), "symbolic-ref", "HEAD", "refs/heads/master"});
  git.Commit("Fixes PROJ-1");
  auto updates = PushAndRecord(git, {"refs/heads/main"}, {"origin", "main"});
  WalkResult result;
  std::vector<std::string> warnings;
  ASSERT_TRUE(FindNewCommits(git.bare(), updates, WalkOptions{}, &result, &warnings).ok());
  EXPECT_TRUE(warnings.empty()) << warnings[0];
  EXPECT_EQ(result.head_set_to, "main");
  EXPECT_EQ(result.default_branch, "main");
  ASSERT_EQ(result.updates.size(), 1u);
  EXPECT_TRUE(result.updates[0].is_default);
  EXPECT_EQ(testing::ReadFile(git.bare() + "/HEAD"), "ref: refs/heads/main\n");
}

TEST(NewCommits, AnUnbornHeadWithSeveralBranchesWarnsAndNoBranchIsDefault) {
  GitFixture git;
  git.Run({"--git-dir=" + git.bare(), "symbolic-ref", "HEAD", "refs/heads/master"});
  git.Commit("Fixes PROJ-1");
  git.Run({"branch", "topic"});
  auto updates =
      PushAndRecord(git, {"refs/heads/main", "refs/heads/topic"}, {"origin", "main", "topic"});
  WalkResult result;
  std::vector<std::string> warnings;
  ASSERT_TRUE(FindNewCommits(git.bare(), updates, WalkOptions{}, &result, &warnings).ok());
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("HEAD names refs/heads/master, which does not exist"),
            std::string::npos)
      << warnings[0];
  EXPECT_NE(warnings[0].find("closing keywords transition nothing"), std::string::npos);
  EXPECT_TRUE(result.head_set_to.empty());
  ASSERT_EQ(result.updates.size(), 2u);
  EXPECT_FALSE(result.updates[0].is_default);
  EXPECT_FALSE(result.updates[1].is_default);
  EXPECT_EQ(testing::ReadFile(git.bare() + "/HEAD"), "ref: refs/heads/master\n");
}

TEST(NewCommits, AConfiguredDefaultBranchThatDoesNotExistIsAWarning) {
  GitFixture git;
  git.Commit("Fixes PROJ-1");
  auto updates = PushAndRecord(git, {"refs/heads/main"}, {"origin", "main"});
  WalkOptions options;
  options.default_branch = "trunk";
  WalkResult result;
  std::vector<std::string> warnings;
  ASSERT_TRUE(FindNewCommits(git.bare(), updates, options, &result, &warnings).ok());
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("[git] default_branch names \"trunk\""), std::string::npos)
      << warnings[0];
  ASSERT_EQ(result.updates.size(), 1u);
  EXPECT_FALSE(result.updates[0].is_default);
  EXPECT_EQ(Messages(result.updates[0]), (std::vector<std::string>{"Fixes PROJ-1\n"}));
}

TEST(NewCommits, PrunedOldTipIsSkippedAndTheWalkGoesOn) {
  GitFixture git;
  git.Commit("base");
  git.Push({"origin", "main"});
  std::string base = git.ServerRev("refs/heads/main");
  git.Commit("new PROJ-7");
  auto updates = PushAndRecord(git, {"refs/heads/main"}, {"origin", "main"});
  updates[0].old_oid = std::string(40, 'b');  // an object the repository does not have
  WalkOptions options;
  WalkResult result;
  std::vector<std::string> warnings;
  ASSERT_TRUE(FindNewCommits(git.bare(), updates, options, &result, &warnings).ok());
  ASSERT_EQ(result.updates.size(), 1u);
  EXPECT_EQ(Messages(result.updates[0]), (std::vector<std::string>{"base\n", "new PROJ-7\n"}));
  EXPECT_TRUE(warnings.empty());
}

TEST(NewCommits, LargeInputAndOutputThroughGitDoNotBlock) {
  GitFixture git;
  std::string base = git.Commit("base");
  git.Push({"origin", "main"});
  // ~300 KB of message out of rev-list, and 3000 other refs that it ignores.
  std::string huge = "Huge PROJ-8\n\n";
  while (huge.size() < 300 * 1024) huge += "The quick brown fox jumps over the lazy dog.\n";
  testing::WriteFile(git.Path("message.txt"), huge);  // too long for one argv entry
  git.Run({"commit", "-q", "--allow-empty", "--cleanup=verbatim", "-F", git.Path("message.txt")});
  auto updates = PushAndRecord(git, {"refs/heads/main"}, {"origin", "main"});
  for (int i = 0; i < 3000; ++i) {
    updates.push_back({base, base, "refs/tags/t" + std::to_string(i)});
  }
  WalkResult result = Walk(git, updates);
  ASSERT_EQ(result.updates.size(), 1u);
  ASSERT_EQ(result.updates[0].commits.size(), 1u);
  EXPECT_EQ(result.updates[0].commits[0].message, huge);
  EXPECT_EQ(result.ignored_updates, 3000);
}

TEST(NewCommits, WithoutGitOnPathTheErrorSaysSo) {
  GitFixture git;
  git.Commit("base");
  auto updates = PushAndRecord(git, {"refs/heads/main"}, {"origin", "main"});
  std::string path = getenv("PATH");
  setenv("PATH", "/nonexistent", 1);
  WalkResult result;
  Status status = FindNewCommits(git.bare(), updates, WalkOptions{}, &result, nullptr);
  setenv("PATH", path.c_str(), 1);
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("cannot run git"), std::string::npos) << status.ToString();
}

TEST(NewCommits, MissingRepositoryFailsNamingIt) {
  WalkResult result;
  Status status = FindNewCommits("/nonexistent/repo.git", {}, WalkOptions{}, &result, nullptr);
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("/nonexistent/repo.git"), std::string::npos);
}

}  // namespace
}  // namespace jiralink::hooks
