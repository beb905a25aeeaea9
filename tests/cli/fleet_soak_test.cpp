// The fleet soak (issue #15): three git hosts, each with its own settings,
// state directory and git root, push into one PostgreSQL outbox; four
// `jiralink deliver --daemon` processes on them deliver to the stand-in Jira
// while ~30% of its issue-route answers fail (lost replies after Jira applied
// the write, 503s before it did, 429s with Retry-After) and deliverers are
// SIGKILLed at random moments and replaced. It ends with exactly one comment
// and one remote link per (commit, key), one transition per closed key,
// nothing pending or dead, and the stand-in's arrival stamps show the fleet
// kept to its one request budget ([delivery] requests_per_second) and to
// every Retry-After, whichever deliverer was told.
//
// The hosts serve one repository, "platform/api" (replicas of one forge):
// the second host's history starts with the first host's commits, so those
// reach the outbox twice and must still be delivered once; the (commit, key)
// accounting is over the union of what the three hosts pushed.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iterator>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "../hooks/git_fixture.h"
#include "exactly_once_checks.h"
#include "jiralink/outbox/postgres_outbox.h"
#include "standin.h"
#include "support/postgres_server.h"
#include "support/test_support.h"

namespace jiralink::testing {
namespace {

using standin::Fault;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr int kHosts = 3;
constexpr int kCommitsPerHost = 18;
constexpr int kRequestsPerSecond = 20;  // the fleet's budget for the one site
constexpr int kRetryAfterSeconds = 1;
// Deliverer i runs with the settings of host kDelivererHost[i]: two share
// host 0 (its delivery lock lets one work while the other waits its turn).
constexpr int kDelivererHost[] = {0, 1, 2, 0};
constexpr int kDeliverers = static_cast<int>(std::size(kDelivererHost));
constexpr int kKills = 10;

struct Host {
  std::unique_ptr<GitFixture> git;
  std::string config;
};

struct Deliverer {
  int host = 0;
  BackgroundProcess process;
};

// A processed request: answered 2xx, or a lost reply (status 0), which the
// faults below only ever make after Jira applied the request.
bool Processed(const standin::RecordedRequest& request) {
  return request.status == 0 || (request.status >= 200 && request.status < 300);
}

class FleetSoak : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int h = 0; h < kHosts; ++h) hosts_.push_back(Host{std::make_unique<GitFixture>(), ""});
    std::string skip, error;
    server_ = SharedServerWithDatabase(hosts_[0].git->Path("fleet"), &database_, &skip, &error);
    if (!skip.empty()) GTEST_SKIP() << skip;
    ASSERT_NE(server_, nullptr) << error;
    ASSERT_TRUE(jira_.Start());
    jira_.AddProject("PROJ", "Project");
    jira_.AddNumberedIssues("PROJ", 30);
    for (Host& host : hosts_) {
      host.config = host.git->Path("jiralink.toml");
      WriteSettings(host);
      ProcessResult install =
          RunJiralink({"--config", host.config, "hook", "install", host.git->bare()}, Options());
      ASSERT_EQ(install.exit_code, 0) << install.err;
    }
  }

  void TearDown() override {
    for (Deliverer& deliverer : deliverers_) deliverer.process.Stop(SIGKILL);
  }

  // A host's settings: its own git root and state directory, the fleet's
  // outbox and budget; attempts enough that no job gives up, short waits,
  // and leases short enough that a killed deliverer's job is soon taken up.
  void WriteSettings(const Host& host) {
    const GitFixture& git = *host.git;
    std::string text =
        "[jira]\nweb_url = \"" + jira_.base_url() +
        "\"\nusername = \"jiralink-bot\"\ntoken = \"standin-token\"\ntimeout_seconds = 10\n\n"
        "[git]\nroot = \"" +
        git.root() +
        "\"\ncommit_url = \"https://git.example.com/{repo}/-/commit/{sha}\"\n"
        "repo_url = \"https://git.example.com/{repo}\"\n"
        "branch_url = \"https://git.example.com/{repo}/-/tree/{branch}\"\n\n"
        "[state]\ndir = \"" +
        git.Path("state") + "\"\noutbox = \"" + server_->Uri(database_) +
        "\"\n\n[delivery]\nlease_seconds = 4\nmax_attempts = 10000\nbackoff_cap_seconds = 1\n"
        "requests_per_second = " +
        std::to_string(kRequestsPerSecond) + "\n";
    WriteFile(host.config, text);
    ::chmod(host.config.c_str(), 0600);
  }

  static ProcessOptions Options() {
    ProcessOptions options;
    options.env = GitIdentityEnv();
    options.env["JIRALINK_BACKOFF_BASE_MS"] = "10";
    return options;
  }

  // `jiralink deliver --daemon` with host `host`'s settings; its log, and
  // its output (sanitizer reports and the like) beside it, in the host's
  // directory.
  void Start(Deliverer& deliverer, int host) {
    deliverer.host = host;
    const GitFixture& git = *hosts_[static_cast<std::size_t>(host)].git;
    const std::string log = git.Path("deliverer-" + std::to_string(++started_) + ".log");
    deliverer.process.Start(
        {JiralinkBin(), "--config", hosts_[static_cast<std::size_t>(host)].config, "deliver",
         "--daemon", "--poll-seconds", "1", "--log", log},
        Options(), log + ".output");
  }

  // Jobs of the fleet's outbox in `state`.
  std::int64_t JobsIn(outbox::Outbox& box, outbox::JobState state) {
    std::vector<std::pair<outbox::JobState, std::int64_t>> counts;
    Status status = box.CountByState(&counts);
    EXPECT_TRUE(status.ok()) << status.message();
    for (const auto& [s, n] : counts) {
      if (s == state) return n;
    }
    return 0;
  }

  PostgresServer* server_ = nullptr;
  std::string database_;
  standin::JiraStandin jira_{standin::JiraStandin::Options{}};
  std::vector<Host> hosts_;
  std::vector<Deliverer> deliverers_;
  int started_ = 0;
};

