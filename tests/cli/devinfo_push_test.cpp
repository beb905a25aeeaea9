// Jira's Development panel end to end (#27): real `git push` into a bare
// repository with the hook installed, `jiralink deliver`, and the stand-in's
// stored Development Information state; the same under faults.
#include <sys/stat.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "hook_e2e_fixture.h"
#include "jiralink/jira/devinfo.h"

namespace jiralink::testing {
namespace {

using nlohmann::json;

standin::JiraStandin::Options Cloud() {
  standin::JiraStandin::Options options;
  options.personality = standin::Personality::kCloud;
  return options;
}

class DevinfoPush : public HookE2E {
 protected:
  DevinfoPush() : HookE2E(Cloud()) {}

  void SetUp() override {
    HookE2E::SetUp();
    const std::string secret = git_.Path("devinfo-secret");
    WriteFile(secret, "standin-client-secret\n");
    ::chmod(secret.c_str(), 0600);
    WriteConfig(
        "[devinfo]\nenabled = true\nclient_id = \"standin-client-id\"\n"
        "client_secret_file = \"" +
        secret + "\"\napi_url = \"" + jira_.base_url() + "\"\n");
  }

  // `deliver --once` until no job is pending, within a generous bound
  // (a 429's Retry-After and backoffs make some runs end early).
  void DeliverAll() {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
    while (std::chrono::steady_clock::now() < deadline) {
      Deliver();
      ProcessResult listed = Jiralink({"queue", "list", "--state", "pending", "--json"});
      ASSERT_EQ(listed.exit_code, 0) << listed.err;
      json pending = json::parse(listed.out, nullptr, false);
      ASSERT_TRUE(pending.is_object()) << listed.out;
      // A pause would stall the run: none is expected.
      ASSERT_EQ(pending["pauses"], json::array()) << listed.out;
      if (pending["jobs"].empty()) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));  // poll interval
    }
    FAIL() << "jobs still pending: " << Jiralink({"queue", "list"}).out;
  }

  json Repository() {
    return jira_.DevinfoState()["repositories"][jira::DevinfoEntityId("platform/api")];
  }

  std::vector<std::string> Ids(const json& entities) {
    std::vector<std::string> ids;
    for (const auto& [id, entity] : entities.items()) ids.push_back(id);
    return ids;
  }

