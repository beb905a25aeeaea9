// NewCommitStream: a push's new commits as git walks them (newest first per
// branch update, the default branch's update first), the limit counted at
// Finish, and no git left behind when a stream is dropped mid-walk.
#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "git_fixture.h"
#include "jiralink/hooks/new_commits.h"

namespace jiralink::hooks {
namespace {

using testing::GitChildren;
using testing::GitFixture;
using testing::PushAndRecord;

const std::string kZero(40, '0');

// Destroys `stream` on another thread, so that a destructor that hangs
// fails the test instead of stalling it: git is killed after `limit`.
void DestroyWithin(std::unique_ptr<NewCommitStream> stream, std::chrono::seconds limit) {
  std::mutex mutex;
  std::condition_variable changed;
  bool destroyed = false;
  std::thread destroyer([&] {
    stream.reset();
    std::lock_guard<std::mutex> lock(mutex);
    destroyed = true;
    changed.notify_all();
  });
  {
    std::unique_lock<std::mutex> lock(mutex);
    if (!changed.wait_for(lock, limit, [&] { return destroyed; })) {
      ADD_FAILURE() << "the stream's destructor did not return within " << limit.count() << " s";
      for (pid_t pid : GitChildren()) ::kill(pid, SIGKILL);
    }
  }
  destroyer.join();
}

// Writes `count` commits straight into the bare repository's main (far
// faster than `git commit`), each with a message of about `message_bytes`.
std::string ImportCommits(GitFixture& git, int count, std::size_t message_bytes) {
  std::string stream;
  for (int i = 1; i <= count; ++i) {
    std::string message = "Commit " + std::to_string(i) + " PROJ-1\n\n";
    while (message.size() < message_bytes) message += "Lorem ipsum dolor sit amet.\n";
    stream += "commit refs/heads/main\ncommitter Ada Lovelace <ada@example.com> " +
              std::to_string(1700000000 + i) + " +0000\ndata " + std::to_string(message.size()) +
              "\n" + message + "\n";
  }
  testing::ProcessOptions options;
  options.cwd = git.bare();
  options.env = testing::GitIdentityEnv();
  options.stdin_data = stream;
  testing::ProcessResult r = testing::RunProcess({"git", "fast-import", "--quiet"}, options);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return git.ServerRev("refs/heads/main");
}

struct Walked {
  std::vector<WalkedCommit> commits;
  WalkResult result;
  std::vector<std::string> warnings;
};

// Streams the whole walk, checking each step succeeds.
Walked StreamAll(GitFixture& git, const std::vector<RefUpdate>& updates, int limit = 100) {
  Walked walked;
  WalkOptions options;
  options.max_commits_per_update = limit;
  NewCommitStream stream;
  Status status = stream.Start(git.bare(), updates, options, &walked.warnings);
  EXPECT_TRUE(status.ok()) << status.ToString();
  if (!status.ok()) return walked;
  for (int i = 0; i < 1000; ++i) {
    WalkedCommit next;
    bool end = false;
    status = stream.Next(&next, &end);
    EXPECT_TRUE(status.ok()) << status.ToString();
    if (!status.ok()) return walked;  // Finish is for a walk that ended
    if (end) break;
    EXPECT_NE(next.branch, nullptr);
    walked.commits.push_back(std::move(next));
  }
  status = stream.Finish(&walked.result);
  EXPECT_TRUE(status.ok()) << status.ToString();
  return walked;
}

// "<update>/<from_newest> <message without its newline>" per commit.
std::vector<std::string> Describe(const std::vector<WalkedCommit>& commits) {
  std::vector<std::string> out;
  for (const WalkedCommit& c : commits) {
    std::string message = c.commit.message;
    while (!message.empty() && message.back() == '\n') message.pop_back();
    out.push_back(std::to_string(c.update) + "/" + std::to_string(c.from_newest) + " " + message);
  }
  return out;
}

using Lines = std::vector<std::string>;

TEST(NewCommitStream, CommitsComeNewestFirstCountedFromTheNewest) {
  GitFixture git;
  git.Commit("old");
  git.Push({"origin", "main"});
  std::string c1 = git.Commit("c1 PROJ-1");
  git.Commit("c2 PROJ-1");
  std::string c3 = git.Commit("c3 PROJ-1");
  Walked walked = StreamAll(git, PushAndRecord(git, {"refs/heads/main"}, {"origin", "main"}));
  EXPECT_EQ(Describe(walked.commits), (Lines{"0/0 c3 PROJ-1", "0/1 c2 PROJ-1", "0/2 c1 PROJ-1"}));
  ASSERT_EQ(walked.commits.size(), 3u);
  EXPECT_EQ(walked.commits[0].commit.sha, c3);
  EXPECT_EQ(walked.commits[2].commit.sha, c1);
  EXPECT_EQ(walked.commits[0].commit.author, "Ada Lovelace");
  ASSERT_EQ(walked.result.updates.size(), 1u);
  EXPECT_EQ(walked.result.default_branch, "main");
  EXPECT_EQ(walked.result.updates[0].branch, "main");
  EXPECT_TRUE(walked.result.updates[0].is_default);
  EXPECT_EQ(walked.result.updates[0].walked, 3);
  EXPECT_EQ(walked.result.updates[0].skipped, 0);
  EXPECT_TRUE(walked.result.updates[0].commits.empty()) << "the stream keeps no commits";
  EXPECT_TRUE(walked.warnings.empty());
}

TEST(NewCommitStream, TheDefaultBranchUpdateComesFirstWhereverItIsOnStdin) {
  GitFixture git;
  git.Commit("base");
  git.Push({"origin", "main"});
  git.Run({"checkout", "-q", "-b", "feature"});
  git.Commit("f1 PROJ-2");
  git.Commit("f2 PROJ-2");
  git.Run({"checkout", "-q", "main"});
  git.Commit("m1 PROJ-1");
  git.Commit("m2 PROJ-1");
  // Tags and deletions in between do not take an update index.
  std::vector<RefUpdate> updates =
      PushAndRecord(git, {"refs/heads/feature", "refs/heads/main"}, {"origin", "feature", "main"});
  updates.insert(updates.begin() + 1, {kZero, updates[1].new_oid, "refs/tags/v1"});
  Walked walked = StreamAll(git, updates);
  EXPECT_EQ(Describe(walked.commits),
            (Lines{"0/0 m2 PROJ-1", "0/1 m1 PROJ-1", "1/0 f2 PROJ-2", "1/1 f1 PROJ-2"}));
  ASSERT_EQ(walked.commits.size(), 4u);
  EXPECT_EQ(walked.commits[0].branch->branch, "main");
  EXPECT_TRUE(walked.commits[0].branch->is_default);
  EXPECT_EQ(walked.commits[3].branch->branch, "feature");
  EXPECT_FALSE(walked.commits[3].branch->is_default);
  ASSERT_EQ(walked.result.updates.size(), 2u);
  EXPECT_EQ(walked.result.updates[0].branch, "main");
  EXPECT_EQ(walked.result.updates[1].branch, "feature");
  EXPECT_EQ(walked.result.updates[1].walked, 2);
  EXPECT_EQ(walked.result.ignored_updates, 1);
}

TEST(NewCommitStream, ACommitOnTwoUpdatedBranchesComesOnceUnderTheDefaultBranch) {
  GitFixture git;
  git.Commit("base");
  git.Push({"origin", "main"});
  git.Commit("shared PROJ-3");
  git.Run({"checkout", "-q", "-b", "feature"});
  git.Commit("feature only PROJ-3");
  std::vector<RefUpdate> updates =
      PushAndRecord(git, {"refs/heads/feature", "refs/heads/main"}, {"origin", "feature", "main"});
  Walked walked = StreamAll(git, updates);
  EXPECT_EQ(Describe(walked.commits), (Lines{"0/0 shared PROJ-3", "1/0 feature only PROJ-3"}));
}

TEST(NewCommitStream, TheLimitGivesTheNewestAndFinishCountsTheRest) {
  GitFixture git;
  for (int i = 1; i <= 5; ++i) git.Commit("c" + std::to_string(i));
  std::vector<RefUpdate> updates = PushAndRecord(git, {"refs/heads/main"}, {"origin", "main"});
  Walked walked = StreamAll(git, updates, 2);
  EXPECT_EQ(Describe(walked.commits), (Lines{"0/0 c5", "0/1 c4"}));
  ASSERT_EQ(walked.result.updates.size(), 1u);
  EXPECT_EQ(walked.result.updates[0].walked, 2);
  EXPECT_EQ(walked.result.updates[0].skipped, 3);

  // Exactly at the limit: nothing skipped.
  Walked exact = StreamAll(git, updates, 5);
  EXPECT_EQ(exact.commits.size(), 5u);
  ASSERT_EQ(exact.result.updates.size(), 1u);
  EXPECT_EQ(exact.result.updates[0].walked, 5);
  EXPECT_EQ(exact.result.updates[0].skipped, 0);
}

TEST(NewCommitStream, TheLimitHoldsPerUpdate) {
  GitFixture git;
  git.Commit("base");
  git.Push({"origin", "main"});
  git.Run({"checkout", "-q", "-b", "feature"});
  for (int i = 1; i <= 3; ++i) git.Commit("f" + std::to_string(i));
  git.Run({"checkout", "-q", "main"});
  for (int i = 1; i <= 4; ++i) git.Commit("m" + std::to_string(i));
  std::vector<RefUpdate> updates =
      PushAndRecord(git, {"refs/heads/feature", "refs/heads/main"}, {"origin", "feature", "main"});
  Walked walked = StreamAll(git, updates, 2);
  EXPECT_EQ(Describe(walked.commits), (Lines{"0/0 m4", "0/1 m3", "1/0 f3", "1/1 f2"}));
  ASSERT_EQ(walked.result.updates.size(), 2u);
  EXPECT_EQ(walked.result.updates[0].skipped, 2);
  EXPECT_EQ(walked.result.updates[1].skipped, 1);
}

TEST(NewCommitStream, AMissingNewTipOnTheSecondUpdateWarnsAndKeepsTheFirst) {
  GitFixture git;
  git.Commit("base");
  git.Push({"origin", "main"});
  git.Commit("m1 PROJ-1");
  git.Commit("m2 PROJ-1");
  std::vector<RefUpdate> updates = PushAndRecord(git, {"refs/heads/main"}, {"origin", "main"});
  updates.push_back({kZero, std::string(40, 'a'), "refs/heads/ghost"});
  Walked walked = StreamAll(git, updates);
  EXPECT_EQ(Describe(walked.commits), (Lines{"0/0 m2 PROJ-1", "0/1 m1 PROJ-1"}));
  ASSERT_EQ(walked.warnings.size(), 1u);
  EXPECT_NE(walked.warnings[0].find("refs/heads/ghost"), std::string::npos) << walked.warnings[0];
  EXPECT_NE(walked.warnings[0].find(std::string(40, 'a')), std::string::npos) << walked.warnings[0];
  ASSERT_EQ(walked.result.updates.size(), 1u);
  EXPECT_EQ(walked.result.updates[0].branch, "main");
  EXPECT_EQ(walked.result.updates[0].walked, 2);
}

TEST(NewCommitStream, AMissingNewTipBetweenTwoGoodUpdatesSkipsOnlyIt) {
  GitFixture git;
  git.Commit("base");
  git.Push({"origin", "main"});
  git.Run({"checkout", "-q", "-b", "feature"});
  git.Commit("f1 PROJ-2");
  git.Run({"checkout", "-q", "main"});
  git.Commit("m1 PROJ-1");
  std::vector<RefUpdate> updates =
      PushAndRecord(git, {"refs/heads/main", "refs/heads/feature"}, {"origin", "main", "feature"});
  updates.insert(updates.begin() + 1, {kZero, std::string(40, 'b'), "refs/heads/ghost"});
  Walked walked = StreamAll(git, updates);
  EXPECT_EQ(Describe(walked.commits), (Lines{"0/0 m1 PROJ-1", "1/0 f1 PROJ-2"}));
  EXPECT_EQ(walked.warnings.size(), 1u);
  ASSERT_EQ(walked.result.updates.size(), 2u);
  EXPECT_EQ(walked.result.updates[1].branch, "feature");
}

TEST(NewCommitStream, AHistoryBrokenMidWalkFailsAfterTheCommitsBeforeTheBreak) {
  GitFixture git;
  for (int i = 1; i <= 5; ++i) git.Commit("c" + std::to_string(i));
  std::string c2 = git.Rev("HEAD~3");
  std::vector<RefUpdate> updates = PushAndRecord(git, {"refs/heads/main"}, {"origin", "main"});
  // A small push arrives as loose objects: lose one in the middle.
  ASSERT_EQ(std::remove((git.bare() + "/objects/" + c2.substr(0, 2) + "/" + c2.substr(2)).c_str()),
            0);
  NewCommitStream stream;
  ASSERT_TRUE(stream.Start(git.bare(), updates, WalkOptions{}, nullptr).ok());
  std::vector<std::string> seen;
  Status status;
  for (int i = 0; i < 10; ++i) {
    WalkedCommit next;
    bool end = false;
    status = stream.Next(&next, &end);
    if (!status.ok() || end) break;
    seen.push_back(next.commit.message);
  }
  EXPECT_FALSE(status.ok()) << "a broken history is not the end of the walk";
  EXPECT_EQ(seen, (Lines{"c5\n", "c4\n"}));
  EXPECT_NE(status.message().find("refs/heads/main"), std::string::npos) << status.ToString();
  EXPECT_NE(status.message().find("rev-list"), std::string::npos) << status.ToString();
  EXPECT_TRUE(GitChildren().empty());
}

TEST(NewCommitStream, NextAfterTheEndKeepsSayingEnd) {
  GitFixture git;
  git.Commit("only PROJ-1");
  std::vector<RefUpdate> updates = PushAndRecord(git, {"refs/heads/main"}, {"origin", "main"});
  NewCommitStream stream;
  ASSERT_TRUE(stream.Start(git.bare(), updates, WalkOptions{}, nullptr).ok());
  WalkedCommit next;
  bool end = true;
  ASSERT_TRUE(stream.Next(&next, &end).ok());
  ASSERT_FALSE(end);
  EXPECT_EQ(next.commit.message, "only PROJ-1\n");
  for (int i = 0; i < 3; ++i) {
    end = false;
    ASSERT_TRUE(stream.Next(&next, &end).ok());
    EXPECT_TRUE(end) << "call " << i;
  }
  WalkResult result;
  ASSERT_TRUE(stream.Finish(&result).ok());
  ASSERT_EQ(result.updates.size(), 1u);
  EXPECT_EQ(result.updates[0].walked, 1);
}

TEST(NewCommitStream, APushWithoutBranchUpdatesEndsAtOnce) {
  GitFixture git;
  std::string sha = git.Commit("tagged PROJ-1");
  git.Push({"origin", "main"});
  NewCommitStream stream;
  std::vector<RefUpdate> updates = {{kZero, sha, "refs/tags/v1"}};
  ASSERT_TRUE(stream.Start(git.bare(), updates, WalkOptions{}, nullptr).ok());
  WalkedCommit next;
  bool end = false;
  ASSERT_TRUE(stream.Next(&next, &end).ok());
  EXPECT_TRUE(end);
  WalkResult result;
  ASSERT_TRUE(stream.Finish(&result).ok());
  EXPECT_TRUE(result.updates.empty());
  EXPECT_EQ(result.ignored_updates, 1);
  EXPECT_TRUE(GitChildren().empty());
}

TEST(NewCommitStream, StartFailsOnAMissingRepositoryNamingIt) {
  NewCommitStream stream;
  Status status =
      stream.Start("/nonexistent/repo.git", {{kZero, std::string(40, 'a'), "refs/heads/main"}},
                   WalkOptions{}, nullptr);
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("/nonexistent/repo.git"), std::string::npos) << status.ToString();
}

TEST(NewCommitStream, DroppingAStreamMidWalkEndsGitPromptly) {
  GitFixture git;
  // ~600 KB of output: far more than a pipe holds, so git is still writing.
  std::string tip = ImportCommits(git, 300, 2048);
  ASSERT_EQ(tip.size(), 40u);
  std::vector<RefUpdate> updates = {{kZero, tip, "refs/heads/main"}};

  auto stream = std::make_unique<NewCommitStream>();
  WalkOptions options;
  options.max_commits_per_update = 1000;
  ASSERT_TRUE(stream->Start(git.bare(), updates, options, nullptr).ok());
  WalkedCommit next;
  bool end = true;
  ASSERT_TRUE(stream->Next(&next, &end).ok());
  ASSERT_FALSE(end);
  EXPECT_EQ(next.from_newest, 0);
  EXPECT_EQ(next.commit.message.rfind("Commit 300 PROJ-1\n", 0), 0u);
  EXPECT_EQ(GitChildren().size(), 1u) << "git should still be walking (or unreaped)";

  auto started = std::chrono::steady_clock::now();
  DestroyWithin(std::move(stream), std::chrono::seconds(5));
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(2));
  EXPECT_TRUE(GitChildren().empty()) << "git is left running or as a zombie";
}

