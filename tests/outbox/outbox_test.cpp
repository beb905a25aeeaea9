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
#include "outbox_stores.h"
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

// The contract every Outbox keeps, run against each store (outbox_stores.h).
class OutboxTest : public ::testing::TestWithParam<OutboxStore> {
 protected:
  void SetUp() override {
    if (std::string why = GetParam().unavailable(); !why.empty()) GTEST_SKIP() << why;
    Status status = GetParam().open(dir_.path(), &outbox_);
    ASSERT_TRUE(status.ok()) << status.ToString();
  }
  // Another connection to the same store.
  std::unique_ptr<Outbox> OpenAgain() {
    std::unique_ptr<Outbox> other;
    Status status = GetParam().open(dir_.path(), &other);
    EXPECT_TRUE(status.ok()) << status.ToString();
    return other;
  }
  Job ClaimOne(std::int64_t now, std::int64_t lease = 60000) {
    std::optional<Job> job;
    EXPECT_TRUE(outbox_->Claim("", now, now, lease, &job).ok());
    EXPECT_TRUE(job.has_value());
    return job.value_or(Job());
  }
  testing::TempDir dir_;
  std::unique_ptr<Outbox> outbox_;
};

INSTANTIATE_TEST_SUITE_P(Stores, OutboxTest, ::testing::ValuesIn(AllOutboxStores()),
                         OutboxStoreName());

