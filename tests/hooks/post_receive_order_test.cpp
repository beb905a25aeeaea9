// RunPostReceive while git walks: the jobs it queues are delivered oldest
// commit first, the default branch's update first; the outbox is opened once,
// and a failing opener queues nothing and leaves no git behind.
#include <dirent.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "git_fixture.h"
#include "jiralink/hooks/post_receive.h"
#include "jiralink/outbox/sqlite_outbox.h"

namespace jiralink::hooks {

using outbox::EnqueueResult;
using outbox::Job;
using outbox::NowMillis;
using outbox::Outbox;
using outbox::RetryScope;
namespace {

using testing::GitChildren;
using testing::GitFixture;

class PostReceiveOrderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    outbox_path_ = git_.Path("state/outbox.sqlite3");
    ASSERT_TRUE(OpenSqliteOutbox(outbox_path_, &outbox_).ok());
    options_.git_dir = git_.bare();
    options_.plan.repository = "platform/api";
    options_.plan.commit_url_template = "https://git.example.com/{repo}/commit/{sha}";
  }

  // Pushes and returns the stdin git gives post-receive for `refs`.
  std::string Push(const std::vector<std::string>& refs,
                   const std::vector<std::string>& push_args) {
    return git_.PushForHook(refs, push_args);
  }

  PostReceiveSummary Run(const std::string& input) {
    PostReceiveSummary summary;
    Status status = RunPostReceive(options_, input, outbox_.get(), &summary);
    EXPECT_TRUE(status.ok()) << status.ToString();
    return summary;
  }

  // Claims every due job (bounded): "<commit title> <kind> <key>" each.
  std::vector<std::string> ClaimOrder() {
    std::vector<std::string> order;
    std::int64_t now = NowMillis();
    for (int i = 0; i < 100; ++i) {
      std::optional<Job> job;
      EXPECT_TRUE(outbox_->Claim("", now, now, 60000, &job).ok());
      if (!job) break;
      std::string title = job->message.substr(0, job->message.find('\n'));
      order.push_back(title + " " + JobKindName(job->kind) + " " + job->key);
    }
    return order;
  }

  GitFixture git_;
  std::string outbox_path_;
  std::unique_ptr<Outbox> outbox_;
  PostReceiveOptions options_;
};

using Lines = std::vector<std::string>;

TEST_F(PostReceiveOrderTest, OnePushIsDeliveredOldestCommitFirst) {
  git_.Commit("base");
  Run(Push({"refs/heads/main"}, {"origin", "main"}));
  std::string first = git_.Commit("First step PROJ-1");
  git_.Commit("Second step PROJ-1");
  std::string third = git_.Commit("Third step PROJ-1");
  PostReceiveSummary summary = Run(Push({"refs/heads/main"}, {"origin", "main"}));
  EXPECT_EQ(summary.mentions_queued, 3);
  EXPECT_EQ(summary.new_commits, 3);

  std::vector<Job> listed;
  ASSERT_TRUE(outbox_->List(std::nullopt, 10, &listed).ok());
  ASSERT_EQ(listed.size(), 3u);
  // Listed newest first; positions count down from the newest commit.
  EXPECT_EQ(listed[0].commit, third);
  EXPECT_EQ(listed[0].position, 0);
  EXPECT_EQ(listed[1].position, -1);
  EXPECT_EQ(listed[2].commit, first);
  EXPECT_EQ(listed[2].position, -2);

  EXPECT_EQ(ClaimOrder(),
            (Lines{"First step PROJ-1 mention PROJ-1", "Second step PROJ-1 mention PROJ-1",
                   "Third step PROJ-1 mention PROJ-1"}));
}

TEST_F(PostReceiveOrderTest, TheDefaultBranchsJobsComeFirstThenEachBranchOldestFirst) {
  git_.Commit("base");
  Run(Push({"refs/heads/main"}, {"origin", "main"}));
  git_.Run({"checkout", "-q", "-b", "feature"});
  git_.Commit("Feature one PROJ-2");
  git_.Commit("Feature two PROJ-2");
  git_.Run({"checkout", "-q", "main"});
  git_.Commit("Main one PROJ-1");
  git_.Commit("Main two PROJ-1");
  // git lists the feature branch first.
  PostReceiveSummary summary =
      Run(Push({"refs/heads/feature", "refs/heads/main"}, {"origin", "feature", "main"}));
  EXPECT_EQ(summary.branch_updates, 2);
  EXPECT_EQ(summary.mentions_queued, 4);
  EXPECT_EQ(ClaimOrder(),
            (Lines{"Main one PROJ-1 mention PROJ-1", "Main two PROJ-1 mention PROJ-1",
                   "Feature one PROJ-2 mention PROJ-2", "Feature two PROJ-2 mention PROJ-2"}));
}