TEST(NewCommitStream, AStreamDroppedRightAfterStartLeavesNoGit) {
  GitFixture git;
  std::string tip = ImportCommits(git, 300, 2048);
  std::vector<RefUpdate> updates = {{kZero, tip, "refs/heads/main"}};
  auto stream = std::make_unique<NewCommitStream>();
  ASSERT_TRUE(stream->Start(git.bare(), updates, WalkOptions{}, nullptr).ok());
  DestroyWithin(std::move(stream), std::chrono::seconds(5));
  EXPECT_TRUE(GitChildren().empty()) << "git is left running or as a zombie";
}

TEST(NewCommitStream, AWholeLargeWalkComesInOrder) {
  GitFixture git;
  std::string tip = ImportCommits(git, 300, 2048);
  std::vector<RefUpdate> updates = {{kZero, tip, "refs/heads/main"}};
  Walked walked = StreamAll(git, updates, 250);
  ASSERT_EQ(walked.commits.size(), 250u);
  for (std::size_t i = 0; i < walked.commits.size(); ++i) {
    ASSERT_EQ(walked.commits[i].from_newest, static_cast<int>(i));
    std::string title = "Commit " + std::to_string(300 - i) + " PROJ-1\n";
    ASSERT_EQ(walked.commits[i].commit.message.rfind(title, 0), 0u) << i;
  }
  ASSERT_EQ(walked.result.updates.size(), 1u);
  EXPECT_EQ(walked.result.updates[0].skipped, 50);
  EXPECT_TRUE(GitChildren().empty());
}

