#include "jiralink/hooks/post_receive.h"

#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "git_fixture.h"
#include "jiralink/outbox/sqlite_outbox.h"

namespace jiralink::hooks {

using outbox::Job;
using outbox::JobKind;
using outbox::Outbox;
namespace {

using testing::GitFixture;

class PostReceiveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(OpenSqliteOutbox(git_.Path("state/outbox.sqlite3"), &outbox_).ok());
    options_.git_dir = git_.bare();
    options_.plan.repository = "platform/api";  // the name is config::RepositoryName's job
    options_.plan.commit_url_template = "https://git.example.com/{repo}/commit/{sha}";
    options_.plan.branch_url_template = "https://git.example.com/{repo}/tree/{branch}";
  }

  // Pushes and runs the hook's work on what git would have written to stdin.
  PostReceiveSummary PushAndRun(const std::vector<std::string>& refs,
                                const std::vector<std::string>& push_args) {
    std::string input = git_.PushForHook(refs, push_args);
    PostReceiveSummary summary;
    Status status = RunPostReceive(options_, input, outbox_.get(), &summary);
    EXPECT_TRUE(status.ok()) << status.ToString();
    return summary;
  }

  std::vector<Job> Jobs() {
    std::vector<Job> jobs;
    EXPECT_TRUE(outbox_->List(std::nullopt, 1000, &jobs).ok());
    return jobs;
  }

  GitFixture git_;
  std::unique_ptr<Outbox> outbox_;
  PostReceiveOptions options_;
};

TEST_F(PostReceiveTest, MentionsEveryKeyOnceWithUrlsAndBranch) {
  std::string sha = git_.Commit("Parser work for PROJ-1 and PROJ-2, again PROJ-1");
  PostReceiveSummary summary = PushAndRun({"refs/heads/main"}, {"origin", "main"});
  EXPECT_EQ(summary.mentions_queued, 2);
  EXPECT_EQ(summary.closes_queued, 0);
  EXPECT_EQ(SummaryLine(summary, 100), "jiralink: 2 Jira mentions queued");
  std::vector<Job> jobs = Jobs();
  ASSERT_EQ(jobs.size(), 2u);
  EXPECT_EQ(jobs[1].key, "PROJ-1");
  EXPECT_EQ(jobs[1].commit, sha);
  EXPECT_EQ(jobs[1].branch, "main");
  EXPECT_EQ(jobs[1].author, "Ada Lovelace");
  EXPECT_EQ(jobs[1].commit_url, "https://git.example.com/platform/api/commit/" + sha);
  EXPECT_EQ(jobs[1].branch_url, "https://git.example.com/platform/api/tree/main");
}

TEST_F(PostReceiveTest, ClosingKeywordOnDefaultBranchQueuesACloseInsteadOfAMention) {
  git_.Commit("Fixes PROJ-7, see also PROJ-8");
  PostReceiveSummary summary = PushAndRun({"refs/heads/main"}, {"origin", "main"});
  EXPECT_EQ(summary.closes_queued, 1);
  EXPECT_EQ(summary.mentions_queued, 1);
  EXPECT_EQ(SummaryLine(summary, 100), "jiralink: 1 Jira mention and 1 close queued");
  for (const Job& job : Jobs()) {
    EXPECT_EQ(job.kind, job.key == "PROJ-7" ? JobKind::kClose : JobKind::kMention) << job.key;
  }
}

TEST_F(PostReceiveTest, ClosingKeywordOffTheDefaultBranchOnlyMentions) {
  git_.Commit("base");
  PushAndRun({"refs/heads/main"}, {"origin", "main"});
  git_.Run({"checkout", "-q", "-b", "feature"});
  git_.Commit("Fixes PROJ-7");
  PostReceiveSummary summary = PushAndRun({"refs/heads/feature"}, {"origin", "feature"});
  EXPECT_EQ(summary.closes_queued, 0);
  EXPECT_EQ(summary.mentions_queued, 1);
}

// GitLab with transitions off: "Closes KEY" on the default branch queues
// nothing for KEY (no transition, no "mentioned" comment); other keys of the
// commit are mentioned.
TEST_F(PostReceiveTest, TransitionsDisabledLeavesAClosedKeyAlone) {
  options_.plan.transitions_enabled = false;
  git_.Commit("Closes PROJ-7, see PROJ-8");
  PostReceiveSummary summary = PushAndRun({"refs/heads/main"}, {"origin", "main"});
  EXPECT_EQ(summary.closes_queued, 0);
  EXPECT_EQ(summary.mentions_queued, 1);
}

