// The outbox's push batches (Outbox::StartEnqueue) and the order delivery
// claims jobs in: pushes in the order they came, each push oldest commit
// first (the hook adds a push's jobs newest first, counting positions down).
#include <chrono>
#include <filesystem>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "jiralink/outbox/sqlite_outbox.h"
#include "old_outbox.h"
#include "outbox_stores.h"
#include "support/test_support.h"

namespace jiralink::outbox {
namespace {

Job MakeJob(const std::string& commit, const std::string& key, std::int64_t position = 0) {
  Job job;
  job.repository = "platform/api";
  job.commit = commit;
  job.key = key;
  job.kind = JobKind::kMention;
  job.branch = "main";
  job.author = "Ada";
  job.message = "msg " + commit;
  job.commit_url = "https://git/" + commit;
  job.position = position;
  return job;
}

// An outbox file as the release with sites (before push_number and
// position) wrote it, holding one pending job of commit "old", due long ago.
void WriteOutboxFromBeforePushOrder(const std::string& path) {
  testing::WriteOldOutbox(path, testing::OldOutbox::kBeforePushOrder, "old");
}

// Run against each store (outbox_stores.h).
class OutboxOrderTest : public ::testing::TestWithParam<OutboxStore> {
 protected:
  void SetUp() override {
    if (std::string why = GetParam().unavailable(); !why.empty()) GTEST_SKIP() << why;
    Status status = GetParam().open(dir_.path(), &outbox_);
    ASSERT_TRUE(status.ok()) << status.ToString();
  }

  std::unique_ptr<Outbox> OpenAgain() {
    std::unique_ptr<Outbox> other;
    Status status = GetParam().open(dir_.path(), &other);
    EXPECT_TRUE(status.ok()) << status.ToString();
    return other;
  }

  bool WriteLockIsFree() { return GetParam().write_lock_is_free(dir_.path()); }

  // Adds `jobs` as one push, in the order given; returns the added flags.
  std::vector<bool> Push(const std::vector<Job>& jobs, Outbox* outbox = nullptr) {
    std::unique_ptr<EnqueueBatch> batch;
    Status status = (outbox ? outbox : outbox_.get())->StartEnqueue(&batch);
    EXPECT_TRUE(status.ok()) << status.ToString();
    std::vector<bool> added;
    if (!batch) return added;
    for (const Job& job : jobs) {
      status = batch->Add(job);
      EXPECT_TRUE(status.ok()) << status.ToString();
    }
    status = batch->Commit(&added);
    EXPECT_TRUE(status.ok()) << status.ToString();
    EXPECT_EQ(added.size(), jobs.size());
    return added;
  }

  // Claims every due job (bounded), in claim order: "commit:key" each.
  std::vector<std::string> ClaimAll(Outbox* outbox = nullptr) {
    std::vector<std::string> order;
    std::int64_t now = NowMillis();
    for (int i = 0; i < 100; ++i) {
      std::optional<Job> job;
      Status status = (outbox ? outbox : outbox_.get())->Claim("", now, now, 60000, &job);
      EXPECT_TRUE(status.ok()) << status.ToString();
      if (!job) break;
      order.push_back(job->commit + ":" + job->key);
    }
    return order;
  }

  std::vector<std::string> Listed(Outbox* outbox = nullptr) {
    std::vector<Job> jobs;
    Status status = (outbox ? outbox : outbox_.get())->List(std::nullopt, 100, &jobs);
    EXPECT_TRUE(status.ok()) << status.ToString();
    std::vector<std::string> out;
    for (const Job& job : jobs) out.push_back(job.commit + ":" + job.key);
    return out;
  }

