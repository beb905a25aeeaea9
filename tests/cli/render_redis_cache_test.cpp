// `jiralink render` and `jiralink cache invalidate` with [render] cache on a
// real redis-server (tests/support/redis_server.h): hits come from Redis, an
// invalidation on one node reaches another node at once, a dead or hung
// server costs a bounded delay and one warning (never a wrong page or a
// failed render), values that are not ours are never served, a bad URL is
// reported at file:line:column, and hiredis is loaded only when configured.
#include <sys/stat.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "jiralink/renderer/redis_render_cache.h"
#include "support/redis_server.h"
#include "support/test_support.h"

namespace jiralink {
namespace {

using ::testing::HasSubstr;
using testing::ProcessOptions;
using testing::ProcessResult;
using testing::RedisReply;
using testing::RedisServer;
using testing::RedisServerOptions;
using testing::RunJiralink;
using testing::TempDir;

constexpr char kMarkdown[] = "# Notes\n\nFixes PROJ-7.\n";
constexpr char kFresh[] =
    "<h1>Notes</h1>\n<p>Fixes <a href=\"https://jira.example.com/browse/PROJ-7\" class=\"gfm "
    "gfm-issue\" title=\"Issue in Jira\" data-external-issue=\"PROJ-7\">PROJ-7</a>.</p>\n";

// Lines of `text` that are jiralink warnings.
int WarningLines(const std::string& text) {
  int count = 0;
  for (std::size_t at = text.find("warning:"); at != std::string::npos;
       at = text.find("warning:", at + 1)) {
    ++count;
  }
  return count;
}

class RenderRedisCacheTest : public ::testing::Test {
 protected:
  void SetUp() override { StartServer(RedisServerOptions{}); }

  void StartServer(const RedisServerOptions& options) {
    if (RedisServer::FindProgram().empty()) GTEST_SKIP() << RedisServer::MissingMessage();
    std::string error;
    server_ = RedisServer::Start(options, &error);
    ASSERT_NE(server_, nullptr) << error;
    WriteNode("a", "cache = \"" + server_->url() + "\"\n");
    WriteNode("b", "cache = \"" + server_->url() + "\"\n");
  }

  // A node: its own settings file and state directory, `render` lines added.
  void WriteNode(const std::string& node, const std::string& render) {
    testing::WriteFile(dir_.Path(node + ".toml"),
                       "[jira]\nweb_url = \"https://jira.example.com\"\n[state]\ndir = \"" +
                           dir_.Path("state-" + node) + "\"\n[render]\n" + render);
  }

  ProcessResult Run(const std::string& node, std::vector<std::string> args,
                    const std::string& stdin_data = "",
                    std::map<std::string, std::string> env = {}) {
    ProcessOptions options;
    options.stdin_data = stdin_data;
    options.env = std::move(env);
    options.unset_env = {"JIRALINK_CONFIG", "CGIT_REPO_URL"};
    args.insert(args.begin() + 1, {"--config", dir_.Path(node + ".toml")});
    return RunJiralink(args, options);
  }

  RedisReply Command(const std::vector<std::string>& argv) const {
    RedisReply reply;
    std::string error;
    EXPECT_TRUE(server_->Command(argv, &reply, &error)) << error;
    return reply;
  }

  std::vector<std::string> EntryKeys() const {
    return Command({"KEYS", std::string(renderer::kRedisKeyPrefix) + "e:*"}).elements;
  }

  // Replaces the HTML of the only entry, keeping its settings and input:
  // what the cache would hold had it been rendered before a Jira move.
  void PlantHtml(const std::string& html) {
    const std::vector<std::string> keys = EntryKeys();
    ASSERT_EQ(keys.size(), 1u);
    const std::string value = Command({"GET", keys[0]}).text;
    renderer::RedisCacheEntry entry;
    ASSERT_TRUE(renderer::DecodeRedisCacheEntry(value, &entry));
    Command({"SET", keys[0], renderer::EncodeRedisCacheEntry(entry.settings, entry.input, html)});
  }

  struct RedisCacheEntryForTest {
    bool ok = false;
    bool signed_entry = false;
    std::string settings, input, html;
  };
  static RedisCacheEntryForTest Decode(const std::string& value) {
    renderer::RedisCacheEntry entry;
    RedisCacheEntryForTest out;
    out.ok = renderer::DecodeRedisCacheEntry(value, &entry);
    out.signed_entry = entry.signed_entry;
    out.settings = entry.settings;
    out.input = entry.input;
    out.html = entry.html;
    return out;
  }

