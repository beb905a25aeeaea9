#include "jiralink/delivery/delivery.h"

#include <memory>
#include <optional>
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

  Job MakeJob(const std::string& key, JobKind kind = JobKind::kMention,
              const std::string& sha = kSha) {
    Job job;
    job.repository = "platform/api";
    job.commit = sha;
    job.key = key;
    job.kind = kind;
    job.branch = "main";
    job.author = "Ada Lovelace";
    job.message = "Fix the parser " + key + "\n\nbody";
    job.commit_url = "https://git.example.com/platform/api/commit/" + sha;
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

// Jira's answer for an issue whose workflow offers no way into the Done
// category (only "In Progress"), as GET /issue/PROJ-1?expand=transitions.
Fault NoDoneTransitionOffered() {
  Fault fault;
  fault.method = "GET";
  fault.path_contains = "/issue/PROJ-1";
  fault.status = 200;
  fault.body = R"({"id":"10001","key":"PROJ-1","fields":{"summary":"Issue PROJ-1",)"
               R"("status":{"name":"To Do","statusCategory":{"key":"new","name":"To Do"}},)"
               R"("resolution":null},"transitions":[{"id":"21","name":"Start",)"
               R"("to":{"name":"In Progress","statusCategory":{"key":"indeterminate"}}}]})";
  fault.times = 1;
  return fault;
}

// Issue #25: a workflow without a Done transition is not an outage. GitLab
// leaves the issue and logs it; the job is skipped with the reason.
TEST_F(DeliveryTest, NoDoneTransitionOfferedIsSkippedWithTheReasonNotDead) {
  std::vector<std::string> log;
  options_.log = [&log](const std::string& line) { log.push_back(line); };
  jira_.InjectFault(NoDoneTransitionOffered());
  Enqueue({MakeJob("PROJ-1", JobKind::kClose)});
  DeliveryReport report = Run();
  EXPECT_EQ(report.dead, 0);
  EXPECT_EQ(report.skipped, 1);
  Job job = Only();
  EXPECT_EQ(job.state, JobState::kSkipped);
  EXPECT_EQ(job.last_error,
            "no transition to Done is offered from status \"To Do\" of PROJ-1; the issue is left "
            "as it is, as GitLab does");
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0].rfind("skipped #", 0), 0u) << log[0];
  EXPECT_NE(log[0].find("no transition to Done is offered"), std::string::npos) << log[0];
  EXPECT_TRUE(jira_.Requests("POST", "/transitions").empty());
  EXPECT_TRUE(jira_.Comments("PROJ-1").empty());
  EXPECT_EQ(jira_.Status("PROJ-1"), "To Do");
}

// Issue #25: a commit mentioned from a topic branch, then brought to the
// default branch by fast-forward. GitLab finds the link with the commit's URL,
// saves it again as the solved one and posts no "Issue solved" comment.
TEST_F(DeliveryTest, CloseOfACommitLinkedAlreadyResavesTheLinkWithoutAComment) {
  Job mention = MakeJob("PROJ-1");
  mention.branch = "feature";
  Enqueue({mention});
  EXPECT_EQ(Run().delivered, 1);
  ASSERT_EQ(jira_.Comments("PROJ-1").size(), 1u);
  Enqueue({MakeJob("PROJ-1", JobKind::kClose)});
  EXPECT_EQ(Run().delivered, 1);
  EXPECT_EQ(jira_.Status("PROJ-1"), "Done");
  auto comments = jira_.Comments("PROJ-1");
  ASSERT_EQ(comments.size(), 1u) << "no solved comment";
  EXPECT_NE(comments[0]["body"].get<std::string>().find("mentioned this issue"), std::string::npos);
  auto links = jira_.RemoteLinks("PROJ-1");
  ASSERT_EQ(links.size(), 1u);
  EXPECT_EQ(links[0]["object"]["url"], kCommitUrl);
  EXPECT_EQ(links[0]["object"]["title"], std::string("Solved by commit ") + kSha + ".");
  EXPECT_EQ(links[0]["object"]["status"]["resolved"], true);
  std::vector<Job> jobs;
  ASSERT_TRUE(outbox_->List(std::nullopt, 10, &jobs).ok());
  bool noted = false;
  for (const Job& job : jobs) {
    noted =
        noted || job.last_error.find("linked already, so no solved comment") != std::string::npos;
  }
  EXPECT_TRUE(noted);
}