  testing::TempDir dir_;
  std::unique_ptr<Outbox> outbox_;
};

INSTANTIATE_TEST_SUITE_P(Stores, OutboxOrderTest, ::testing::ValuesIn(AllOutboxStores()),
                         OutboxStoreName());

// Files written by earlier SQLite releases (the same helpers, SQLite only).
using SqliteOutboxUpgradeTest = OutboxOrderTest;
INSTANTIATE_TEST_SUITE_P(Sqlite, SqliteOutboxUpgradeTest, ::testing::Values(SqliteStore()),
                         OutboxStoreName());

using Names = std::vector<std::string>;

TEST_P(OutboxOrderTest, ABatchIsInvisibleToOtherConnectionsUntilCommit) {
  std::unique_ptr<Outbox> worker = OpenAgain();
  ASSERT_TRUE(worker);
  std::unique_ptr<EnqueueBatch> batch;
  ASSERT_TRUE(outbox_->StartEnqueue(&batch).ok());
  // Newest commit first, as the hook adds them.
  ASSERT_TRUE(batch->Add(MakeJob("c3", "A-1", 0)).ok());
  EXPECT_TRUE(Listed(worker.get()).empty()) << "a half-added push is not listed";
  int due = -1;
  ASSERT_TRUE(worker->CountDue(NowMillis(), &due).ok());
  EXPECT_EQ(due, 0);

  // A worker claiming now must not get the newest commit's job before the
  // older ones are in: it finds nothing, or waits for the batch (SQLite: the
  // batch holds the write lock) and then gets the oldest.
  std::future<std::optional<Job>> claimed = std::async(std::launch::async, [&] {
    std::optional<Job> job;
    Status status = worker->Claim("", NowMillis(), NowMillis() + 3600000, 60000, &job);
    EXPECT_TRUE(status.ok()) << status.ToString();
    return job;
  });
  bool answered_early =
      claimed.wait_for(std::chrono::milliseconds(100)) == std::future_status::ready;
  ASSERT_TRUE(batch->Add(MakeJob("c2", "A-1", -1)).ok());
  ASSERT_TRUE(batch->Add(MakeJob("c1", "A-1", -2)).ok());
  std::vector<bool> added;
  ASSERT_TRUE(batch->Commit(&added).ok());
  EXPECT_EQ(added, (std::vector<bool>{true, true, true}));
  std::optional<Job> first = claimed.get();
  if (answered_early) {
    EXPECT_FALSE(first.has_value()) << "claimed " << first->commit << " of an uncommitted push";
  } else {
    ASSERT_TRUE(first.has_value());
    EXPECT_EQ(first->commit, "c1") << "the worker saw the push before it was complete";
  }
  EXPECT_EQ(Listed(worker.get()), (Names{"c3:A-1", "c2:A-1", "c1:A-1"}));
}

TEST_P(OutboxOrderTest, ABatchDestroyedWithoutCommitAddsNothingAndFreesTheLock) {
  {
    std::unique_ptr<EnqueueBatch> batch;
    ASSERT_TRUE(outbox_->StartEnqueue(&batch).ok());
    ASSERT_TRUE(batch->Add(MakeJob("c1", "A-1")).ok());
    ASSERT_TRUE(batch->Add(MakeJob("c2", "A-2")).ok());
    EXPECT_FALSE(WriteLockIsFree()) << "the first Add takes the write lock";
  }
  EXPECT_TRUE(WriteLockIsFree()) << "the abandoned batch still holds the lock";
  EXPECT_TRUE(Listed().empty());
  std::unique_ptr<Outbox> other = OpenAgain();
  ASSERT_TRUE(other);
  EXPECT_TRUE(Listed(other.get()).empty());
  // Another writer can go on, and the abandoned jobs are new to it.
  EXPECT_EQ(Push({MakeJob("c1", "A-1")}, other.get()), (std::vector<bool>{true}));
  EXPECT_EQ(Listed(), (Names{"c1:A-1"}));
}

TEST_P(OutboxOrderTest, AddReportsDuplicatesOfEarlierPushesAndWithinTheBatch) {
  EXPECT_EQ(Push({MakeJob("c1", "A-1")}), (std::vector<bool>{true}));
  Job close = MakeJob("c2", "A-1");
  close.kind = JobKind::kClose;
  EXPECT_EQ(Push({MakeJob("c1", "A-1", -1), MakeJob("c2", "A-1"), MakeJob("c2", "A-1", -5), close,
                  MakeJob("c1", "A-2")}),
            (std::vector<bool>{false, true, false, true, true}));
  std::vector<Job> jobs;
  ASSERT_TRUE(outbox_->List(std::nullopt, 100, &jobs).ok());
  ASSERT_EQ(jobs.size(), 4u);
  for (const Job& job : jobs) {
    if (job.commit == "c2" && job.kind == JobKind::kMention) {
      EXPECT_EQ(job.position, 0) << "the duplicate must not overwrite the first one";
    }
  }
}

TEST_P(OutboxOrderTest, ABatchWithoutJobsTakesNoLockAndCommitsNothing) {
  std::unique_ptr<EnqueueBatch> batch;
  ASSERT_TRUE(outbox_->StartEnqueue(&batch).ok());
  EXPECT_TRUE(WriteLockIsFree()) << "StartEnqueue alone took the write lock";
  // Another hook's push goes through meanwhile, without waiting.
  std::unique_ptr<Outbox> other = OpenAgain();
  ASSERT_TRUE(other);
  auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(Push({MakeJob("c9", "B-1")}, other.get()), (std::vector<bool>{true}));
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(2));
  std::vector<bool> added = {true};
  EXPECT_TRUE(batch->Commit(&added).ok());
  EXPECT_TRUE(added.empty());
  EXPECT_TRUE(WriteLockIsFree());
  EXPECT_EQ(Listed(), (Names{"c9:B-1"}));
  // Commit of an empty batch twice, and Enqueue of nothing: still fine.
  EXPECT_TRUE(batch->Commit(nullptr).ok());
  EnqueueResult result;
  ASSERT_TRUE(outbox_->Enqueue({}, &result).ok());
  EXPECT_EQ(result.added, 0);
  EXPECT_TRUE(WriteLockIsFree());
}

TEST_P(OutboxOrderTest, OnePushIsClaimedOldestCommitFirst) {
  // The hook walks newest first: positions 0, -1, -2.
  Push({MakeJob("c3", "A-1", 0), MakeJob("c2", "A-1", -1), MakeJob("c1", "A-1", -2)});
  EXPECT_EQ(ClaimAll(), (Names{"c1:A-1", "c2:A-1", "c3:A-1"}));
}

TEST_P(OutboxOrderTest, EqualPositionsKeepTheOrderTheyWereAdded) {
  // One commit's jobs share a position: close jobs first, then mentions.
  Push({MakeJob("c2", "A-2", 0), MakeJob("c2", "A-1", 0), MakeJob("c1", "A-3", -1),
        MakeJob("c1", "A-0", -1)});
  EXPECT_EQ(ClaimAll(), (Names{"c1:A-3", "c1:A-0", "c2:A-2", "c2:A-1"}));
}

TEST_P(OutboxOrderTest, EveryJobOfAnEarlierPushComesBeforeALaterPushs) {
  Push({MakeJob("p1c2", "A-1", 0), MakeJob("p1c1", "A-1", -1)});
  // The second push is longer: its positions go lower than the first's.
  Push({MakeJob("p2c3", "A-1", 0), MakeJob("p2c2", "A-1", -1), MakeJob("p2c1", "A-1", -2)});
  // A third push of two branch updates, the second update's job added first.
  Push({MakeJob("p3b", "A-1", std::int64_t{1} << 32), MakeJob("p3a", "A-1", 0)});
  // p1c2 (position 0) still comes before the whole second push.
  Names expected = {"p1c1:A-1", "p1c2:A-1", "p2c1:A-1", "p2c2:A-1",
                    "p2c3:A-1", "p3a:A-1",  "p3b:A-1"};
  EXPECT_EQ(ClaimAll(), expected);
}

TEST_P(OutboxOrderTest, RetryingEverythingKeepsPushOrderThenPosition) {
  Push({MakeJob("p1c2", "A-1", 0), MakeJob("p1c1", "A-1", -1)});
  Push({MakeJob("p2c3", "A-1", 0), MakeJob("p2c2", "A-1", -1), MakeJob("p2c1", "A-1", -2)});
  // Deliver some, fail some: their due times now differ.
  std::int64_t now = NowMillis();
  std::optional<Job> job;
  ASSERT_TRUE(outbox_->Claim("", now, now, 60000, &job).ok());
  ASSERT_TRUE(job.has_value());
  ASSERT_TRUE(outbox_->MarkDead(*job, "HTTP 404").ok());
  ASSERT_TRUE(outbox_->Claim("", now, now, 60000, &job).ok());
  ASSERT_TRUE(job.has_value());
  ASSERT_TRUE(outbox_->MarkRetry(*job, now + 3600000, "HTTP 503").ok());
  int changed = 0;
  ASSERT_TRUE(outbox_->Retry(RetryScope::kAll, 0, &changed).ok());
  EXPECT_EQ(changed, 5);
  // Every job is due at the same moment now: only push and position order.
  EXPECT_EQ(ClaimAll(), (Names{"p1c1:A-1", "p1c2:A-1", "p2c1:A-1", "p2c2:A-1", "p2c3:A-1"}));
}

TEST_P(OutboxOrderTest, ListShowsTheNewestPushFirstAndItsNewestCommitFirst) {
  Push({MakeJob("p1c2", "A-1", 0), MakeJob("p1c1", "A-1", -1)});
  Push({MakeJob("p2c3", "A-1", 0), MakeJob("p2c2", "A-1", -1), MakeJob("p2c1", "A-1", -2)});
  EXPECT_EQ(Listed(), (Names{"p2c3:A-1", "p2c2:A-1", "p2c1:A-1", "p1c2:A-1", "p1c1:A-1"}));
  std::vector<Job> jobs;
  ASSERT_TRUE(outbox_->List(std::nullopt, 100, &jobs).ok());
  ASSERT_EQ(jobs.size(), 5u);
  EXPECT_EQ(jobs[2].position, -2) << "List reads the position back";
  // The limit keeps the newest.
  ASSERT_TRUE(outbox_->List(JobState::kPending, 2, &jobs).ok());
  ASSERT_EQ(jobs.size(), 2u);
  EXPECT_EQ(jobs[0].commit, "p2c3");
  EXPECT_EQ(jobs[1].commit, "p2c2");
}

TEST_P(OutboxOrderTest, PushOrderHoldsAcrossConnections) {
  std::unique_ptr<Outbox> other = OpenAgain();
  ASSERT_TRUE(other);
  Push({MakeJob("p1c1", "A-1", 0)}, other.get());
  Push({MakeJob("p2c2", "A-1", 0), MakeJob("p2c1", "A-1", -1)});
  Push({MakeJob("p3c1", "A-1", -7)}, other.get());
  int changed = 0;
  ASSERT_TRUE(outbox_->Retry(RetryScope::kAll, 0, &changed).ok());
  EXPECT_EQ(ClaimAll(other.get()), (Names{"p1c1:A-1", "p2c1:A-1", "p2c2:A-1", "p3c1:A-1"}));
}

TEST_P(SqliteOutboxUpgradeTest, AnOutboxFromBeforePushOrderIsUpgradedAndItsJobsGoFirst) {
  outbox_.reset();
  std::string old_path = dir_.Path("old/outbox.sqlite3");
  ASSERT_NO_FATAL_FAILURE(WriteOutboxFromBeforePushOrder(old_path));

  std::unique_ptr<Outbox> upgraded;
  Status status = OpenSqliteOutbox(old_path, &upgraded);
  ASSERT_TRUE(status.ok()) << status.ToString();
  std::vector<Job> jobs;
  ASSERT_TRUE(upgraded->List(std::nullopt, 100, &jobs).ok());
  ASSERT_EQ(jobs.size(), 1u) << "the old job survives the upgrade";
  EXPECT_EQ(jobs[0].commit, "old");
  EXPECT_EQ(jobs[0].position, 0);
  EXPECT_EQ(jobs[0].state, JobState::kPending);

  // A new push with a lower position than the old job's default.
  Push({MakeJob("new2", "A-1", 0), MakeJob("new1", "A-1", -1)}, upgraded.get());
  ASSERT_TRUE(upgraded->List(std::nullopt, 100, &jobs).ok());
  ASSERT_EQ(jobs.size(), 3u);
  EXPECT_EQ(jobs.back().commit, "old") << "List: the old job is the oldest push";
  // Equally due (as after `queue retry --all`), the old job still goes first.
  int changed = 0;
  ASSERT_TRUE(upgraded->Retry(RetryScope::kAll, 0, &changed).ok());
  EXPECT_EQ(changed, 3);
  EXPECT_EQ(ClaimAll(upgraded.get()), (Names{"old:A-1", "new1:A-1", "new2:A-1"}));

  // Opening the upgraded file again changes nothing.
  upgraded.reset();
  ASSERT_TRUE(OpenSqliteOutbox(old_path, &upgraded).ok());
  ASSERT_TRUE(upgraded->List(std::nullopt, 100, &jobs).ok());
  EXPECT_EQ(jobs.size(), 3u);
}

TEST_P(SqliteOutboxUpgradeTest, AnOldJobIsClaimedBeforeANewOneWithoutARetry) {
  outbox_.reset();
  std::string old_path = dir_.Path("old/outbox.sqlite3");
  ASSERT_NO_FATAL_FAILURE(WriteOutboxFromBeforePushOrder(old_path));
  std::unique_ptr<Outbox> upgraded;
  ASSERT_TRUE(OpenSqliteOutbox(old_path, &upgraded).ok());
  Push({MakeJob("new", "A-1", -3)}, upgraded.get());
  EXPECT_EQ(ClaimAll(upgraded.get()), (Names{"old:A-1", "new:A-1"}));
}

}  // namespace
}  // namespace jiralink::outbox