TEST_F(PostReceiveOrderTest, AnEarlierPushIsDeliveredBeforeALaterOneAfterARetry) {
  git_.Commit("Push one PROJ-1");
  Run(Push({"refs/heads/main"}, {"origin", "main"}));
  git_.Commit("Push two a PROJ-1");
  git_.Commit("Push two b PROJ-1");
  git_.Commit("Push two c PROJ-1");
  Run(Push({"refs/heads/main"}, {"origin", "main"}));
  // Equally due: only push order and position decide.
  int changed = 0;
  ASSERT_TRUE(outbox_->Retry(RetryScope::kAll, 0, &changed).ok());
  EXPECT_EQ(ClaimOrder(),
            (Lines{"Push one PROJ-1 mention PROJ-1", "Push two a PROJ-1 mention PROJ-1",
                   "Push two b PROJ-1 mention PROJ-1", "Push two c PROJ-1 mention PROJ-1"}));
}

TEST_F(PostReceiveOrderTest, AClosingCommitsCloseComesBeforeItsMentionsAndAfterOlderCommits) {
  git_.Commit("Start PROJ-8");
  git_.Commit("Fixes PROJ-7, see PROJ-8");
  Run(Push({"refs/heads/main"}, {"origin", "main"}));
  EXPECT_EQ(ClaimOrder(),
            (Lines{"Start PROJ-8 mention PROJ-8", "Fixes PROJ-7, see PROJ-8 close PROJ-7",
                   "Fixes PROJ-7, see PROJ-8 mention PROJ-8"}));
}

TEST_F(PostReceiveOrderTest, WithALimitTheNewestCommitsAreQueuedOldestFirst) {
  options_.walk.max_commits_per_update = 2;
  for (int i = 1; i <= 4; ++i) git_.Commit("Step " + std::to_string(i) + " PROJ-1");
  PostReceiveSummary summary = Run(Push({"refs/heads/main"}, {"origin", "main"}));
  EXPECT_EQ(summary.new_commits, 2);
  EXPECT_EQ(summary.skipped_commits, 2);
  EXPECT_EQ(ClaimOrder(), (Lines{"Step 3 PROJ-1 mention PROJ-1", "Step 4 PROJ-1 mention PROJ-1"}));
}

TEST_F(PostReceiveOrderTest, TheOpenerIsCalledOnceAndItsOutboxGetsTheJobs) {
  outbox_.reset();
  for (int i = 1; i <= 5; ++i)
    git_.Commit("Change " + std::to_string(i) + " PROJ-" + std::to_string(i));
  std::string input = Push({"refs/heads/main"}, {"origin", "main"});
  int opened = 0;
  OutboxOpener opener = [&](std::unique_ptr<Outbox>* outbox) {
    ++opened;
    return OpenSqliteOutbox(outbox_path_, outbox);
  };
  PostReceiveSummary summary;
  Status status = RunPostReceive(options_, input, opener, &summary);
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(opened, 1);
  EXPECT_EQ(summary.mentions_queued, 5);
  ASSERT_TRUE(OpenSqliteOutbox(outbox_path_, &outbox_).ok());
  Lines order = ClaimOrder();
  ASSERT_EQ(order.size(), 5u);
  EXPECT_EQ(order.front(), "Change 1 PROJ-1 mention PROJ-1");
  EXPECT_EQ(order.back(), "Change 5 PROJ-5 mention PROJ-5");

  // Pushed again: the opener is used once more, nothing new is queued.
  summary = PostReceiveSummary();
  outbox_.reset();
  ASSERT_TRUE(RunPostReceive(options_, input, opener, &summary).ok());
  EXPECT_EQ(opened, 2);
  EXPECT_EQ(summary.mentions_queued, 0);
  EXPECT_EQ(summary.already_queued, 5);
}

TEST_F(PostReceiveOrderTest, AFailingOpenerFailsTheHookWithItsMessageAndQueuesNothing) {
  outbox_.reset();
  // Enough commits that git is still walking when the opener fails.
  std::string message = "Change PROJ-1\n\n" + std::string(16000, 'x');
  testing::WriteFile(git_.Path("message.txt"), message);
  for (int i = 0; i < 10; ++i) {
    git_.Run({"commit", "-q", "--allow-empty", "-F", git_.Path("message.txt")});
  }
  std::string input = Push({"refs/heads/main"}, {"origin", "main"});
  int opened = 0;
  OutboxOpener opener = [&](std::unique_ptr<Outbox>* outbox) {
    ++opened;
    // Even an outbox handed back with the error must stay untouched.
    Status status = OpenSqliteOutbox(outbox_path_, outbox);
    if (!status.ok()) return status;
    return Status::IOError("cannot open the outbox /srv/state/outbox.sqlite3: disk I/O error");
  };
  PostReceiveSummary summary;
  Status status = RunPostReceive(options_, input, opener, &summary);
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(status.message(), "cannot open the outbox /srv/state/outbox.sqlite3: disk I/O error");
  EXPECT_EQ(opened, 1);
  EXPECT_EQ(summary.mentions_queued, 0);
  EXPECT_TRUE(GitChildren().empty()) << "git is left running or as a zombie";
  ASSERT_TRUE(OpenSqliteOutbox(outbox_path_, &outbox_).ok());
  std::vector<Job> jobs;
  ASSERT_TRUE(outbox_->List(std::nullopt, 100, &jobs).ok());
  EXPECT_TRUE(jobs.empty());
}

