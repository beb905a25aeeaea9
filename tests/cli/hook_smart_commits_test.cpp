// Smart Commits end to end (issue #16): real `git push` into a bare
// repository with the hook installed, `jiralink deliver` against the
// stand-in Jira. Each command is delivered once per (repository, commit,
// key, command index), through pushes repeated, retries and lost answers;
// commands Jira cannot do end dead with the reason and can be sent again.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "hook_e2e_fixture.h"

namespace jiralink::testing {
namespace {

using standin::Fault;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kSmartOn[] = "[smart_commits]\nenabled = true\n";

class HookSmartCommits : public HookE2E {
 protected:
  // The outbox's jobs as `queue list --json` prints them.
  std::vector<nlohmann::json> Jobs() {
    ProcessResult list = Jiralink({"queue", "list", "--json", "--limit", "1000"});
    EXPECT_EQ(list.exit_code, 0) << list.err;
    std::vector<nlohmann::json> jobs;
    nlohmann::json parsed = nlohmann::json::parse(list.out, nullptr, false);
    if (parsed.is_object() && parsed["jobs"].is_array()) {
      for (const nlohmann::json& job : parsed["jobs"]) jobs.push_back(job);
    }
    return jobs;
  }

  int CountJobs(const std::string& state, const std::string& kind = "smart") {
    int count = 0;
    for (const nlohmann::json& job : Jobs()) {
      count += job.value("state", "") == state && job.value("kind", "") == kind;
    }
    return count;
  }

  // Runs `deliver --once` until no job is pending (bounded).
  bool DeliverAll() {
    return WaitFor(
        [&] {
          Deliver();
          return CountJobs("pending", "smart") == 0 && CountJobs("pending", "mention") == 0;
        },
        std::chrono::milliseconds(60000));
  }

  int CountComments(const std::string& key, const std::string& part) {
    int count = 0;
    for (const std::string& body : CommentBodies(key))
      count += body.find(part) != std::string::npos;
    return count;
  }

  // The answer to the first `method` request whose path contains `path` is
  // lost after Jira applied it.
  void LoseNextReply(const std::string& method, const std::string& path) {
    Fault fault;
    fault.method = method;
    fault.path_contains = path;
    fault.close_connection = true;
    fault.after_processing = true;
    fault.times = 1;
    jira_.InjectFault(fault);
  }