// Several new branches are walked together; each must get what a walk of it
// alone gets (the same commits within the limit, the same count left out),
// and each commit is reported once, under the first branch that has it.
TEST(NewCommitStream, NewBranchesWalkedTogetherGetWhatEachWalkAloneGets) {
  GitFixture git;
  git.Commit("base");
  git.Push({"origin", "main"});
  git.Run({"checkout", "-q", "-b", "a"});
  for (int i = 1; i <= 3; ++i) git.Commit("a" + std::to_string(i) + " PROJ-1");
  git.Run({"checkout", "-q", "-b", "b", "a~1"});
  for (int i = 1; i <= 2; ++i) git.Commit("b" + std::to_string(i) + " PROJ-2");
  git.Run({"checkout", "-q", "-b", "c", "main"});
  // Empty commits: the merge below has nothing to conflict on.
  for (int i = 1; i <= 2; ++i) {
    git.Run({"commit", "-q", "--allow-empty", "-m", "c" + std::to_string(i) + " PROJ-3"});
  }
  git.Run({"checkout", "-q", "-b", "d", "a"});
  git.Run({"merge", "-q", "--no-ff", "-m", "Merge c into d", "c"});
  git.Commit("d1 PROJ-4");
  git.Run({"branch", "e", "main"});  // nothing the default branch lacks
  std::vector<std::string> refs;
  for (const char* b : {"a", "b", "c", "d", "e"}) refs.push_back(std::string("refs/heads/") + b);
  std::vector<RefUpdate> updates = PushAndRecord(git, refs, {"origin", "a", "b", "c", "d", "e"});
  ASSERT_EQ(updates.size(), 5u);

  for (int limit : {2, 3, 100}) {
    Walked together = StreamAll(git, updates, limit);
    ASSERT_EQ(together.result.updates.size(), 5u) << limit;
    std::set<std::string> reported;
    std::size_t at = 0;  // in together.commits
    for (std::size_t u = 0; u < updates.size(); ++u) {
      Walked alone = StreamAll(git, {updates[u]}, limit);
      ASSERT_EQ(alone.result.updates.size(), 1u);
      const BranchCommits& mine = together.result.updates[u];
      EXPECT_EQ(mine.branch, updates[u].branch()) << limit;
      EXPECT_EQ(mine.walked, alone.result.updates[0].walked) << mine.branch << " " << limit;
      EXPECT_EQ(mine.skipped, alone.result.updates[0].skipped) << mine.branch << " " << limit;
      for (const WalkedCommit& c : alone.commits) {
        if (!reported.insert(c.commit.sha).second) continue;  // reported under an earlier one
        ASSERT_LT(at, together.commits.size()) << mine.branch << " " << limit;
        const WalkedCommit& got = together.commits[at++];
        EXPECT_EQ(got.update, static_cast<int>(u)) << limit;
        EXPECT_EQ(got.from_newest, c.from_newest) << mine.branch << " " << limit;
        EXPECT_EQ(got.commit.sha, c.commit.sha) << mine.branch << " " << limit;
        EXPECT_EQ(got.commit.message, c.commit.message);
        EXPECT_EQ(got.commit.author, "Ada Lovelace");
      }
    }
    EXPECT_EQ(at, together.commits.size()) << limit;
  }
  EXPECT_TRUE(GitChildren().empty());
}

