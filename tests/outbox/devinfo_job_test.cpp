// Development-panel jobs in both stores (outbox/devinfo_job.h): identity,
// payload round trip, sequence numbers kept, and kept apart from comments.
#include "jiralink/outbox/devinfo_job.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "jiralink/outbox/relay_wire.h"
#include "outbox_stores.h"
#include "support/test_support.h"

namespace jiralink::outbox {
namespace {

constexpr const char* kSite = "https://example.atlassian.net/rest/api/2";

DevinfoJobContext Context() {
  DevinfoJobContext context;
  context.repository = "platform/api";
  context.jira_site = kSite;
  context.jira_repository.id = "platform~2Fapi";
  context.jira_repository.name = "platform/api";
  context.jira_repository.url = "https://git.example.com/platform/api";
  return context;
}

jira::DevinfoCommit Commit(const std::string& sha, std::int64_t sequence) {
  jira::DevinfoCommit commit;
  commit.id = sha;
  commit.display_id = sha.substr(0, 7);
  commit.message = "PROJ-1 fix the login\n\nwith ünïcödé";
  commit.author = {"Ada Lovelace", "ada@example.com", "", ""};
  commit.author_timestamp = "2026-12-08T00:30:00+01:00";
  commit.url = "https://git.example.com/platform/api/commit/" + sha;
  commit.file_count = 3;
  commit.merge_commit = true;
  commit.issue_keys = {"PROJ-1"};
  commit.update_sequence_id = sequence;
  return commit;
}

jira::DevinfoBranch Branch(const std::string& name, const std::string& tip, std::int64_t sequence) {
  jira::DevinfoBranch branch;
  branch.id = name;
  branch.name = name;
  branch.url = "https://git.example.com/platform/api/tree/" + name;
  branch.last_commit = Commit(tip, sequence);
  branch.issue_keys = {"PROJ-1", "PROJ-2"};
  branch.update_sequence_id = sequence;
  return branch;
}

class DevinfoJobTest : public ::testing::TestWithParam<OutboxStore> {
 protected:
  void SetUp() override {
    if (std::string why = GetParam().unavailable(); !why.empty()) GTEST_SKIP() << why;
    Status status = GetParam().open(dir_.path(), &outbox_);
    ASSERT_TRUE(status.ok()) << status.ToString();
  }
  EnqueueResult Enqueue(const std::vector<Job>& jobs) {
    EnqueueResult result;
    Status status = outbox_->Enqueue(jobs, &result);
    EXPECT_TRUE(status.ok()) << status.ToString();
    return result;
  }
  std::vector<Job> ClaimAll(const std::string& site) {
    std::vector<Job> jobs;
    for (;;) {
      std::optional<Job> job;
      std::int64_t now = NowMillis();
      EXPECT_TRUE(outbox_->Claim(site, now, now, 60000, &job).ok());
      if (!job) return jobs;
      jobs.push_back(*job);
    }
  }
  testing::TempDir dir_;
  std::unique_ptr<Outbox> outbox_;
};

INSTANTIATE_TEST_SUITE_P(Stores, DevinfoJobTest, ::testing::ValuesIn(AllOutboxStores()),
                         OutboxStoreName());

TEST_P(DevinfoJobTest, ACommitIsQueuedOncePerRepositoryWhateverItsBranchesOrPushes) {
  const std::string sha(40, 'a');
  EXPECT_EQ(Enqueue({DevinfoCommitJob(Context(), Commit(sha, 1000))}).added, 1);
  // The same commit again (another branch, a later push: a later number).
  EnqueueResult again = Enqueue({DevinfoCommitJob(Context(), Commit(sha, 5000))});
  EXPECT_EQ(again.added, 0);
  EXPECT_EQ(again.duplicate, 1);
  // Another repository's copy of it is its own entity.
  DevinfoJobContext other = Context();
  other.repository = "platform/fork";
  EXPECT_EQ(Enqueue({DevinfoCommitJob(other, Commit(sha, 5000))}).added, 1);
  // The number given first is kept.
  std::vector<Job> jobs = ClaimAll(DevinfoSite(kSite));
  ASSERT_EQ(jobs.size(), 2u);
  DevinfoPayload payload;
  ASSERT_TRUE(ReadDevinfoPayload(jobs[0], &payload).ok());
  EXPECT_EQ(payload.commit.update_sequence_id, 1000);
}

TEST_P(DevinfoJobTest, ABranchGetsAJobPerPushAndAReplayedPushNone) {
  const std::string a(40, 'a'), b(40, 'b'), zero(40, '0');
  EXPECT_EQ(Enqueue({DevinfoBranchJob(Context(), zero, Branch("feature/PROJ-1", a, 1000))}).added,
            1);
  // Pushed again: replayed, nothing new.
  EXPECT_EQ(Enqueue({DevinfoBranchJob(Context(), zero, Branch("feature/PROJ-1", a, 2000))}).added,
            0);
  // Moved, then force-pushed back: each a new update.
  EXPECT_EQ(Enqueue({DevinfoBranchJob(Context(), a, Branch("feature/PROJ-1", b, 3000))}).added, 1);
  EXPECT_EQ(Enqueue({DevinfoBranchJob(Context(), b, Branch("feature/PROJ-1", a, 4000))}).added, 1);
  // Deleted, and the delete replayed.
  EXPECT_EQ(
      Enqueue({DevinfoBranchDeleteJob(Context(), a, "feature/PROJ-1", "feature~2FPROJ-1", 5000)})
          .added,
      1);
  EXPECT_EQ(
      Enqueue({DevinfoBranchDeleteJob(Context(), a, "feature/PROJ-1", "feature~2FPROJ-1", 6000)})
          .added,
      0);
  std::vector<Job> jobs = ClaimAll(DevinfoSite(kSite));
  ASSERT_EQ(jobs.size(), 4u);
  std::vector<std::int64_t> sequences;
  for (const Job& job : jobs) {
    DevinfoPayload payload;
    Status status = ReadDevinfoPayload(job, &payload);
    ASSERT_TRUE(status.ok()) << status.ToString();
    sequences.push_back(payload.update_sequence_id);
  }
  EXPECT_EQ(sequences, (std::vector<std::int64_t>{1000, 3000, 4000, 5000}));
  EXPECT_EQ(jobs.back().kind, JobKind::kDevinfoBranchDelete);
}

TEST_P(DevinfoJobTest, PayloadsComeBackWhole) {
  const std::string sha(40, 'c');
  jira::DevinfoPullRequest pull;
  pull.id = "42";
  pull.display_id = "!42";
  pull.title = "PROJ-7 login";
  pull.status = jira::PullRequestStatus::kMerged;
  pull.author = {"Grace", "grace@example.com", "https://git/grace", "https://git/grace.png"};
  pull.reviewers = {{"Ada", "ada@example.com", true}, {"Bob", "", false}};
  pull.comment_count = 4;
  pull.source_branch = "feature/PROJ-7";
  pull.destination_branch = "main";
  pull.last_update = "2026-12-08T01:00:00Z";
  pull.url = "https://git/platform/api/merge_requests/42";
  pull.issue_keys = {"PROJ-7"};
  pull.update_sequence_id = 77;
  Enqueue({DevinfoCommitJob(Context(), Commit(sha, 11)),
           DevinfoBranchJob(Context(), std::string(40, '0'), Branch("main", sha, 12)),
           DevinfoPullRequestJob(Context(), pull.last_update, pull)});
  std::vector<Job> jobs = ClaimAll(DevinfoSite(kSite));
  ASSERT_EQ(jobs.size(), 3u);
  DevinfoPayload commit, branch, pr;
  ASSERT_TRUE(ReadDevinfoPayload(jobs[0], &commit).ok());
  ASSERT_TRUE(ReadDevinfoPayload(jobs[1], &branch).ok());
  ASSERT_TRUE(ReadDevinfoPayload(jobs[2], &pr).ok());
  EXPECT_EQ(commit.repository.id, "platform~2Fapi");
  EXPECT_EQ(commit.repository.url, "https://git.example.com/platform/api");
  EXPECT_EQ(commit.commit.message, Commit(sha, 11).message);
  EXPECT_EQ(commit.commit.author.email, "ada@example.com");
  EXPECT_EQ(commit.commit.file_count, 3);
  EXPECT_TRUE(commit.commit.merge_commit);
  EXPECT_EQ(commit.commit.author_timestamp, "2026-12-08T00:30:00+01:00");
  EXPECT_EQ(branch.branch.name, "main");
  EXPECT_EQ(branch.branch.last_commit.id, sha);
  EXPECT_EQ(branch.branch.issue_keys, (std::vector<std::string>{"PROJ-1", "PROJ-2"}));
  EXPECT_EQ(pr.pull_request.status, jira::PullRequestStatus::kMerged);
  ASSERT_EQ(pr.pull_request.reviewers.size(), 2u);
  EXPECT_TRUE(pr.pull_request.reviewers[0].approved);
  EXPECT_EQ(pr.pull_request.author.avatar, "https://git/grace.png");
  EXPECT_EQ(pr.pull_request.comment_count, 4);
  EXPECT_EQ(pr.update_sequence_id, 77);
  EXPECT_FALSE(IsMergeRequest(jobs[2]));
}

TEST_P(DevinfoJobTest, CommentDeliveryNeverClaimsDevinfoJobsNorTheOtherWay) {
  const std::string sha(40, 'd');
  Job mention;
  mention.repository = "platform/api";
  mention.commit = sha;
  mention.key = "PROJ-1";
  mention.kind = JobKind::kMention;
  mention.site = kSite;
  mention.message = "PROJ-1 fix the login";
  // The same commit as a mention and as a devinfo commit: both kept, each
  // with its own message.
  EXPECT_EQ(Enqueue({mention, DevinfoCommitJob(Context(), Commit(sha, 1))}).added, 2);
  std::vector<Job> comments = ClaimAll(kSite);
  ASSERT_EQ(comments.size(), 1u);
  EXPECT_EQ(comments[0].kind, JobKind::kMention);
  EXPECT_EQ(comments[0].message, "PROJ-1 fix the login");
  std::vector<Job> devinfo = ClaimAll(DevinfoSite(kSite));
  ASSERT_EQ(devinfo.size(), 1u);
  EXPECT_EQ(devinfo[0].kind, JobKind::kDevinfoCommit);
  std::vector<DueSite> sites;
  ASSERT_TRUE(outbox_->ListDueSites(NowMillis() + 120000, &sites).ok());
  ASSERT_EQ(sites.size(), 2u);
  EXPECT_TRUE(IsDevinfoSite(sites[0].site) != IsDevinfoSite(sites[1].site));
}

TEST(DevinfoJob, KindsSurviveTheRelayWire) {
  Job job = DevinfoPullRequestJob(Context(), "t1", jira::DevinfoPullRequest{});
  std::vector<Job> decoded;
  ASSERT_TRUE(DecodeRelayRequest(EncodeRelayRequest({job}), &decoded).ok());
  ASSERT_EQ(decoded.size(), 1u);
  EXPECT_EQ(decoded[0].kind, JobKind::kDevinfoPullRequest);
  EXPECT_EQ(decoded[0].message, job.message);
  EXPECT_EQ(decoded[0].site, DevinfoSite(kSite));
}

TEST(DevinfoJob, ABadPayloadIsNamedNotGuessed) {
  Job job = DevinfoCommitJob(Context(), Commit(std::string(40, 'e'), 1));
  job.id = 17;
  job.message = "{\"repository\":{}}";
  DevinfoPayload payload;
  Status status = ReadDevinfoPayload(job, &payload);
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("job 17"), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("\"id\""), std::string::npos) << status.message();
  job.message = "not json";
  EXPECT_NE(ReadDevinfoPayload(job, &payload).message().find("not a JSON object"),
            std::string::npos);
  job.kind = JobKind::kMention;
  EXPECT_FALSE(ReadDevinfoPayload(job, &payload).ok());
}

TEST(DevinfoJob, LongMessagesAreCutOnACharacterBoundary) {
  jira::DevinfoCommit commit = Commit(std::string(40, 'f'), 1);
  commit.message = "PROJ-1 " + std::string(kMaxDevinfoPayloadMessageBytes, 'x') + "é";
  commit.message.insert(kMaxDevinfoPayloadMessageBytes - 1, "é");  // straddles the cut
  DevinfoPayload payload;
  ASSERT_TRUE(ReadDevinfoPayload(DevinfoCommitJob(Context(), commit), &payload).ok());
  EXPECT_LE(payload.commit.message.size(), kMaxDevinfoPayloadMessageBytes);
  EXPECT_GE(payload.commit.message.size(), kMaxDevinfoPayloadMessageBytes - 1);
  EXPECT_EQ(payload.commit.message.back(), 'x');
}

}  // namespace
}  // namespace jiralink::outbox
