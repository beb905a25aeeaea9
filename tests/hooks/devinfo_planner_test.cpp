// The post-receive hook's Development-panel jobs (hooks/devinfo_planner.h)
// from real pushes into a bare repository.
#include "jiralink/hooks/devinfo_planner.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "git_fixture.h"
#include "jiralink/hooks/post_receive.h"
#include "jiralink/outbox/devinfo_job.h"
#include "jiralink/outbox/sqlite_outbox.h"

namespace jiralink::hooks {

using outbox::DevinfoPayload;
using outbox::Job;
using outbox::JobKind;
namespace {

using testing::GitFixture;

class DevinfoPlannerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(OpenSqliteOutbox(git_.Path("state/outbox.sqlite3"), &outbox_).ok());
    options_.git_dir = git_.bare();
    options_.plan.repository = "platform/api";
    options_.plan.site = "https://example.atlassian.net";
    options_.plan.commit_url_template = "https://git.example.com/{repo}/commit/{sha}";
    options_.plan.branch_url_template = "https://git.example.com/{repo}/tree/{branch}";
    options_.plan.repo_url_template = "https://git.example.com/{repo}";
    options_.plan.devinfo_enabled = true;
  }

  PostReceiveSummary PushAndRun(const std::vector<std::string>& refs,
                                const std::vector<std::string>& push_args) {
    last_input_ = git_.PushForHook(refs, push_args);
    return Run(last_input_);
  }
  PostReceiveSummary Run(const std::string& input) {
    PostReceiveSummary summary;
    Status status = RunPostReceive(options_, input, outbox_.get(), &summary);
    EXPECT_TRUE(status.ok()) << status.ToString();
    return summary;
  }

  // The devinfo jobs queued so far, oldest first, with their payloads.
  std::vector<std::pair<Job, DevinfoPayload>> Devinfo() {
    std::vector<Job> jobs;
    EXPECT_TRUE(outbox_->List(std::nullopt, 1000, &jobs).ok());
    std::vector<std::pair<Job, DevinfoPayload>> out;
    for (auto it = jobs.rbegin(); it != jobs.rend(); ++it) {
      if (!outbox::IsDevinfoKind(it->kind)) continue;
      DevinfoPayload payload;
      Status status = outbox::ReadDevinfoPayload(*it, &payload);
      EXPECT_TRUE(status.ok()) << status.ToString();
      out.emplace_back(*it, payload);
    }
    return out;
  }

  GitFixture git_;
  std::unique_ptr<outbox::Outbox> outbox_;
  PostReceiveOptions options_;
  std::string last_input_;
};

TEST_F(DevinfoPlannerTest, OffByDefaultNothingForThePanel) {
  options_.plan.devinfo_enabled = false;
  git_.Commit("PROJ-1 login");
  PostReceiveSummary summary = PushAndRun({"refs/heads/main"}, {"origin", "main"});
  EXPECT_EQ(summary.devinfo_queued, 0);
  EXPECT_EQ(summary.mentions_queued, 1);
  EXPECT_TRUE(Devinfo().empty());
}