// The git commands a walk of `updates` runs, one line each: a `git` first
// on PATH logs each run, then runs the real one.
std::string GitRunsOf(GitFixture& git, const std::vector<RefUpdate>& updates, Walked* walked) {
  testing::ProcessResult which = testing::RunProcess({"sh", "-c", "command -v git"}, {});
  std::string real_git = which.out.substr(0, which.out.find('\n'));
  EXPECT_FALSE(real_git.empty());
  std::string bin = git.Path("logging-bin");
  std::string log = git.Path("git-runs.log");
  ::mkdir(bin.c_str(), 0755);
  testing::WriteFile(log, "");
  testing::WriteFile(bin + "/git",
                     "#!/bin/sh\necho \"$*\" >> '" + log + "'\nexec '" + real_git + "' \"$@\"\n");
  EXPECT_EQ(::chmod((bin + "/git").c_str(), 0755), 0);
  std::string path = std::getenv("PATH");
  ::setenv("PATH", (bin + ":" + path).c_str(), 1);
  *walked = StreamAll(git, updates);
  ::setenv("PATH", path.c_str(), 1);
  return testing::ReadFile(log);
}

// A push of many new branches costs two git processes, not one per branch.
TEST(NewCommitStream, ManyNewBranchesRunTwoGitProcesses) {
  GitFixture git;
  git.Commit("base");
  git.Push({"origin", "main"});
  std::vector<std::string> refs;
  std::vector<std::string> push_args = {"origin"};
  for (int i = 0; i < 20; ++i) {
    std::string branch = "b" + std::to_string(i);
    git.Run({"checkout", "-q", "-b", branch, "main"});
    git.Commit("Work on PROJ-" + std::to_string(i + 1));
    refs.push_back("refs/heads/" + branch);
    push_args.push_back(branch);
  }
  std::vector<RefUpdate> updates = PushAndRecord(git, refs, push_args);
  Walked walked;
  std::string runs = GitRunsOf(git, updates, &walked);
  EXPECT_EQ(walked.commits.size(), 20u);
  ASSERT_EQ(walked.result.updates.size(), 20u);
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(walked.result.updates[static_cast<std::size_t>(i)].walked, 1) << i;
  }
  EXPECT_EQ(std::count(runs.begin(), runs.end(), '\n'), 2) << runs;
}