  // The scenario of #27's proof, checking the panel after each step; the
  // same with and without faults (the SHAs are this run's).
  void RunScenario() {
    // First push: a commit without a key, one with.
    git_.Commit("Set up the project");
    std::string first = git_.Commit("PROJ-1 login form");
    Push({"origin", "main"});
    DeliverAll();
    json repo = Repository();
    EXPECT_EQ(repo["name"], "platform/api");
    EXPECT_EQ(repo["url"], "https://git.example.com/platform/api");
    EXPECT_EQ(Ids(repo["commits"]), (std::vector<std::string>{first}));
    EXPECT_EQ(repo["commits"][first]["url"],
              "https://git.example.com/platform/api/-/commit/" + first);
    EXPECT_EQ(repo["branches"]["main"]["lastCommit"]["id"], first);
    EXPECT_EQ(repo["branches"]["main"]["issueKeys"], json::array({"PROJ-1"}));

    // More commits.
    std::string second = git_.Commit("PROJ-2 password reset");
    std::string third = git_.Commit("PROJ-1 PROJ-3 remember me");
    Push({"origin", "main"});
    DeliverAll();
    repo = Repository();
    EXPECT_EQ(repo["commits"].size(), 3u);
    EXPECT_EQ(repo["commits"][third]["issueKeys"], json::array({"PROJ-1", "PROJ-3"}));
    EXPECT_EQ(repo["branches"]["main"]["lastCommit"]["id"], third);
    EXPECT_TRUE(repo["commits"].contains(second));

    // A branch created, then deleted.
    git_.Run({"checkout", "-q", "-b", "PROJ-4-search"});
    std::string topic = git_.Commit("search box");
    Push({"origin", "PROJ-4-search"});
    DeliverAll();
    repo = Repository();
    ASSERT_TRUE(repo["branches"].contains("PROJ-4-search")) << repo.dump();
    EXPECT_EQ(repo["branches"]["PROJ-4-search"]["lastCommit"]["id"], topic);
    EXPECT_EQ(repo["commits"].size(), 3u);  // "search box" names no key
    Push({"origin", "--delete", "PROJ-4-search"});
    DeliverAll();
    EXPECT_FALSE(Repository()["branches"].contains("PROJ-4-search"));

    // A force-push rewrites main's last commit.
    git_.Run({"checkout", "-q", "main"});
    git_.Run({"commit", "-q", "--amend", "-m", "PROJ-3 remember me, reworded"});
    std::string amended = git_.Rev("HEAD");
    const std::string before = git_.ServerRev("refs/heads/main");
    Push({"origin", "+main"});
    DeliverAll();
    repo = Repository();
    EXPECT_EQ(repo["branches"]["main"]["lastCommit"]["id"], amended);
    EXPECT_EQ(repo["branches"]["main"]["lastCommit"]["message"].get<std::string>().rfind(
                  "PROJ-3 remember me, reworded", 0),
              0u);
    EXPECT_TRUE(repo["commits"].contains(amended));

    // The same push replayed: nothing new is queued, the panel is as it was.
    const std::string replay = before + " " + amended + " refs/heads/main\n";
    ProcessOptions options;
    options.cwd = git_.bare();
    options.env = Env();
    options.env["GIT_DIR"] = ".";
    options.stdin_data = replay;
    ProcessResult replayed = RunJiralink({"--config", config_, "hook", "post-receive"}, options);
    EXPECT_EQ(replayed.exit_code, 0) << replayed.err;
    EXPECT_NE(replayed.out.find("nothing new for Jira"), std::string::npos) << replayed.out;
    const json settled = Repository();
    DeliverAll();
    EXPECT_EQ(Repository(), settled);
  }
};

TEST_F(DevinfoPush, ThePanelFollowsPushesBranchesAForcePushAndAReplay) { RunScenario(); }

TEST_F(DevinfoPush, UnderLostRepliesRateLimitsServerErrorsAndExpiredTokensTheEndIsTheSame) {
  // Tokens that expire mid-run (the first bulk request and the first
  // delete), two 429s with Retry-After, a third of the answers lost after
  // Jira applied them, and 502s. (The first matching fault applies.)
  for (const char* route : {"/bulk", "/branch/"}) {
    standin::Fault expire;
    expire.path_contains = route;
    expire.expire_token = true;
    expire.times = 1;
    jira_.InjectFault(expire);
  }
  standin::Fault limited;
  limited.method = "POST";
  limited.path_contains = "/bulk";
  limited.status = 429;
  limited.retry_after = "1";
  limited.times = 2;
  jira_.InjectFault(limited);
  standin::Fault lost;
  lost.method = "POST";
  lost.path_contains = "/devinfo/";
  lost.close_connection = true;
  lost.after_processing = true;
  lost.probability = 0.33;
  jira_.InjectFault(lost);
  standin::Fault bad_gateway;
  bad_gateway.path_contains = "/devinfo/";
  bad_gateway.status = 502;
  bad_gateway.probability = 0.2;
  jira_.InjectFault(bad_gateway);
  RunScenario();
  // Faults were met, and every job still ended done.
  ProcessResult dead = Jiralink({"queue", "list", "--state", "dead", "--json"});
  EXPECT_EQ(json::parse(dead.out, nullptr, false)["jobs"], json::array()) << dead.out;
  EXPECT_FALSE(jira_.Requests("POST", "/bulk").empty());
  int answered_429 = 0, lost_replies = 0;
  for (const auto& request : jira_.Requests("POST", "/bulk")) {
    answered_429 += request.status == 429 ? 1 : 0;
    lost_replies += request.status == 0 ? 1 : 0;
  }
  EXPECT_EQ(answered_429, 2);
  EXPECT_GT(lost_replies, 0);
}

}  // namespace
}  // namespace jiralink::testing
