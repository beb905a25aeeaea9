// The hook, `deliver` and `queue` with a PostgreSQL outbox ([state] outbox =
// "postgresql://..."), against a real server (support/postgres_server.h)
// and the stand-in Jira: pushes queue there, deliverers on several hosts
// never post one job twice, a push while the server is down is spooled and
// moved once, and a waiting daemon is woken by NOTIFY.
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "hook_e2e_fixture.h"
#include "support/postgres_server.h"

namespace jiralink::testing {
namespace {

using ::testing::HasSubstr;

class HookPostgresTest : public HookE2E {
 protected:
  void SetUp() override {
    std::string skip, error;
    server_ = SharedServerWithDatabase(git_.Path("fleet"), &database_, &skip, &error);
    if (!skip.empty()) GTEST_SKIP() << skip;
    ASSERT_NE(server_, nullptr) << error;
    UsePostgres(server_->Uri(database_));
    HookE2E::SetUp();
  }

  void UsePostgres(const std::string& uri) { state_extra_ = "outbox = \"" + uri + "\"\n"; }

  std::string Spool() const { return git_.Path("state/outbox.sqlite3"); }

  // The jobs of `queue list --json` of the fleet's outbox.
  nlohmann::json QueueList(const std::string& config) {
    ProcessResult r = RunJiralink({"--config", config, "queue", "list", "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    nlohmann::json listed = nlohmann::json::parse(r.out, nullptr, false);
    return listed.is_object() ? listed.value("jobs", nlohmann::json::array())
                              : nlohmann::json::array();
  }

  // A copy of the settings for another host: its own state directory.
  std::string OtherHostConfig(const std::string& name) {
    std::string text = ReadFile(config_);
    const std::string state = git_.Path("state");
    std::string other = git_.Path(name + "-state");
    text.replace(text.find(state), state.size(), other);
    std::string path = git_.Path(name + ".toml");
    WriteFile(path, text);
    return path;
  }

  // `deliver --daemon` on this host, an hour between polls, logging to `log`.
  void StartDaemon(BackgroundProcess* daemon, const std::string& log) {
    ProcessOptions options;
    options.env = {{"JIRALINK_BACKOFF_BASE_MS", "10"}};
    daemon->Start({JiralinkBin(), "--config", config_, "deliver", "--daemon", "--poll-seconds",
                   "3600", "--log", log},
                  options, log + ".output");
  }

  // Whether the daemon's log has `text` within a generous time.
  bool LogSays(const std::string& log, const std::string& text) {
    return WaitFor([&] { return ReadFile(log).find(text) != std::string::npos; },
                   std::chrono::seconds(60));
  }

  std::string RelaySocket() const { return git_.Path("state/outbox.sock"); }

  PostgresServer* server_ = nullptr;
  std::string database_;
};

TEST_F(HookPostgresTest, APushQueuesInPostgresAndDeliveryPostsOnce) {
  git_.Commit("PROJ-1 first");
  git_.Commit("PROJ-2 second");
  ProcessResult push = Push({"origin", "main"});
  EXPECT_THAT(push.err, ::testing::Not(HasSubstr("spool")));
  EXPECT_FALSE(std::filesystem::exists(Spool())) << "the push went to PostgreSQL";
  nlohmann::json listed = QueueList(config_);
  ASSERT_TRUE(listed.is_array()) << listed;
  EXPECT_EQ(listed.size(), 2u);

  ProcessResult delivered = Deliver();
  EXPECT_EQ(delivered.exit_code, 0) << delivered.out << delivered.err;
  EXPECT_EQ(CommentBodies("PROJ-1").size(), 1u);
  EXPECT_EQ(CommentBodies("PROJ-2").size(), 1u);
  EXPECT_EQ(jira_.RemoteLinks("PROJ-1").size(), 1u);
  // Another host's `queue list` sees the same queue, delivered.
  nlohmann::json elsewhere = QueueList(OtherHostConfig("host2"));
  ASSERT_EQ(elsewhere.size(), 2u);
  for (const auto& job : elsewhere) EXPECT_EQ(job.value("state", ""), "done") << job;
}

TEST_F(HookPostgresTest, StateInitCreatesTheSchemaWithoutPrintingThePassword) {
  WriteFile(git_.Path("pw"), "not-needed-but-secret\n");
  state_extra_ += "outbox_password_file = \"" + git_.Path("pw") + "\"\n";
  WriteConfig("");
  ProcessResult init = Jiralink({"state", "init"});
  EXPECT_EQ(init.exit_code, 0) << init.err;
  EXPECT_THAT(init.out, HasSubstr("the outbox is ready: postgresql:///" + database_));
  ProcessResult shown = Jiralink({"config", "check"});
  EXPECT_THAT(shown.out + shown.err, ::testing::Not(HasSubstr("not-needed-but-secret")));
  std::string error;
  EXPECT_TRUE(server_->Exec(database_, "SELECT 1 FROM jiralink_jobs", &error)) << error;
}

TEST_F(HookPostgresTest, APushWhileTheServerIsAwayIsSpooledAndMovedOnce) {
  TempDir nowhere;
  UsePostgres("postgresql://postgres@/" + database_ + "?host=" + nowhere.path());
  WriteConfig("");
  git_.Commit("PROJ-3 while the database is down");
  ProcessResult push = Push({"origin", "main"});
  EXPECT_EQ(push.exit_code, 0);
  EXPECT_THAT(push.err, HasSubstr("jobs wait in " + Spool()));
  ASSERT_TRUE(std::filesystem::exists(Spool()));
  ProcessResult failed = Deliver();
  EXPECT_NE(failed.exit_code, 0) << "the server is still away";
  EXPECT_TRUE(CommentBodies("PROJ-3").empty());

  // The server is back (the settings name it again).
  UsePostgres(server_->Uri(database_));
  WriteConfig("");
  ProcessResult delivered = Deliver();
  EXPECT_EQ(delivered.exit_code, 0) << delivered.out << delivered.err;
  EXPECT_THAT(delivered.out, HasSubstr("moved 1 jobs from the spool"));
  EXPECT_EQ(CommentBodies("PROJ-3").size(), 1u);
  EXPECT_EQ(jira_.RemoteLinks("PROJ-3").size(), 1u);
  ProcessResult again = Deliver();
  EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
  EXPECT_THAT(again.out, ::testing::Not(HasSubstr("moved")));
  EXPECT_EQ(CommentBodies("PROJ-3").size(), 1u);
  EXPECT_EQ(QueueList(config_).size(), 1u);
}

TEST_F(HookPostgresTest, DeliverersOnTwoHostsNeverPostOneJobTwice) {
  constexpr int kKeys = 24;
  for (int i = 1; i <= kKeys; ++i) git_.Commit("PROJ-" + std::to_string(i) + " work");
  Push({"origin", "main"});
  // Two hosts (own state directories, so their host locks do not serialize
  // them), each running two rounds at once.
  std::vector<std::string> configs = {OtherHostConfig("a"), OtherHostConfig("b")};
  std::vector<std::future<ProcessResult>> runs;
  for (int round = 0; round < 2; ++round) {
    for (const std::string& config : configs) {
      runs.push_back(std::async(std::launch::async, [config] {
        ProcessOptions options;
        options.env = {{"JIRALINK_BACKOFF_BASE_MS", "10"}};
        return RunJiralink({"--config", config, "deliver", "--once"}, options);
      }));
    }
  }
  for (auto& run : runs) {
    ProcessResult r = run.get();
    EXPECT_FALSE(r.timed_out) << r.err;
    EXPECT_THAT(r.exit_code, ::testing::AnyOf(0, 1)) << r.out << r.err;
  }
  for (int i = 1; i <= kKeys; ++i) {
    std::string key = "PROJ-" + std::to_string(i);
    EXPECT_EQ(CommentBodies(key).size(), 1u) << key;
    EXPECT_EQ(jira_.RemoteLinks(key).size(), 1u) << key;
  }
  for (const auto& job : QueueList(config_)) EXPECT_EQ(job.value("state", ""), "done") << job;
}

TEST_F(HookPostgresTest, AWaitingDaemonIsWokenByANewPushNotByItsPoll) {
  git_.Commit("PROJ-4 before the daemon");
  Push({"origin", "main"});
  // An hour between polls: only the notification can bring the second push soon.
  BackgroundProcess daemon;
  StartDaemon(&daemon, git_.Path("daemon.log"));
  // Its first round delivers the first push; then it waits.
  EXPECT_TRUE(
      WaitFor([&] { return CommentBodies("PROJ-4").size() == 1; }, std::chrono::seconds(60)));
  git_.Commit("PROJ-5 while it waits");
  auto pushed = std::chrono::steady_clock::now();
  Push({"origin", "main"});
  bool woken =
      WaitFor([&] { return CommentBodies("PROJ-5").size() == 1; }, std::chrono::seconds(60));
  auto latency = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - pushed);
  RecordProperty("push_to_comment_ms", static_cast<int>(latency.count()));
  int status = daemon.Stop();
  EXPECT_TRUE(woken) << ReadFile(git_.Path("daemon.log"));
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

TEST_F(HookPostgresTest, ACommitMessageThatIsNotUtf8IsQueuedAndDelivered) {
  // Latin-1, as git keeps it for a repository with i18n.commitEncoding = latin1.
  git_.Commit("PROJ-10 caf\xe9 cr\xe8me");
  ProcessResult push = Push({"origin", "main"});
  EXPECT_THAT(push.out + push.err, HasSubstr("1 Jira mention queued")) << push.err;
  ProcessResult delivered = Deliver();
  EXPECT_EQ(delivered.exit_code, 0) << delivered.out << delivered.err;
  ASSERT_EQ(CommentBodies("PROJ-10").size(), 1u);
}

TEST_F(HookPostgresTest, TheHostsDaemonTakesAPushsJobsAndDeliversThem) {
  const std::string log = git_.Path("daemon.log");
  BackgroundProcess daemon;
  StartDaemon(&daemon, log);
  ASSERT_TRUE(LogSays(log, "taking this host's pushes' jobs at " + RelaySocket())) << ReadFile(log);
  git_.Commit("a base without keys");
  git_.Commit("PROJ-6 through the daemon");
  git_.Commit("Fixes PROJ-7");
  // Automatic delivery on: the daemon that took the jobs delivers them, and
  // the hook starts no `deliver --once` of its own.
  ProcessResult push = Push({"origin", "main"}, {{"JIRALINK_NO_AUTO_DELIVER", "0"}});
  EXPECT_THAT(push.err, ::testing::Not(HasSubstr("warning"))) << push.err;
  EXPECT_THAT(push.out + push.err, HasSubstr("1 Jira mention and 1 close queued"));
  EXPECT_TRUE(LogSays(log, "enqueue relay: queued 2 new jobs of a push (pid ")) << ReadFile(log);
  EXPECT_TRUE(
      WaitFor([&] { return CommentBodies("PROJ-6").size() == 1; }, std::chrono::seconds(60)))
      << ReadFile(log);
  EXPECT_TRUE(WaitFor(
      [&] {
        nlohmann::json jobs = QueueList(config_);
        for (const auto& job : jobs) {
          if (job.value("state", "") != "done") return false;
        }
        return jobs.size() == 2;
      },
      std::chrono::seconds(60)))
      << QueueList(config_);
  EXPECT_FALSE(std::filesystem::exists(git_.Path("state/deliver.log")))
      << "no detached run: " << ReadFile(git_.Path("state/deliver.log"));
  EXPECT_FALSE(std::filesystem::exists(Spool()));

  // The same commits pushed again (main rewound, then pushed back): the
  // daemon tells the hook they were queued already.
  Push({"--force", "origin", "HEAD~2:main"});
  ProcessResult again = Push({"origin", "main"});
  EXPECT_THAT(again.out + again.err, HasSubstr("nothing new for Jira (2 jobs already queued)"));
  EXPECT_TRUE(LogSays(log, "(2 already queued)")) << ReadFile(log);
  int status = daemon.Stop();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << ReadFile(log);
  EXPECT_FALSE(std::filesystem::exists(RelaySocket())) << "a stopped daemon removes its socket";
  EXPECT_EQ(CommentBodies("PROJ-6").size(), 1u);
  EXPECT_EQ(QueueList(config_).size(), 2u);
}

TEST_F(HookPostgresTest, ADaemonThatHangsUpIsToldToThePusherAndNothingIsLost) {
  // Something listens at the socket, takes the jobs and hangs up unanswered.
  std::filesystem::create_directories(git_.Path("state"));
  ::chmod(git_.Path("state").c_str(), 0700);
  int listener = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, RelaySocket().c_str(), sizeof address.sun_path - 1);
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(::listen(listener, 4), 0);
  std::thread hang_up([listener] {
    int fd = ::accept(listener, nullptr, nullptr);
    char buffer[4096];
    while (::read(fd, buffer, sizeof buffer) > 0) {
    }
    ::close(fd);
  });
  git_.Commit("PROJ-11 to a daemon that hangs up");
  ProcessResult push = Push({"origin", "main"});
  hang_up.join();
  ::close(listener);
  EXPECT_EQ(push.exit_code, 0);
  EXPECT_THAT(push.err, HasSubstr("the deliver daemon did not take the jobs (the deliver daemon "
                                  "closed without answering); this hook queues them itself"));
  EXPECT_THAT(push.out + push.err, HasSubstr("1 Jira mention queued"));
  EXPECT_FALSE(std::filesystem::exists(Spool()));
  ASSERT_EQ(QueueList(config_).size(), 1u);
}

TEST_F(HookPostgresTest, APushAfterTheDaemonWasKilledIsQueuedByTheHookItself) {
  const std::string log = git_.Path("daemon.log");
  BackgroundProcess daemon;
  StartDaemon(&daemon, log);
  ASSERT_TRUE(LogSays(log, "taking this host's pushes' jobs")) << ReadFile(log);
  daemon.Stop(SIGKILL);
  ASSERT_TRUE(std::filesystem::exists(RelaySocket())) << "SIGKILL leaves the socket behind";

  git_.Commit("PROJ-8 nobody listens");
  ProcessResult push = Push({"origin", "main"});
  EXPECT_EQ(push.exit_code, 0);
  EXPECT_THAT(push.err, ::testing::Not(HasSubstr("warning"))) << push.err;
  EXPECT_THAT(push.out + push.err, HasSubstr("1 Jira mention queued"));
  EXPECT_FALSE(std::filesystem::exists(Spool())) << "queued in PostgreSQL, not spooled";
  ASSERT_EQ(QueueList(config_).size(), 1u);

  // The next daemon takes the socket over and delivers the job.
  const std::string log2 = git_.Path("daemon2.log");
  StartDaemon(&daemon, log2);
  EXPECT_TRUE(LogSays(log2, "taking this host's pushes' jobs")) << ReadFile(log2);
  EXPECT_TRUE(
      WaitFor([&] { return CommentBodies("PROJ-8").size() == 1; }, std::chrono::seconds(60)))
      << ReadFile(log2);
  git_.Commit("PROJ-9 through the new daemon");
  Push({"origin", "main"});
  EXPECT_TRUE(LogSays(log2, "queued 1 new jobs of a push")) << ReadFile(log2);
  daemon.Stop();
  EXPECT_EQ(CommentBodies("PROJ-8").size(), 1u);
}

}  // namespace
}  // namespace jiralink::testing