// Issue #24: into a fresh repository (HEAD names a branch that does not
// exist, so no branch is the default one) each new branch was walked alone,
// and counted alone: 250 branches, 250+ processes (12 here). Now: two, and each
// branch gets what its own walk gets, the limit and the count included.
TEST(NewCommitStream, ManyNewBranchesIntoAFreshRepositoryRunTwoGitProcesses) {
  GitFixture git;
  git.Run({"--git-dir=" + git.bare(), "symbolic-ref", "HEAD", "refs/heads/master"});
  for (int i = 1; i <= 4; ++i) git.Commit("base " + std::to_string(i) + " PROJ-1");
  std::vector<std::string> refs;
  std::vector<std::string> push_args = {"origin"};
  for (int i = 0; i < 12; ++i) {
    std::string branch = "b" + std::to_string(i);
    git.Run({"checkout", "-q", "-b", branch, "main"});
    git.Commit("Work on PROJ-" + std::to_string(i + 2));
    refs.push_back("refs/heads/" + branch);
    push_args.push_back(branch);
  }
  std::vector<RefUpdate> updates = PushAndRecord(git, refs, push_args);
  for (int limit : {3, 100}) {
    Walked walked;
    std::string runs;
    if (limit == 100) {
      runs = GitRunsOf(git, updates, &walked);
    } else {
      walked = StreamAll(git, updates, limit);
    }
    EXPECT_TRUE(
        std::any_of(walked.warnings.begin(), walked.warnings.end(), [](const std::string& w) {
          return w.find("HEAD names refs/heads/master, which does not exist") != std::string::npos;
        }));
    ASSERT_EQ(walked.result.updates.size(), 12u);
    for (std::size_t u = 0; u < updates.size(); ++u) {
      Walked alone = StreamAll(git, {updates[u]}, limit);
      ASSERT_EQ(alone.result.updates.size(), 1u);
      EXPECT_EQ(walked.result.updates[u].walked, alone.result.updates[0].walked)
          << u << " " << limit;
      EXPECT_EQ(walked.result.updates[u].skipped, alone.result.updates[0].skipped)
          << u << " " << limit;
    }
    // The base commits once (under the first branch), then each branch's own.
    EXPECT_EQ(walked.commits.size(), static_cast<std::size_t>(12 + std::min(limit - 1, 4)))
        << limit;
    if (limit == 100) {
      // HEAD's file is read, not asked of git: the shape and the messages.
      EXPECT_EQ(std::count(runs.begin(), runs.end(), '\n'), 2) << runs;
    }
  }
  EXPECT_TRUE(GitChildren().empty());
}

