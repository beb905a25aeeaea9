// `jiralink cache invalidate|stats|gc` on the SQLite cache and on a shared
// Redis one (a real redis-server, tests/support/redis_server.h), and
// invalidation racing concurrent `jiralink render` processes (cgit forks one
// per request).
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "jiralink/renderer/redis_render_cache.h"
#include "support/redis_server.h"
#include "support/test_support.h"

namespace jiralink {
namespace {

using testing::ProcessOptions;
using testing::ProcessResult;
using testing::RunJiralink;
using testing::TempDir;
using Clock = std::chrono::steady_clock;

class CacheCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config_ = dir_.Path("config.toml");
    state_ = dir_.Path("state");
    testing::WriteFile(
        config_,
        "[jira]\nweb_url = \"https://jira.example.com\"\n[state]\ndir = \"" + state_ + "\"\n");
  }
  ProcessResult Jiralink(std::vector<std::string> args, const std::string& stdin_data = "") {
    ProcessOptions options;
    options.stdin_data = stdin_data;
    options.unset_env = {"JIRALINK_CONFIG", "CGIT_REPO_URL"};
    args.insert(args.begin() + 1, {"--config", config_});
    return RunJiralink(args, options);
  }
  // Replaces every cached HTML with `html`: a served row is then recognisable.
  void PoisonCache(const std::string& html) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((state_ + "/render-cache.sqlite3").c_str(), &db), SQLITE_OK);
    std::string sql = "UPDATE entries SET html = CAST('" + html + "' AS BLOB)";
    EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
  }

  TempDir dir_;
  std::string config_;
  std::string state_;
};

TEST_F(CacheCliTest, StatsCountHitsAndMisses) {
  ASSERT_EQ(Jiralink({"render"}, "PROJ-1\n").exit_code, 0);
  ASSERT_EQ(Jiralink({"render"}, "PROJ-1\n").exit_code, 0);
  ASSERT_EQ(Jiralink({"render"}, "PROJ-2\n").exit_code, 0);
  ProcessResult stats = Jiralink({"cache", "stats"});
  EXPECT_EQ(stats.exit_code, 0) << stats.err;
  EXPECT_NE(stats.out.find("entries:        2 (2 in the current epoch)"), std::string::npos)
      << stats.out;
  EXPECT_NE(stats.out.find("hits:           1\n"), std::string::npos) << stats.out;
  EXPECT_NE(stats.out.find("misses:         2\n"), std::string::npos) << stats.out;
  EXPECT_NE(stats.out.find("local version:  1\n"), std::string::npos) << stats.out;
}

