#include "jiralink/outbox/sqlite_outbox.h"

#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "old_outbox.h"
#include "support/test_support.h"

namespace jiralink::outbox {
namespace {

Job MakeJob(const std::string& commit, const std::string& key, JobKind kind = JobKind::kMention) {
  Job job;
  job.repository = "platform/api";
  job.commit = commit;
  job.key = key;
  job.kind = kind;
  job.branch = "main";
  job.author = "Ada";
  job.message = "msg " + key;
  job.commit_url = "https://git/" + commit;
  return job;
}

class OutboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.Path("state/outbox.sqlite3");
    Status status = OpenSqliteOutbox(path_, &outbox_);
    ASSERT_TRUE(status.ok()) << status.ToString();
  }
  Job ClaimOne(std::int64_t now, std::int64_t lease = 60000) {
    std::optional<Job> job;
    EXPECT_TRUE(outbox_->Claim("", now, now, lease, &job).ok());
    EXPECT_TRUE(job.has_value());
    return job.value_or(Job());
  }
  testing::TempDir dir_;
  std::string path_;
  std::unique_ptr<Outbox> outbox_;
};

TEST_F(OutboxTest, EnqueueIgnoresDuplicatesOfRepositoryCommitKeyKind) {
  EnqueueResult r;
  ASSERT_TRUE(outbox_->Enqueue({MakeJob("c1", "A-1"), MakeJob("c1", "A-2")}, &r).ok());
  EXPECT_EQ(r.added, 2);
  ASSERT_TRUE(outbox_
                  ->Enqueue({MakeJob("c1", "A-1"), MakeJob("c1", "A-1", JobKind::kClose),
                             MakeJob("c2", "A-1")},
                            &r)
                  .ok());
  EXPECT_EQ(r.added, 2);
  EXPECT_EQ(r.duplicate, 1);
  EXPECT_EQ(r.is_new, (std::vector<bool>{false, true, true}));
  std::vector<Job> jobs;
  ASSERT_TRUE(outbox_->List(std::nullopt, 100, &jobs).ok());
  EXPECT_EQ(jobs.size(), 4u);
}

TEST_F(OutboxTest, ClaimLeasesTheOldestDueJobAndKeepsItFromOthers) {
  EnqueueResult r;
  ASSERT_TRUE(outbox_->Enqueue({MakeJob("c1", "A-1"), MakeJob("c2", "A-2")}, &r).ok());
  std::int64_t now = NowMillis();
  Job first = ClaimOne(now);
  EXPECT_EQ(first.key, "A-1");
  EXPECT_EQ(first.attempts, 1);
  Job second = ClaimOne(now);
  EXPECT_EQ(second.key, "A-2");
  std::optional<Job> none;
  ASSERT_TRUE(outbox_->Claim("", now, now, 60000, &none).ok());
  EXPECT_FALSE(none.has_value());
  ASSERT_TRUE(outbox_->MarkDone(first, "ok").ok());
  std::optional<Job> stored;
  ASSERT_TRUE(outbox_->Get(first.id, &stored).ok());
  EXPECT_EQ(stored->state, JobState::kDone);
  EXPECT_EQ(stored->last_error, "ok");
}

TEST_F(OutboxTest, ClaimTakesOnlyTheGivenSitesJobs) {
  Job to_a = MakeJob("c1", "A-1");
  to_a.site = "https://a.example.com";
  Job to_b = MakeJob("c2", "B-1");
  to_b.site = "https://b.example.com";
  to_b.repository = "ops/tools";
  EnqueueResult r;
  ASSERT_TRUE(outbox_->Enqueue({to_a, to_b}, &r).ok());
  std::int64_t now = NowMillis();
  std::vector<DueSite> sites;
  ASSERT_TRUE(outbox_->ListDueSites(now, &sites).ok());
  ASSERT_EQ(sites.size(), 2u);
  EXPECT_EQ(sites[0].site, "https://a.example.com");
  EXPECT_EQ(sites[0].repository, "platform/api");
  EXPECT_EQ(sites[1].repository, "ops/tools");
  std::optional<Job> job;
  ASSERT_TRUE(outbox_->Claim("https://b.example.com", now, now, 60000, &job).ok());
  ASSERT_TRUE(job.has_value());
  EXPECT_EQ(job->key, "B-1");
  EXPECT_EQ(job->site, "https://b.example.com");
  ASSERT_TRUE(outbox_->Claim("https://b.example.com", now, now, 60000, &job).ok());
  EXPECT_FALSE(job.has_value()) << "A-1 belongs to the other site";
}

