#include "jiralink/delivery/delivery.h"

#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "jiralink/outbox/sqlite_outbox.h"
#include "standin.h"
#include "support/test_support.h"

namespace jiralink::delivery {

using outbox::EnqueueResult;
using outbox::Job;
using outbox::JobKind;
using outbox::JobState;
using outbox::NowMillis;
using outbox::Outbox;
using outbox::RetryScope;
namespace {

using standin::Fault;
using standin::JiraStandin;

constexpr const char* kSha = "0123456789abcdef0123456789abcdef01234567";
const std::string kCommitUrl = std::string("https://git.example.com/platform/api/commit/") + kSha;

class DeliveryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(jira_.Start());
    jira_.AddProject("PROJ", "Project");
    for (const char* key : {"PROJ-1", "PROJ-2"}) {
      standin::IssueSeed seed;
      seed.key = key;
      seed.summary = std::string("Issue ") + key;
      jira_.AddIssue(seed);
    }
    jira::ClientOptions client_options;
    client_options.api_url = jira_.base_url();
    client_options.username = "jiralink-bot";
    client_options.token = "standin-token";
    client_options.deployment = jira::Deployment::kServer;
    client_options.timeout_seconds = 5;
    client_ = std::make_unique<jira::Client>(client_options);
    ASSERT_TRUE(OpenSqliteOutbox(dir_.Path("outbox.sqlite3"), &outbox_).ok());
    options_.site = jira_.base_url();
    options_.backoff.base_ms = 1;
    options_.policy = [this](const Job&) { return policy_; };
  }

  Job MakeJob(const std::string& key, JobKind kind = JobKind::kMention) {
    Job job;
    job.repository = "platform/api";
    job.commit = kSha;
    job.key = key;
    job.kind = kind;
    job.branch = "main";
    job.author = "Ada Lovelace";
    job.message = "Fix the parser " + key + "\n\nbody";
    job.commit_url = kCommitUrl;
    job.repo_url = "https://git.example.com/platform/api";
    job.site = jira_.base_url();
    return job;
  }

  void Enqueue(const std::vector<Job>& jobs) {
    EnqueueResult r;
    ASSERT_TRUE(outbox_->Enqueue(jobs, &r).ok());
  }

  DeliveryReport Run() {
    Deliverer deliverer(outbox_.get(), client_.get(), options_);
    DeliveryReport report;
    Status status = deliverer.RunOnce(&report);
    EXPECT_TRUE(status.ok()) << status.ToString();
    return report;
  }

  Job Only() {
    std::vector<Job> jobs;
    EXPECT_TRUE(outbox_->List(std::nullopt, 10, &jobs).ok());
    EXPECT_EQ(jobs.size(), 1u);
    return jobs.empty() ? Job() : jobs[0];
  }

  void MakeDueNow() {
    int changed = 0;
    ASSERT_TRUE(outbox_->Retry(RetryScope::kAll, 0, &changed).ok());
  }

  JiraStandin jira_{JiraStandin::Options{}};
  testing::TempDir dir_;
  std::unique_ptr<jira::Client> client_;
  std::unique_ptr<Outbox> outbox_;
  DeliveryOptions options_;
  DeliveryPolicy policy_;
};

TEST_F(DeliveryTest, MentionPostsTheCommentAndALinkWithOurGlobalId) {
  Enqueue({MakeJob("PROJ-1")});
  DeliveryReport report = Run();
  EXPECT_EQ(report.delivered, 1);
  auto comments = jira_.Comments("PROJ-1");
  ASSERT_EQ(comments.size(), 1u);
  EXPECT_EQ(comments[0]["body"],
            "Ada Lovelace mentioned this issue in [a commit|" + kCommitUrl +
                "] of [platform/api|https://git.example.com/platform/api] on branch "
                "main:{quote}Fix the parser PROJ-1{quote}");
  auto links = jira_.RemoteLinks("PROJ-1");
  ASSERT_EQ(links.size(), 1u);
  EXPECT_EQ(links[0]["globalId"], "jiralink:" + kCommitUrl);
  EXPECT_EQ(links[0]["object"]["url"], kCommitUrl);
  EXPECT_EQ(links[0]["object"]["title"], "Commit - Fix the parser PROJ-1");
  EXPECT_EQ(Only().state, JobState::kDone);
}

