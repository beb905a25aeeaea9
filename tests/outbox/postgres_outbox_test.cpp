// What the PostgreSQL store adds to the shared contract (outbox_test.cpp):
// its schema and migrations, an unreachable server, and LISTEN/NOTIFY.
#include "jiralink/outbox/postgres_outbox.h"

#include <chrono>
#include <future>
#include <memory>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "outbox_stores.h"
#include "support/postgres_server.h"
#include "support/test_support.h"

namespace jiralink::outbox {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

Job MakeJob(const std::string& commit, const std::string& key) {
  Job job;
  job.repository = "platform/api";
  job.commit = commit;
  job.key = key;
  job.message = "msg " + key;
  return job;
}

class PostgresOutboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string skip, error;
    server_ = testing::SharedServerWithDatabase(dir_.path(), &database_, &skip, &error);
    if (!skip.empty()) GTEST_SKIP() << skip;
    ASSERT_NE(server_, nullptr) << error;
    uri_ = server_->Uri(database_);
  }
  Status Open(std::unique_ptr<Outbox>* out) {
    PostgresOptions options;
    options.uri = uri_;
    return OpenPostgresOutbox(options, out);
  }
  testing::TempDir dir_;
  testing::PostgresServer* server_ = nullptr;
  std::string uri_;
  std::string database_;
};

TEST_F(PostgresOutboxTest, TheSchemaIsCreatedOnceAndItsVersionRecorded) {
  std::unique_ptr<Outbox> first;
  ASSERT_TRUE(Open(&first).ok());
  std::unique_ptr<Outbox> second;
  ASSERT_TRUE(Open(&second).ok()) << "opening an up-to-date schema again";
  std::string error;
  // Exactly one row, the current version: a second row would make this fail.
  EXPECT_TRUE(server_->Exec(database_,
                            "DO $$ BEGIN IF (SELECT array_agg(version) FROM "
                            "jiralink_schema_version) <> ARRAY[" +
                                std::to_string(kPostgresSchemaVersion) +
                                "] THEN RAISE 'wrong versions'; END IF; END $$",
                            &error))
      << error;
}

TEST_F(PostgresOutboxTest, ManyHostsOpeningAtOnceMigrateOnce) {
  std::vector<std::future<Status>> opens;
  for (int i = 0; i < 6; ++i) {
    opens.push_back(std::async(std::launch::async, [this] {
      std::unique_ptr<Outbox> outbox;
      return Open(&outbox);
    }));
  }
  for (auto& open : opens) {
    Status status = open.get();
    EXPECT_TRUE(status.ok()) << status.ToString();
  }
  std::string error;
  EXPECT_TRUE(server_->Exec(database_,
                            "DO $$ BEGIN IF (SELECT count(*) FROM jiralink_schema_version) <> 1 "
                            "THEN RAISE 'migrated twice'; END IF; END $$",
                            &error))
      << error;
}

TEST_F(PostgresOutboxTest, ASchemaNewerThanThisBuildIsRefused) {
  std::unique_ptr<Outbox> outbox;
  ASSERT_TRUE(Open(&outbox).ok());
  std::string error;
  ASSERT_TRUE(
      server_->Exec(database_, "INSERT INTO jiralink_schema_version (version) VALUES (99)", &error))
      << error;
  Status status = Open(&outbox);
  EXPECT_EQ(status.code(), Status::Code::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("version 99"));
  EXPECT_THAT(status.message(), HasSubstr("upgrade jiralink"));
}

TEST_F(PostgresOutboxTest, AnUnreachableServerIsUnavailableAndTheMessageHidesThePassword) {
  testing::TempDir nothing_listens;
  PostgresOptions options;
  options.uri = "postgresql://jl:hunter2@/jl?host=" + nothing_listens.path();
  options.password = "hunter3";
  std::unique_ptr<Outbox> outbox;
  auto started = std::chrono::steady_clock::now();
  Status status = OpenPostgresOutbox(options, &outbox);
  EXPECT_EQ(status.code(), Status::Code::kUnavailable) << status.ToString();
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(30));
  EXPECT_THAT(status.message(), HasSubstr("cannot connect"));
  EXPECT_THAT(status.message(), HasSubstr(nothing_listens.path()));
  EXPECT_THAT(status.message(), Not(HasSubstr("hunter")));
}