TEST_F(PostReceiveOrderTest, AWalkThatFailsMidwayQueuesNothingOfThePush) {
  for (int i = 1; i <= 5; ++i) git_.Commit("Step " + std::to_string(i) + " PROJ-1");
  std::string step2 = git_.Rev("HEAD~3");
  std::string input = Push({"refs/heads/main"}, {"origin", "main"});
  // The newest commits are read (and their jobs added) before git meets the
  // lost object.
  ASSERT_EQ(
      std::remove((git_.bare() + "/objects/" + step2.substr(0, 2) + "/" + step2.substr(2)).c_str()),
      0);
  PostReceiveSummary summary;
  Status status = RunPostReceive(options_, input, outbox_.get(), &summary);
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("rev-list"), std::string::npos) << status.ToString();
  std::vector<Job> jobs;
  ASSERT_TRUE(outbox_->List(std::nullopt, 100, &jobs).ok());
  EXPECT_TRUE(jobs.empty()) << "the half-walked push was queued";
  EXPECT_TRUE(GitChildren().empty());
  // The outbox is free for the next push.
  std::unique_ptr<Outbox> other;
  ASSERT_TRUE(OpenSqliteOutbox(outbox_path_, &other).ok());
  EnqueueResult result;
  Job job;
  job.repository = "platform/api";
  job.commit = "c1";
  job.key = "PROJ-9";
  ASSERT_TRUE(other->Enqueue({job}, &result).ok());
  EXPECT_EQ(result.added, 1);
}

// RunPostReceive's contract: when it fails, nothing of the push is queued.
// Counting what the limit left out runs after the batch's commit, so a
// failure there must not fail the hook (the CLI would say "not queued" and
// start no delivery for jobs that are queued): it is a warning.
TEST_F(PostReceiveOrderTest, AFailureCountingSkippedCommitsIsNotAFailureOfTheQueuedPush) {
  options_.walk.max_commits_per_update = 2;
  for (int i = 1; i <= 4; ++i) git_.Commit("Step " + std::to_string(i) + " PROJ-1");
  std::string input = Push({"refs/heads/main"}, {"origin", "main"});
  std::string path = std::getenv("PATH");
  // git is running the walk by now; the count after it cannot start git.
  OutboxOpener opener = [&](std::unique_ptr<Outbox>* outbox) {
    ::setenv("PATH", "/nonexistent", 1);
    return OpenSqliteOutbox(outbox_path_, outbox);
  };
  PostReceiveSummary summary;
  Status status = RunPostReceive(options_, input, opener, &summary);
  ::setenv("PATH", path.c_str(), 1);
  ASSERT_TRUE(status.ok()) << status.ToString();
  std::vector<Job> jobs;
  ASSERT_TRUE(outbox_->List(std::nullopt, 100, &jobs).ok());
  EXPECT_EQ(jobs.size(), 2u);
  EXPECT_EQ(summary.mentions_queued, 2);
  EXPECT_EQ(summary.new_commits, 2);
  ASSERT_EQ(summary.warnings.size(), 1u);
  EXPECT_NE(summary.warnings[0].find("cannot count the older commits"), std::string::npos)
      << summary.warnings[0];
  EXPECT_NE(summary.warnings[0].find("cannot run git"), std::string::npos) << summary.warnings[0];
}

TEST_F(PostReceiveOrderTest, AnUnreadableRepositoryFailsBeforeTheOutboxIsOpened) {
  options_.git_dir = git_.Path("missing.git");
  int opened = 0;
  OutboxOpener opener = [&](std::unique_ptr<Outbox>* outbox) {
    ++opened;
    return OpenSqliteOutbox(outbox_path_, outbox);
  };
  PostReceiveSummary summary;
  Status status = RunPostReceive(
      options_, std::string(40, '0') + " " + std::string(40, 'a') + " refs/heads/main\n", opener,
      &summary);
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("missing.git"), std::string::npos) << status.ToString();
  EXPECT_EQ(opened, 0);
}

}  // namespace
}  // namespace jiralink::hooks
