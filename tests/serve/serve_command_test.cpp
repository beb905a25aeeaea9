// `jiralink serve` end to end: the real program (jiralink execs
// jiralink-serve) behind a loopback socket handed over the systemd way,
// forge webhooks signed as each forge signs them, `jiralink deliver --once`,
// and the stand-in Jira's state.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "jiralink/outbox/sqlite_outbox.h"
#include "jiralink/serve/signature.h"
#include "socket_activated_serve.h"
#include "standin.h"
#include "support/redis_server.h"
#include "support/test_support.h"
#include "webhook_fixtures.h"

namespace jiralink::testing {
namespace {

constexpr char kSecret[] = "webhook-secret";

class ServeCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(jira_.Start());
    jira_.AddProject("PROJ", "Project");
    jira_.AddNumberedIssues("PROJ", 20);
    WriteFile(dir_.Path("secret"), std::string(kSecret) + "\n");
    ::chmod(dir_.Path("secret").c_str(), 0600);
    config_ = dir_.Path("jiralink.toml");
    WriteFile(config_, "[jira]\nweb_url = \"" + jira_.base_url() +
                           "\"\nusername = \"jiralink-bot\"\ntoken_env = \"JIRALINK_TEST_TOKEN\"\n"
                           "[state]\ndir = \"" +
                           dir_.Path("state") +
                           "\"\n[delivery]\nlease_seconds = 1\n"
                           "[serve]\nsecret_file = \"" +
                           dir_.Path("secret") + "\"\ntimeout_seconds = 2\n");
    ::chmod(config_.c_str(), 0600);

    // The listening socket, as systemd would hold it across restarts.
    listen_fd_ = ListenOnLoopback(&port_);
    ASSERT_GE(listen_fd_, 0);
  }

  void TearDown() override {
    StopServe(SIGTERM);
    if (listen_fd_ >= 0) close(listen_fd_);
  }

  // Starts `jiralink serve` with the socket as fd 3 and LISTEN_PID/LISTEN_FDS
  // set for it, as systemd's socket activation does.
  void StartServe() {
    serve_pid_ = StartSocketActivatedServe(config_, listen_fd_, dir_.Path("serve.log"));
    ASSERT_GT(serve_pid_, 0);
    ASSERT_TRUE(WaitFor([&] {
      httplib::Client client("127.0.0.1", port_);
      auto health = client.Get("/healthz");
      return health && health->status == 200;
    })) << ReadFile(dir_.Path("serve.log"));
  }

  void StopServe(int signal_number) {
    if (serve_pid_ <= 0) return;
    kill(serve_pid_, signal_number);
    int status = 0;
    waitpid(serve_pid_, &status, 0);
    serve_pid_ = -1;
  }

  httplib::Result Post(const std::string& forge, const nlohmann::json& body,
                       const std::string& secret = kSecret) {
    std::string text = body.dump();
    httplib::Headers headers;
    if (forge == "gitlab") {
      headers = {{"X-Gitlab-Token", secret}, {"X-Gitlab-Event", "Merge Request Hook"}};
    } else if (forge == "gitea") {
      headers = {{"X-Gitea-Signature", serve::HmacSha256Hex(secret, text)},
                 {"X-Gitea-Event", "pull_request"}};
    } else {
      headers = {{"X-Hub-Signature-256", "sha256=" + serve::HmacSha256Hex(secret, text)},
                 {"X-GitHub-Event", "pull_request"}};
    }
    httplib::Client client("127.0.0.1", port_);
    client.set_read_timeout(30, 0);
    return client.Post("/hooks/" + forge, headers, text, "application/json");
  }

  ProcessResult Deliver() {
    ProcessOptions options;
    options.env = {{"JIRALINK_TEST_TOKEN", "standin-token"}, {"JIRALINK_BACKOFF_BASE_MS", "10"}};
    return RunJiralink({"--config", config_, "deliver", "--once"}, options);
  }

  std::vector<outbox::Job> Jobs() {
    std::unique_ptr<outbox::Outbox> outbox;
    EXPECT_TRUE(outbox::OpenSqliteOutbox(dir_.Path("state/outbox.sqlite3"), &outbox).ok());
    std::vector<outbox::Job> jobs;
    EXPECT_TRUE(outbox->List(std::nullopt, 100000, &jobs).ok());
    return jobs;
  }

  int CommentsMentioning(const std::string& key, const std::string& text) {
    int count = 0;
    for (const auto& c : jira_.Comments(key)) {
      if (c.value("body", "").find(text) != std::string::npos) ++count;
    }
    return count;
  }

  standin::JiraStandin jira_{standin::JiraStandin::Options{}};
  TempDir dir_;
  std::string config_;
  int listen_fd_ = -1;
  int port_ = 0;
  pid_t serve_pid_ = -1;
};