TEST_F(FleetSoak, ThreeHostsFourKilledDeliverersOneCommentAndLinkPerCommitAndKeyWithinTheBudget) {
  // 1. Pushes, auto-delivery off (GitIdentityEnv): each host's commits mention
  // PROJ-1..12 (so issues collect commits from several hosts); every ninth
  // says "Fixes PROJ-2x" on the default branch, a key of its own.
  std::map<std::string, std::set<std::string>> shas_by_key;  // union over the hosts
  std::set<std::string> closed;
  for (int h = 0; h < kHosts; ++h) {
    GitFixture& git = *hosts_[static_cast<std::size_t>(h)].git;
    if (h == 1) {
      // The second host's history starts with what the first host has.
      git.Run({"fetch", "-q", hosts_[0].git->bare(), "main"});
      git.Run({"reset", "-q", "--hard", "FETCH_HEAD"});
    }
    for (int i = 0; i < kCommitsPerHost; ++i) {
      std::string key;
      std::string message;
      if (i % 9 == 8) {
        key = "PROJ-" + std::to_string(21 + 2 * h + i / 9);
        message = "Fixes " + key + ": host " + std::to_string(h) + " change " + std::to_string(i);
        closed.insert(key);
      } else {
        key = "PROJ-" + std::to_string(1 + (5 * i + h) % 12);
        message = key + " host " + std::to_string(h) + " change " + std::to_string(i);
      }
      shas_by_key[key].insert(git.Commit(message));
    }
    ProcessResult push = git.Push({"origin", "main"}, {{"JIRALINK_BACKOFF_BASE_MS", "10"}});
    ASSERT_EQ(push.exit_code, 0) << push.err;
  }
  std::unique_ptr<outbox::Outbox> box;
  outbox::PostgresOptions pg;
  pg.uri = server_->Uri(database_);
  Status opened = outbox::OpenPostgresOutbox(pg, &box);
  ASSERT_TRUE(opened.ok()) << opened.message();
  std::size_t pairs = 0;
  for (const auto& [key, shas] : shas_by_key) pairs += shas.size();
  // One job per (commit, key) (a mention: comment and remote link; a close:
  // transition, then comment and link); the first host's commits, pushed
  // again by the second, were not queued twice.
  ASSERT_EQ(JobsIn(*box, outbox::JobState::kPending), static_cast<std::int64_t>(pairs));

  // 2. Faults on the issue routes, about 30% of their answers: lost replies
  // of writes (POST only: jiralink sends those on a fresh connection, which
  // libcurl never resends; a GET that dies on a reused connection is resent
  // by libcurl without asking the budget), 503s before Jira does anything,
  // and 429s with Retry-After.
  Fault lost;
  lost.method = "POST";
  lost.path_contains = "/rest/api/2/issue/";
  lost.close_connection = true;
  lost.after_processing = true;
  lost.probability = 0.15;
  jira_.InjectFault(lost);
  Fault unavailable;
  unavailable.path_contains = "/rest/api/2/issue/";
  unavailable.status = 503;
  unavailable.probability = 0.25;
  jira_.InjectFault(unavailable);
  Fault too_many;
  too_many.path_contains = "/rest/api/2/issue/";
  too_many.status = 429;
  too_many.retry_after = std::to_string(kRetryAfterSeconds);
  too_many.probability = 0.03;
  jira_.InjectFault(too_many);

  // 3. Four deliverers; one of them SIGKILLed at random moments and replaced,
  // until the queue is empty.
  const Clock::time_point began = Clock::now();
  deliverers_.resize(kDeliverers);
  for (int i = 0; i < kDeliverers; ++i)
    Start(deliverers_[static_cast<std::size_t>(i)], kDelivererHost[i]);
  std::mt19937 dice(15);
  int kills = 0;
  Clock::time_point next_kill = Clock::now() + milliseconds(300 + dice() % 1200);
  bool drained = WaitFor(
      [&] {
        if (kills < kKills && Clock::now() >= next_kill) {
          Deliverer& victim = deliverers_[dice() % kDeliverers];
          int status = victim.process.Stop(SIGKILL);
          EXPECT_TRUE(WIFSIGNALED(status)) << "a deliverer ended before it was killed";
          Start(victim, victim.host);
          ++kills;
          next_kill = Clock::now() + milliseconds(300 + dice() % 1200);
        }
        return JobsIn(*box, outbox::JobState::kPending) == 0;
      },
      std::chrono::seconds(240));
  const double seconds = std::chrono::duration<double>(Clock::now() - began).count();
  // The survivors stop cleanly: exit 0 (no sanitizer report), or ended by
  // the SIGTERM itself when a replacement had not installed its handler yet.
  for (Deliverer& deliverer : deliverers_) {
    int status = deliverer.process.Stop(SIGTERM);
    EXPECT_TRUE((WIFEXITED(status) && WEXITSTATUS(status) == 0) ||
                (WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM))
        << "wait status " << status;
  }
  jira_.ClearFaults();
  ASSERT_TRUE(drained) << JobsIn(*box, outbox::JobState::kPending) << " jobs left after " << seconds
                       << " s";
  EXPECT_EQ(kills, kKills) << "the queue emptied before every kill; the soak proved less";
  RecordProperty("drain_seconds", static_cast<int>(seconds));

  // 4. Exactly once, per (commit, key), whatever host pushed it.
  EXPECT_EQ(JobsIn(*box, outbox::JobState::kDead), 0);
  EXPECT_EQ(JobsIn(*box, outbox::JobState::kSkipped), 0);
  EXPECT_EQ(JobsIn(*box, outbox::JobState::kDone), static_cast<std::int64_t>(pairs));
  ExpectOneCommentAndLinkPerCommitAndKey(jira_, "https://git.example.com/platform/api/-/commit/",
                                         shas_by_key, closed);
  for (const std::string& key : closed) {
    int transitions = 0;
    for (const auto& request : jira_.Requests("POST", "/issue/" + key + "/transitions")) {
      transitions += Processed(request);
    }
    EXPECT_EQ(transitions, 1) << key;
  }

  // The faults were really there: about 30% of the issue-route answers.
  std::vector<standin::RecordedRequest> requests = jira_.Requests();
  int issue_route = 0;
  int failed = 0;
  int lost_replies = 0;
  std::vector<Clock::time_point> told_to_wait;
  for (const auto& request : requests) {
    if (request.path.find("/rest/api/2/issue/") == std::string::npos) continue;
    ++issue_route;
    failed += request.status == 0 || request.status >= 500 || request.status == 429;
    lost_replies += request.status == 0;
    if (request.status == 429) told_to_wait.push_back(request.received);
  }
  EXPECT_GE(failed * 100, issue_route * 22) << failed << " of " << issue_route << " failed";
  EXPECT_GT(lost_replies, 5);
  EXPECT_GT(told_to_wait.size(), 2u);

  // 5. The fleet's rate, from the stand-in's arrival stamps of every request
  // (all deliverers together). The budget books sending slots 1/20 s apart
  // and a deliverer never sends before its slot, so requests can only arrive
  // late, never early: a 1 s window of arrivals holds the <= 20 slots of that
  // second plus those whose requests were late by up to the lag L from slot
  // to arrival (the process scheduled late on a loaded 2-core machine under
  // ASan, the connection set up, the stand-in's thread woken). We allow
  // L = 250 ms: 5 requests over the budget (observed: +1 usually, +3 with
  // two CPU hogs beside the suite at load 8). Without the budget the busiest
  // second holds hundreds, and the mean is checked with no tolerance.
  constexpr int kTolerance = 5;
  ASSERT_FALSE(requests.empty());
  std::vector<Clock::time_point> arrivals;
  for (const auto& request : requests) arrivals.push_back(request.received);
  std::sort(arrivals.begin(), arrivals.end());
  std::size_t busiest = 0;
  for (std::size_t first = 0, last = 0; first < arrivals.size(); ++first) {
    while (last < arrivals.size() && arrivals[last] - arrivals[first] < std::chrono::seconds(1)) {
      ++last;
    }
    busiest = std::max(busiest, last - first);
  }
  const double span = std::chrono::duration<double>(arrivals.back() - arrivals.front()).count();
  const double mean = span > 0 ? static_cast<double>(arrivals.size() - 1) / span : 0;
  RecordProperty("requests", static_cast<int>(arrivals.size()));
  RecordProperty("busiest_second", static_cast<int>(busiest));
  RecordProperty("mean_per_second_x100", static_cast<int>(mean * 100));
  std::printf(
      "fleet soak: %zu requests in %.1f s (mean %.2f/s), busiest 1 s window %zu, budget %d/s;"
      " %zu 429s, %d lost replies, %d of %d issue-route answers failed; %d kills\n",
      arrivals.size(), span, mean, busiest, kRequestsPerSecond, told_to_wait.size(), lost_replies,
      failed, issue_route, kills);
  EXPECT_LE(busiest, static_cast<std::size_t>(kRequestsPerSecond + kTolerance));
  EXPECT_LE(mean, kRequestsPerSecond);

  // Retry-After, fleet-wide: after a 429 arrives, requests from every
  // deliverer stop for the Retry-After period, except those whose slots were
  // booked before the told deliverer recorded the hold (rate_budget.h): each
  // other deliverer books one slot at a time, so at most one each (3), plus
  // the slots booked while the 429's answer travelled back and the hold was
  // written (a few ms; at 20/s, one slot). Holds that overlap only shorten
  // the gaps, never add requests.
  constexpr std::size_t kBookedBeforeTheHold = kDeliverers - 1 + 1;
  std::size_t worst = 0;
  for (Clock::time_point told : told_to_wait) {
    std::size_t during = 0;
    for (Clock::time_point at : arrivals) {
      during += at > told && at < told + std::chrono::seconds(kRetryAfterSeconds);
    }
    worst = std::max(worst, during);
    EXPECT_LE(during, kBookedBeforeTheHold) << "requests during a Retry-After hold";
  }
  RecordProperty("most_requests_during_a_hold", static_cast<int>(worst));
  std::printf("fleet soak: at most %zu requests arrived during a %d s Retry-After hold\n", worst,
              kRetryAfterSeconds);
}

}  // namespace
}  // namespace jiralink::testing