  TempDir dir_;
  std::unique_ptr<RedisServer> server_;
};

TEST_F(RenderRedisCacheTest, MissThenHitFromRedisNoLocalCacheFile) {
  ProcessResult first = Run("a", {"render"}, kMarkdown);
  EXPECT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(first.out, kFresh);
  EXPECT_EQ(first.err, "");
  ASSERT_EQ(EntryKeys().size(), 1u);
  // The hit really comes from Redis: a planted page is what is served.
  PlantHtml("<p>from redis</p>\n");
  ProcessResult hit = Run("a", {"render"}, kMarkdown);
  EXPECT_EQ(hit.exit_code, 0) << hit.err;
  EXPECT_EQ(hit.out, "<p>from redis</p>\n");
  // --no-cache bypasses it.
  EXPECT_EQ(Run("a", {"render", "--no-cache"}, kMarkdown).out, kFresh);
  // Nothing was cached locally.
  EXPECT_FALSE(std::ifstream(dir_.Path("state-a/render-cache.sqlite3")).good());
}

TEST_F(RenderRedisCacheTest, InvalidateOnNodeAReachesNodeBAtOnce) {
  ASSERT_EQ(Run("b", {"render"}, kMarkdown).exit_code, 0);
  // Node B's cache holds a page linking the site Jira moved away from.
  const std::string stale =
      "<h1>Notes</h1>\n<p>Fixes <a href=\"https://old-jira.example.com/browse/PROJ-7\">PROJ-7</a>."
      "</p>\n";
  PlantHtml(stale);
  EXPECT_EQ(Run("b", {"render"}, kMarkdown).out, stale);

  ProcessResult invalidate = Run("a", {"cache", "invalidate"});
  ASSERT_EQ(invalidate.exit_code, 0) << invalidate.err;
  EXPECT_THAT(invalidate.out, HasSubstr("render cache invalidated: local version is now 2\n"));
  EXPECT_THAT(invalidate.out,
              HasSubstr("shared render cache " + server_->url() + " invalidated: version is now "));

  // Node B's very next render shows the new site URL.
  ProcessResult after = Run("b", {"render"}, kMarkdown);
  EXPECT_EQ(after.exit_code, 0) << after.err;
  EXPECT_EQ(after.out, kFresh);
  EXPECT_EQ(after.err, "");
}

TEST_F(RenderRedisCacheTest, KilledServerRendersUncachedWithOneWarningInBoundedTime) {
  ASSERT_EQ(Run("a", {"render"}, kMarkdown).exit_code, 0);
  server_->Kill();
  ProcessResult result = Run("a", {"render"}, kMarkdown);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, kFresh);
  EXPECT_EQ(WarningLines(result.err), 1) << result.err;
  EXPECT_THAT(result.err, HasSubstr("jiralink render: warning: render cache " + server_->url()));
  EXPECT_THAT(result.err, HasSubstr("rendering without the cache"));
  EXPECT_LT(result.elapsed, std::chrono::seconds(10));
  // `cache invalidate` cannot reach every node: it says so and fails.
  ProcessResult invalidate = Run("a", {"cache", "invalidate"});
  EXPECT_EQ(invalidate.exit_code, 2);
  EXPECT_THAT(invalidate.err, HasSubstr(server_->url()));
}

TEST_F(RenderRedisCacheTest, HungServerRendersUncachedWithOneWarningInBoundedTime) {
  ASSERT_EQ(Run("a", {"render"}, kMarkdown).exit_code, 0);
  server_->Pause();
  ProcessResult result = Run("a", {"render"}, kMarkdown);
  server_->Resume();
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, kFresh);
  EXPECT_EQ(WarningLines(result.err), 1) << result.err;
  EXPECT_THAT(result.err, HasSubstr("no reply in time"));
  // The reply timeout is 250 ms; the bound is generous for a loaded machine.
  EXPECT_LT(result.elapsed, std::chrono::seconds(10));
}

TEST_F(RenderRedisCacheTest, ValuesThatAreNotOursAreNeverServed) {
  ASSERT_EQ(Run("a", {"render"}, kMarkdown).exit_code, 0);
  const std::string key = EntryKeys().at(0);
  for (const char* garbage : {"<script>alert(1)</script>", "JLRC1\xff\xff\xff\xff", ""}) {
    Command({"SET", key, garbage});
    ProcessResult result = Run("a", {"render"}, kMarkdown);
    EXPECT_EQ(result.exit_code, 0) << result.err;
    EXPECT_EQ(result.out, kFresh);
    EXPECT_EQ(result.err, "");
  }
  // A version key someone else set to text: uncached, one warning.
  Command({"SET", std::string(renderer::kRedisVersionKey), "not-a-number"});
  ProcessResult result = Run("a", {"render"}, kMarkdown);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, kFresh);
  EXPECT_EQ(WarningLines(result.err), 1) << result.err;
}

