// Exactly once under lost replies and killed workers (issue #12 §2): Jira
// applies a write and the answer never arrives, on new and reused
// connections, while delivery runs are SIGKILLed at random moments. However
// it goes, every (commit, key) ends with one comment and one remote link,
// and every closed issue with one "solved" comment.
#include <csignal>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "exactly_once_checks.h"
#include "hook_e2e_fixture.h"
#include "jiralink/outbox/sqlite_outbox.h"

namespace jiralink::testing {
namespace {

using DeliverExactlyOnce = HookE2E;
using standin::Fault;

// Every answer of a Jira issue route is lost with probability `share`, after
// Jira applied the request.
Fault LoseReplies(double share) {
  Fault fault;
  fault.path_contains = "/rest/api/2/issue/";
  fault.close_connection = true;
  fault.after_processing = true;
  fault.probability = share;
  fault.times = -1;
  return fault;
}

TEST_F(DeliverExactlyOnce, LostRepliesAndKilledWorkersLeaveOneCommentAndLinkPerCommitAndKey) {
  // Enough attempts that no job gives up, and short waits between them.
  std::string settings = ReadFile(config_);
  const std::string delivery = "[delivery]\n";
  ASSERT_NE(settings.find(delivery), std::string::npos);
  settings.replace(settings.find(delivery), delivery.size(),
                   delivery + "max_attempts = 10000\nbackoff_cap_seconds = 1\n");
  WriteFile(config_, settings);
  // 50 commits: 45 mentions over PROJ-1..15 (so issues get several), and 5
  // closes of PROJ-16..20 on the default branch.
  std::map<std::string, std::vector<std::string>> shas_by_key;
  std::vector<std::string> closed;
  for (int i = 0; i < 50; ++i) {
    std::string key;
    std::string message;
    if (i % 10 == 9) {
      key = "PROJ-" + std::to_string(16 + i / 10);
      message = "Fixes " + key + ": change " + std::to_string(i);
      closed.push_back(key);
    } else {
      key = "PROJ-" + std::to_string(1 + i % 15);
      message = key + " change " + std::to_string(i);
    }
    shas_by_key[key].push_back(git_.Commit(message));
  }
  Push({"origin", "main"});
  jira_.InjectFault(LoseReplies(0.3));

  // Rounds of delivery; every other run is killed after a random short while.
  std::mt19937 dice(12);
  std::unique_ptr<outbox::Outbox> outbox;
  ASSERT_TRUE(outbox::OpenSqliteOutbox(git_.Path("state/outbox.sqlite3"), &outbox).ok());
  auto unfinished = [&] {
    std::vector<outbox::Job> pending;
    EXPECT_TRUE(outbox->List(outbox::JobState::kPending, 1000, &pending).ok());
    return pending.size();
  };
  int killed = 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(240);
  for (int round = 0; unfinished() > 0; ++round) {
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << unfinished() << " jobs left";
    bool kill = round % 2 == 0 && round < 40;
    auto limit = std::chrono::milliseconds(kill ? 50 + dice() % 400 : 120000);
    ProcessResult run = Jiralink({"deliver", "--once"}, "", limit);
    if (run.term_signal == SIGKILL) ++killed;
    if (!kill) {
      ASSERT_NE(run.exit_code, -1) << "an unkilled run ended by a signal: " << run.err;
    }
    // A killed run's leases (1 s) must run out before its jobs are due.
    if (run.term_signal == SIGKILL) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  jira_.ClearFaults();
  std::vector<outbox::Job> dead;
  ASSERT_TRUE(outbox->List(outbox::JobState::kDead, 1000, &dead).ok());
  EXPECT_TRUE(dead.empty()) << dead.front().last_error;
  EXPECT_GT(killed, 0) << "no run was killed mid-way; the test proved less than it claims";
  int lost = 0;
  for (const auto& request : jira_.Requests()) lost += request.status == 0;
  EXPECT_GT(lost, 10) << "too few replies were lost";

  ExpectOneCommentAndLinkPerCommitAndKey(jira_, "https://git.example.com/platform/api/-/commit/",
                                         shas_by_key, closed);
  for (const std::string& key : closed) {
    EXPECT_EQ(jira_.Requests("POST", "/issue/" + key + "/transitions").size(), 1u) << key;
  }
}

}  // namespace
}  // namespace jiralink::testing
