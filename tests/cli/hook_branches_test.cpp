// `git push` end to end with the commits counted per branch update, as the
// forge counts them: a topic branch that reaches the default branch (fast-
// forward or merge) closes its issues there, once; a mention stays once per
// commit and key; big pushes look at the newest 100 commits and say how many
// they skipped; a first push into a fresh repository makes its branch the
// default; [triggers] commit = false leaves only the closes; a huge message
// is capped in the outbox.
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "hook_e2e_fixture.h"

namespace jiralink::testing {
namespace {

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

class HookBranches : public HookE2E {
 protected:
  int SolvedComments(const std::string& key) {
    int count = 0;
    for (const std::string& body : CommentBodies(key)) {
      if (Contains(body, "Issue solved with")) ++count;
    }
    return count;
  }

  // A topic branch with `message` pushed, then delivered: a mention only.
  std::string PushTopic(const std::string& message) {
    git_.Commit("base");
    Push({"origin", "main"});
    git_.Run({"checkout", "-q", "-b", "topic"});
    std::string sha = git_.Commit(message);
    ProcessResult push = Push({"origin", "topic"});
    EXPECT_TRUE(Contains(push.err, "jiralink: 1 Jira mention queued")) << push.err;
    EXPECT_EQ(Deliver().exit_code, 0);
    git_.Run({"checkout", "-q", "main"});
    return sha;
  }

