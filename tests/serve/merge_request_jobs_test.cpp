// serve/merge_request_jobs.h: which jobs a merge-request event queues.
#include "jiralink/serve/merge_request_jobs.h"

#include <gtest/gtest.h>

#include "jiralink/outbox/job_message.h"

namespace jiralink::serve {
namespace {

using outbox::Job;
using outbox::JobKind;

MergeRequestEvent Event(MergeRequestAction action, std::string title, std::string description) {
  MergeRequestEvent event;
  event.forge = Forge::kGitLab;
  event.action = action;
  event.repository = "platform/api";
  event.iid = 42;
  event.title = std::move(title);
  event.description = std::move(description);
  event.url = "https://gl.example/platform/api/-/merge_requests/42";
  event.author = "Ada Lovelace";
  event.source_branch = "feature/login";
  event.target_branch = "main";
  event.default_branch = "main";
  event.repo_url = "https://gl.example/platform/api";
  event.source_repo_url = "https://gl.example/platform/api";
  return event;
}

MergeRequestJobs PlanOf(const MergeRequestEvent& event, bool transitions = true) {
  MergeRequestJobs plan;
  MergeRequestPlanOptions options;
  options.site = "https://jira.example.com";
  options.transitions_enabled = transitions;
  PlanMergeRequestJobs(event, KeyScanner::Default(), ClosingKeywords::Default(), options, &plan);
  return plan;
}

std::vector<Job> Plan(const MergeRequestEvent& event, bool transitions = true) {
  MergeRequestJobs plan = PlanOf(event, transitions);
  std::vector<Job> jobs;
  for (std::size_t i = 0; i < plan.size(); ++i) {
    jobs.push_back(plan.JobAt(i));
    EXPECT_EQ(jobs.back().kind, plan.shared.kind);
  }
  return jobs;
}

TEST(MergeRequestJobs, OpenedMentionsEveryKeyOnceWithTheContractsFields) {
  std::vector<Job> jobs =
      Plan(Event(MergeRequestAction::kOpened, "PROJ-1: login", "Also PROJ-2.\nCloses PROJ-1"));
  ASSERT_EQ(jobs.size(), 2u);
  EXPECT_EQ(jobs[0].key, "PROJ-1");
  EXPECT_EQ(jobs[1].key, "PROJ-2");
  const Job& job = jobs[0];
  EXPECT_EQ(job.kind, JobKind::kMention);
  EXPECT_EQ(job.repository, "platform/api");
  EXPECT_EQ(job.commit, "!42");
  EXPECT_TRUE(outbox::IsMergeRequest(job));
  EXPECT_EQ(job.commit_url, "https://gl.example/platform/api/-/merge_requests/42");
  EXPECT_EQ(job.message, "PROJ-1: login\n\nAlso PROJ-2.\nCloses PROJ-1");
  EXPECT_EQ(job.author, "Ada Lovelace");
  EXPECT_EQ(job.branch, "feature/login");
  EXPECT_EQ(job.branch_url, "https://gl.example/platform/api/-/tree/feature/login");
  EXPECT_EQ(job.repo_url, "https://gl.example/platform/api");
  EXPECT_EQ(job.site, "https://jira.example.com");
}

TEST(MergeRequestJobs, EditedMentionsLikeOpened) {
  std::vector<Job> jobs = Plan(Event(MergeRequestAction::kEdited, "x", "PROJ-7"));
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].key, "PROJ-7");
}

TEST(MergeRequestJobs, MergedIntoTheDefaultBranchClosesOnlyClosingKeys) {
  std::vector<Job> jobs = Plan(
      Event(MergeRequestAction::kMerged, "Fixes PROJ-1", "Relates to PROJ-2, resolves PROJ-3"));
  ASSERT_EQ(jobs.size(), 2u);
  EXPECT_EQ(jobs[0].key, "PROJ-1");
  EXPECT_EQ(jobs[1].key, "PROJ-3");
  for (const Job& job : jobs) EXPECT_EQ(job.kind, JobKind::kClose);
}

// Issue #25: GitLab's close names the merge request's head commit, so the
// solved comment and link are the commit's, beside the mention's link.
TEST(MergeRequestJobs, AMergeClosesAsItsHeadCommit) {
  const std::string sha = "da1560886d4f094c3e6c9ef40349f7d38b5d27d7";
  MergeRequestEvent event = Event(MergeRequestAction::kMerged, "Fixes PROJ-1", "");
  event.head_sha = sha;
  std::vector<Job> jobs = Plan(event);
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].kind, JobKind::kClose);
  EXPECT_EQ(jobs[0].commit, sha);
  EXPECT_FALSE(outbox::IsMergeRequest(jobs[0]));
  EXPECT_EQ(jobs[0].commit_url, "https://gl.example/platform/api/-/commit/" + sha);
  event.forge = Forge::kGitHub;
  EXPECT_EQ(Plan(event)[0].commit_url, "https://gl.example/platform/api/commit/" + sha);

  // A mention still names the merge request, whatever its head.
  event.action = MergeRequestAction::kOpened;
  jobs = Plan(event);
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].commit, "!42");
  EXPECT_EQ(jobs[0].commit_url, "https://gl.example/platform/api/-/merge_requests/42");

  // Without a head SHA (a payload that lacks it), the close names the merge request.
  event.action = MergeRequestAction::kMerged;
  event.head_sha.clear();
  EXPECT_EQ(Plan(event)[0].commit, "!42");
}