TEST_F(CacheCliTest, StatsJsonHasTheSameFigures) {
  ASSERT_EQ(Jiralink({"render"}, "PROJ-1\n").exit_code, 0);
  ASSERT_EQ(Jiralink({"render"}, "PROJ-1\n").exit_code, 0);
  ProcessResult stats = Jiralink({"cache", "stats", "--json"});
  ASSERT_EQ(stats.exit_code, 0) << stats.err;
  nlohmann::json out = nlohmann::json::parse(stats.out);
  EXPECT_EQ(out["store"], "sqlite");
  EXPECT_EQ(out["location"], state_ + "/render-cache.sqlite3");
  EXPECT_EQ(out["entries"], 1);
  EXPECT_EQ(out["current_entries"], 1);
  EXPECT_EQ(out["current_bytes"], out["bytes"]);
  EXPECT_EQ(out["old_entries"], 0);
  EXPECT_EQ(out["old_bytes"], 0);
  EXPECT_EQ(out["hits"], 1);
  EXPECT_EQ(out["misses"], 1);
  EXPECT_GT(out["bytes"].get<long long>(), 0);
  EXPECT_EQ(out["local_version"], 1);
  EXPECT_TRUE(out["epoch"].is_string() && !out["epoch"].get<std::string>().empty());
  ProcessResult bad = Jiralink({"cache", "stats", "--bogus"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("jiralink cache stats: The following argument was not expected: --bogus"),
            std::string::npos)
      << bad.err;
}

TEST_F(CacheCliTest, InvalidateBumpsTheVersionAndGcDropsOldRows) {
  ASSERT_EQ(Jiralink({"render"}, "PROJ-1\n").exit_code, 0);
  ProcessResult invalidate = Jiralink({"cache", "invalidate"});
  EXPECT_EQ(invalidate.exit_code, 0) << invalidate.err;
  EXPECT_EQ(invalidate.out, "render cache invalidated: local version is now 2\n");
  ProcessResult stats = Jiralink({"cache", "stats"});
  EXPECT_NE(stats.out.find("entries:        1 (0 in the current epoch)"), std::string::npos)
      << stats.out;
  EXPECT_NE(stats.out.find("old entries:    1 ("), std::string::npos) << stats.out;
  EXPECT_NE(stats.out.find("-v2\n"), std::string::npos) << stats.out;
  ProcessResult gc = Jiralink({"cache", "gc"});
  EXPECT_EQ(gc.exit_code, 0) << gc.err;
  EXPECT_EQ(gc.out, "removed 1 entries; 0 entries, 0 bytes left\n");
}

TEST_F(CacheCliTest, GcTrimsToCacheMaxMb) {
  testing::WriteFile(config_,
                     "[jira]\nweb_url = \"https://jira.example.com\"\n[render]\n"
                     "cache_max_mb = 1\n[state]\ndir = \"" +
                         state_ + "\"\n");
  // Three documents stored as ~600 KB each (300 KB of Markdown, as much
  // HTML): only one fits in 1 MiB.
  for (char c : {'a', 'b', 'c'}) {
    ASSERT_EQ(Jiralink({"render"}, std::string(300 * 1024, c) + "\n").exit_code, 0);
  }
  ProcessResult gc = Jiralink({"cache", "gc"});
  EXPECT_EQ(gc.exit_code, 0) << gc.err;
  EXPECT_NE(gc.out.find("removed 2 entries; 1 entries"), std::string::npos) << gc.out;
}

TEST_F(CacheCliTest, UnknownSubcommandIsExit2) {
  EXPECT_EQ(Jiralink({"cache", "explode"}).exit_code, 2);
  EXPECT_EQ(Jiralink({"cache"}).exit_code, 2);
}

TEST_F(CacheCliTest, NoRenderServesAnOldEpochOnceInvalidateReturns) {
  const std::string markdown = "Fixes PROJ-1\n";
  const ProcessResult fresh = Jiralink({"render"}, markdown);
  ASSERT_EQ(fresh.exit_code, 0) << fresh.err;
  PoisonCache("STALE");
  // The poisoned row is what a render of the current epoch serves.
  ASSERT_EQ(Jiralink({"render"}, markdown).out, "STALE");

  struct Run {
    Clock::time_point start;
    std::string out;
  };
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<Run> runs;
  bool stop = false;
  Clock::time_point invalidated = Clock::time_point::max();
  // Renders that started after `cache invalidate` returned and have finished.
  auto finished_after = [&] {
    return std::count_if(runs.begin(), runs.end(),
                         [&](const Run& run) { return run.start > invalidated; });
  };
  std::vector<std::thread> renderers;
  // Generous bounds: on a loaded 2-core machine one render process can take
  // a second; the test waits for the renders it needs, never a fixed time.
  const auto deadline = Clock::now() + std::chrono::seconds(120);
  for (int i = 0; i < 8; ++i) {
    renderers.emplace_back([&] {
      for (;;) {
        {
          std::lock_guard<std::mutex> lock(mutex);
          if (stop || Clock::now() >= deadline) return;
        }
        Run run{Clock::now(), ""};
        ProcessOptions options;
        options.stdin_data = markdown;
        options.unset_env = {"JIRALINK_CONFIG", "CGIT_REPO_URL"};
        run.out = RunJiralink({"render", "--config", config_}, options).out;
        std::lock_guard<std::mutex> lock(mutex);
        runs.push_back(std::move(run));
        changed.notify_all();
      }
    });
  }
  {
    // Invalidate while renders are running: after some have finished.
    std::unique_lock<std::mutex> lock(mutex);
    changed.wait_until(lock, deadline, [&] { return runs.size() >= 8; });
  }
  ProcessResult invalidate = Jiralink({"cache", "invalidate"});
  {
    std::unique_lock<std::mutex> lock(mutex);
    invalidated = Clock::now();
  }
  EXPECT_EQ(invalidate.exit_code, 0) << invalidate.err;
  {
    // Let at least 8 renders start after the invalidation and finish.
    std::unique_lock<std::mutex> lock(mutex);
    changed.wait_until(lock, deadline, [&] { return finished_after() >= 8; });
    stop = true;
  }
  for (std::thread& t : renderers) t.join();

  int after = 0;
  for (const Run& run : runs) {
    if (run.start <= invalidated) continue;
    ++after;
    EXPECT_EQ(run.out, fresh.out) << "a render started after `cache invalidate` returned "
                                     "served the old epoch";
  }
  EXPECT_GE(after, 8) << "too few renders ran after the invalidation to tell";
}

// Two web nodes: their own settings files and state directories, one Redis.
class CacheRedisCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (testing::RedisServer::FindProgram().empty()) {
      GTEST_SKIP() << testing::RedisServer::MissingMessage();
    }
    std::string error;
    server_ = testing::RedisServer::Start({}, &error);
    ASSERT_NE(server_, nullptr) << error;
    for (const char* node : {"a", "b"}) {
      testing::WriteFile(dir_.Path(std::string(node) + ".toml"),
                         "[jira]\nweb_url = \"https://jira.example.com\"\n[state]\ndir = \"" +
                             dir_.Path(std::string("state-") + node) + "\"\n[render]\ncache = \"" +
                             server_->url() + "\"\n");
    }
  }
  ProcessResult Run(const std::string& node, std::vector<std::string> args,
                    const std::string& stdin_data = "") {
    ProcessOptions options;
    options.stdin_data = stdin_data;
    options.unset_env = {"JIRALINK_CONFIG", "CGIT_REPO_URL"};
    args.insert(args.begin() + 1, {"--config", dir_.Path(node + ".toml")});
    return RunJiralink(args, options);
  }
  nlohmann::json Stats(const std::string& node) {
    ProcessResult stats = Run(node, {"cache", "stats", "--json"});
    EXPECT_EQ(stats.exit_code, 0) << stats.err;
    return nlohmann::json::parse(stats.out, nullptr, /*allow_exceptions=*/false);
  }

  TempDir dir_;
  std::unique_ptr<testing::RedisServer> server_;
};