TEST_F(OutboxTest, AnOutboxFromBeforeSitesIsUpgradedAndItsJobsGetASite) {
  outbox_.reset();
  std::string old_path = dir_.Path("old/outbox.sqlite3");
  testing::WriteOldOutbox(old_path, testing::OldOutbox::kFirstRelease, "c1");

  std::unique_ptr<Outbox> upgraded;
  Status status = OpenSqliteOutbox(old_path, &upgraded);
  ASSERT_TRUE(status.ok()) << status.ToString();
  std::vector<std::string> repositories;
  ASSERT_TRUE(upgraded->ListRepositoriesWithoutSite(&repositories).ok());
  EXPECT_EQ(repositories, (std::vector<std::string>{"platform/api"}));
  ASSERT_TRUE(upgraded->AssignSite("platform/api", "https://a.example.com").ok());
  std::optional<Job> job;
  std::int64_t now = NowMillis();
  ASSERT_TRUE(upgraded->Claim("https://a.example.com", now, now, 60000, &job).ok());
  ASSERT_TRUE(job.has_value());
  EXPECT_EQ(job->key, "A-1");
  ASSERT_TRUE(upgraded->ListRepositoriesWithoutSite(&repositories).ok());
  EXPECT_TRUE(repositories.empty());
}

TEST_F(OutboxTest, AnExpiredLeaseIsClaimedAgainAndTheOldOwnerCannotFinish) {
  EnqueueResult r;
  ASSERT_TRUE(outbox_->Enqueue({MakeJob("c1", "A-1")}, &r).ok());
  std::int64_t now = NowMillis();
  Job dead_worker = ClaimOne(now, 1000);
  Job next_worker = ClaimOne(now + 1001, 1000);
  EXPECT_EQ(next_worker.id, dead_worker.id);
  EXPECT_EQ(next_worker.attempts, 2);
  EXPECT_EQ(outbox_->MarkDone(dead_worker, "late").code(), Status::Code::kNotFound);
  EXPECT_TRUE(outbox_->MarkDone(next_worker, "ok").ok());
}

TEST_F(OutboxTest, RetryLaterDeadAndQueueRetry) {
  EnqueueResult r;
  ASSERT_TRUE(outbox_->Enqueue({MakeJob("c1", "A-1"), MakeJob("c2", "A-2")}, &r).ok());
  std::int64_t now = NowMillis();
  Job a = ClaimOne(now);
  Job b = ClaimOne(now);
  ASSERT_TRUE(outbox_->MarkRetry(a, now + 3600000, "HTTP 503").ok());
  ASSERT_TRUE(outbox_->MarkDead(b, "HTTP 404: Issue does not exist").ok());
  int due = -1;
  ASSERT_TRUE(outbox_->CountDue(NowMillis(), &due).ok());
  EXPECT_EQ(due, 0);
  int changed = 0;
  ASSERT_TRUE(outbox_->Retry(RetryScope::kDead, 0, &changed).ok());
  EXPECT_EQ(changed, 1);
  ASSERT_TRUE(outbox_->CountDue(NowMillis(), &due).ok());
  EXPECT_EQ(due, 1);
  ASSERT_TRUE(outbox_->Retry(RetryScope::kAll, 0, &changed).ok());
  ASSERT_TRUE(outbox_->CountDue(NowMillis(), &due).ok());
  EXPECT_EQ(due, 2);
  Job again = ClaimOne(NowMillis());
  EXPECT_EQ(again.attempts, 1) << "retry gives a fresh attempt budget";
}

