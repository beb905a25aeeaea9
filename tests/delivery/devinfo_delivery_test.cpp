// DevinfoDeliverer against the stand-in's Development Information API:
// batching within Jira's limits, outcomes per answer, faults.
#include "jiralink/delivery/devinfo_delivery.h"

#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "jiralink/outbox/sqlite_outbox.h"
#include "standin.h"
#include "support/test_support.h"

namespace jiralink::delivery {
namespace {

using nlohmann::json;
using outbox::Job;
using outbox::JobState;
using standin::JiraStandin;

JiraStandin::Options CloudOptions() {
  JiraStandin::Options options;
  options.personality = standin::Personality::kCloud;
  return options;
}

class DevinfoDeliveryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(jira_.Start());
    jira_.AddProject("PROJ", "Project");
    for (const char* key : {"PROJ-1", "PROJ-2"}) {
      standin::IssueSeed seed;
      seed.key = key;
      jira_.AddIssue(seed);
    }
    ASSERT_TRUE(outbox::OpenSqliteOutbox(dir_.Path("outbox.sqlite3"), &outbox_).ok());
    jira::DevinfoOptions client_options;
    client_options.api_url = jira_.base_url();
    client_options.site_url = jira_.base_url();
    client_options.client_id = "standin-client-id";
    client_options.client_secret = "standin-client-secret";
    client_ = std::make_unique<jira::DevinfoClient>(client_options);
    options_.site = outbox::DevinfoSite(kJiraSite);
    options_.backoff.base_ms = 1;
    options_.log = [this](const std::string& line) { log_.push_back(line); };
    context_.repository = "platform/api";
    context_.jira_site = kJiraSite;
    context_.jira_repository.id = "platform~2Fapi";
    context_.jira_repository.name = "platform/api";
    context_.jira_repository.url = "https://git.example.com/platform/api";
  }

  jira::DevinfoCommit Commit(int n, const std::string& key = "PROJ-1") {
    jira::DevinfoCommit commit;
    char sha[41];
    std::snprintf(sha, sizeof sha, "%040x", n);
    commit.id = sha;
    commit.display_id = commit.id.substr(0, 7);
    commit.message = key + " change " + std::to_string(n);
    commit.author = {"Ada Lovelace", "ada@example.com", "", ""};
    commit.author_timestamp = "2026-12-08T00:30:00+00:00";
    commit.url = "https://git.example.com/platform/api/commit/" + commit.id;
    commit.file_count = 1;
    commit.issue_keys = {key};
    commit.update_sequence_id = 1000 + n;
    return commit;
  }

  jira::DevinfoBranch Branch(const std::string& name, int tip, std::int64_t sequence) {
    jira::DevinfoBranch branch;
    branch.id = jira::DevinfoEntityId(name);
    branch.name = name;
    branch.url = "https://git.example.com/platform/api/tree/" + name;
    branch.last_commit = Commit(tip);
    branch.issue_keys = {"PROJ-1"};
    branch.update_sequence_id = sequence;
    return branch;
  }

  void Enqueue(const std::vector<Job>& jobs) {
    outbox::EnqueueResult result;
    ASSERT_TRUE(outbox_->Enqueue(jobs, &result).ok());
  }

  DeliveryReport Run() {
    DevinfoDeliverer deliverer(outbox_.get(), client_.get(), options_);
    DeliveryReport report;
    Status status = deliverer.RunOnce(&report);
    EXPECT_TRUE(status.ok()) << status.ToString();
    return report;
  }

  // Runs until nothing is due (retries come due after their backoff), for
  // at most a generous minute: a loaded machine must not fail it.
  void RunUntilIdle() {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
      int due = 0;
      ASSERT_TRUE(outbox_->CountDue(outbox::NowMillis() + 60000, &due).ok());
      if (due == 0) return;
      Run();
      std::optional<outbox::SitePause> pause;
      ASSERT_TRUE(outbox_->GetPause(options_.site, &pause).ok());
      if (pause) {
        ASSERT_TRUE(outbox_->ClearPause(options_.site).ok());
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));  // poll interval
    }
    FAIL() << "jobs still due after a minute";
  }

  json Repository() { return jira_.DevinfoState()["repositories"]["platform~2Fapi"]; }

  int BulkRequests() { return static_cast<int>(jira_.Requests("POST", "/bulk").size()); }

  std::vector<Job> Jobs(JobState state) {
    std::vector<Job> jobs;
    EXPECT_TRUE(outbox_->List(state, 10000, &jobs).ok());
    return jobs;
  }

  static constexpr const char* kJiraSite = "https://example.atlassian.net";
  JiraStandin jira_{CloudOptions()};
  testing::TempDir dir_;
  std::unique_ptr<outbox::Outbox> outbox_;
  std::unique_ptr<jira::DevinfoClient> client_;
  DeliveryOptions options_;
  outbox::DevinfoJobContext context_;
  std::vector<std::string> log_;
};