TEST_F(DevinfoPlannerTest, AFirstPushQueuesItsKeyedCommitsAndTheBranch) {
  git_.Commit("no key here");
  std::string keyed = git_.Commit("PROJ-1 login form\n\nAlso PROJ-2.");
  PostReceiveSummary summary = PushAndRun({"refs/heads/main"}, {"origin", "main"});
  // The comments are as before.
  EXPECT_EQ(summary.mentions_queued, 2);
  EXPECT_EQ(summary.devinfo_queued, 2);
  EXPECT_EQ(SummaryLine(summary, 100),
            "jiralink: 2 Jira mentions queued; 2 Development panel updates queued");
  auto jobs = Devinfo();
  ASSERT_EQ(jobs.size(), 2u);
  const auto& [commit_job, commit] = jobs[0];
  EXPECT_EQ(commit_job.kind, JobKind::kDevinfoCommit);
  EXPECT_EQ(commit_job.site, outbox::DevinfoSite("https://example.atlassian.net"));
  EXPECT_EQ(commit.repository.name, "platform/api");
  EXPECT_EQ(commit.repository.url, "https://git.example.com/platform/api");
  EXPECT_EQ(commit.commit.id, keyed);
  EXPECT_EQ(keyed.rfind(commit.commit.display_id, 0), 0u);
  EXPECT_EQ(commit.commit.message, "PROJ-1 login form\n\nAlso PROJ-2.\n");
  EXPECT_EQ(commit.commit.author.name, "Ada Lovelace");
  EXPECT_FALSE(commit.commit.author.email.empty());
  EXPECT_FALSE(commit.commit.author_timestamp.empty());
  EXPECT_EQ(commit.commit.url, "https://git.example.com/platform/api/commit/" + keyed);
  EXPECT_EQ(commit.commit.file_count, 1);
  EXPECT_FALSE(commit.commit.merge_commit);
  EXPECT_EQ(commit.commit.issue_keys, (std::vector<std::string>{"PROJ-1", "PROJ-2"}));
  EXPECT_GT(commit.update_sequence_id, 0);
  const auto& [branch_job, branch] = jobs[1];
  EXPECT_EQ(branch_job.kind, JobKind::kDevinfoBranch);
  EXPECT_EQ(branch.branch.name, "main");
  EXPECT_EQ(branch.branch.url, "https://git.example.com/platform/api/tree/main");
  EXPECT_EQ(branch.branch.last_commit.id, keyed);
  EXPECT_EQ(branch.branch.issue_keys, (std::vector<std::string>{"PROJ-1", "PROJ-2"}));
  EXPECT_EQ(branch.update_sequence_id, commit.update_sequence_id);
}

TEST_F(DevinfoPlannerTest, ACommitOnTwoBranchesIsSentOnceAndAReplayQueuesNothing) {
  git_.Commit("PROJ-1 base");
  PushAndRun({"refs/heads/main"}, {"origin", "main"});
  const std::string first_push = last_input_;
  git_.Run({"checkout", "-q", "-b", "feature/PROJ-3-search"});
  std::string topic = git_.Commit("search box PROJ-3");
  PushAndRun({"refs/heads/feature/PROJ-3-search"}, {"origin", "feature/PROJ-3-search"});
  // The topic merged by fast-forward: main moves onto the topic's commit.
  git_.Run({"checkout", "-q", "main"});
  git_.Run({"merge", "-q", "--ff-only", "feature/PROJ-3-search"});
  PostReceiveSummary merged = PushAndRun({"refs/heads/main"}, {"origin", "main"});
  // main's new position is an update; the commit is there already.
  EXPECT_EQ(merged.devinfo_queued, 1);
  int commit_jobs = 0;
  std::map<std::string, int> branch_jobs;
  for (const auto& [job, payload] : Devinfo()) {
    if (job.kind == JobKind::kDevinfoCommit && payload.commit.id == topic) ++commit_jobs;
    if (job.kind == JobKind::kDevinfoBranch) ++branch_jobs[payload.branch.name];
  }
  EXPECT_EQ(commit_jobs, 1);
  EXPECT_EQ(branch_jobs["main"], 2);
  EXPECT_EQ(branch_jobs["feature/PROJ-3-search"], 1);
  // The topic branch's keys come from its name too.
  const std::size_t before = Devinfo().size();
  PostReceiveSummary replayed = Run(first_push);
  EXPECT_EQ(replayed.devinfo_queued, 0);
  EXPECT_EQ(Devinfo().size(), before);
}

