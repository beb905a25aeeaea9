// The job planner: which keys a commit queues as closes and mentions, the
// fields its jobs share, and the cap on the message a job keeps.
#include "jiralink/hooks/job_planner.h"

#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace jiralink::hooks {
namespace {

using outbox::JobKind;

class JobPlannerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(KeyScanner::Create(MatchingOptions{}, &scanner_).ok());
    ASSERT_TRUE(ClosingKeywords::Create(*scanner_, &closing_).ok());
  }

  // "<kind> <key>" per job.
  std::vector<std::string> Plan(const std::string& message, bool on_default) {
    NewCommit commit;
    commit.sha = std::string(40, 'a');
    commit.message = message;
    std::vector<std::string> out;
    for (const KeyJob& job :
         PlanCommitKeys(commit, on_default, *scanner_, closing_.get(), options_)) {
      out.push_back(std::string(outbox::JobKindName(job.kind)) + " " + job.key);
    }
    return out;
  }

  std::unique_ptr<KeyScanner> scanner_;
  std::unique_ptr<ClosingKeywords> closing_;
  PlanOptions options_;
};

using Lines = std::vector<std::string>;

TEST_F(JobPlannerTest, ClosesFirstOnTheDefaultBranchThenMentionsOfTheOtherKeys) {
  EXPECT_EQ(Plan("Fixes PROJ-1, see PROJ-2 and PROJ-1", true),
            (Lines{"close PROJ-1", "mention PROJ-2"}));
  EXPECT_EQ(Plan("Fixes PROJ-1, see PROJ-2 and PROJ-1", false),
            (Lines{"mention PROJ-1", "mention PROJ-2"}));
  EXPECT_TRUE(Plan("No key here", true).empty());
}

// GitLab with transitions off: a key being closed on the default branch gets
// neither a transition nor a "mentioned" comment; elsewhere it is mentioned.
TEST_F(JobPlannerTest, TransitionsOffLeavesAClosedKeyAloneOnTheDefaultBranch) {
  options_.transitions_enabled = false;
  EXPECT_TRUE(Plan("Fixes PROJ-1", true).empty());
  EXPECT_EQ(Plan("Fixes PROJ-1, see PROJ-2", true), (Lines{"mention PROJ-2"}));
  EXPECT_EQ(Plan("Fixes PROJ-1", false), (Lines{"mention PROJ-1"}));
}

TEST_F(JobPlannerTest, CommitTriggerOffQueuesClosesOnly) {
  options_.mentions_enabled = false;
  EXPECT_EQ(Plan("Fixes PROJ-1, see PROJ-2", true), (Lines{"close PROJ-1"}));
  EXPECT_TRUE(Plan("Fixes PROJ-1, see PROJ-2", false).empty());
}

TEST_F(JobPlannerTest, SmartCommitsAreQueuedOnlyWhenEnabled) {
  const std::string message = "PROJ-1 #comment Looks good #time 2h #start-progress";
  EXPECT_EQ(Plan(message, false), (Lines{"mention PROJ-1"}));
  options_.smart_commits_enabled = true;
  EXPECT_EQ(Plan(message, false),
            (Lines{"mention PROJ-1", "smart PROJ-1", "smart PROJ-1", "smart PROJ-1"}));
  // Independent of the mention trigger and of the branch.
  options_.mentions_enabled = false;
  EXPECT_EQ(Plan(message, true), (Lines{"smart PROJ-1", "smart PROJ-1", "smart PROJ-1"}));
}