TEST_F(DeliveryTest, WorkAlreadyInJiraIsNotPostedAgain) {
  Enqueue({MakeJob("PROJ-1")});
  Run();
  // A second outbox (as after losing the "done" mark) holds the same job.
  std::unique_ptr<Outbox> other;
  ASSERT_TRUE(OpenSqliteOutbox(dir_.Path("other.sqlite3"), &other).ok());
  EnqueueResult r;
  ASSERT_TRUE(other->Enqueue({MakeJob("PROJ-1")}, &r).ok());
  Deliverer deliverer(other.get(), client_.get(), options_);
  DeliveryReport report;
  ASSERT_TRUE(deliverer.RunOnce(&report).ok());
  EXPECT_EQ(report.delivered, 1);
  EXPECT_EQ(jira_.Comments("PROJ-1").size(), 1u);
  EXPECT_EQ(jira_.RemoteLinks("PROJ-1").size(), 1u);
}

TEST_F(DeliveryTest, CrashBetweenCommentAndLinkLeavesOneComment) {
  Enqueue({MakeJob("PROJ-1")});
  Fault fault;
  fault.method = "POST";
  fault.path_contains = "/remotelink";
  fault.status = 503;
  fault.times = 1;
  jira_.InjectFault(fault);
  DeliveryReport first = Run();
  EXPECT_EQ(first.retrying, 1);
  EXPECT_EQ(jira_.Comments("PROJ-1").size(), 1u);
  EXPECT_TRUE(jira_.RemoteLinks("PROJ-1").empty());
  MakeDueNow();
  DeliveryReport second = Run();
  EXPECT_EQ(second.delivered, 1);
  EXPECT_EQ(jira_.Comments("PROJ-1").size(), 1u);
  EXPECT_EQ(jira_.RemoteLinks("PROJ-1").size(), 1u);
}

TEST_F(DeliveryTest, CommentsDisabledStillLinks) {
  policy_.comments_enabled = false;
  Enqueue({MakeJob("PROJ-1")});
  EXPECT_EQ(Run().delivered, 1);
  EXPECT_TRUE(jira_.Comments("PROJ-1").empty());
  EXPECT_EQ(jira_.RemoteLinks("PROJ-1").size(), 1u);
}

TEST_F(DeliveryTest, DoneModeTransitionsToDoneAndPostsTheSolvedComment) {
  Enqueue({MakeJob("PROJ-1", JobKind::kClose)});
  EXPECT_EQ(Run().delivered, 1);
  EXPECT_EQ(jira_.Status("PROJ-1"), "Done");
  EXPECT_EQ(jira_.Resolution("PROJ-1"), "Done");
  auto comments = jira_.Comments("PROJ-1");
  ASSERT_EQ(comments.size(), 1u);
  EXPECT_EQ(comments[0]["body"],
            std::string("Issue solved with [") + kSha + "|" + kCommitUrl + "].");
  auto links = jira_.RemoteLinks("PROJ-1");
  ASSERT_EQ(links.size(), 1u);
  EXPECT_EQ(links[0]["object"]["title"], std::string("Solved by commit ") + kSha + ".");
  EXPECT_EQ(links[0]["object"]["status"]["resolved"], true);
}

TEST_F(DeliveryTest, AlreadyResolvedIssueIsLeftAlone) {
  standin::IssueSeed seed;
  seed.key = "PROJ-3";
  seed.status = "Done";
  jira_.AddIssue(seed);
  Enqueue({MakeJob("PROJ-3", JobKind::kClose)});
  EXPECT_EQ(Run().delivered, 1);
  EXPECT_TRUE(jira_.Comments("PROJ-3").empty());
  EXPECT_TRUE(jira_.Requests("POST", "/transitions").empty());
  EXPECT_NE(Only().last_error.find("already resolved"), std::string::npos);
}

TEST_F(DeliveryTest, CustomModeAppliesIdsInOrder) {
  policy_.close_mode = CloseMode::kCustom;
  policy_.transition_ids = {"21", "31"};
  Enqueue({MakeJob("PROJ-1", JobKind::kClose)});
  EXPECT_EQ(Run().delivered, 1);
  auto posts = jira_.Requests("POST", "/transitions");
  ASSERT_EQ(posts.size(), 2u);
  EXPECT_NE(posts[0].body.find("\"21\""), std::string::npos);
  EXPECT_NE(posts[1].body.find("\"31\""), std::string::npos);
  EXPECT_EQ(jira_.Status("PROJ-1"), "Done");
  EXPECT_EQ(jira_.Comments("PROJ-1").size(), 1u);
}

TEST_F(DeliveryTest, CustomModeStopsAtTheFirstFailingId) {
  policy_.close_mode = CloseMode::kCustom;
  policy_.transition_ids = {"999", "31"};
  Enqueue({MakeJob("PROJ-1", JobKind::kClose)});
  DeliveryReport report = Run();
  EXPECT_EQ(report.dead, 1);
  EXPECT_EQ(jira_.Requests("POST", "/transitions").size(), 1u);
  EXPECT_EQ(jira_.Status("PROJ-1"), "To Do");
  EXPECT_TRUE(jira_.Comments("PROJ-1").empty());
  Job job = Only();
  EXPECT_EQ(job.state, JobState::kDead);
  EXPECT_NE(job.last_error.find("transition 999"), std::string::npos);
}