TEST_F(DevinfoPlannerTest, ABranchNamedForAKeyWithoutKeyedCommitsIsSentAndItsDeleteToo) {
  git_.Commit("base");
  PushAndRun({"refs/heads/main"}, {"origin", "main"});
  git_.Run({"checkout", "-q", "-b", "PROJ-9-cleanup"});
  std::string tip = git_.Commit("tidy up");
  PostReceiveSummary created =
      PushAndRun({"refs/heads/PROJ-9-cleanup"}, {"origin", "PROJ-9-cleanup"});
  EXPECT_EQ(created.devinfo_queued, 1);
  PostReceiveSummary deleted =
      PushAndRun({"refs/heads/PROJ-9-cleanup"}, {"origin", "--delete", "PROJ-9-cleanup"});
  EXPECT_EQ(deleted.devinfo_queued, 1);
  auto jobs = Devinfo();
  ASSERT_EQ(jobs.size(), 2u);
  EXPECT_EQ(jobs[0].second.branch.issue_keys, (std::vector<std::string>{"PROJ-9"}));
  EXPECT_EQ(jobs[0].second.branch.last_commit.id, tip);
  EXPECT_TRUE(jobs[0].second.branch.last_commit.issue_keys.empty());
  EXPECT_EQ(jobs[1].first.kind, JobKind::kDevinfoBranchDelete);
  EXPECT_EQ(jobs[1].second.branch.name, "PROJ-9-cleanup");
  EXPECT_EQ(jobs[1].second.branch.id, jira::DevinfoEntityId("PROJ-9-cleanup"));
  EXPECT_GE(jobs[1].second.update_sequence_id, jobs[0].second.update_sequence_id);
}

TEST_F(DevinfoPlannerTest, AForcePushMovesTheBranchWithALaterNumber) {
  git_.Commit("PROJ-4 first try");
  PushAndRun({"refs/heads/main"}, {"origin", "main"});
  git_.Run({"commit", "-q", "--amend", "-m", "PROJ-4 second try"});
  std::string amended = git_.Rev("HEAD");
  PostReceiveSummary forced = PushAndRun({"refs/heads/main"}, {"origin", "+main"});
  EXPECT_EQ(forced.devinfo_queued, 2);  // the new commit and the branch
  auto jobs = Devinfo();
  ASSERT_EQ(jobs.size(), 4u);
  EXPECT_EQ(jobs[3].second.branch.last_commit.id, amended);
  EXPECT_GT(jobs[3].second.update_sequence_id, jobs[1].second.update_sequence_id);
}

TEST_F(DevinfoPlannerTest, AMergeCommitIsFlaggedAndCountsItsFilesAgainstTheFirstParent) {
  git_.Commit("base");
  PushAndRun({"refs/heads/main"}, {"origin", "main"});
  git_.Run({"checkout", "-q", "-b", "topic"});
  git_.Commit("topic work");
  git_.Run({"checkout", "-q", "main"});
  git_.Run({"commit", "-q", "--allow-empty", "-m", "main work"});
  git_.Run({"merge", "-q", "--no-ff", "-m", "Merge topic for PROJ-5", "topic"});
  std::string merge = git_.Rev("HEAD");
  PushAndRun({"refs/heads/main"}, {"origin", "main"});
  bool seen = false;
  for (const auto& [job, payload] : Devinfo()) {
    if (job.kind != JobKind::kDevinfoCommit) continue;
    EXPECT_EQ(payload.commit.id, merge);
    EXPECT_TRUE(payload.commit.merge_commit);
    EXPECT_EQ(payload.commit.file_count, 1);
    seen = true;
  }
  EXPECT_TRUE(seen);
}

TEST_F(DevinfoPlannerTest, AMessageHoldingTheRecordSeparatorLosesNothing) {
  std::string odd = git_.Commit("PROJ-6 odd \x01 byte");
  std::string plain = git_.Commit("PROJ-7 plain");
  PushAndRun({"refs/heads/main"}, {"origin", "main"});
  std::map<std::string, std::string> messages;
  for (const auto& [job, payload] : Devinfo()) {
    if (job.kind == JobKind::kDevinfoCommit) messages[payload.commit.id] = payload.commit.message;
  }
  EXPECT_EQ(messages[odd], "PROJ-6 odd \x01 byte\n");
  EXPECT_EQ(messages[plain], "PROJ-7 plain\n");
}

}  // namespace
}  // namespace jiralink::hooks