TEST_F(JobPlannerTest, SmartCommitJobsCarryTheirCommandAndIndex) {
  options_.smart_commits_enabled = true;
  NewCommit commit;
  commit.sha = std::string(40, 'c');
  commit.message = "PROJ-1 PROJ-2 #time 1w 2d work #resolve";
  std::vector<KeyJob> jobs = PlanCommitKeys(commit, false, *scanner_, closing_.get(), options_);
  ASSERT_EQ(jobs.size(), 6u);  // 2 mentions, then 2 commands x 2 keys
  EXPECT_EQ(jobs[2].key, "PROJ-1");
  EXPECT_EQ(jobs[2].command_index, 0);
  EXPECT_EQ(jobs[2].command.kind, SmartCommandKind::kTime);
  EXPECT_EQ(jobs[2].command.time_spent, "1w 2d");
  EXPECT_EQ(jobs[2].command.text, "work");
  EXPECT_EQ(jobs[3].key, "PROJ-2");
  EXPECT_EQ(jobs[3].command_index, 0);
  EXPECT_EQ(jobs[5].key, "PROJ-2");
  EXPECT_EQ(jobs[5].command_index, 1);
  EXPECT_EQ(jobs[5].command.kind, SmartCommandKind::kTransition);
  EXPECT_EQ(jobs[5].command.transition, "resolve");
}

TEST_F(JobPlannerTest, SmartCommitProblemsAreHandedBackAndTheRestIsPlanned) {
  options_.smart_commits_enabled = true;
  NewCommit commit;
  commit.sha = std::string(40, 'd');
  commit.message = "PROJ-1 #time soon #comment ok";
  std::vector<std::string> problems;
  std::vector<KeyJob> jobs =
      PlanCommitKeys(commit, false, *scanner_, closing_.get(), options_, &problems);
  ASSERT_EQ(jobs.size(), 2u);  // the mention and the comment
  EXPECT_EQ(jobs[1].command.kind, SmartCommandKind::kComment);
  EXPECT_EQ(problems,
            (std::vector<std::string>{"#time soon: no duration (write it as e.g. 1w 2d 4h 30m)"}));

  commit.message = "PROJ-1";
  for (std::size_t i = 0; i < kMaxSmartCommands + 3; ++i) commit.message += " #comment x";
  problems.clear();
  jobs = PlanCommitKeys(commit, false, *scanner_, closing_.get(), options_, &problems);
  EXPECT_EQ(jobs.size(), 1 + kMaxSmartCommands);
  EXPECT_EQ(problems, (std::vector<std::string>{"3 commands over the limit of 100 left out"}));
  // Without smart commits nothing is parsed, so nothing is said.
  options_.smart_commits_enabled = false;
  problems.clear();
  PlanCommitKeys(commit, false, *scanner_, closing_.get(), options_, &problems);
  EXPECT_TRUE(problems.empty());
}

// Issue #24: one commit naming 100,000 keys queued 100,000 jobs. Now the
// first kMaxKeysPerSource keys get jobs (closes and Smart Commit commands
// included) and the rest are counted for the pusher.
TEST_F(JobPlannerTest, KeysPastTheLimitPerCommitGetNoJobAndAreCounted) {
  options_.smart_commits_enabled = true;
  NewCommit commit;
  commit.sha = std::string(40, 'e');
  const int kKeys = 100000;
  commit.message = "Fixes PROJ-1 #comment done\n";
  for (int i = 2; i <= kKeys; ++i) commit.message += "PROJ-" + std::to_string(i) + " ";
  commit.message +=
      "\nFixes PROJ-" + std::to_string(kKeys) + " PROJ-" + std::to_string(kKeys) + " #comment late";
  int left_out = -1;
  std::vector<KeyJob> jobs =
      PlanCommitKeys(commit, true, *scanner_, closing_.get(), options_, nullptr, &left_out);
  EXPECT_EQ(left_out, kKeys - kMaxKeysPerSource);
  // PROJ-1 closed, PROJ-2..PROJ-500 mentioned; Smart Commit commands only
  // for those 500: PROJ-100000 (past the limit) gets neither its close nor
  // its command.
  int closes = 0;
  int mentions = 0;
  int commands = 0;
  for (const KeyJob& job : jobs) {
    const int number = std::atoi(job.key.c_str() + 5);
    EXPECT_GE(number, 1) << job.key;
    EXPECT_LE(number, kMaxKeysPerSource) << job.key;
    ++(job.kind == JobKind::kClose ? closes : job.kind == JobKind::kMention ? mentions : commands);
  }
  EXPECT_EQ(closes, 1);
  EXPECT_EQ(mentions, kMaxKeysPerSource - 1);
  EXPECT_GE(commands, 1);
  EXPECT_EQ(jobs[0].key, "PROJ-1");
  EXPECT_EQ(jobs[0].kind, JobKind::kClose);

  commit.message = "PROJ-1 PROJ-2";
  jobs = PlanCommitKeys(commit, false, *scanner_, closing_.get(), options_, nullptr, &left_out);
  EXPECT_EQ(left_out, 0);
  EXPECT_EQ(jobs.size(), 2u);
}