TEST_F(DeliveryTest, TransitionThatDoesNotResolveGetsNoSolvedComment) {
  policy_.close_mode = CloseMode::kCustom;
  policy_.transition_ids = {"21"};
  Enqueue({MakeJob("PROJ-1", JobKind::kClose)});
  EXPECT_EQ(Run().delivered, 1);
  EXPECT_EQ(jira_.Status("PROJ-1"), "In Progress");
  EXPECT_TRUE(jira_.Comments("PROJ-1").empty());
  EXPECT_TRUE(jira_.RemoteLinks("PROJ-1").empty());
}

TEST_F(DeliveryTest, MissingIssueIsDeadWithJirasMessage) {
  Enqueue({MakeJob("PROJ-404")});
  DeliveryReport report = Run();
  EXPECT_EQ(report.dead, 1);
  Job job = Only();
  EXPECT_EQ(job.state, JobState::kDead);
  EXPECT_NE(job.last_error.find("404"), std::string::npos) << job.last_error;
}

TEST_F(DeliveryTest, ServerErrorsRetryLaterAndGiveUpAfterMaxAttempts) {
  options_.max_attempts = 2;
  Fault fault;
  fault.status = 503;
  jira_.InjectFault(fault);
  Enqueue({MakeJob("PROJ-1")});
  DeliveryReport first = Run();
  EXPECT_EQ(first.retrying, 1);
  Job job = Only();
  EXPECT_EQ(job.state, JobState::kPending);
  EXPECT_NE(job.last_error.find("503"), std::string::npos);
  // Backoff is 1 ms here; wait it out, then the second failure is the last.
  testing::RunProcess({"sleep", "0.05"});
  DeliveryReport second = Run();
  EXPECT_EQ(second.dead, 1);
  job = Only();
  EXPECT_EQ(job.state, JobState::kDead);
  EXPECT_NE(job.last_error.find("gave up after 2 attempts"), std::string::npos);
}

TEST_F(DeliveryTest, RetryAfterIsHonoured) {
  Fault fault;
  fault.status = 429;
  fault.retry_after = "30";
  fault.times = 1;
  jira_.InjectFault(fault);
  Enqueue({MakeJob("PROJ-1")});
  std::int64_t before = NowMillis();
  EXPECT_EQ(Run().retrying, 1);
  Job job = Only();
  EXPECT_GE(job.next_attempt_at, before + 30000);
  EXPECT_EQ(Run().delivered, 0) << "not due before Retry-After";
}

TEST_F(DeliveryTest, UnauthorizedPausesTheSiteAndKeepsEveryJob) {
  Enqueue({MakeJob("PROJ-1"), MakeJob("PROJ-2")});
  Fault fault;
  fault.status = 401;
  jira_.InjectFault(fault);
  DeliveryReport report = Run();
  EXPECT_TRUE(report.paused);
  EXPECT_NE(report.pause_reason.find("401"), std::string::npos);
  std::vector<Job> jobs;
  ASSERT_TRUE(outbox_->List(JobState::kPending, 10, &jobs).ok());
  EXPECT_EQ(jobs.size(), 2u);
  for (const Job& job : jobs) EXPECT_EQ(job.attempts, 0) << "a pause costs no attempt";
  // While paused nothing is even tried.
  jira_.ClearFaults();
  jira_.ClearRequests();
  EXPECT_TRUE(Run().paused);
  EXPECT_TRUE(jira_.Requests().empty());
  // `queue retry` ends the pause.
  MakeDueNow();
  DeliveryReport after = Run();
  EXPECT_FALSE(after.paused);
  EXPECT_EQ(after.delivered, 2);
}

TEST_F(DeliveryTest, AnExpiredPauseProbesJiraAndResumes) {
  options_.pause_ms = 0;
  Enqueue({MakeJob("PROJ-1")});
  Fault fault;
  fault.status = 403;
  fault.times = 1;
  jira_.InjectFault(fault);
  EXPECT_TRUE(Run().paused);
  DeliveryReport after = Run();
  EXPECT_FALSE(after.paused);
  EXPECT_EQ(after.delivered, 1);
  EXPECT_EQ(jira_.Requests("GET", "/myself").size(), 1u);
}

}  // namespace
}  // namespace jiralink::delivery