TEST_P(OutboxTest, EnqueueIgnoresDuplicatesOfRepositoryCommitKeyKind) {
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

std::int64_t CountRows(const std::string& path, const std::string& table,
                       const std::string& where = "1");

Job SmartJob(const std::string& commit, const std::string& key, int index, SmartCommand command) {
  Job job = MakeJob(commit, key, JobKind::kSmartCommand);
  job.command_index = index;
  job.command = std::move(command);
  return job;
}

TEST_P(OutboxTest, SmartCommandsOfOneKeyAreToldApartByTheirIndex) {
  SmartCommand comment{SmartCommandKind::kComment, "", "", "looks good"};
  SmartCommand time{SmartCommandKind::kTime, "", "1w 2d", "work"};
  SmartCommand resolve{SmartCommandKind::kTransition, "start-progress", "", "now"};
  EnqueueResult r;
  ASSERT_TRUE(outbox_
                  ->Enqueue({MakeJob("c1", "A-1"), SmartJob("c1", "A-1", 0, comment),
                             SmartJob("c1", "A-1", 1, time), SmartJob("c1", "A-1", 2, resolve)},
                            &r)
                  .ok());
  EXPECT_EQ(r.added, 4);
  // Pushed again (or to another branch): nothing new.
  ASSERT_TRUE(
      outbox_->Enqueue({SmartJob("c1", "A-1", 1, time), SmartJob("c1", "A-2", 1, time)}, &r).ok());
  EXPECT_EQ(r.is_new, (std::vector<bool>{false, true}));
  std::vector<Job> jobs;
  ASSERT_TRUE(outbox_->List(std::nullopt, 100, &jobs).ok());
  ASSERT_EQ(jobs.size(), 5u);
  // The command comes back as stored, from another connection too.
  std::unique_ptr<Outbox> other = OpenAgain();
  ASSERT_TRUE(other->List(std::nullopt, 100, &jobs).ok());
  int seen = 0;
  for (const Job& job : jobs) {
    if (job.kind != JobKind::kSmartCommand || job.key != "A-1") continue;
    ++seen;
    const SmartCommand& expected = job.command_index == 0   ? comment
                                   : job.command_index == 1 ? time
                                                            : resolve;
    EXPECT_EQ(job.command.kind, expected.kind) << job.command_index;
    EXPECT_EQ(job.command.transition, expected.transition);
    EXPECT_EQ(job.command.time_spent, expected.time_spent);
    EXPECT_EQ(job.command.text, expected.text);
  }
  EXPECT_EQ(seen, 3);
}

TEST_P(OutboxTest, JiraUsersAreCachedUntilTheyExpire) {
  std::optional<JiraUserEntry> entry;
  ASSERT_TRUE(outbox_->GetJiraUser("https://jira", "ada@example.com", 1000, &entry).ok());
  EXPECT_FALSE(entry);
  const std::int64_t now = NowMillis();
  ASSERT_TRUE(
      outbox_->PutJiraUser({"https://jira", "ada@example.com", true, "5b10ac", "", now + 60000})
          .ok());
  ASSERT_TRUE(
      outbox_->PutJiraUser({"https://jira", "nobody@example.com", false, "", "", now + 60000})
          .ok());
  std::unique_ptr<Outbox> other = OpenAgain();
  ASSERT_TRUE(other->GetJiraUser("https://jira", "ada@example.com", now, &entry).ok());
  ASSERT_TRUE(entry);
  EXPECT_TRUE(entry->found);
  EXPECT_EQ(entry->account_id, "5b10ac");
  ASSERT_TRUE(other->GetJiraUser("https://jira", "nobody@example.com", now, &entry).ok());
  ASSERT_TRUE(entry) << "\"no such user\" is cached too";
  EXPECT_FALSE(entry->found);
  // Per site, and not after it expired.
  ASSERT_TRUE(other->GetJiraUser("https://other", "ada@example.com", now, &entry).ok());
  EXPECT_FALSE(entry);
  ASSERT_TRUE(other->GetJiraUser("https://jira", "ada@example.com", now + 60000, &entry).ok());
  EXPECT_FALSE(entry);
  // A new answer replaces the old one.
  ASSERT_TRUE(
      outbox_->PutJiraUser({"https://jira", "ada@example.com", true, "", "ada", now + 90000}).ok());
  ASSERT_TRUE(other->GetJiraUser("https://jira", "ada@example.com", now, &entry).ok());
  ASSERT_TRUE(entry);
  EXPECT_EQ(entry->name, "ada");
  EXPECT_EQ(entry->account_id, "");
}

TEST_P(OutboxTest, ClaimLeasesTheOldestDueJobAndKeepsItFromOthers) {
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

TEST_P(OutboxTest, ClaimTakesOnlyTheGivenSitesJobs) {
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

TEST(SqliteOutbox, AnOutboxFromBeforeSitesIsUpgradedAndItsJobsGetASite) {
  testing::TempDir dir_;
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
  EXPECT_EQ(job->step, CloseStep::kNone) << "the step column is added";
  job->step = CloseStep::kTransitionSent;
  EXPECT_TRUE(upgraded->SaveProgress(*job).ok());
  ASSERT_TRUE(upgraded->ListRepositoriesWithoutSite(&repositories).ok());
  EXPECT_TRUE(repositories.empty());
}

TEST(SqliteOutbox, AnOutboxFromBeforeSmartCommitsGetsTheCommandIndexInItsUniqueness) {
  testing::TempDir dir_;
  std::string old_path = dir_.Path("old/outbox.sqlite3");
  testing::WriteOldOutbox(old_path, testing::OldOutbox::kBeforePushOrder, "c1");
  std::unique_ptr<Outbox> upgraded;
  Status status = OpenSqliteOutbox(old_path, &upgraded);
  ASSERT_TRUE(status.ok()) << status.ToString();
  std::vector<Job> jobs;
  ASSERT_TRUE(upgraded->List(std::nullopt, 100, &jobs).ok());
  ASSERT_EQ(jobs.size(), 1u) << "the old job survives the rebuild";
  const std::int64_t old_id = jobs[0].id;
  EXPECT_EQ(jobs[0].command_index, 0);

  Job first = MakeJob("c1", "A-1", JobKind::kSmartCommand);
  first.command = {SmartCommandKind::kComment, "", "", "one"};
  Job second = first;
  second.command_index = 1;
  second.command.text = "two";
  EnqueueResult r;
  ASSERT_TRUE(upgraded->Enqueue({first, second, MakeJob("c1", "A-1")}, &r).ok());
  EXPECT_EQ(r.is_new, (std::vector<bool>{true, true, false}));
  ASSERT_TRUE(upgraded->List(std::nullopt, 100, &jobs).ok());
  ASSERT_EQ(jobs.size(), 3u);
  for (const Job& job : jobs) {
    if (job.id != old_id) {
      EXPECT_GT(job.id, old_id) << "ids keep counting up";
    }
  }
  // Opening again neither rebuilds nor loses anything.
  upgraded.reset();
  ASSERT_TRUE(OpenSqliteOutbox(old_path, &upgraded).ok());
  ASSERT_TRUE(upgraded->List(std::nullopt, 100, &jobs).ok());
  EXPECT_EQ(jobs.size(), 3u);
  EXPECT_EQ(CountRows(old_path, "sqlite_master", "name = 'jobs_due'"), 1) << "index recreated";
}

TEST_P(OutboxTest, AnExpiredLeaseIsClaimedAgainAndTheOldOwnerCannotFinish) {
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

TEST_P(OutboxTest, RetryLaterDeadAndQueueRetry) {
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

TEST_P(OutboxTest, ReleaseDoesNotCountTheAttempt) {
  EnqueueResult r;
  ASSERT_TRUE(outbox_->Enqueue({MakeJob("c1", "A-1")}, &r).ok());
  Job a = ClaimOne(NowMillis());
  ASSERT_TRUE(outbox_->Release(a, "paused").ok());
  Job b = ClaimOne(NowMillis());
  EXPECT_EQ(b.attempts, 1);
}

TEST_P(OutboxTest, PausesPersistAndRetryClearsThem) {
  SitePause pause{"http://jira", "HTTP 401", NowMillis(), NowMillis() + 60000};
  ASSERT_TRUE(outbox_->SetPause(pause).ok());
  std::unique_ptr<Outbox> reopened = OpenAgain();
  ASSERT_TRUE(reopened);
  std::optional<SitePause> got;
  ASSERT_TRUE(reopened->GetPause("http://jira", &got).ok());
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->reason, "HTTP 401");
  int changed = 0;
  ASSERT_TRUE(reopened->Retry(RetryScope::kAll, 0, &changed).ok());
  ASSERT_TRUE(outbox_->GetPause("http://jira", &got).ok());
  EXPECT_FALSE(got.has_value());
}

TEST_P(OutboxTest, DropDeletesAndNamesAMissingId) {
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

TEST_P(OutboxTest, PurgeDoneForgetsOnlyDeliveredJobsFinishedBeforeTheCutoff) {
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

TEST_P(OutboxTest, TheCloseStepIsRecordedAndKeptByEveryFinish) {
  EnqueueResult r;
  ASSERT_TRUE(outbox_->Enqueue({MakeJob("c1", "A-1", JobKind::kClose)}, &r).ok());
  Job job = ClaimOne(NowMillis());
  EXPECT_EQ(job.step, CloseStep::kNone);
  job.progress = 1;
  job.step = CloseStep::kTransitionSent;
  ASSERT_TRUE(outbox_->SaveProgress(job).ok());
  std::optional<Job> stored;
  ASSERT_TRUE(outbox_->Get(job.id, &stored).ok());
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->progress, 1);
  EXPECT_EQ(stored->step, CloseStep::kTransitionSent);
  // A retry keeps it, and so does `queue retry` of a dead job.
  ASSERT_TRUE(outbox_->MarkRetry(job, 0, "no answer").ok());
  Job again = ClaimOne(NowMillis());
  EXPECT_EQ(again.step, CloseStep::kTransitionSent);
  again.step = CloseStep::kResolved;
  ASSERT_TRUE(outbox_->MarkDead(again, "HTTP 400").ok());
  int changed = 0;
  ASSERT_TRUE(outbox_->Retry(RetryScope::kDead, 0, &changed).ok());
  Job revived = ClaimOne(NowMillis());
  EXPECT_EQ(revived.step, CloseStep::kResolved);
  EXPECT_EQ(revived.progress, 1);
  // A worker whose lease is gone cannot record anything.
  Job stale = revived;
  stale.lease_token += 1;
  EXPECT_EQ(outbox_->SaveProgress(stale).code(), Status::Code::kNotFound);
}

TEST_P(OutboxTest, SkippedJobsAreListedKeptFromRetryAllAndPurgedLikeDoneOnes) {
  EnqueueResult r;
  ASSERT_TRUE(outbox_->Enqueue({MakeJob("c1", "UTF-8"), MakeJob("c2", "A-2")}, &r).ok());
  Job skipped = ClaimOne(NowMillis());
  ASSERT_TRUE(outbox_->MarkSkipped(skipped, "no such issue: HTTP 404").ok());
  std::vector<Job> jobs;
  ASSERT_TRUE(outbox_->List(JobState::kSkipped, 10, &jobs).ok());
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].key, "UTF-8");
  EXPECT_EQ(jobs[0].last_error, "no such issue: HTTP 404");
  EXPECT_STREQ(JobStateName(jobs[0].state), "skipped");
  JobState parsed = JobState::kPending;
  EXPECT_TRUE(ParseJobState("skipped", &parsed));
  EXPECT_EQ(parsed, JobState::kSkipped);
  int changed = 0;
  ASSERT_TRUE(outbox_->Retry(RetryScope::kAll, 0, &changed).ok());
  ASSERT_TRUE(outbox_->List(JobState::kSkipped, 10, &jobs).ok());
  EXPECT_EQ(jobs.size(), 1u) << "retry --all revives pending and dead jobs only";
  int removed = 0;
  ASSERT_TRUE(outbox_->PurgeDone(NowMillis() + 1, &removed).ok());
  EXPECT_EQ(removed, 1);
}

// Rows of `table` in the outbox file at `path` (read with SQLite directly).
std::int64_t CountRows(const std::string& path, const std::string& table,
                       const std::string& where) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  std::string sql = "SELECT count(*) FROM " + table + " WHERE " + where;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK) << sql;
  std::int64_t count = -1;
  if (sqlite3_step(stmt) == SQLITE_ROW) count = sqlite3_column_int64(stmt, 0);
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return count;
}

TEST_P(OutboxTest, EveryJobOfACommitCarriesItsMessage) {
  Job a = MakeJob("c1", "A-1");
  Job b = MakeJob("c1", "A-2");
  Job c = MakeJob("c1", "A-2", JobKind::kClose);
  a.message = b.message = c.message = std::string(4000, 'm');
  EnqueueResult r;
  ASSERT_TRUE(outbox_->Enqueue({a, b, c, MakeJob("c2", "A-3")}, &r).ok());
  std::vector<Job> jobs;
  ASSERT_TRUE(outbox_->List(std::nullopt, 10, &jobs).ok());
  ASSERT_EQ(jobs.size(), 4u);
  for (const Job& job : jobs) {
    EXPECT_EQ(job.message, job.commit == "c1" ? a.message : "msg A-3") << job.key;
  }
  Job claimed = ClaimOne(NowMillis());
  EXPECT_EQ(claimed.message, a.message) << "a claim returns the message too";
}

TEST_P(OutboxTest, AnEditedMergeRequestsNewKeyBringsItsNewText) {
  Job first = MakeJob(MergeRequestSource(42), "A-1");
  first.message = "Title\n\nFor A-1";
  EnqueueResult r;
  ASSERT_TRUE(outbox_->Enqueue({first}, &r).ok());
  Job edited = MakeJob(MergeRequestSource(42), "A-2");
  edited.message = "Title\n\nFor A-1 and A-2";
  ASSERT_TRUE(outbox_->Enqueue({first, edited}, &r).ok());
  std::vector<Job> jobs;
  ASSERT_TRUE(outbox_->List(std::nullopt, 10, &jobs).ok());
  ASSERT_EQ(jobs.size(), 2u);
  for (const Job& job : jobs) EXPECT_EQ(job.message, edited.message) << job.key;
}

// Every text a push carries comes back byte for byte, whatever a store
// does to write many jobs at once (PostgreSQL: array literals).
TEST_P(OutboxTest, TextWithQuotesBracesAndBackslashesRoundTrips) {
  const std::string hostile =
      "say \"hi\", {a,b} \\ \\\" NULL null '); DROP TABLE x; --\n"
      "\t\u00e9\u2603 \xf0\x9f\x98\x80 ,\"\"";
  Job job = MakeJob("c\"1", "A-1");
  job.repository = "group/{repo},\\x";
  job.branch = "feature/\"quoted\"";
  job.author = hostile;
  job.message = hostile + "\n\nbody {}";
  job.commit_url = "https://git/{repo}/\"c";
  job.author_email = "a\\b@example.com";
  Job empty = MakeJob("c2", "A-2");
  empty.message = "";
  empty.author = "";
  EnqueueResult r;
  ASSERT_TRUE(outbox_->Enqueue({job, empty}, &r).ok());
  EXPECT_EQ(r.is_new, (std::vector<bool>{true, true}));
  std::vector<Job> jobs;
  ASSERT_TRUE(outbox_->List(std::nullopt, 10, &jobs).ok());
  ASSERT_EQ(jobs.size(), 2u);
  for (const Job& listed : jobs) {
    const Job& given = listed.commit == job.commit ? job : empty;
    EXPECT_EQ(listed.repository, given.repository);
    EXPECT_EQ(listed.commit, given.commit);
    EXPECT_EQ(listed.branch, given.branch);
    EXPECT_EQ(listed.author, given.author);
    EXPECT_EQ(listed.message, given.message);
    EXPECT_EQ(listed.commit_url, given.commit_url);
    EXPECT_EQ(listed.author_email, given.author_email);
  }
}

// A push larger than any store's write chunk: every job in, each once, the
// answers in order, and the same push again adds nothing.
TEST_P(OutboxTest, APushOfThousandsOfJobsIsWrittenWholeAndAnsweredInOrder) {
  std::vector<Job> jobs;
  std::vector<bool> expected;
  for (int i = 0; i < 4500; ++i) {
    jobs.push_back(MakeJob("c" + std::to_string(i / 3), "A-" + std::to_string(i % 3 + 1)));
    jobs.back().position = -i;
    expected.push_back(true);
    if (i % 1000 == 999) {  // a duplicate within the push, far from its first
      jobs.push_back(MakeJob("c0", "A-1"));
      expected.push_back(false);
    }
  }
  EnqueueResult r;
  ASSERT_TRUE(outbox_->Enqueue(jobs, &r).ok());
  EXPECT_EQ(r.is_new, expected);
  EXPECT_EQ(r.added, 4500);
  EXPECT_EQ(r.duplicate, static_cast<int>(jobs.size()) - 4500);
  std::vector<Job> listed;
  ASSERT_TRUE(outbox_->List(std::nullopt, 10000, &listed).ok());
  EXPECT_EQ(listed.size(), 4500u);
  ASSERT_TRUE(outbox_->Enqueue(jobs, &r).ok());
  EXPECT_EQ(r.added, 0);
  EXPECT_EQ(r.is_new, std::vector<bool>(jobs.size(), false));
}

TEST(SqliteOutbox, ACommitsMessageIsStoredOnceAndGoesWithItsLastJob) {
  testing::TempDir dir;
  const std::string path = SqliteStorePath(dir.path());
  std::unique_ptr<Outbox> outbox;
  ASSERT_TRUE(OpenSqliteOutbox(path, &outbox).ok());
  Job a = MakeJob("c1", "A-1");
  Job b = MakeJob("c1", "A-1", JobKind::kClose);
  a.message = b.message = std::string(4000, 'm');
  EnqueueResult r;
  ASSERT_TRUE(outbox->Enqueue({a, b, MakeJob("c2", "A-2")}, &r).ok());
  EXPECT_EQ(CountRows(path, "messages"), 2);
  EXPECT_EQ(CountRows(path, "jobs", "message != ''"), 0);
  // Deliver c1's two jobs one after the other; its message goes with the last.
  for (int i = 0; i < 2; ++i) {
    std::optional<Job> claimed;
    ASSERT_TRUE(outbox->Claim("", NowMillis(), NowMillis(), 60000, &claimed).ok());
    ASSERT_TRUE(claimed.has_value());
    ASSERT_EQ(claimed->commit, "c1");
    ASSERT_TRUE(outbox->MarkDone(*claimed, "ok").ok());
    int removed = 0;
    ASSERT_TRUE(outbox->PurgeDone(NowMillis() + 1, &removed).ok());
    EXPECT_EQ(removed, 1);
    EXPECT_EQ(CountRows(path, "messages"), i == 0 ? 2 : 1);
  }
  std::vector<Job> jobs;
  ASSERT_TRUE(outbox->List(std::nullopt, 10, &jobs).ok());
  ASSERT_EQ(jobs.size(), 1u);
  ASSERT_TRUE(outbox->Drop(jobs[0].id).ok());
  EXPECT_EQ(CountRows(path, "messages"), 0);
}

TEST(SqliteOutbox, AnOldOutboxsMessagesAreMovedOutOfItsJobs) {
  testing::TempDir dir_;
  std::string old_path = dir_.Path("old/outbox.sqlite3");
  testing::WriteOldOutbox(old_path, testing::OldOutbox::kBeforePushOrder, "c1");
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(old_path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(
      sqlite3_exec(db, "UPDATE jobs SET message = 'Old message A-1'", nullptr, nullptr, nullptr),
      SQLITE_OK);
  sqlite3_close(db);

  std::unique_ptr<Outbox> upgraded;
  Status status = OpenSqliteOutbox(old_path, &upgraded);
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(CountRows(old_path, "jobs", "message != ''"), 0);
  EXPECT_EQ(CountRows(old_path, "messages"), 1);
  std::vector<Job> jobs;
  ASSERT_TRUE(upgraded->List(std::nullopt, 10, &jobs).ok());
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].message, "Old message A-1");
  // Opening again changes nothing.
  upgraded.reset();
  ASSERT_TRUE(OpenSqliteOutbox(old_path, &upgraded).ok());
  EXPECT_EQ(CountRows(old_path, "messages"), 1);
}

TEST_P(OutboxTest, ManyProcessesEnqueueAndClaimWithoutLosingOrDoublingJobs) {
  constexpr int kWriters = 8;
  constexpr int kJobsEach = 25;
  std::vector<pid_t> children;
  for (int w = 0; w < kWriters; ++w) {
    pid_t pid = fork();
    if (pid == 0) {
      std::unique_ptr<Outbox> own;
      if (!GetParam().open(dir_.path(), &own).ok()) _exit(1);
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