TEST_F(DevinfoDeliveryTest, CommitsAndBranchesGoInOneBulkRequestAndAreDone) {
  Enqueue({outbox::DevinfoCommitJob(context_, Commit(1)),
           outbox::DevinfoCommitJob(context_, Commit(2, "PROJ-2")),
           outbox::DevinfoBranchJob(context_, std::string(40, '0'), Branch("main", 2, 2000))});
  DeliveryReport report = Run();
  EXPECT_EQ(report.delivered, 3);
  EXPECT_EQ(BulkRequests(), 1);
  json repository = Repository();
  EXPECT_EQ(repository["commits"].size(), 2u);
  EXPECT_EQ(repository["branches"]["main"]["lastCommit"]["id"], Commit(2).id);
  EXPECT_EQ(repository["url"], "https://git.example.com/platform/api");
  EXPECT_EQ(Jobs(JobState::kDone).size(), 3u);
}

TEST_F(DevinfoDeliveryTest, ManyCommitsAreSplitWithinJirasPerRepositoryLimit) {
  std::vector<Job> jobs;
  for (int n = 1; n <= 450; ++n) jobs.push_back(outbox::DevinfoCommitJob(context_, Commit(n)));
  Enqueue(jobs);
  DeliveryReport report = Run();
  EXPECT_EQ(report.delivered, 450);
  EXPECT_EQ(BulkRequests(), 2);  // 400, then 50
  EXPECT_EQ(Repository()["commits"].size(), 450u);
}

TEST_F(DevinfoDeliveryTest, ADeletedBranchIsDeletedAfterItsEarlierUpdate) {
  Enqueue({outbox::DevinfoBranchJob(context_, std::string(40, '0'), Branch("topic", 1, 1000)),
           outbox::DevinfoBranchDeleteJob(context_, Commit(1).id, "topic", "topic", 2000)});
  DeliveryReport report = Run();
  EXPECT_EQ(report.delivered, 2);
  EXPECT_TRUE(Repository()["branches"].empty()) << Repository().dump();
}

TEST_F(DevinfoDeliveryTest, AnOlderUpdateSentLateNeverOverwritesANewerOne) {
  Enqueue({outbox::DevinfoBranchJob(context_, std::string(40, 'b'), Branch("main", 2, 2000))});
  Run();
  // The older update (a retried job, say) arrives after the newer one.
  Enqueue({outbox::DevinfoBranchJob(context_, std::string(40, 'a'), Branch("main", 1, 1000))});
  DeliveryReport report = Run();
  EXPECT_EQ(report.delivered, 1);
  EXPECT_EQ(Repository()["branches"]["main"]["lastCommit"]["id"], Commit(2).id);
}

TEST_F(DevinfoDeliveryTest, A429IsRetriedAfterRetryAfterAndTheRunStops) {
  Enqueue({outbox::DevinfoCommitJob(context_, Commit(1)),
           outbox::DevinfoBranchDeleteJob(context_, Commit(1).id, "gone", "gone", 5000)});
  standin::Fault fault;
  fault.method = "POST";
  fault.path_contains = "/bulk";
  fault.status = 429;
  fault.retry_after = "7";
  fault.times = 1;
  jira_.InjectFault(fault);
  const std::int64_t before = outbox::NowMillis();
  DeliveryReport report = Run();
  EXPECT_EQ(report.retrying, 1);
  EXPECT_EQ(report.delivered, 0);  // the delete waits behind it
  std::vector<Job> pending = Jobs(JobState::kPending);
  ASSERT_EQ(pending.size(), 2u);
  for (const Job& job : pending) {
    if (job.kind == outbox::JobKind::kDevinfoCommit) {
      EXPECT_GE(job.next_attempt_at, before + 7000);
      EXPECT_NE(job.last_error.find("429"), std::string::npos) << job.last_error;
    }
  }
  EXPECT_TRUE(jira_.Requests("DELETE", "/branch/").empty());
}