// [triggers] commit = false: no mentions; closes follow [transitions].
TEST_F(PostReceiveTest, MentionsOffStillQueuesClosesOnTheDefaultBranch) {
  options_.plan.mentions_enabled = false;
  git_.Commit("Fixes PROJ-7, see also PROJ-8");
  PostReceiveSummary summary = PushAndRun({"refs/heads/main"}, {"origin", "main"});
  EXPECT_EQ(summary.closes_queued, 1);
  EXPECT_EQ(summary.mentions_queued, 0);
  EXPECT_EQ(SummaryLine(summary, 100), "jiralink: 1 Jira close queued");
  std::vector<Job> jobs = Jobs();
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].key, "PROJ-7");
  EXPECT_EQ(jobs[0].kind, JobKind::kClose);

  git_.Run({"checkout", "-q", "-b", "feature"});
  git_.Commit("Fixes PROJ-9");
  summary = PushAndRun({"refs/heads/feature"}, {"origin", "feature"});
  EXPECT_EQ(summary.new_commits, 1);
  EXPECT_EQ(summary.mentions_queued + summary.closes_queued, 0);
}

// Keys are found in the whole message; each job keeps 64 KiB of it at most.
TEST_F(PostReceiveTest, ALongMessageIsCappedInTheJobsButScannedWhole) {
  std::string message = "Big change PROJ-1\n\n" + std::string(200 * 1024, 'x') + "\nFixes PROJ-2\n";
  testing::WriteFile(git_.Path("message.txt"), message);
  git_.Run({"commit", "-q", "--allow-empty", "--cleanup=verbatim", "-F", git_.Path("message.txt")});
  PostReceiveSummary summary = PushAndRun({"refs/heads/main"}, {"origin", "main"});
  EXPECT_EQ(summary.mentions_queued, 1);
  EXPECT_EQ(summary.closes_queued, 1);
  for (const Job& job : Jobs()) {
    EXPECT_LE(job.message.size(), kMaxJobMessageBytes) << job.key;
    EXPECT_EQ(job.message.rfind("Big change PROJ-1\n\nxxx", 0), 0u) << job.key;
    EXPECT_TRUE(job.message.ends_with(kMessageCutMarker)) << job.key;
  }
}

TEST_F(PostReceiveTest, SameCommitOnASecondBranchAddsNothing) {
  git_.Commit("PROJ-1 work");
  PushAndRun({"refs/heads/main"}, {"origin", "main"});
  git_.Run({"branch", "copy"});
  PostReceiveSummary summary = PushAndRun({"refs/heads/copy"}, {"origin", "copy"});
  EXPECT_EQ(summary.mentions_queued, 0);
  EXPECT_EQ(SummaryLine(summary, 100), "jiralink: no new commits");
  EXPECT_EQ(Jobs().size(), 1u);
  // Replaying a push of both branches as new (a re-run hook) is a no-op too.
  std::string sha = git_.Rev("HEAD");
  std::string zero(40, '0');
  PostReceiveSummary again;
  ASSERT_TRUE(RunPostReceive(
                  options_,
                  zero + " " + sha + " refs/heads/main\n" + zero + " " + sha + " refs/heads/copy\n",
                  outbox_.get(), &again)
                  .ok());
  EXPECT_EQ(again.mentions_queued, 0);
  EXPECT_EQ(again.already_queued, 1);
  EXPECT_EQ(SummaryLine(again, 100), "jiralink: nothing new for Jira (1 job already queued)");
}

TEST_F(PostReceiveTest, LimitIsReportedInTheSummary) {
  options_.walk.max_commits_per_update = 2;
  for (int i = 0; i < 4; ++i) git_.Commit("PROJ-" + std::to_string(i + 1));
  PostReceiveSummary summary = PushAndRun({"refs/heads/main"}, {"origin", "main"});
  EXPECT_EQ(summary.mentions_queued, 2);
  EXPECT_EQ(summary.skipped_commits, 2);
  EXPECT_EQ(SummaryLine(summary, 2),
            "jiralink: 2 Jira mentions queued; 2 older commits skipped (limit 2 per branch)");
}

TEST_F(PostReceiveTest, CustomMatchingSettingsAreUsed) {
  options_.matching.prefix = "jira:";
  git_.Commit("PROJ-1 plain, jira:PROJ-2 prefixed");
  PostReceiveSummary summary = PushAndRun({"refs/heads/main"}, {"origin", "main"});
  ASSERT_EQ(summary.mentions_queued, 1);
  EXPECT_EQ(Jobs()[0].key, "PROJ-2");
}

TEST_F(PostReceiveTest, InvalidRegexFailsNamingTheSetting) {
  options_.matching.regex = "([A-Z";
  PostReceiveSummary summary;
  Status status = RunPostReceive(options_, "", outbox_.get(), &summary);
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("[matching]"), std::string::npos);
}

}  // namespace
}  // namespace jiralink::hooks