  // The bytes of every file under the [state] dir (outbox, its log...).
  std::uintmax_t StateBytes() {
    std::uintmax_t total = 0;
    std::error_code ec;
    for (const auto& entry :
         std::filesystem::recursive_directory_iterator(git_.Path("state"), ec)) {
      if (entry.is_regular_file(ec)) total += entry.file_size(ec);
    }
    return total;
  }
};

// Issue #25: the commit is linked from the issue already (its mention on the
// topic), so, as GitLab, the close saves that link again as the solved one
// and posts no "Issue solved" comment.
TEST_F(HookBranches, ATopicFastForwardedIntoMainClosesAndResavesItsLinkWithoutAComment) {
  std::string fix = PushTopic("Fixes PROJ-2");
  EXPECT_EQ(jira_.Status("PROJ-2"), "To Do");
  ASSERT_EQ(CommentBodies("PROJ-2").size(), 1u) << "the mention from the topic branch";

  git_.Run({"merge", "-q", "--ff-only", "topic"});
  ProcessResult push = Push({"origin", "main"});
  EXPECT_TRUE(Contains(push.err, "jiralink: 1 Jira close queued")) << push.err;
  EXPECT_EQ(Deliver().exit_code, 0);
  EXPECT_EQ(jira_.Status("PROJ-2"), "Done");
  EXPECT_EQ(SolvedComments("PROJ-2"), 0);
  ASSERT_EQ(CommentBodies("PROJ-2").size(), 1u);
  EXPECT_TRUE(Contains(CommentBodies("PROJ-2")[0], "mentioned this issue"));
  std::vector<nlohmann::json> links = jira_.RemoteLinks("PROJ-2");
  ASSERT_EQ(links.size(), 1u);
  EXPECT_EQ(links[0]["object"]["title"], "Solved by commit " + fix + ".");
  EXPECT_EQ(links[0]["object"]["status"]["resolved"], true);

  // The same commits pushed to main again (another branch, a re-run): nothing.
  ProcessResult again = Push({"origin", "main:release"});
  EXPECT_FALSE(Contains(again.err, "queued")) << again.err;
  EXPECT_EQ(Deliver().exit_code, 0);
  EXPECT_EQ(CommentBodies("PROJ-2").size(), 1u);
}

TEST_F(HookBranches, ATopicMergedWithNoFastForwardClosesWithoutASecondComment) {
  PushTopic("Fixes PROJ-3");
  git_.Run({"merge", "-q", "--no-ff", "-m", "Merge branch 'topic'", "topic"});
  ProcessResult push = Push({"origin", "main"});
  EXPECT_TRUE(Contains(push.err, "jiralink: 1 Jira close queued")) << push.err;
  EXPECT_EQ(Deliver().exit_code, 0);
  EXPECT_EQ(jira_.Status("PROJ-3"), "Done");
  EXPECT_EQ(SolvedComments("PROJ-3"), 0) << "the commit was linked from the topic already";
  EXPECT_EQ(CommentBodies("PROJ-3").size(), 1u);
}

TEST_F(HookBranches, ARebasedTopicPushedToMainClosesItsRewrittenCommit) {
  PushTopic("Fixes PROJ-4");
  git_.Run({"commit", "-q", "--allow-empty", "-m", "meanwhile on main"});
  git_.Run({"checkout", "-q", "topic"});
  git_.Run({"rebase", "-q", "main"});
  ProcessResult push = Push({"origin", "topic:main"});
  EXPECT_TRUE(Contains(push.err, "jiralink: 1 Jira close queued")) << push.err;
  EXPECT_EQ(Deliver().exit_code, 0);
  EXPECT_EQ(jira_.Status("PROJ-4"), "Done");
  EXPECT_EQ(SolvedComments("PROJ-4"), 1);
}

TEST_F(HookBranches, AMentionOnATopicAndThenOnMainIsOneComment) {
  PushTopic("Parser work for PROJ-5");
  git_.Run({"merge", "-q", "--ff-only", "topic"});
  ProcessResult push = Push({"origin", "main"});
  EXPECT_TRUE(Contains(push.err, "jiralink: nothing new for Jira (1 job already queued)"))
      << push.err;
  EXPECT_EQ(Deliver().exit_code, 0);
  std::vector<std::string> comments = CommentBodies("PROJ-5");
  ASSERT_EQ(comments.size(), 1u);
  EXPECT_TRUE(Contains(comments[0], "on branch [topic|")) << comments[0];
}

TEST_F(HookBranches, AThousandCommitMergeLooksAtTheNewest100AndSaysHowManyItSkipped) {
  git_.Commit("base");
  Push({"origin", "main"});
  // 1000 commits on `big`, each naming a key, written by fast-import.
  std::string stream = "reset refs/heads/big\nfrom refs/heads/main\n\n";
  for (int i = 1; i <= 1000; ++i) {
    std::string message = "Step " + std::to_string(i) + " of PROJ-" + std::to_string(i % 30 + 1);
    stream += "commit refs/heads/big\ncommitter Ada Lovelace <ada@example.com> " +
              std::to_string(1700000000 + i) + " +0000\ndata " + std::to_string(message.size()) +
              "\n" + message + "\n\n";
  }
  ProcessOptions options;
  options.cwd = git_.work();
  options.env = GitIdentityEnv();
  options.stdin_data = stream;
  ProcessResult imported = RunProcess({"git", "fast-import", "--quiet"}, options);
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  git_.Run({"merge", "-q", "--no-ff", "-m", "Merge the big branch", "big"});
  ProcessResult push = Push({"origin", "main"});
  // The merge and the 99 newest of the branch; 901 older commits left out.
  EXPECT_TRUE(Contains(push.err,
                       "jiralink: 99 Jira mentions queued; 901 older commits skipped "
                       "(limit 100 per branch)"))
      << push.err;
}

TEST_F(HookBranches, TheFirstPushIntoAFreshRepositoryMakesItsBranchTheDefault) {
  // As `git init --bare` leaves it: HEAD names master, which never comes.
  git_.Run({"--git-dir=" + git_.bare(), "symbolic-ref", "HEAD", "refs/heads/master"});
  git_.Commit("Fixes PROJ-6");
  ProcessResult push = Push({"origin", "main"});
  EXPECT_TRUE(Contains(push.err, "jiralink: HEAD now names main, the first branch pushed"))
      << push.err;
  EXPECT_TRUE(Contains(push.err, "jiralink: 1 Jira close queued")) << push.err;
  EXPECT_EQ(ReadFile(git_.bare() + "/HEAD"), "ref: refs/heads/main\n");
  EXPECT_EQ(Deliver().exit_code, 0);
  EXPECT_EQ(jira_.Status("PROJ-6"), "Done");
}

TEST_F(HookBranches, AFreshRepositoryGivenSeveralBranchesWarnsOnceAndClosesNothing) {
  git_.Run({"--git-dir=" + git_.bare(), "symbolic-ref", "HEAD", "refs/heads/master"});
  git_.Commit("Fixes PROJ-7");
  git_.Run({"branch", "topic"});
  ProcessResult push = Push({"origin", "main", "topic"});
  EXPECT_TRUE(Contains(push.err, "HEAD names refs/heads/master, which does not exist")) << push.err;
  std::size_t first = push.err.find("jiralink: warning:");
  EXPECT_EQ(push.err.find("jiralink: warning:", first + 1), std::string::npos) << push.err;
  EXPECT_TRUE(Contains(push.err, "jiralink: 1 Jira mention queued")) << push.err;
  EXPECT_EQ(Deliver().exit_code, 0);
  EXPECT_EQ(jira_.Status("PROJ-7"), "To Do");
}

TEST_F(HookBranches, CommitTriggerOffQueuesOnlyTheCloses) {
  WriteConfig("[triggers]\ncommit = false\n");
  git_.Commit("Fixes PROJ-8, see PROJ-9");
  ProcessResult push = Push({"origin", "main"});
  EXPECT_TRUE(Contains(push.err, "jiralink: 1 Jira close queued")) << push.err;
  EXPECT_EQ(Deliver().exit_code, 0);
  EXPECT_EQ(jira_.Status("PROJ-8"), "Done");
  EXPECT_EQ(SolvedComments("PROJ-8"), 1);
  EXPECT_TRUE(CommentBodies("PROJ-9").empty());
  EXPECT_TRUE(jira_.RemoteLinks("PROJ-9").empty());
}

// [transitions] enabled = false, as GitLab: "Fixes KEY" on the default branch
// neither transitions KEY nor mentions it; the commit's other keys are
// mentioned, and on a topic branch KEY is mentioned as usual.
TEST_F(HookBranches, TransitionsOffLeaveAClosedKeyAloneOnTheDefaultBranch) {
  WriteConfig("[transitions]\nenabled = false\n");
  git_.Commit("Fixes PROJ-25, see PROJ-26");
  ProcessResult push = Push({"origin", "main"});
  EXPECT_TRUE(Contains(push.err, "jiralink: 1 Jira mention queued")) << push.err;
  EXPECT_EQ(Deliver().exit_code, 0);
  EXPECT_EQ(jira_.Status("PROJ-25"), "To Do");
  EXPECT_TRUE(CommentBodies("PROJ-25").empty());
  EXPECT_TRUE(jira_.RemoteLinks("PROJ-25").empty());
  EXPECT_EQ(CommentBodies("PROJ-26").size(), 1u);

  git_.Run({"checkout", "-q", "-b", "topic"});
  git_.Commit("Fixes PROJ-27");
  Push({"origin", "topic"});
  EXPECT_EQ(Deliver().exit_code, 0);
  EXPECT_EQ(CommentBodies("PROJ-27").size(), 1u);
  EXPECT_EQ(jira_.Status("PROJ-27"), "To Do");
}

// Issue #11: one 10 MB commit naming 100 keys made a 1.9 GB outbox. The job
// keeps 64 KiB of the message, so the push adds well under 20 MB. (Its time
// is measured in bench/, not asserted here.)
TEST_F(HookBranches, ATenMegabyteMessageNamingAHundredKeysAddsLittleToTheOutbox) {
  git_.Commit("base");
  Push({"origin", "main"});
  const std::uintmax_t before = StateBytes();
  std::string message = "Huge change\n\n";
  const std::string filler(100 * 1024, 'x');
  for (int i = 1; i <= 100; ++i) {
    message += "Touches PROJ-" + std::to_string(i) + "\n" + filler + "\n";
  }
  ASSERT_GT(message.size(), 10u * 1000 * 1000);
  WriteFile(git_.Path("huge.txt"), message);
  git_.Run({"commit", "-q", "--allow-empty", "-F", git_.Path("huge.txt")});
  ProcessResult push = Push({"origin", "main"});
  EXPECT_TRUE(Contains(push.err, "jiralink: 100 Jira mentions queued")) << push.err;
  const std::uintmax_t added = StateBytes() - before;
  EXPECT_LT(added, 20u * 1024 * 1024) << "the outbox grew by " << added << " bytes";
  std::cout << "[ info ] 10 MB / 100-key push: outbox +" << added / 1024 << " KiB, push took "
            << push.elapsed.count() << " ms\n";
}

}  // namespace
}  // namespace jiralink::testing