// Issue #24: updates of many existing branches are walked together too.
TEST(NewCommitStream, ManyUpdatedBranchesRunTwoGitProcesses) {
  GitFixture git;
  git.Commit("base");
  git.Push({"origin", "main"});
  std::vector<std::string> refs;
  std::vector<std::string> push_args = {"origin"};
  for (int i = 0; i < 20; ++i) {
    std::string branch = "b" + std::to_string(i);
    git.Run({"checkout", "-q", "-b", branch, "main"});
    git.Commit("Start PROJ-" + std::to_string(i + 1));
    refs.push_back("refs/heads/" + branch);
    push_args.push_back(branch);
  }
  git.Push(push_args);
  for (int i = 0; i < 20; ++i) {
    git.Run({"checkout", "-q", "b" + std::to_string(i)});
    git.Commit("More on PROJ-" + std::to_string(i + 1));
    git.Commit("Finish PROJ-" + std::to_string(i + 1));
  }
  std::vector<RefUpdate> updates = PushAndRecord(git, refs, push_args);
  Walked walked;
  std::string runs = GitRunsOf(git, updates, &walked);
  ASSERT_EQ(walked.result.updates.size(), 20u);
  ASSERT_EQ(walked.commits.size(), 40u);
  for (std::size_t u = 0; u < updates.size(); ++u) {
    EXPECT_EQ(walked.result.updates[u].walked, 2) << u;
    Walked alone = StreamAll(git, {updates[u]});
    ASSERT_EQ(alone.commits.size(), 2u);
    EXPECT_EQ(walked.commits[2 * u].commit.sha, alone.commits[0].commit.sha) << u;
    EXPECT_EQ(walked.commits[2 * u].from_newest, 0);
    EXPECT_EQ(walked.commits[2 * u + 1].commit.sha, alone.commits[1].commit.sha) << u;
    EXPECT_EQ(walked.commits[2 * u + 1].commit.message,
              "More on PROJ-" + std::to_string(u + 1) + "\n");
  }
  EXPECT_EQ(std::count(runs.begin(), runs.end(), '\n'), 2) << runs;
}

}  // namespace
}  // namespace jiralink::hooks