TEST_F(OutboxTest, ReleaseDoesNotCountTheAttempt) {
  EnqueueResult r;
  ASSERT_TRUE(outbox_->Enqueue({MakeJob("c1", "A-1")}, &r).ok());
  Job a = ClaimOne(NowMillis());
  ASSERT_TRUE(outbox_->Release(a, "paused").ok());
  Job b = ClaimOne(NowMillis());
  EXPECT_EQ(b.attempts, 1);
}

TEST_F(OutboxTest, PausesPersistAndRetryClearsThem) {
  SitePause pause{"http://jira", "HTTP 401", NowMillis(), NowMillis() + 60000};
  ASSERT_TRUE(outbox_->SetPause(pause).ok());
  std::unique_ptr<Outbox> reopened;
  ASSERT_TRUE(OpenSqliteOutbox(path_, &reopened).ok());
  std::optional<SitePause> got;
  ASSERT_TRUE(reopened->GetPause("http://jira", &got).ok());
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->reason, "HTTP 401");
  int changed = 0;
  ASSERT_TRUE(reopened->Retry(RetryScope::kAll, 0, &changed).ok());
  ASSERT_TRUE(outbox_->GetPause("http://jira", &got).ok());
  EXPECT_FALSE(got.has_value());
}

TEST_F(OutboxTest, DropDeletesAndNamesAMissingId) {
  EnqueueResult r;
  ASSERT_TRUE(outbox_->Enqueue({MakeJob("c1", "A-1")}, &r).ok());
  std::vector<Job> jobs;
  ASSERT_TRUE(outbox_->List(JobState::kPending, 10, &jobs).ok());
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_TRUE(outbox_->Drop(jobs[0].id).ok());
  Status missing = outbox_->Drop(jobs[0].id);
  EXPECT_EQ(missing.code(), Status::Code::kNotFound);
  EXPECT_NE(missing.message().find(std::to_string(jobs[0].id)), std::string::npos);
}

TEST_F(OutboxTest, PurgeDoneForgetsOnlyDeliveredJobsFinishedBeforeTheCutoff) {
  EnqueueResult r;
  ASSERT_TRUE(outbox_->Enqueue({MakeJob("c1", "A-1"), MakeJob("c2", "A-2")}, &r).ok());
  Job done = ClaimOne(NowMillis());
  ASSERT_TRUE(outbox_->MarkDone(done, "ok").ok());
  int removed = -1;
  ASSERT_TRUE(outbox_->PurgeDone(NowMillis() - 60000, &removed).ok());
  EXPECT_EQ(removed, 0) << "delivered just now: kept";
  ASSERT_TRUE(outbox_->PurgeDone(NowMillis() + 1, &removed).ok());
  EXPECT_EQ(removed, 1);
  std::vector<Job> jobs;
  ASSERT_TRUE(outbox_->List(std::nullopt, 10, &jobs).ok());
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].state, JobState::kPending) << "pending jobs are never purged";
  EXPECT_NE(jobs[0].key, done.key);
}