TEST_F(PostgresOutboxTest, AWaitingWorkerIsToldOfANewJobAtOnce) {
  std::unique_ptr<Outbox> worker;
  ASSERT_TRUE(Open(&worker).ok());
  ASSERT_TRUE(worker->CanWaitForJobs());
  bool told = true;
  // Nothing happens: the wait ends at its timeout, untold.
  ASSERT_TRUE(worker->WaitForJobs(200, &told).ok());
  EXPECT_FALSE(told);

  std::unique_ptr<Outbox> hook;
  ASSERT_TRUE(Open(&hook).ok());
  auto started = std::chrono::steady_clock::now();
  std::future<bool> waited = std::async(std::launch::async, [&] {
    bool got = false;
    // Far longer than the test may take: only the notification ends it early.
    EXPECT_TRUE(worker->WaitForJobs(120000, &got).ok());
    return got;
  });
  EnqueueResult result;
  ASSERT_TRUE(hook->Enqueue({MakeJob("c1", "A-1")}, &result).ok());
  ASSERT_EQ(waited.wait_for(std::chrono::seconds(30)), std::future_status::ready)
      << "the worker was not woken by the push";
  EXPECT_TRUE(waited.get());
  auto latency = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  RecordProperty("wake_ms", static_cast<int>(latency.count()));

  // A push of duplicates only adds nothing and announces nothing.
  ASSERT_TRUE(hook->Enqueue({MakeJob("c1", "A-1")}, &result).ok());
  ASSERT_TRUE(worker->WaitForJobs(300, &told).ok());
  EXPECT_FALSE(told);
  // `queue retry` revives jobs: that is announced too.
  std::optional<Job> job;
  ASSERT_TRUE(hook->Claim("", NowMillis(), NowMillis(), 60000, &job).ok());
  ASSERT_TRUE(job.has_value());
  ASSERT_TRUE(hook->MarkDead(*job, "HTTP 400").ok());
  int changed = 0;
  ASSERT_TRUE(hook->Retry(RetryScope::kDead, 0, &changed).ok());
  ASSERT_EQ(changed, 1);
  ASSERT_TRUE(worker->WaitForJobs(30000, &told).ok());
  EXPECT_TRUE(told);
}

TEST_F(PostgresOutboxTest, AWorkerReconnectsAfterTheServerDroppedItsConnection) {
  std::unique_ptr<Outbox> worker;
  ASSERT_TRUE(Open(&worker).ok());
  bool told = false;
  ASSERT_TRUE(worker->WaitForJobs(0, &told).ok());
  std::string error;
  ASSERT_TRUE(server_->Exec(database_,
                            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE "
                            "application_name = 'jiralink' AND datname = current_database() AND "
                            "pid <> pg_backend_pid()",
                            &error))
      << error;
  // The first statement finds the connection gone; the next one reconnects.
  int due = 0;
  Status first = worker->CountDue(NowMillis(), &due);
  if (!first.ok()) {
    EXPECT_EQ(first.code(), Status::Code::kUnavailable) << first.ToString();
  }
  ASSERT_TRUE(worker->CountDue(NowMillis(), &due).ok());
  // And it listens again.
  std::unique_ptr<Outbox> hook;
  ASSERT_TRUE(Open(&hook).ok());
  ASSERT_TRUE(worker->WaitForJobs(0, &told).ok());
  EnqueueResult result;
  ASSERT_TRUE(hook->Enqueue({MakeJob("c2", "A-2")}, &result).ok());
  ASSERT_TRUE(worker->WaitForJobs(30000, &told).ok());
  EXPECT_TRUE(told);
}

}  // namespace
}  // namespace jiralink::outbox