TEST_F(RenderRedisCacheTest, BadUrlIsReportedAtFileLineColumn) {
  WriteNode("a", "hardbreaks = false\ncache = \"redis://127.0.0.1:99999/0\"\n");
  ProcessResult result = Run("a", {"render"}, kMarkdown);
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr(dir_.Path("a.toml") +
                                    ":7:9: error: [render] cache is not a valid Redis URL: port "
                                    "must be a number from 1 to 65535"));
  EXPECT_EQ(result.out, "");
}

TEST_F(RenderRedisCacheTest, HiredisIsLoadedOnlyWhenARedisCacheIsConfigured) {
  // LD_DEBUG=libs makes the dynamic loader name every library it loads.
  const std::map<std::string, std::string> debug = {{"LD_DEBUG", "libs"}};
  ProcessResult redis = Run("a", {"render"}, kMarkdown, debug);
  EXPECT_EQ(redis.exit_code, 0);
  EXPECT_THAT(redis.err, HasSubstr("libhiredis"));
  WriteNode("b", "cache = true\n");
  ProcessResult sqlite = Run("b", {"render"}, kMarkdown, debug);
  EXPECT_EQ(sqlite.exit_code, 0);
  EXPECT_EQ(sqlite.out, kFresh);
  EXPECT_THAT(sqlite.err, Not(HasSubstr("libhiredis")));
  ProcessResult no_cache = Run("a", {"render", "--no-cache"}, kMarkdown, debug);
  EXPECT_THAT(no_cache.err, Not(HasSubstr("libhiredis")));
}

// Both nodes with [render] cache_key_file: the entries carry a MAC.
class RenderRedisCacheKeyTest : public RenderRedisCacheTest {
 protected:
  void SetUp() override {
    RenderRedisCacheTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    const std::string key_file = dir_.Path("render-cache.key");
    testing::WriteFile(key_file, "4f1c2a9be8d37c6150aa13f09e5b7d24c8e1f60a3b9d5e7f\n");
    ::chmod(key_file.c_str(), 0640);
    for (const char* node : {"a", "b"}) {
      WriteNode(node,
                "cache = \"" + server_->url() + "\"\ncache_key_file = \"" + key_file + "\"\n");
    }
  }
};

TEST_F(RenderRedisCacheKeyTest, APoisonedEntryIsAMissAndNeverPrinted) {
  ProcessResult first = Run("a", {"render"}, kMarkdown);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  ASSERT_EQ(first.out, kFresh);
  ASSERT_EQ(EntryKeys().size(), 1u);
  const std::string key = EntryKeys()[0];
  RedisCacheEntryForTest good = Decode(Command({"GET", key}).text);
  ASSERT_TRUE(good.ok);
  // Whoever can write to Redis, without the key: the right settings and
  // input (the format of a cache without a key), or bare HTML.
  const std::string evil = "<img src=x onerror=alert(document.domain)>";
  for (const std::string& value :
       {renderer::EncodeRedisCacheEntry(good.settings, good.input, evil), evil}) {
    Command({"SET", key, value});
    ProcessResult result = Run("b", {"render"}, kMarkdown);
    EXPECT_EQ(result.exit_code, 0) << result.err;
    EXPECT_EQ(result.out, kFresh);
    EXPECT_EQ(result.out.find("onerror"), std::string::npos);
    EXPECT_EQ(result.err, "");
    // Re-rendered and stored again, signed.
    RedisCacheEntryForTest stored = Decode(Command({"GET", key}).text);
    EXPECT_TRUE(stored.ok && stored.signed_entry);
  }
  // The good entry is a hit again.
  Command({"SET", key, renderer::EncodeRedisCacheEntry(good.settings, good.input, "<p>x</p>")});
  ASSERT_EQ(Run("a", {"render"}, kMarkdown).out, kFresh);
  ProcessResult stats = Run("b", {"cache", "stats", "--json"});
  EXPECT_NE(stats.out.find("\"misses\": 4"), std::string::npos) << stats.out;
  ASSERT_EQ(Run("a", {"render"}, kMarkdown).out, kFresh);
  stats = Run("b", {"cache", "stats", "--json"});
  EXPECT_NE(stats.out.find("\"hits\": 1"), std::string::npos) << stats.out;
}