// A link to the commit that someone else wrote (another tool, another
// globalId) counts too: GitLab matches the link's URL.
TEST_F(DeliveryTest, CloseFindsALinkToTheCommitByItsUrl) {
  jira::RemoteLinkRequest theirs;
  theirs.global_id = "other-tool:1";
  theirs.url = kCommitUrl;
  theirs.title = "Commit";
  std::int64_t id = 0;
  ASSERT_TRUE(client_->UpsertRemoteLink("PROJ-1", theirs, &id).ok());
  Enqueue({MakeJob("PROJ-1", JobKind::kClose)});
  EXPECT_EQ(Run().delivered, 1);
  EXPECT_EQ(jira_.Status("PROJ-1"), "Done");
  EXPECT_TRUE(jira_.Comments("PROJ-1").empty());
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

TEST_F(DeliveryTest, MissingIssueIsSkippedWithJirasMessage) {
  Enqueue({MakeJob("UTF-8")});
  DeliveryReport report = Run();
  EXPECT_EQ(report.skipped, 1);
  EXPECT_EQ(report.dead, 0);
  Job job = Only();
  EXPECT_EQ(job.state, JobState::kSkipped);
  EXPECT_NE(job.last_error.find("404"), std::string::npos) << job.last_error;
  EXPECT_NE(job.last_error.find("no such issue"), std::string::npos) << job.last_error;
  EXPECT_TRUE(jira_.Requests("POST", "").empty());
}

TEST_F(DeliveryTest, HiddenIssueIsSkippedForMentionsAndCloses) {
  standin::IssueSeed seed;
  seed.key = "PROJ-7";
  jira_.AddIssue(seed);
  jira_.HideIssue("PROJ-7");
  Enqueue({MakeJob("PROJ-7"), MakeJob("PROJ-7", JobKind::kClose)});
  DeliveryReport report = Run();
  EXPECT_EQ(report.skipped, 2);
  std::vector<Job> jobs;
  ASSERT_TRUE(outbox_->List(JobState::kSkipped, 10, &jobs).ok());
  EXPECT_EQ(jobs.size(), 2u);
  EXPECT_TRUE(jira_.Requests("POST", "").empty());
  // `queue retry --dead` leaves skipped jobs alone; by id one comes back.
  int changed = 0;
  ASSERT_TRUE(outbox_->Retry(RetryScope::kDead, 0, &changed).ok());
  EXPECT_EQ(changed, 0);
  ASSERT_TRUE(outbox_->Retry(RetryScope::kOne, jobs[0].id, &changed).ok());
  EXPECT_EQ(changed, 1);
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

// --- Lost answers: Jira applied the write, the reply never came. ---

Fault LoseReplies(const std::string& path, int times = 1) {
  Fault fault;
  fault.method = "POST";
  fault.path_contains = path;
  fault.close_connection = true;
  fault.after_processing = true;
  fault.times = times;
  return fault;
}

TEST_F(DeliveryTest, LostCommentReplyIsSettledByReadingJiraFirst) {
  jira_.InjectFault(LoseReplies("/comment"));
  Enqueue({MakeJob("PROJ-1")});
  DeliveryReport first = Run();
  EXPECT_EQ(first.retrying, 1);
  EXPECT_EQ(jira_.Comments("PROJ-1").size(), 1u) << "Jira applied it";
  MakeDueNow();
  DeliveryReport second = Run();
  EXPECT_EQ(second.delivered, 1);
  EXPECT_EQ(jira_.Requests("POST", "/comment").size(), 1u) << "never posted again";
  EXPECT_EQ(jira_.Comments("PROJ-1").size(), 1u);
  EXPECT_EQ(jira_.RemoteLinks("PROJ-1").size(), 1u);
}

TEST_F(DeliveryTest, LostLinkReplyLeavesOneLink) {
  jira_.InjectFault(LoseReplies("/remotelink"));
  Enqueue({MakeJob("PROJ-1")});
  EXPECT_EQ(Run().retrying, 1);
  MakeDueNow();
  EXPECT_EQ(Run().delivered, 1);
  EXPECT_EQ(jira_.Requests("POST", "/remotelink").size(), 1u) << "found by its globalId";
  EXPECT_EQ(jira_.Comments("PROJ-1").size(), 1u);
  EXPECT_EQ(jira_.RemoteLinks("PROJ-1").size(), 1u);
}

TEST_F(DeliveryTest, LostTransitionAnswerStillPostsTheSolvedComment) {
  jira_.InjectFault(LoseReplies("/transitions"));
  Enqueue({MakeJob("PROJ-1", JobKind::kClose)});
  EXPECT_EQ(Run().retrying, 1);
  EXPECT_EQ(jira_.Resolution("PROJ-1"), "Done") << "Jira applied the transition";
  EXPECT_EQ(Only().step, outbox::CloseStep::kTransitionSent) << "recorded before the POST";
  EXPECT_TRUE(jira_.Comments("PROJ-1").empty());
  MakeDueNow();
  EXPECT_EQ(Run().delivered, 1);
  EXPECT_EQ(jira_.Requests("POST", "/transitions").size(), 1u);
  auto comments = jira_.Comments("PROJ-1");
  ASSERT_EQ(comments.size(), 1u);
  EXPECT_EQ(comments[0]["body"],
            std::string("Issue solved with [") + kSha + "|" + kCommitUrl + "].");
  auto links = jira_.RemoteLinks("PROJ-1");
  ASSERT_EQ(links.size(), 1u);
  EXPECT_EQ(links[0]["object"]["status"]["resolved"], true);
  EXPECT_EQ(Only().last_error, "resolved");
}

TEST_F(DeliveryTest, LostAnswerOfACustomNonFinalTransitionIsNotSentAgain) {
  policy_.close_mode = CloseMode::kCustom;
  policy_.transition_ids = {"21", "31"};
  jira_.InjectFault(LoseReplies("/transitions"));
  Enqueue({MakeJob("PROJ-1", JobKind::kClose)});
  EXPECT_EQ(Run().retrying, 1);
  EXPECT_EQ(jira_.Status("PROJ-1"), "In Progress");
  MakeDueNow();
  EXPECT_EQ(Run().delivered, 1);
  auto posts = jira_.Requests("POST", "/transitions");
  ASSERT_EQ(posts.size(), 2u) << "21 once, then 31";
  EXPECT_NE(posts[1].body.find("\"31\""), std::string::npos);
  EXPECT_EQ(jira_.Resolution("PROJ-1"), "Done");
  EXPECT_EQ(jira_.Comments("PROJ-1").size(), 1u);
}

TEST_F(DeliveryTest, WorkerThatDiedAfterTheTransitionLeavesTheSolvedCommentOwed) {
  Enqueue({MakeJob("PROJ-1", JobKind::kClose)});
  // A worker records the step, transitions, and dies before anything else.
  std::optional<Job> job;
  ASSERT_TRUE(outbox_->Claim(jira_.base_url(), NowMillis(), NowMillis(), 60000, &job).ok());
  ASSERT_TRUE(job.has_value());
  job->step = outbox::CloseStep::kTransitionSent;
  ASSERT_TRUE(outbox_->SaveProgress(*job).ok());
  ASSERT_TRUE(client_->DoTransition("PROJ-1", "31").ok());
  ASSERT_TRUE(outbox_->Release(*job, "worker died").ok());
  EXPECT_EQ(Run().delivered, 1);
  EXPECT_EQ(jira_.Requests("POST", "/transitions").size(), 1u);
  EXPECT_EQ(jira_.Comments("PROJ-1").size(), 1u);
  EXPECT_EQ(jira_.RemoteLinks("PROJ-1").size(), 1u);
}

TEST_F(DeliveryTest, LostTransitionThatAnotherCommitOvertookIsNotClaimed) {
  // Our transition's connection drops before Jira applies it: unknown outcome.
  Fault drop;
  drop.method = "POST";
  drop.path_contains = "/transitions";
  drop.close_connection = true;
  drop.times = 1;
  jira_.InjectFault(drop);
  Enqueue({MakeJob("PROJ-1", JobKind::kClose)});
  options_.backoff.base_ms = 600000;  // not due again before the other commit's job
  EXPECT_EQ(Run().retrying, 1);
  EXPECT_EQ(jira_.Resolution("PROJ-1"), "");
  // Another commit resolves the issue meanwhile (its job is due first).
  const std::string other = "fedcba9876543210fedcba9876543210fedcba98";
  Enqueue({MakeJob("PROJ-1", JobKind::kClose, other)});
  EXPECT_EQ(Run().delivered, 1);
  MakeDueNow();
  EXPECT_EQ(Run().delivered, 1);
  auto comments = jira_.Comments("PROJ-1");
  ASSERT_EQ(comments.size(), 1u);
  EXPECT_NE(comments[0]["body"].get<std::string>().find(other), std::string::npos);
  EXPECT_EQ(jira_.RemoteLinks("PROJ-1").size(), 1u);
}

TEST_F(DeliveryTest, RetriedDeadCloseJobDoesNotClaimAnotherResolution) {
  policy_.close_mode = CloseMode::kCustom;
  policy_.transition_ids = {"21", "999"};
  Enqueue({MakeJob("PROJ-1", JobKind::kClose)});
  EXPECT_EQ(Run().dead, 1);
  EXPECT_EQ(jira_.Status("PROJ-1"), "In Progress");
  // Someone resolves it by hand; then the operator retries the dead job.
  ASSERT_TRUE(client_->DoTransition("PROJ-1", "31").ok());
  MakeDueNow();
  EXPECT_EQ(Run().delivered, 1);
  EXPECT_TRUE(jira_.Comments("PROJ-1").empty()) << "no 'solved with' for someone else's work";
  EXPECT_TRUE(jira_.RemoteLinks("PROJ-1").empty());
  EXPECT_NE(Only().last_error.find("already resolved"), std::string::npos);
}

TEST_F(DeliveryTest, TransitionsDisabledPostsNothingForAClose) {
  // As the forge: the closing key is not mentioned, and nothing transitions.
  policy_.transitions_enabled = false;
  Enqueue({MakeJob("PROJ-1", JobKind::kClose), MakeJob("PROJ-2")});
  EXPECT_EQ(Run().delivered, 2);
  EXPECT_EQ(jira_.Status("PROJ-1"), "To Do");
  EXPECT_TRUE(jira_.Comments("PROJ-1").empty());
  EXPECT_TRUE(jira_.RemoteLinks("PROJ-1").empty());
  EXPECT_TRUE(jira_.Requests("POST", "/transitions").empty());
  EXPECT_EQ(jira_.Comments("PROJ-2").size(), 1u) << "other keys are still mentioned";
}

TEST_F(DeliveryTest, AllDetailsNamesTheShortShaAndQuotesTheWholeMessage) {
  policy_.comment_detail = CommentDetail::kAllDetails;
  Job job = MakeJob("PROJ-1");
  job.message = "Fix the parser PROJ-1\n\nIt broke on {quote} and [links|x].\n";
  Enqueue({job});
  EXPECT_EQ(Run().delivered, 1);
  auto comments = jira_.Comments("PROJ-1");
  ASSERT_EQ(comments.size(), 1u);
  EXPECT_EQ(comments[0]["body"],
            "Ada Lovelace mentioned this issue in [commit 0123456789a|" + kCommitUrl +
                "] of [platform/api|https://git.example.com/platform/api] on branch "
                "main:{quote}Fix the parser PROJ-1\n\nIt broke on \\{quote\\} and "
                "\\[links\\|x\\].{quote}");
}

// --- Merge-request jobs (the serve module queues them) ---

Job MergeRequestJob(const std::string& site, const std::string& key, JobKind kind) {
  Job job;
  job.repository = "platform/api";
  job.commit = outbox::MergeRequestSource(42);
  job.key = key;
  job.kind = kind;
  job.branch = "feature/parser";
  job.branch_url = "https://git.example.com/platform/api/-/tree/feature/parser";
  job.author = "Grace Hopper";
  job.message = "Parser rework for PROJ-1\n\nCloses PROJ-1";
  job.commit_url = "https://git.example.com/platform/api/-/merge_requests/42";
  job.repo_url = "https://git.example.com/platform/api";
  job.site = site;
  return job;
}

TEST_F(DeliveryTest, MergeRequestMentionUsesTheMergeRequestWording) {
  Enqueue({MergeRequestJob(jira_.base_url(), "PROJ-1", JobKind::kMention)});
  EXPECT_EQ(Run().delivered, 1);
  const std::string url = "https://git.example.com/platform/api/-/merge_requests/42";
  auto comments = jira_.Comments("PROJ-1");
  ASSERT_EQ(comments.size(), 1u);
  EXPECT_EQ(comments[0]["body"],
            "Grace Hopper mentioned this issue in [a merge request|" + url +
                "] of [platform/api|https://git.example.com/platform/api] on branch "
                "[feature/parser|https://git.example.com/platform/api/-/tree/feature/parser]:"
                "{quote}Parser rework for PROJ-1{quote}");
  auto links = jira_.RemoteLinks("PROJ-1");
  ASSERT_EQ(links.size(), 1u);
  EXPECT_EQ(links[0]["object"]["title"], "Merge request - Parser rework for PROJ-1");
  EXPECT_EQ(links[0]["globalId"], "jiralink:" + url);
}

TEST_F(DeliveryTest, MergeRequestAllDetailsNamesItsIid) {
  policy_.comment_detail = CommentDetail::kAllDetails;
  Enqueue({MergeRequestJob(jira_.base_url(), "PROJ-1", JobKind::kMention)});
  EXPECT_EQ(Run().delivered, 1);
  auto comments = jira_.Comments("PROJ-1");
  ASSERT_EQ(comments.size(), 1u);
  std::string body = comments[0]["body"];
  EXPECT_NE(body.find("[merge request !42|"), std::string::npos) << body;
  EXPECT_NE(body.find("{quote}Parser rework for PROJ-1{quote}"), std::string::npos) << body;
}

TEST_F(DeliveryTest, MergeRequestAndCommitClosingOneKeyTransitionAndCommentOnce) {
  Enqueue({MergeRequestJob(jira_.base_url(), "PROJ-1", JobKind::kClose),
           MakeJob("PROJ-1", JobKind::kClose)});
  EXPECT_EQ(Run().delivered, 2);
  EXPECT_EQ(jira_.Requests("POST", "/transitions").size(), 1u);
  auto comments = jira_.Comments("PROJ-1");
  ASSERT_EQ(comments.size(), 1u);
  EXPECT_EQ(comments[0]["body"],
            "Issue solved with [!42|https://git.example.com/platform/api/-/merge_requests/42].");
  auto links = jira_.RemoteLinks("PROJ-1");
  ASSERT_EQ(links.size(), 1u);
  EXPECT_EQ(links[0]["object"]["title"], "Solved by merge request !42.");
}

// Issue #25: a merged merge request closes as its head commit (serve queues
// the close with the head SHA and its commit page): the solved comment names
// the commit, and its link stands beside the mention's instead of replacing it.
TEST_F(DeliveryTest, MergeRequestCloseByItsHeadCommitKeepsTheMentionLink) {
  Enqueue({MergeRequestJob(jira_.base_url(), "PROJ-1", JobKind::kMention)});
  EXPECT_EQ(Run().delivered, 1);
  Job close = MakeJob("PROJ-1", JobKind::kClose);
  close.branch = "feature/parser";
  close.message = "Parser rework for PROJ-1\n\nCloses PROJ-1";
  Enqueue({close});
  EXPECT_EQ(Run().delivered, 1);
  EXPECT_EQ(jira_.Status("PROJ-1"), "Done");
  auto comments = jira_.Comments("PROJ-1");
  ASSERT_EQ(comments.size(), 2u);
  EXPECT_EQ(comments[1]["body"],
            std::string("Issue solved with [") + kSha + "|" + kCommitUrl + "].");
  auto links = jira_.RemoteLinks("PROJ-1");
  ASSERT_EQ(links.size(), 2u);
  EXPECT_EQ(links[0]["object"]["title"], "Merge request - Parser rework for PROJ-1");
  EXPECT_EQ(links[0]["object"]["status"]["resolved"], false);
  EXPECT_EQ(links[1]["object"]["url"], kCommitUrl);
  EXPECT_EQ(links[1]["object"]["title"], std::string("Solved by commit ") + kSha + ".");
}

Job SmartJob(Job job, int index, SmartCommand command) {
  job.kind = JobKind::kSmartCommand;
  job.command_index = index;
  job.command = std::move(command);
  return job;
}

std::string SmartMarker(int number) {
  return "Smart Commit command " + std::to_string(number) + " of [commit " +
         std::string(kSha).substr(0, 11) + "|" + kCommitUrl + "]";
}

TEST_F(DeliveryTest, SmartCommentAfterALostReplyIsPostedOnce) {
  jira_.InjectFault(LoseReplies("/comment"));
  Enqueue({SmartJob(MakeJob("PROJ-1"), 0, {SmartCommandKind::kComment, "", "", "Looks good"})});
  EXPECT_EQ(Run().retrying, 1);
  MakeDueNow();
  EXPECT_EQ(Run().delivered, 1);
  EXPECT_EQ(jira_.Requests("POST", "/comment").size(), 1u);
  auto comments = jira_.Comments("PROJ-1");
  ASSERT_EQ(comments.size(), 1u);
  EXPECT_EQ(comments[0]["body"], "Looks good\n\n(" + SmartMarker(1) + ", by Ada Lovelace)");
  EXPECT_TRUE(jira_.RemoteLinks("PROJ-1").empty()) << "smart commands make no link";
}

TEST_F(DeliveryTest, SmartWorklogAfterALostReplyIsLoggedOnce) {
  jira_.InjectFault(LoseReplies("/worklog"));
  Enqueue({SmartJob(MakeJob("PROJ-1"), 2, {SmartCommandKind::kTime, "", "1w 2d 4h 30m", "work"})});
  EXPECT_EQ(Run().retrying, 1);
  MakeDueNow();
  EXPECT_EQ(Run().delivered, 1);
  EXPECT_EQ(jira_.Requests("POST", "/worklog").size(), 1u);
  auto worklogs = jira_.Worklogs("PROJ-1");
  ASSERT_EQ(worklogs.size(), 1u);
  EXPECT_EQ(worklogs[0]["timeSpent"], "1w 2d 4h 30m");
  EXPECT_EQ(worklogs[0]["comment"], "work\n\n(" + SmartMarker(3) + ", by Ada Lovelace)");
  EXPECT_EQ(Only().last_error, "work was logged already") << "found by its marker";
}

TEST_F(DeliveryTest, SmartTransitionAfterALostAnswerIsNotSentAgainAndCommentsItsText) {
  jira_.InjectFault(LoseReplies("/transitions"));
  Enqueue({SmartJob(MakeJob("PROJ-1"), 0,
                    {SmartCommandKind::kTransition, "IN-progress", "", "picked up"})});
  EXPECT_EQ(Run().retrying, 1);
  EXPECT_EQ(jira_.Status("PROJ-1"), "In Progress");
  EXPECT_EQ(Only().step, outbox::CloseStep::kTransitionSent);
  MakeDueNow();
  EXPECT_EQ(Run().delivered, 1);
  EXPECT_EQ(jira_.Requests("POST", "/transitions").size(), 1u);
  auto comments = jira_.Comments("PROJ-1");
  ASSERT_EQ(comments.size(), 1u);
  EXPECT_EQ(comments[0]["body"], "picked up\n\n(" + SmartMarker(1) + ", by Ada Lovelace)");
}

TEST_F(DeliveryTest, SmartTransitionWithoutAMatchIsDeadAndNamesWhatIsOffered) {
  Enqueue({SmartJob(MakeJob("PROJ-1"), 0, {SmartCommandKind::kTransition, "review", "", ""})});
  EXPECT_EQ(Run().dead, 1);
  EXPECT_EQ(Only().last_error.rfind("no transition named \"review\" from status \"To Do\" of "
                                    "PROJ-1 (offered: In Progress, Done)",
                                    0),
            0u)
      << Only().last_error;
  EXPECT_TRUE(jira_.Requests("POST", "/transitions").empty());
}

TEST_F(DeliveryTest, MappedAuthorIsMentionedAndTheLookupCached) {
  jira_.AddUser("Ada Lovelace", "Ada@Example.com");
  policy_.map_authors = true;
  Job first = SmartJob(MakeJob("PROJ-1"), 0, {SmartCommandKind::kComment, "", "", "one"});
  first.author_email = "ada@example.com";
  Job second = SmartJob(first, 1, {SmartCommandKind::kComment, "", "", "two"});
  Job stranger = SmartJob(MakeJob("PROJ-2"), 0, {SmartCommandKind::kComment, "", "", "three"});
  stranger.author_email = "nobody@example.com";
  Job stranger_again = SmartJob(stranger, 1, {SmartCommandKind::kComment, "", "", "four"});
  Enqueue({first, second, stranger, stranger_again});
  EXPECT_EQ(Run().delivered, 4);
  auto comments = jira_.Comments("PROJ-1");
  ASSERT_EQ(comments.size(), 2u);
  EXPECT_EQ(comments[0]["body"], "one\n\n(" + SmartMarker(1) + ", by [~ada.lovelace])");
  auto others = jira_.Comments("PROJ-2");
  ASSERT_EQ(others.size(), 2u);
  EXPECT_EQ(others[1]["body"], "four\n\n(" + SmartMarker(2) + ", by Ada Lovelace)");
  EXPECT_EQ(jira_.Requests("GET", "/user/search").size(), 2u)
      << "one lookup per email, \"nobody\" included";
}

}  // namespace
}  // namespace jiralink::delivery