TEST_F(ServeCommand, MergeRequestLifecycleReachesJira) {
  StartServe();
  const std::string mr_url = "http://example.com/diaspora/merge_requests/1";

  // Opened: one mention per key.
  auto opened = Post("gitlab", GitLabEvent("open", "PROJ-1: viewport", "Closes PROJ-1"));
  ASSERT_TRUE(opened);
  EXPECT_EQ(opened->status, 200) << opened->body;
  ASSERT_EQ(Deliver().exit_code, 0);
  EXPECT_EQ(CommentsMentioning("PROJ-1", mr_url), 1);
  ASSERT_EQ(jira_.RemoteLinks("PROJ-1").size(), 1u);
  EXPECT_EQ(jira_.RemoteLinks("PROJ-1")[0]["object"]["url"], mr_url);

  // An edit that adds PROJ-2 mentions only PROJ-2.
  nlohmann::json edit = GitLabEvent("update", "PROJ-1: viewport", "Closes PROJ-1, see PROJ-2");
  edit["changes"]["description"] = {{"previous", "Closes PROJ-1"},
                                    {"current", "Closes PROJ-1, see PROJ-2"}};
  auto edited = Post("gitlab", edit);
  ASSERT_TRUE(edited);
  EXPECT_EQ(edited->body, R"({"added":1,"duplicates":1})");
  // The forge delivers the same webhook again: nothing new.
  auto again = Post("gitlab", edit);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->body, R"({"added":0,"duplicates":2})");
  ASSERT_EQ(Deliver().exit_code, 0);
  EXPECT_EQ(CommentsMentioning("PROJ-1", mr_url), 1);
  EXPECT_EQ(CommentsMentioning("PROJ-2", mr_url), 1);

  // Merged into another branch: no transition.
  nlohmann::json elsewhere = GitLabEvent("merge", "PROJ-1: viewport", "Closes PROJ-1");
  elsewhere["object_attributes"]["target_branch"] = "stable";
  ASSERT_TRUE(Post("gitlab", elsewhere));
  ASSERT_EQ(Deliver().exit_code, 0);
  EXPECT_EQ(jira_.Resolution("PROJ-1"), "");

  // Merged into the default branch: PROJ-1 is done, PROJ-2 is not.
  auto merged = Post("gitlab", GitLabEvent("merge", "PROJ-1: viewport", "Closes PROJ-1"));
  ASSERT_TRUE(merged);
  EXPECT_EQ(merged->body, R"({"added":1,"duplicates":0})");
  ASSERT_EQ(Deliver().exit_code, 0);
  EXPECT_EQ(jira_.Status("PROJ-1"), "Done");
  EXPECT_NE(jira_.Resolution("PROJ-1"), "");
  EXPECT_EQ(jira_.Resolution("PROJ-2"), "");
}

TEST_F(ServeCommand, GiteaAndGitHubPullRequestsReachJira) {
  StartServe();
  auto gitea = Post("gitea", GiteaEvent("opened", "Fix bug", "fixes PROJ-4"));
  ASSERT_TRUE(gitea);
  EXPECT_EQ(gitea->status, 200) << gitea->body;
  nlohmann::json merged = GitHubEvent("closed", "PROJ-5 readme", "Resolves PROJ-5");
  merged["pull_request"]["merged"] = true;
  auto github = Post("github", merged);
  ASSERT_TRUE(github);
  EXPECT_EQ(github->status, 200) << github->body;
  ASSERT_EQ(Deliver().exit_code, 0);
  EXPECT_EQ(CommentsMentioning("PROJ-4", "http://localhost:3000/test/repo/pulls/12"), 1);
  EXPECT_EQ(jira_.Status("PROJ-5"), "Done");
}

TEST_F(ServeCommand, TwentyConcurrentSendersEachReachTheirIssue) {
  StartServe();
  constexpr int kSenders = 20;
  std::atomic<int> ok{0};
  std::vector<std::thread> senders;
  for (int i = 1; i <= kSenders; ++i) {
    senders.emplace_back([&, i] {
      nlohmann::json body = GitLabEvent("open", "PROJ-" + std::to_string(i) + " work", "");
      body["object_attributes"]["iid"] = i;
      body["object_attributes"]["url"] =
          "http://example.com/diaspora/merge_requests/" + std::to_string(i);
      auto result = Post("gitlab", body);
      if (result && result->status == 200) ok++;
    });
  }
  for (std::thread& t : senders) t.join();
  EXPECT_EQ(ok.load(), kSenders);
  ASSERT_EQ(Deliver().exit_code, 0);
  for (int i = 1; i <= kSenders; ++i) {
    std::string key = "PROJ-" + std::to_string(i);
    EXPECT_EQ(CommentsMentioning(key, "/merge_requests/" + std::to_string(i) + "]"), 1) << key;
    EXPECT_EQ(jira_.Comments(key).size(), 1u) << key;
  }
}