TEST_F(RenderRedisCacheKeyTest, ConfigCheckWarnsAboutARedisCacheWithoutAKey) {
  ProcessResult keyed = Run("a", {"config", "check"});
  EXPECT_EQ(keyed.exit_code, 0) << keyed.err;
  EXPECT_EQ(keyed.err.find("cache_key_file is not set"), std::string::npos) << keyed.err;
  EXPECT_THAT(keyed.out, HasSubstr("cache_key_file = \"" + dir_.Path("render-cache.key") + "\""));
  EXPECT_EQ(keyed.out.find("4f1c2a9b"), std::string::npos);  // the key is never shown
  WriteNode("a", "cache = \"" + server_->url() + "\"\n");
  ProcessResult unkeyed = Run("a", {"config", "check"});
  EXPECT_EQ(unkeyed.exit_code, 0) << unkeyed.err;
  EXPECT_THAT(unkeyed.err, HasSubstr(":6:1: warning: [render] cache is a shared Redis server but "
                                     "cache_key_file is not set"));
  // Rendering says nothing (cgit would log it on every page).
  ProcessResult render = Run("a", {"render"}, kMarkdown);
  EXPECT_EQ(render.err, "");
}

TEST_F(RenderRedisCacheKeyTest, LibcryptoIsLoadedOnlyWhenAKeyIsSet) {
  // LD_DEBUG=libs makes the dynamic loader name every library it loads.
  const std::map<std::string, std::string> debug = {{"LD_DEBUG", "libs"}};
  ProcessResult keyed = Run("a", {"render"}, kMarkdown, debug);
  EXPECT_EQ(keyed.exit_code, 0);
  EXPECT_THAT(keyed.err, HasSubstr("libcrypto"));
  WriteNode("b", "cache = \"" + server_->url() + "\"\n");
  ProcessResult unkeyed = Run("b", {"render"}, kMarkdown, debug);
  EXPECT_EQ(unkeyed.exit_code, 0);
  EXPECT_THAT(unkeyed.err, Not(HasSubstr("libcrypto")));
  WriteNode("b", "cache = true\n");
  ProcessResult sqlite = Run("b", {"render"}, kMarkdown, debug);
  EXPECT_EQ(sqlite.out, kFresh);
  EXPECT_THAT(sqlite.err, Not(HasSubstr("libcrypto")));
}

class RenderRedisCachePasswordTest : public RenderRedisCacheTest {
 protected:
  void SetUp() override {
    RedisServerOptions options;
    options.tcp = true;
    options.password = "pw-from-env";
    StartServer(options);
  }
};

TEST_F(RenderRedisCachePasswordTest, PasswordFromTheEnvironmentNeverPrinted) {
  WriteNode("a", "cache = \"" + server_->url() + "\"\ncache_password_env = \"REDIS_PW\"\n");
  ProcessResult good = Run("a", {"render"}, kMarkdown, {{"REDIS_PW", "pw-from-env"}});
  EXPECT_EQ(good.exit_code, 0) << good.err;
  EXPECT_EQ(good.out, kFresh);
  EXPECT_EQ(good.err, "");
  EXPECT_EQ(EntryKeys().size(), 1u);
  ProcessResult wrong = Run("a", {"render"}, kMarkdown, {{"REDIS_PW", "not-the-pw"}});
  EXPECT_EQ(wrong.exit_code, 0) << wrong.err;
  EXPECT_EQ(wrong.out, kFresh);
  EXPECT_EQ(WarningLines(wrong.err), 1) << wrong.err;
  EXPECT_EQ(wrong.err.find("not-the-pw"), std::string::npos);
  ProcessResult unset = Run("a", {"render"}, kMarkdown);
  EXPECT_EQ(unset.exit_code, 0) << unset.err;
  EXPECT_EQ(unset.out, kFresh);
  EXPECT_THAT(unset.err, HasSubstr("REDIS_PW"));
  // `config check` shows where the password comes from, never the password.
  ProcessResult show = Run("a", {"config", "check"}, "", {{"REDIS_PW", "pw-from-env"}});
  EXPECT_EQ(show.out.find("pw-from-env"), std::string::npos);
  EXPECT_EQ(show.err.find("pw-from-env"), std::string::npos);
}

}  // namespace
}  // namespace jiralink