TEST_F(DevinfoDeliveryTest, ALostReplyAndServerErrorsEndInTheSameStateAsNoFaults) {
  Enqueue({outbox::DevinfoCommitJob(context_, Commit(1)),
           outbox::DevinfoBranchJob(context_, std::string(40, '0'), Branch("main", 1, 1001))});
  standin::Fault lost;
  lost.method = "POST";
  lost.path_contains = "/bulk";
  lost.close_connection = true;
  lost.after_processing = true;
  lost.times = 1;
  jira_.InjectFault(lost);
  standin::Fault unavailable;
  unavailable.method = "POST";
  unavailable.path_contains = "/bulk";
  unavailable.status = 503;
  unavailable.times = 1;
  jira_.InjectFault(unavailable);
  RunUntilIdle();
  EXPECT_EQ(Jobs(JobState::kDone).size(), 2u);
  EXPECT_GE(BulkRequests(), 3);
  json repository = Repository();
  EXPECT_EQ(repository["commits"].size(), 1u);
  EXPECT_EQ(repository["branches"]["main"]["updateSequenceId"], 1001);
}

TEST_F(DevinfoDeliveryTest, AnExpiredTokenIsRefreshedWithoutLosingAnything) {
  Enqueue({outbox::DevinfoCommitJob(context_, Commit(1))});
  Run();
  standin::Fault expire;
  expire.method = "POST";
  expire.path_contains = "/bulk";
  expire.expire_token = true;
  expire.times = 1;
  jira_.InjectFault(expire);
  Enqueue({outbox::DevinfoCommitJob(context_, Commit(2))});
  DeliveryReport report = Run();
  EXPECT_EQ(report.delivered, 1);
  EXPECT_FALSE(report.paused);
  EXPECT_EQ(Repository()["commits"].size(), 2u);
}

TEST_F(DevinfoDeliveryTest, MissingPermissionPausesOnlyTheDevinfoSiteAndSaysWhy) {
  jira_.SetDevinfoPermitted(false);
  Enqueue({outbox::DevinfoCommitJob(context_, Commit(1))});
  DeliveryReport report = Run();
  EXPECT_TRUE(report.paused);
  EXPECT_NE(report.pause_reason.find("Development information"), std::string::npos)
      << report.pause_reason;
  std::vector<Job> pending = Jobs(JobState::kPending);
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].attempts, 0);  // given back untouched
  std::optional<outbox::SitePause> comments;
  ASSERT_TRUE(outbox_->GetPause(kJiraSite, &comments).ok());
  EXPECT_FALSE(comments.has_value());
  // Permitted again: the pause runs out, a probe resumes delivery.
  jira_.SetDevinfoPermitted(true);
  options_.pause_ms = 0;
  outbox::SitePause pause{options_.site, "test", 0, 1};
  ASSERT_TRUE(outbox_->SetPause(pause).ok());
  report = Run();
  EXPECT_FALSE(report.paused);
  EXPECT_EQ(report.delivered, 1);
}

TEST_F(DevinfoDeliveryTest, OneBadEntityFailsAloneWithJirasMessage) {
  jira::DevinfoCommit bad = Commit(2);
  bad.author_timestamp = "not a time";
  bad.id = "bad id with spaces";
  Enqueue({outbox::DevinfoCommitJob(context_, Commit(1)), outbox::DevinfoCommitJob(context_, bad),
           outbox::DevinfoCommitJob(context_, Commit(3))});
  DeliveryReport report = Run();
  EXPECT_EQ(report.delivered, 2);
  EXPECT_EQ(report.dead, 1);
  std::vector<Job> dead = Jobs(JobState::kDead);
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_NE(dead[0].last_error.find("400"), std::string::npos) << dead[0].last_error;
  EXPECT_EQ(Repository()["commits"].size(), 2u);
}

TEST_F(DevinfoDeliveryTest, AnEntityWithOnlyUnknownKeysIsSkippedWithJirasWord) {
  Enqueue({outbox::DevinfoCommitJob(context_, Commit(1, "NOPE-9"))});
  DeliveryReport report = Run();
  EXPECT_EQ(report.skipped, 1);
  std::vector<Job> skipped = Jobs(JobState::kSkipped);
  ASSERT_EQ(skipped.size(), 1u);
  EXPECT_NE(skipped[0].last_error.find("Jira did not store it"), std::string::npos);
}

}  // namespace
}  // namespace jiralink::delivery