TEST_F(CacheRedisCliTest, StatsInvalidateAndGcActOnTheSharedCache) {
  const std::string page = "# Notes\n\nFixes PROJ-7.\n";
  ProcessResult first = Run("a", {"render"}, page);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  ProcessResult second = Run("b", {"render"}, page);
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(second.out, first.out);

  // Node B sees the fleet: A's miss and entry, its own hit.
  nlohmann::json stats = Stats("b");
  EXPECT_EQ(stats["store"], "redis");
  EXPECT_EQ(stats["location"], server_->url());
  EXPECT_EQ(stats["hits"], 1);
  EXPECT_EQ(stats["misses"], 1);
  EXPECT_EQ(stats["entries"], 1);
  EXPECT_EQ(stats["current_entries"], 1);
  EXPECT_EQ(stats["old_entries"], 0);
  EXPECT_GT(stats["bytes"].get<long long>(), static_cast<long long>(page.size()));
  // The same shape as the SQLite store's.
  for (const char* field :
       {"store", "location", "entries", "bytes", "current_entries", "current_bytes", "old_entries",
        "old_bytes", "hits", "misses", "epoch", "local_version"}) {
    EXPECT_TRUE(stats.contains(field)) << field;
  }
  EXPECT_EQ(stats.size(), 12u);
  // Neither node made a local cache file.
  EXPECT_FALSE(std::ifstream(dir_.Path("state-a/render-cache.sqlite3")).good());
  EXPECT_FALSE(std::ifstream(dir_.Path("state-b/render-cache.sqlite3")).good());

  ProcessResult text = Run("b", {"cache", "stats"});
  EXPECT_NE(text.out.find("store:          redis\n"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("cache:          " + server_->url() + "\n"), std::string::npos)
      << text.out;

  // An invalidation on A: B's entry is old.
  ASSERT_EQ(Run("a", {"cache", "invalidate"}).exit_code, 0);
  stats = Stats("b");
  EXPECT_EQ(stats["entries"], 1);
  EXPECT_EQ(stats["current_entries"], 0);
  EXPECT_EQ(stats["old_entries"], 1);
  EXPECT_EQ(stats["old_bytes"], stats["bytes"]);

  // gc removes it from Redis.
  ProcessResult gc = Run("b", {"cache", "gc"});
  EXPECT_EQ(gc.exit_code, 0) << gc.err;
  EXPECT_NE(gc.out.find("removed 1 entries; 0 entries, 0 bytes left\n"), std::string::npos)
      << gc.out;
  testing::RedisReply keys;
  std::string error;
  ASSERT_TRUE(
      server_->Command({"KEYS", std::string(renderer::kRedisEntryPrefix) + "*"}, &keys, &error))
      << error;
  EXPECT_TRUE(keys.elements.empty());
  stats = Stats("a");
  EXPECT_EQ(stats["entries"], 0);
  EXPECT_EQ(stats["hits"], 1);  // the counters stay
}

TEST_F(CacheRedisCliTest, AServerThatIsGoneIsAnErrorNamingIt) {
  server_->Kill();
  for (const char* command : {"stats", "gc"}) {
    ProcessResult result = Run("a", {"cache", command});
    EXPECT_EQ(result.exit_code, 2) << command;
    EXPECT_NE(result.err.find("jiralink cache " + std::string(command) + ": render cache " +
                              server_->url()),
              std::string::npos)
        << result.err;
  }
}

TEST(CacheHelpTest, SaysWhichCacheItActsOn) {
  ProcessOptions options;
  ProcessResult help = RunJiralink({"cache", "--help"}, options);
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("the Redis server of [render] cache"), std::string::npos) << help.out;
  EXPECT_EQ(help.out.find("(SQLite under [state] dir)"), std::string::npos) << help.out;
}

}  // namespace
}  // namespace jiralink