  std::string Marker(const std::string& sha, int number) {
    return "Smart Commit command " + std::to_string(number) + " of [commit " + sha.substr(0, 11) +
           "|https://git.example.com/platform/api/-/commit/" + sha + "]";
  }
};

TEST_F(HookSmartCommits, CommentWorklogAndTransitionAreDeliveredOnceThroughLostRepliesAndRepushes) {
  WriteConfig(kSmartOn);
  std::string sha = git_.Commit(
      "PROJ-1 #comment Looks good #time 1w 2d 4h 30m Total work logged #in-progress Started");
  ProcessResult push = Push({"origin", "main"});
  EXPECT_THAT(push.err + push.out,
              HasSubstr("jiralink: 1 Jira mention and 3 Smart Commit commands queued"));
  // The same commit on another branch queues nothing new.
  push = Push({"origin", "main:feature/again"});
  EXPECT_THAT(push.err + push.out, Not(HasSubstr("Smart Commit commands queued")));

  LoseNextReply("POST", "/worklog");
  LoseNextReply("POST", "/transitions");
  LoseNextReply("POST", "/comment");
  ASSERT_TRUE(DeliverAll());
  EXPECT_EQ(CountJobs("done"), 3);

  EXPECT_EQ(CountComments("PROJ-1", Marker(sha, 1)), 1);
  EXPECT_EQ(CountComments("PROJ-1", "Looks good\n\n(" + Marker(sha, 1) + ", by Ada Lovelace)"), 1);
  std::vector<nlohmann::json> worklogs = jira_.Worklogs("PROJ-1");
  ASSERT_EQ(worklogs.size(), 1u);
  EXPECT_EQ(worklogs[0].value("timeSpent", ""), "1w 2d 4h 30m");
  EXPECT_THAT(worklogs[0].value("comment", ""), HasSubstr("Total work logged"));
  EXPECT_THAT(worklogs[0].value("comment", ""), HasSubstr(Marker(sha, 2)));
  EXPECT_EQ(jira_.Status("PROJ-1"), "In Progress");
  // The transition's text is commented, as Atlassian does.
  EXPECT_EQ(CountComments("PROJ-1", "Started\n\n(" + Marker(sha, 3)), 1);
  EXPECT_EQ(jira_.Requests("POST", "/rest/api/2/issue/PROJ-1/transitions").size(), 1u)
      << "the lost transition answer was settled by reading the status";

  // Pushed once more under yet another name after delivery: nothing new.
  Push({"origin", "main:feature/third"});
  Deliver();
  EXPECT_EQ(CountComments("PROJ-1", Marker(sha, 1)), 1);
  EXPECT_EQ(jira_.Worklogs("PROJ-1").size(), 1u);
  EXPECT_EQ(jira_.Requests("POST", "/rest/api/2/issue/PROJ-1/transitions").size(), 1u);
}

TEST_F(HookSmartCommits, AnUnknownTransitionIsDeadWithTheReasonAndCanBeSentAgain) {
  WriteConfig(kSmartOn);
  git_.Commit("PROJ-2 #start-review please");
  Push({"origin", "main"});
  ProcessResult deliver = Deliver();
  // Not a crash: deliver's ordinary "some jobs are dead" exit, with a summary.
  EXPECT_EQ(deliver.exit_code, 1) << deliver.err;
  EXPECT_THAT(deliver.out, HasSubstr("1 dead"));
  EXPECT_EQ(CountJobs("dead"), 1);
  ProcessResult list = Jiralink({"queue", "list", "--state", "dead"});
  EXPECT_EQ(list.exit_code, 0);
  EXPECT_THAT(list.out, HasSubstr("no transition named \"start-review\" from status \"To Do\" of "
                                  "PROJ-2 (offered: In Progress, Done)"));
  EXPECT_EQ(jira_.Status("PROJ-2"), "To Do");

  // The workflow gets the transition; `queue retry` sends the command again.
  jira_.AddTransition("41", "Start Review", "In Progress");
  ASSERT_EQ(Jiralink({"queue", "retry", "--dead"}).exit_code, 0);
  ASSERT_TRUE(DeliverAll());
  EXPECT_EQ(jira_.Status("PROJ-2"), "In Progress");
  EXPECT_EQ(CountJobs("done"), 1);
}

TEST_F(HookSmartCommits, AnAmbiguousTransitionNameIsDeadAndNamesTheMatches) {
  jira_.AddTransition("51", "done", "Done");
  WriteConfig(kSmartOn);
  git_.Commit("PROJ-3 #DONE");
  Push({"origin", "main"});
  Deliver();
  ProcessResult list = Jiralink({"queue", "list", "--state", "dead"});
  EXPECT_THAT(list.out, HasSubstr("\"DONE\" matches 2 transitions"));
  EXPECT_EQ(jira_.Status("PROJ-3"), "To Do");
  EXPECT_TRUE(jira_.Requests("POST", "/transitions").empty());
}

TEST_F(HookSmartCommits, JirasOwnRefusalIsShownTerminalSafeAndRetryable) {
  WriteConfig(kSmartOn);
  git_.Commit("PROJ-4 #done");
  Push({"origin", "main"});
  Fault refuse;
  refuse.method = "POST";
  refuse.path_contains = "/transitions";
  refuse.status = 400;
  refuse.body =
      R"({"errorMessages":[],"errors":{"resolution":"Resolution is required.\u001b[31m"}})";
  refuse.times = 1;
  jira_.InjectFault(refuse);
  Deliver();
  ProcessResult list = Jiralink({"queue", "list", "--state", "dead"});
  EXPECT_THAT(list.out, HasSubstr("HTTP 400: resolution: Resolution is required."));
  EXPECT_THAT(list.out, Not(HasSubstr("\x1b")));
  ASSERT_EQ(Jiralink({"queue", "retry", "--dead"}).exit_code, 0);
  ASSERT_TRUE(DeliverAll());
  EXPECT_EQ(jira_.Status("PROJ-4"), "Done");
}

TEST_F(HookSmartCommits, FiftyCommandsInOneCommitAreFiftyJobsEachDeliveredOnce) {
  WriteConfig(kSmartOn);
  std::string message = "PROJ-5";
  for (int i = 1; i <= 50; ++i) message += " #comment note " + std::to_string(i);
  std::string sha = git_.Commit(message);
  Push({"origin", "main"});
  Push({"origin", "main:again"});
  LoseNextReply("POST", "/comment");
  ASSERT_TRUE(DeliverAll());
  EXPECT_EQ(CountJobs("done"), 50);
  for (int i = 1; i <= 50; ++i) {
    EXPECT_EQ(CountComments("PROJ-5", "note " + std::to_string(i) + "\n\n(" + Marker(sha, i) + ","),
              1)
        << i;
  }
}

TEST_F(HookSmartCommits, WhatTheParseLeavesOutIsToldToThePusher) {
  WriteConfig(kSmartOn);
  const std::string bad = git_.Commit("PROJ-7 #time soon\x1b[2J #comment still sent");
  std::string many = "PROJ-8";
  for (int i = 1; i <= 105; ++i) many += " #comment n" + std::to_string(i);
  const std::string over = git_.Commit(many);
  ProcessResult push = Push({"origin", "main"});
  ASSERT_EQ(push.exit_code, 0) << push.err;
  // git shows the hook's stderr to the pusher as "remote: ...".
  EXPECT_THAT(push.err, HasSubstr("Smart Commit in " + bad.substr(0, 12) +
                                  ": #time soon\u241b[2J: no duration"));
  // Quoted terminal-safe: the escape shows, it does not act.
  EXPECT_THAT(push.err, Not(HasSubstr("\x1b[2J")));
  EXPECT_THAT(push.err, HasSubstr("Smart Commit in " + over.substr(0, 12) +
                                  ": 5 commands over the limit of 100 left out"));
  // The rest of both commits is queued and delivered.
  ASSERT_TRUE(DeliverAll());
  EXPECT_EQ(CountComments("PROJ-7", "still sent\n\n(Smart Commit command"), 1);
  EXPECT_EQ(CountJobs("done"), 1 + 100);
}

TEST_F(HookSmartCommits, ManyProblemsAreNamedUpToAScreenfulThenCounted) {
  WriteConfig(kSmartOn);
  for (int i = 0; i < 14; ++i) git_.Commit("PROJ-9 #time later " + std::to_string(i));
  ProcessResult push = Push({"origin", "main"});
  ASSERT_EQ(push.exit_code, 0) << push.err;
  int named = 0;
  for (std::size_t at = push.err.find("#time later"); at != std::string::npos;
       at = push.err.find("#time later", at + 1)) {
    ++named;
  }
  EXPECT_EQ(named, 10);
  EXPECT_THAT(push.err, HasSubstr("Smart Commit: 4 more problems not shown"));
}

TEST_F(HookSmartCommits, DisabledByDefaultNothingIsQueued) {
  git_.Commit("PROJ-6 #comment hello #time 1h #done");
  Push({"origin", "main"});
  ASSERT_TRUE(DeliverAll());
  EXPECT_EQ(CountJobs("done"), 0);
  EXPECT_EQ(CountJobs("done", "mention"), 1);
  EXPECT_EQ(CountComments("PROJ-6", "Smart Commit"), 0);
  EXPECT_TRUE(jira_.Worklogs("PROJ-6").empty());
  EXPECT_EQ(jira_.Status("PROJ-6"), "To Do");
}

TEST_F(HookSmartCommits, MappedAuthorsAreMentionedAndLookedUpOnce) {
  jira_.AddUser("Ada Lovelace", "ada@example.com");
  WriteConfig(std::string(kSmartOn) + "map_authors = true\n");
  std::string sha = git_.Commit("PROJ-7 #comment first #comment second");
  Push({"origin", "main"});
  ASSERT_TRUE(DeliverAll());
  EXPECT_EQ(CountComments("PROJ-7", "(" + Marker(sha, 1) + ", by [~ada.lovelace])"), 1);
  EXPECT_EQ(CountComments("PROJ-7", "(" + Marker(sha, 2) + ", by [~ada.lovelace])"), 1);
  EXPECT_EQ(jira_.Requests("GET", "/rest/api/2/user/search").size(), 1u)
      << "the answer is cached in the outbox";
}

TEST_F(HookSmartCommits, AnUnknownAuthorEmailIsNamedByTheirCommitName) {
  WriteConfig(std::string(kSmartOn) + "map_authors = true\n");
  std::string sha = git_.Commit("PROJ-8 #comment one");
  Push({"origin", "main"});
  ASSERT_TRUE(DeliverAll());
  EXPECT_EQ(CountComments("PROJ-8", "(" + Marker(sha, 1) + ", by Ada Lovelace)"), 1);
}

TEST_F(HookSmartCommits, BadSettingsAreReportedAtFileLineColumn) {
  WriteConfig("[smart_commits]\nenabled = \"yes\"\n");
  ProcessResult check = Jiralink({"config", "check"});
  EXPECT_NE(check.exit_code, 0);
  std::string text = ReadFile(config_);
  int line = 1;
  for (std::size_t i = 0; i < text.find("enabled = \"yes\""); ++i) line += text[i] == '\n';
  EXPECT_THAT(check.err + check.out, HasSubstr(config_ + ":" + std::to_string(line) + ":11: "));
  EXPECT_THAT(check.err + check.out, HasSubstr("true or false"));
}

}  // namespace
}  // namespace jiralink::testing