// Issue #25: a comment's keys are mentioned by the merge request, with its
// title and description for the mention to quote.
TEST(MergeRequestJobs, ACommentMentionsItsKeysByTheMergeRequest) {
  MergeRequestEvent event = Event(MergeRequestAction::kCommented, "Login rework", "Part of PROJ-1");
  event.comment = "Also fixes PROJ-2; see PROJ-3 and PROJ-2";
  std::vector<Job> jobs = Plan(event);
  ASSERT_EQ(jobs.size(), 2u);
  EXPECT_EQ(jobs[0].key, "PROJ-2");
  EXPECT_EQ(jobs[1].key, "PROJ-3");
  for (const Job& job : jobs) {
    EXPECT_EQ(job.kind, JobKind::kMention) << "a comment never closes";
    EXPECT_EQ(job.commit, "!42");
    EXPECT_EQ(job.commit_url, "https://gl.example/platform/api/-/merge_requests/42");
    EXPECT_EQ(job.message, "Login rework\n\nPart of PROJ-1");
  }
  event.comment = "no keys";
  EXPECT_TRUE(Plan(event).empty());
}

TEST(MergeRequestJobs, MergedElsewhereOrWithoutTransitionsQueuesNothing) {
  MergeRequestEvent event = Event(MergeRequestAction::kMerged, "Fixes PROJ-1", "");
  event.target_branch = "release/1.0";
  EXPECT_TRUE(Plan(event).empty());
  event.target_branch = "main";
  EXPECT_TRUE(Plan(event, /*transitions=*/false).empty());
  EXPECT_EQ(Plan(event).size(), 1u);
}

TEST(MergeRequestJobs, IgnoredEventsAndTextWithoutKeysQueueNothing) {
  EXPECT_TRUE(Plan(Event(MergeRequestAction::kIgnored, "PROJ-1", "")).empty());
  EXPECT_TRUE(
      Plan(Event(MergeRequestAction::kOpened, "no keys here", "proj-1 is lower case")).empty());
}

TEST(MergeRequestJobs, NoSourceRepositoryMeansNoBranchLink) {
  MergeRequestEvent event = Event(MergeRequestAction::kOpened, "PROJ-1", "");
  event.source_repo_url = "";  // a deleted fork
  std::vector<Job> jobs = Plan(event);
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].branch_url, "");
  EXPECT_EQ(jobs[0].branch, "feature/login");
}

TEST(MergeRequestJobs, KeysBeyondTheCapAreLeftOutAndCounted) {
  std::string description;
  for (int i = 1; i <= 3000; ++i) description += "PROJ-" + std::to_string(i) + " ";
  MergeRequestJobs plan = PlanOf(Event(MergeRequestAction::kOpened, "Many", description));
  ASSERT_EQ(plan.size(), kMaxKeysPerMergeRequest);
  EXPECT_EQ(plan.keys_left_out, 3000 - kMaxKeysPerMergeRequest);
  EXPECT_EQ(plan.keys.front(), "PROJ-1");  // the first ones in the text
  EXPECT_EQ(plan.keys.back(), "PROJ-" + std::to_string(kMaxKeysPerMergeRequest));
  EXPECT_FALSE(plan.message_cut);
}

TEST(MergeRequestJobs, TheTextIsCappedLikeACommitMessageAndKeysAreFoundInAllOfIt) {
  std::string description(2 * outbox::kMaxJobMessageBytes, 'x');
  description += " PROJ-9";  // past the cap: still found
  MergeRequestJobs plan = PlanOf(Event(MergeRequestAction::kOpened, "PROJ-1 big", description));
  ASSERT_EQ(plan.size(), 2u);
  EXPECT_EQ(plan.keys[1], "PROJ-9");
  EXPECT_TRUE(plan.message_cut);
  EXPECT_EQ(plan.keys_left_out, 0u);
  EXPECT_LE(plan.shared.message.size(), outbox::kMaxJobMessageBytes);
  EXPECT_TRUE(plan.shared.message.starts_with("PROJ-1 big\n\nxxx"));
  EXPECT_TRUE(plan.shared.message.ends_with(outbox::kMessageCutMarker));
}

TEST(MergeRequestJobs, ClosesAreCappedToo) {
  std::string description;
  for (int i = 1; i <= 750; ++i) description += "Fixes PROJ-" + std::to_string(i) + "\n";
  MergeRequestJobs plan = PlanOf(Event(MergeRequestAction::kMerged, "Fixes", description));
  EXPECT_EQ(plan.size(), kMaxKeysPerMergeRequest);
  EXPECT_EQ(plan.keys_left_out, 750 - kMaxKeysPerMergeRequest);
  EXPECT_EQ(plan.shared.kind, JobKind::kClose);
}

}  // namespace
}  // namespace jiralink::serve