TEST_F(OutboxTest, ManyProcessesEnqueueAndClaimWithoutLosingOrDoublingJobs) {
  constexpr int kWriters = 8;
  constexpr int kJobsEach = 25;
  std::vector<pid_t> children;
  for (int w = 0; w < kWriters; ++w) {
    pid_t pid = fork();
    if (pid == 0) {
      std::unique_ptr<Outbox> own;
      if (!OpenSqliteOutbox(path_, &own).ok()) _exit(1);
      std::vector<Job> jobs;
      // Every writer also re-adds writer 0's jobs: duplicates must be ignored.
      for (int i = 0; i < kJobsEach; ++i) {
        jobs.push_back(MakeJob("w" + std::to_string(w) + "-" + std::to_string(i), "A-1"));
        jobs.push_back(MakeJob("w0-" + std::to_string(i), "A-1"));
      }
      EnqueueResult r;
      _exit(own->Enqueue(jobs, &r).ok() ? 0 : 2);
    }
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int status = 0;
    waitpid(pid, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  std::vector<Job> jobs;
  ASSERT_TRUE(outbox_->List(std::nullopt, 1000, &jobs).ok());
  EXPECT_EQ(jobs.size(), static_cast<std::size_t>(kWriters * kJobsEach));
  std::set<std::int64_t> claimed;
  std::optional<Job> job;
  while (outbox_->Claim("", NowMillis(), NowMillis(), 60000, &job).ok() && job) {
    EXPECT_TRUE(claimed.insert(job->id).second);
  }
  EXPECT_EQ(claimed.size(), jobs.size());
}

// The write-ahead log's header (32 bytes). Its checkpoint sequence number and
// salts change whenever a writer starts the log anew, which costs that
// writer two disk syncs (the header, then the directory).
std::string WalHeader(const std::string& outbox_path) {
  std::ifstream wal(outbox_path + "-wal", std::ios::binary);
  std::string header(32, '\0');
  if (!wal.read(header.data(), 32)) return "";
  return header;
}

// What a push does after the delivery worker ran: a hook's connection adds
// jobs and exits.
void PushOneJob(const std::string& path, const std::string& commit) {
  std::unique_ptr<Outbox> hook;
  ASSERT_TRUE(OpenSqliteOutbox(path, &hook, Checkpoints::kOnlyWhenLarge).ok());
  EnqueueResult result;
  ASSERT_TRUE(hook->Enqueue({MakeJob(commit, "A-1")}, &result).ok());
  EXPECT_EQ(result.added, 1);
}

TEST(SqliteOutbox, AfterPrepareForPushesAPushAppendsToTheLogInsteadOfStartingIt) {
  testing::TempDir dir;
  const std::string path = dir.Path("outbox.sqlite3");
  PushOneJob(path, "c1");
  {
    std::unique_ptr<Outbox> worker;
    ASSERT_TRUE(OpenSqliteOutbox(path, &worker).ok());
    ASSERT_TRUE(worker->PrepareForPushes().ok());
  }
  const std::string prepared = WalHeader(path);
  ASSERT_FALSE(prepared.empty()) << "the worker left no log for the next push";
  PushOneJob(path, "c2");
  EXPECT_EQ(WalHeader(path), prepared) << "the push started the log itself (two syncs)";

  // Without it, a worker's closing checkpoint leaves the next push to start
  // the log: the header changes. (This shows the check above can fail.)
  {
    std::unique_ptr<Outbox> reader;
    ASSERT_TRUE(OpenSqliteOutbox(path, &reader).ok());
    std::vector<Job> jobs;
    ASSERT_TRUE(reader->List(std::nullopt, 10, &jobs).ok());
    EXPECT_EQ(jobs.size(), 2u);
  }
  const std::string checkpointed = WalHeader(path);
  PushOneJob(path, "c3");
  EXPECT_NE(WalHeader(path), checkpointed);

  // Nothing was lost on the way.
  std::unique_ptr<Outbox> check;
  ASSERT_TRUE(OpenSqliteOutbox(path, &check).ok());
  std::vector<Job> jobs;
  ASSERT_TRUE(check->List(std::nullopt, 10, &jobs).ok());
  EXPECT_EQ(jobs.size(), 3u);
}

TEST(SqliteOutbox, UnwritableLocationFailsNamingThePath) {
  std::unique_ptr<Outbox> outbox;
  Status status = OpenSqliteOutbox("/proc/jiralink-no/outbox.sqlite3", &outbox);
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("/proc/jiralink-no"), std::string::npos);
}

}  // namespace
}  // namespace jiralink::outbox
