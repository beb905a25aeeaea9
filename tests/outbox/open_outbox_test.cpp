// Opening the configured outbox, and the spool a push falls back to when
// its PostgreSQL outbox cannot be reached (outbox/open_outbox.h).
#include "jiralink/outbox/open_outbox.h"

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "outbox_stores.h"
#include "support/postgres_server.h"
#include "support/test_support.h"

namespace jiralink::outbox {
namespace {

using ::testing::HasSubstr;

Job MakeJob(const std::string& commit, const std::string& key, std::int64_t position) {
  Job job;
  job.repository = "platform/api";
  job.commit = commit;
  job.key = key;
  job.message = "msg " + commit;
  job.site = "https://jira.example.com";
  job.position = position;
  return job;
}

class OpenOutboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    bool missing = false;
    if (testing::PostgresServer::Shared(&why, &missing) == nullptr && missing) {
      GTEST_SKIP() << why;
    }
    reachable_.sqlite_path = dir_.Path("state/outbox.sqlite3");
    reachable_.postgres_uri = PostgresStoreUri(dir_.path(), &why);
    ASSERT_FALSE(reachable_.postgres_uri.empty()) << why;
    unreachable_ = reachable_;
    unreachable_.postgres_uri = "postgresql://postgres@/jl?host=" + nowhere_.path();
  }

  // Claims everything due in `outbox`: "commit:key" in claim order.
  static std::vector<std::string> ClaimAll(Outbox* outbox) {
    std::vector<std::string> order;
    for (int i = 0; i < 100; ++i) {
      std::optional<Job> job;
      EXPECT_TRUE(
          outbox->Claim("https://jira.example.com", NowMillis(), NowMillis(), 60000, &job).ok());
      if (!job) break;
      order.push_back(job->commit + ":" + job->key);
    }
    return order;
  }

  testing::TempDir dir_;
  testing::TempDir nowhere_;  // no server listens here
  OutboxLocation reachable_;
  OutboxLocation unreachable_;
};

TEST_F(OpenOutboxTest, AnUnreachableServerFailsUnlessTheCallerTakesTheSpool) {
  std::unique_ptr<Outbox> outbox;
  std::string reason;
  Status status =
      OpenOutboxAt(unreachable_, Checkpoints::kAutomatic, WhenUnreachable::kFail, &outbox, &reason);
  EXPECT_EQ(status.code(), Status::Code::kUnavailable);
  EXPECT_FALSE(std::filesystem::exists(reachable_.sqlite_path)) << "no spool without a push";

  status = OpenOutboxAt(unreachable_, Checkpoints::kOnlyWhenLarge, WhenUnreachable::kSpool, &outbox,
                        &reason);
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_THAT(reason, HasSubstr("cannot connect"));
  EXPECT_TRUE(std::filesystem::exists(reachable_.sqlite_path));

  // Reachable: the PostgreSQL outbox itself, no reason.
  status = OpenOutboxAt(reachable_, Checkpoints::kOnlyWhenLarge, WhenUnreachable::kSpool, &outbox,
                        &reason);
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_TRUE(reason.empty());
  EXPECT_TRUE(outbox->CanWaitForJobs()) << "that is the PostgreSQL store";
}

TEST_F(OpenOutboxTest, TheSpoolIsMovedExactlyOnceInDeliveryOrder) {
  std::unique_ptr<Outbox> spool;
  std::string reason;
  ASSERT_TRUE(OpenOutboxAt(unreachable_, Checkpoints::kOnlyWhenLarge, WhenUnreachable::kSpool,
                           &spool, &reason)
                  .ok());
  EnqueueResult added;
  // Two pushes while the server was away, each newest commit first.
  ASSERT_TRUE(spool->Enqueue({MakeJob("p1c2", "A-1", 0), MakeJob("p1c1", "A-1", -1)}, &added).ok());
  ASSERT_TRUE(spool->Enqueue({MakeJob("p2c2", "A-1", 0), MakeJob("p2c1", "A-1", -1)}, &added).ok());
  spool.reset();

  std::unique_ptr<Outbox> fleet;
  ASSERT_TRUE(
      OpenOutboxAt(reachable_, Checkpoints::kAutomatic, WhenUnreachable::kFail, &fleet, &reason)
          .ok());
  // A move that died after PostgreSQL committed and before the spool forgot:
  // its jobs are in both.
  ASSERT_TRUE(fleet->Enqueue({MakeJob("p1c1", "A-1", 7)}, &added).ok());

  int moved = 0;
  Status status = MoveSpoolInto(reachable_.sqlite_path, fleet.get(), &moved);
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(moved, 4);
  std::vector<Job> jobs;
  ASSERT_TRUE(fleet->List(std::nullopt, 100, &jobs).ok());
  EXPECT_EQ(jobs.size(), 4u) << "p1c1 once, though it was in both";
  for (const Job& job : jobs) EXPECT_EQ(job.message, "msg " + job.commit);

  // Again: nothing left to move.
  ASSERT_TRUE(MoveSpoolInto(reachable_.sqlite_path, fleet.get(), &moved).ok());
  EXPECT_EQ(moved, 0);
  std::unique_ptr<Outbox> reopened;
  ASSERT_TRUE(OpenSqliteOutbox(reachable_.sqlite_path, &reopened).ok());
  ASSERT_TRUE(reopened->List(std::nullopt, 100, &jobs).ok());
  EXPECT_TRUE(jobs.empty());

  // Oldest push first, each push oldest commit first (p1c1 was there already).
  EXPECT_EQ(ClaimAll(fleet.get()),
            (std::vector<std::string>{"p1c1:A-1", "p1c2:A-1", "p2c1:A-1", "p2c2:A-1"}));
}

TEST_F(OpenOutboxTest, WithoutASpoolFileNothingIsMovedOrCreated) {
  std::unique_ptr<Outbox> fleet;
  std::string reason;
  ASSERT_TRUE(
      OpenOutboxAt(reachable_, Checkpoints::kAutomatic, WhenUnreachable::kFail, &fleet, &reason)
          .ok());
  int moved = -1;
  ASSERT_TRUE(MoveSpoolInto(reachable_.sqlite_path, fleet.get(), &moved).ok());
  EXPECT_EQ(moved, 0);
  EXPECT_FALSE(std::filesystem::exists(reachable_.sqlite_path));
}

}  // namespace
}  // namespace jiralink::outbox