TEST_F(JobPlannerTest, CommitJobFillsTheSharedFields) {
  options_.repository = "platform/api";
  options_.site = "https://jira.example.com";
  options_.commit_url_template = "https://git.example.com/{repo}/commit/{sha}";
  options_.repo_url_template = "https://git.example.com/{repo}";
  options_.branch_url_template = "https://git.example.com/{repo}/tree/{branch}";
  BranchCommits branch;
  branch.branch = "main";
  NewCommit commit;
  commit.sha = std::string(40, 'b');
  commit.author = "Ada Lovelace";
  commit.message = "Fix PROJ-1\n";
  outbox::Job job = CommitJob(branch, commit, options_);
  EXPECT_EQ(job.repository, "platform/api");
  EXPECT_EQ(job.site, "https://jira.example.com");
  EXPECT_EQ(job.commit, commit.sha);
  EXPECT_EQ(job.branch, "main");
  EXPECT_EQ(job.author, "Ada Lovelace");
  EXPECT_EQ(job.message, "Fix PROJ-1\n");
  EXPECT_EQ(job.commit_url, "https://git.example.com/platform/api/commit/" + commit.sha);
  EXPECT_EQ(job.repo_url, "https://git.example.com/platform/api");
  EXPECT_EQ(job.branch_url, "https://git.example.com/platform/api/tree/main");
  EXPECT_TRUE(job.key.empty());
}

TEST(CapJobMessage, AMessageThatFitsIsKeptWhole) {
  EXPECT_EQ(CapJobMessage("Fix PROJ-1\n\nbody\n"), "Fix PROJ-1\n\nbody\n");
  std::string exactly(kMaxJobMessageBytes, 'x');
  EXPECT_EQ(CapJobMessage(exactly), exactly);
}

TEST(CapJobMessage, ALongerMessageIsCutWithAMarkerWithinTheCap) {
  std::string message = "Title\n\n" + std::string(kMaxJobMessageBytes, 'x');
  std::string capped = CapJobMessage(message);
  EXPECT_EQ(capped.size(), kMaxJobMessageBytes);
  EXPECT_TRUE(capped.ends_with(kMessageCutMarker));
  std::string kept = capped.substr(0, capped.size() - kMessageCutMarker.size());
  EXPECT_EQ(message.rfind(kept, 0), 0u) << "the start of the message is kept as it was";
}

TEST(CapJobMessage, TheCutNeverSplitsAUtf8Character) {
  const std::size_t cut = kMaxJobMessageBytes - kMessageCutMarker.size();
  // A four-byte character (U+1F600) across the cut, at each offset.
  for (std::size_t offset = 1; offset <= 3; ++offset) {
    std::string message(cut - offset, 'a');
    message += "\xF0\x9F\x98\x80";
    message += std::string(kMaxJobMessageBytes, 'b');
    std::string capped = CapJobMessage(message);
    EXPECT_LE(capped.size(), kMaxJobMessageBytes);
    EXPECT_EQ(capped.substr(0, capped.size() - kMessageCutMarker.size()),
              std::string(cut - offset, 'a'))
        << offset;
  }
  // Ending right after a whole character keeps it.
  std::string message(cut - 4, 'a');
  message += "\xF0\x9F\x98\x80";
  message += std::string(kMaxJobMessageBytes, 'b');
  EXPECT_EQ(CapJobMessage(message).substr(0, cut), message.substr(0, cut));
}

}  // namespace
}  // namespace jiralink::hooks