TEST_F(ServeCommand, WrongSignaturesOnEveryForgeQueueNothing) {
  StartServe();
  for (const char* forge : {"gitlab", "gitea", "github"}) {
    nlohmann::json body = std::string(forge) == "gitlab"  ? GitLabEvent("open", "PROJ-1", "")
                          : std::string(forge) == "gitea" ? GiteaEvent("opened", "PROJ-1", "")
                                                          : GitHubEvent("opened", "PROJ-1", "");
    auto result = Post(forge, body, "not-the-secret");
    ASSERT_TRUE(result) << forge;
    EXPECT_EQ(result->status, 401) << forge;
  }
  EXPECT_TRUE(Jobs().empty());
  httplib::Client client("127.0.0.1", port_);
  auto metrics = client.Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_NE(metrics->body.find(
                "jiralink_webhooks_rejected_total{forge=\"gitea\",reason=\"unauthorized\"} 1"),
            std::string::npos)
      << metrics->body;
}

TEST_F(ServeCommand, MetricsShowTheRenderCacheTheSettingsChoose) {
  if (RedisServer::FindProgram().empty()) GTEST_SKIP() << RedisServer::MissingMessage();
  std::string error;
  std::unique_ptr<RedisServer> redis = RedisServer::Start({}, &error);
  ASSERT_NE(redis, nullptr) << error;
  WriteFile(config_, ReadFile(config_) + "[render]\ncache = \"" + redis->url() + "\"\n");
  // Two renders of one page through Redis: a miss, then a hit.
  ProcessOptions options;
  options.stdin_data = "Fixes PROJ-1\n";
  options.unset_env = {"JIRALINK_CONFIG", "CGIT_REPO_URL"};
  for (int i = 0; i < 2; ++i) {
    ProcessResult render = RunJiralink({"--config", config_, "render"}, options);
    ASSERT_EQ(render.exit_code, 0) << render.err;
  }
  StartServe();
  httplib::Client client("127.0.0.1", port_);
  auto metrics = client.Get("/metrics");
  ASSERT_TRUE(metrics);
  for (const char* line : {"jiralink_render_cache_hits_total{store=\"redis\"} 1\n",
                           "jiralink_render_cache_misses_total{store=\"redis\"} 1\n",
                           "jiralink_render_cache_entries{store=\"redis\"} 1\n",
                           "jiralink_render_cache_current_entries{store=\"redis\"} 1\n",
                           "jiralink_render_cache_old_entries{store=\"redis\"} 0\n"}) {
    EXPECT_NE(metrics->body.find(line), std::string::npos) << line << metrics->body;
  }
  // Redis gone: the other lines are still served, without the cache's.
  redis->Kill();
  metrics = client.Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_EQ(metrics->status, 200);
  EXPECT_NE(metrics->body.find("jiralink_webhooks_accepted_total"), std::string::npos);
  EXPECT_EQ(metrics->body.find("jiralink_render_cache_"), std::string::npos) << metrics->body;
}

TEST_F(ServeCommand, NoAcceptedWebhookIsLostWhenKilled) {
  StartServe();
  // Senders keep posting distinct merge requests; a forge retries what got
  // no 2xx answer, so do they.
  std::atomic<bool> stop{false};
  std::atomic<int> next_iid{1};
  std::mutex mutex;
  std::set<int> answered;  // iids answered 2xx
  std::vector<std::thread> senders;
  for (int s = 0; s < 4; ++s) {
    senders.emplace_back([&] {
      int iid = next_iid++;
      while (!stop) {
        nlohmann::json body = GitLabEvent("open", "PROJ-1 change", "");
        body["object_attributes"]["iid"] = iid;
        auto result = Post("gitlab", body);
        if (result && result->status == 200) {
          std::lock_guard<std::mutex> lock(mutex);
          answered.insert(iid);
          iid = next_iid++;
        }
      }
    });
  }
  auto count = [&] {
    std::lock_guard<std::mutex> lock(mutex);
    return answered.size();
  };
  ASSERT_TRUE(WaitFor([&] { return count() >= 50; }));
  StopServe(SIGKILL);
  std::size_t before_restart = count();
  StartServe();
  ASSERT_TRUE(WaitFor([&] { return count() >= before_restart + 50; }));
  stop = true;
  for (std::thread& t : senders) t.join();

  std::set<std::string> stored;
  for (const outbox::Job& job : Jobs()) stored.insert(job.commit);
  for (int iid : answered) {
    EXPECT_TRUE(stored.count("!" + std::to_string(iid))) << "lost !" << iid;
  }
}

TEST_F(ServeCommand, ListensWhereTheFlagSaysWithoutSystemd) {
  ProcessOptions options;
  options.timeout = std::chrono::milliseconds(30000);
  // An address it cannot bind is a clear error, exit 1.
  ProcessResult bad = RunJiralink(
      {"--config", config_, "serve", "--listen", "127.0.0.1:" + std::to_string(port_)}, options);
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("cannot listen on 127.0.0.1:" + std::to_string(port_)), std::string::npos)
      << bad.err;
}

}  // namespace
}  // namespace jiralink::testing
