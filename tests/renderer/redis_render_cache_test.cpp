// The Redis render cache against a real redis-server (Debian's redis-server,
// started on loopback by tests/support/redis_server.h): hits and misses, the
// shared version (an invalidation by one node reaches another at once),
// settings in the key, values that are not ours, a password, a database
// number, and a server that dies or hangs between the lookup and the store.
#include "jiralink/renderer/redis_render_cache.h"

#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "jiralink/renderer/cached_renderer.h"
#include "support/redis_server.h"

namespace jiralink::renderer {
namespace {

using jiralink::testing::RedisReply;
using jiralink::testing::RedisServer;
using jiralink::testing::RedisServerOptions;
using ::testing::HasSubstr;

constexpr char kMarkdown[] = "Fixes ABC-1 and **bold**";

class RedisRenderCacheTest : public ::testing::Test {
 protected:
  void SetUp() override { StartServer(RedisServerOptions{}); }

  void StartServer(const RedisServerOptions& options) {
    if (RedisServer::FindProgram().empty()) GTEST_SKIP() << RedisServer::MissingMessage();
    std::string error;
    server_ = RedisServer::Start(options, &error);
    ASSERT_NE(server_, nullptr) << error;
  }

  RedisCacheOptions Options() const {
    RedisCacheOptions options;
    EXPECT_EQ(ParseRedisUrl(server_->url(), &options.url), "");
    return options;
  }

  RedisReply Command(const std::vector<std::string>& argv) const {
    RedisReply reply;
    std::string error;
    EXPECT_TRUE(server_->Command(argv, &reply, &error)) << error;
    return reply;
  }

  // The entry keys in the server.
  std::vector<std::string> EntryKeys() const {
    return Command({"KEYS", std::string(kRedisKeyPrefix) + "e:*"}).elements;
  }

  std::unique_ptr<CachedRenderer> Renderer(const std::string& web_url,
                                           std::vector<std::string>* warnings,
                                           const RedisCacheOptions* redis = nullptr) const {
    RenderOptions render;
    render.web_url = web_url;
    CacheOptions cache;
    cache.redis = redis != nullptr ? *redis : Options();
    cache.warn = [warnings](const std::string& message) { warnings->push_back(message); };
    std::unique_ptr<CachedRenderer> renderer;
    EXPECT_TRUE(CachedRenderer::Create(render, cache, &renderer).ok());
    return renderer;
  }

  std::unique_ptr<RedisServer> server_;
};

TEST_F(RedisRenderCacheTest, MissStoresAndHitServesTheSameHtml) {
  std::vector<std::string> warnings;
  auto renderer = Renderer("https://jira.example.com", &warnings);
  ASSERT_TRUE(renderer->cache_in_use());
  std::string first, second;
  bool from_cache = true;
  ASSERT_TRUE(renderer->Render(kMarkdown, &first, &from_cache).ok());
  EXPECT_FALSE(from_cache);
  EXPECT_THAT(first, HasSubstr("https://jira.example.com/browse/ABC-1"));
  ASSERT_EQ(EntryKeys().size(), 1u);
  // Another process (a new renderer, a new connection) finds it.
  auto again = Renderer("https://jira.example.com", &warnings);
  ASSERT_TRUE(again->Render(kMarkdown, &second, &from_cache).ok());
  EXPECT_TRUE(from_cache);
  EXPECT_EQ(second, first);
  EXPECT_TRUE(warnings.empty());
  // Entries expire: a TTL of about a week.
  const RedisReply ttl = Command({"TTL", EntryKeys()[0]});
  EXPECT_GT(ttl.integer, 6 * 24 * 3600);
  EXPECT_LE(ttl.integer, 7 * 24 * 3600);
  // The version key never expires.
  EXPECT_EQ(Command({"TTL", std::string(kRedisVersionKey)}).integer, -1);
}

TEST_F(RedisRenderCacheTest, EntryHoldsSettingsInputAndHtml) {
  std::vector<std::string> warnings;
  std::string html;
  ASSERT_TRUE(Renderer("https://jira.example.com", &warnings)->Render(kMarkdown, &html).ok());
  ASSERT_EQ(EntryKeys().size(), 1u);
  const RedisReply value = Command({"GET", EntryKeys()[0]});
  RedisCacheEntry entry;
  ASSERT_TRUE(DecodeRedisCacheEntry(value.text, &entry));
  EXPECT_EQ(entry.input, kMarkdown);
  EXPECT_EQ(entry.html, html);
  EXPECT_THAT(std::string(entry.settings), HasSubstr("https://jira.example.com"));
}

TEST_F(RedisRenderCacheTest, OtherSettingsAreOtherEntries) {
  std::vector<std::string> warnings;
  std::string old_site, new_site;
  bool from_cache = true;
  ASSERT_TRUE(Renderer("https://old.example.com", &warnings)->Render(kMarkdown, &old_site).ok());
  ASSERT_TRUE(Renderer("https://new.example.com", &warnings)
                  ->Render(kMarkdown, &new_site, &from_cache)
                  .ok());
  EXPECT_FALSE(from_cache);
  EXPECT_THAT(new_site, HasSubstr("https://new.example.com/browse/ABC-1"));
  EXPECT_EQ(EntryKeys().size(), 2u);
}

TEST_F(RedisRenderCacheTest, InvalidationByOneNodeReachesAnotherAtOnce) {
  std::vector<std::string> warnings;
  auto node_b = Renderer("https://jira.example.com", &warnings);
  std::string html;
  bool from_cache = false;
  ASSERT_TRUE(node_b->Render(kMarkdown, &html).ok());
  ASSERT_TRUE(node_b->Render(kMarkdown, &html, &from_cache).ok());
  ASSERT_TRUE(from_cache);

  // Node A invalidates, with its own connection (and its own state dir).
  CacheOptions node_a;
  node_a.state_dir = ::testing::TempDir() + "/node-a-" + std::to_string(::getpid());
  node_a.redis = Options();
  CacheInvalidation done;
  ASSERT_TRUE(InvalidateCaches(node_a, &done).ok());
  EXPECT_GT(done.shared_version, 1000000000000000);  // seeded with the time in microseconds
  EXPECT_EQ(Command({"GET", std::string(kRedisVersionKey)}).text,
            std::to_string(done.shared_version));

  // Node B's very next lookup, on its open connection, misses.
  ASSERT_TRUE(node_b->Render(kMarkdown, &html, &from_cache).ok());
  EXPECT_FALSE(from_cache);
  ASSERT_TRUE(node_b->Render(kMarkdown, &html, &from_cache).ok());
  EXPECT_TRUE(from_cache);
  EXPECT_TRUE(warnings.empty());
}

TEST_F(RedisRenderCacheTest, ALostVersionKeyNeverComesBackToAnOldVersion) {
  std::unique_ptr<RedisRenderCache> cache;
  ASSERT_TRUE(RedisRenderCache::Open(Options(), "settings", &cache).ok());
  std::int64_t before = 0, after = 0;
  ASSERT_TRUE(cache->Invalidate(&before).ok());
  ASSERT_EQ(Command({"DEL", std::string(kRedisVersionKey)}).integer, 1);  // FLUSH, eviction...
  ASSERT_TRUE(cache->Version(&after).ok());
  EXPECT_GT(after, before);
}

TEST_F(RedisRenderCacheTest, ValuesThatAreNotOursAreMissesNeverServed) {
  std::vector<std::string> warnings;
  std::string html;
  ASSERT_TRUE(Renderer("https://jira.example.com", &warnings)->Render(kMarkdown, &html).ok());
  ASSERT_EQ(EntryKeys().size(), 1u);
  const std::string key = EntryKeys()[0];
  const std::string good = Command({"GET", key}).text;
  RedisCacheEntry entry;
  ASSERT_TRUE(DecodeRedisCacheEntry(good, &entry));
  const std::vector<std::string> garbage = {
      "",
      "<p>someone else's page</p>",
      good.substr(0, 12),               // a truncated header
      good.substr(0, good.size() / 2),  // a truncated value: the input no longer matches
      EncodeRedisCacheEntry(entry.settings, "another input", "<p>wrong</p>"),
      EncodeRedisCacheEntry("other settings", entry.input, "<p>wrong</p>"),
      std::string("JLRC1") + std::string(12, '\xff'),  // lengths past the end
  };
  for (const std::string& value : garbage) {
    Command({"SET", key, value});
    std::string again;
    bool from_cache = true;
    ASSERT_TRUE(Renderer("https://jira.example.com", &warnings)
                    ->Render(kMarkdown, &again, &from_cache)
                    .ok());
    EXPECT_FALSE(from_cache);
    EXPECT_EQ(again, html);
    // The miss stored a good entry over it.
    EXPECT_EQ(Command({"GET", key}).text, good);
  }
  // A key of another type (WRONGTYPE on GET) is a miss too, replaced by the store.
  Command({"DEL", key});
  Command({"RPUSH", key, "x"});
  std::string again;
  ASSERT_TRUE(Renderer("https://jira.example.com", &warnings)->Render(kMarkdown, &again).ok());
  EXPECT_EQ(again, html);
  EXPECT_EQ(Command({"GET", key}).text, good);
  EXPECT_TRUE(warnings.empty()) << warnings[0];
}

TEST_F(RedisRenderCacheTest, AVersionKeyThatIsNotANumberDropsTheCacheWithAWarning) {
  Command({"SET", std::string(kRedisVersionKey), "banana"});
  std::vector<std::string> warnings;
  auto renderer = Renderer("https://jira.example.com", &warnings);
  std::string html;
  ASSERT_TRUE(renderer->Render(kMarkdown, &html).ok());
  EXPECT_THAT(html, HasSubstr("https://jira.example.com/browse/ABC-1"));
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_THAT(warnings[0], HasSubstr("does not hold a version number"));
  EXPECT_FALSE(renderer->cache_in_use());
}

TEST_F(RedisRenderCacheTest, ServerKilledBetweenLookupAndStore) {
  std::vector<std::string> warnings;
  auto renderer = Renderer("https://jira.example.com", &warnings);
  std::string cached;
  ASSERT_TRUE(renderer->Render(kMarkdown, &cached).ok());
  // The lookup of a new input succeeds, then the server dies before the store.
  std::unique_ptr<RedisRenderCache> cache;
  ASSERT_TRUE(RedisRenderCache::Open(Options(), "settings", &cache).ok());
  bool found = true;
  CacheSlot slot;
  ASSERT_TRUE(cache
                  ->Lookup(
                      "new input", [](std::string_view) {}, &found, &slot)
                  .ok());
  EXPECT_FALSE(found);
  server_->Kill();
  const Status stored = cache->Store(slot, "new input", "<p>new input</p>");
  EXPECT_EQ(stored.code(), Status::Code::kUnavailable);
  EXPECT_THAT(stored.message(), HasSubstr(server_->url()));
  // The renderer whose connection died renders correctly, warns once.
  std::string html;
  bool from_cache = true;
  ASSERT_TRUE(renderer->Render(kMarkdown, &html, &from_cache).ok());
  EXPECT_FALSE(from_cache);
  EXPECT_EQ(html, cached);
  ASSERT_TRUE(renderer->Render("Second ABC-2", &html).ok());
  EXPECT_THAT(html, HasSubstr("browse/ABC-2"));
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_THAT(warnings[0], HasSubstr("rendering without the cache"));
}

TEST_F(RedisRenderCacheTest, AHungServerCostsOneTimeoutThenRendersUncached) {
  std::vector<std::string> warnings;
  server_->Pause();
  const auto start = std::chrono::steady_clock::now();
  auto renderer = Renderer("https://jira.example.com", &warnings);
  std::string html;
  ASSERT_TRUE(renderer->Render(kMarkdown, &html).ok());
  const auto elapsed = std::chrono::steady_clock::now() - start;
  server_->Resume();
  EXPECT_THAT(html, HasSubstr("browse/ABC-1"));
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_THAT(warnings[0], HasSubstr("no reply in time"));
  // 150 ms to connect + 250 ms for a reply, with a wide margin for a loaded machine.
  EXPECT_LT(elapsed, std::chrono::seconds(10));
}

TEST_F(RedisRenderCacheTest, NoServerAtAllIsAWarningNotAFailure) {
  RedisCacheOptions gone = Options();
  server_->Kill();
  std::vector<std::string> warnings;
  auto renderer = Renderer("https://jira.example.com", &warnings, &gone);
  EXPECT_FALSE(renderer->cache_in_use());
  std::string html;
  ASSERT_TRUE(renderer->Render(kMarkdown, &html).ok());
  EXPECT_THAT(html, HasSubstr("browse/ABC-1"));
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_THAT(warnings[0], HasSubstr("cannot connect"));
  // And `cache invalidate` fails rather than pretending.
  CacheOptions options;
  options.state_dir = ::testing::TempDir() + "/gone-" + std::to_string(::getpid());
  options.redis = gone;
  CacheInvalidation done;
  EXPECT_FALSE(InvalidateCaches(options, &done).ok());
}

class RedisRenderCachePasswordTest : public RedisRenderCacheTest {
 protected:
  void SetUp() override {
    RedisServerOptions options;
    options.tcp = true;
    options.password = "s3cret-pw";
    StartServer(options);
  }
};

TEST_F(RedisRenderCachePasswordTest, AuthenticatesOverTcpAndSelectsTheDatabase) {
  RedisCacheOptions options = Options();
  options.password = "s3cret-pw";
  options.url.db = 5;
  std::vector<std::string> warnings;
  std::string html;
  ASSERT_TRUE(
      Renderer("https://jira.example.com", &warnings, &options)->Render(kMarkdown, &html).ok());
  EXPECT_TRUE(warnings.empty()) << warnings[0];
  EXPECT_TRUE(EntryKeys().empty());  // db 0
  EXPECT_EQ(Command({"SELECT", "5"}).type, RedisReply::Type::kStatus);
}

TEST_F(RedisRenderCachePasswordTest, AWrongPasswordIsAWarningThatNeverShowsIt) {
  RedisCacheOptions options = Options();
  options.password = "wrong-pw";
  std::vector<std::string> warnings;
  std::string html;
  ASSERT_TRUE(
      Renderer("https://jira.example.com", &warnings, &options)->Render(kMarkdown, &html).ok());
  EXPECT_THAT(html, HasSubstr("browse/ABC-1"));
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_THAT(warnings[0], HasSubstr("AUTH refused"));
  EXPECT_EQ(warnings[0].find("wrong-pw"), std::string::npos);
  EXPECT_EQ(warnings[0].find("s3cret-pw"), std::string::npos);
}

// A MAC key as [render] cache_key_file would hold it.
constexpr char kKey[] = "0123456789abcdef0123456789abcdef-node-key";

class RedisRenderCacheKeyTest : public RedisRenderCacheTest {
 protected:
  RedisCacheOptions Keyed(const std::string& key = kKey) const {
    RedisCacheOptions options = Options();
    options.key = key;
    return options;
  }
  // Renders kMarkdown with the key; *from_cache tells whether it was a hit.
  std::string RenderKeyed(bool* from_cache, const std::string& key = kKey) {
    const RedisCacheOptions options = Keyed(key);
    std::vector<std::string> warnings;
    std::string html;
    EXPECT_TRUE(Renderer("https://jira.example.com", &warnings, &options)
                    ->Render(kMarkdown, &html, from_cache)
                    .ok());
    EXPECT_TRUE(warnings.empty()) << warnings[0];
    return html;
  }
};

TEST_F(RedisRenderCacheKeyTest, EntriesAreSignedAndServedWithTheKey) {
  bool from_cache = true;
  const std::string fresh = RenderKeyed(&from_cache);
  EXPECT_FALSE(from_cache);
  ASSERT_EQ(EntryKeys().size(), 1u);
  const std::string value = Command({"GET", EntryKeys()[0]}).text;
  RedisCacheEntry entry;
  ASSERT_TRUE(DecodeRedisCacheEntry(value, &entry));
  EXPECT_TRUE(entry.signed_entry);
  EXPECT_EQ(entry.mac.size(), 32u);
  EXPECT_EQ(entry.html, fresh);
  EXPECT_EQ(RenderKeyed(&from_cache), fresh);
  EXPECT_TRUE(from_cache);
}

TEST_F(RedisRenderCacheKeyTest, PoisonedEntriesAreMissesNeverServedAndAreReplaced) {
  bool from_cache = true;
  const std::string fresh = RenderKeyed(&from_cache);
  ASSERT_EQ(EntryKeys().size(), 1u);
  const std::string key = EntryKeys()[0];
  const std::string good = Command({"GET", key}).text;
  RedisCacheEntry entry;
  ASSERT_TRUE(DecodeRedisCacheEntry(good, &entry));
  const std::string settings(entry.settings), input(entry.input);
  const std::string evil = "<img src=x onerror=alert(document.cookie)>";

  std::string other_key, old_version, tampered;
  ASSERT_TRUE(EncodeSignedRedisCacheEntry("another key, also long enough to be accepted",
                                          entry.version, settings, input, evil, &other_key)
                  .ok());
  ASSERT_TRUE(
      EncodeSignedRedisCacheEntry(kKey, entry.version - 1, settings, input, evil, &old_version)
          .ok());
  // The right MAC, another page: the HTML changed after signing.
  tampered = good;
  tampered.replace(tampered.find("<p>"), 3, "<b>");
  const std::vector<std::pair<std::string, std::string>> poison = {
      {"unsigned (what an earlier jiralink wrote)", EncodeRedisCacheEntry(settings, input, evil)},
      {"signed with another key", other_key},
      {"signed for an older version", old_version},
      {"tampered after signing", tampered},
      {"plain HTML", evil},
  };
  for (const auto& [what, value] : poison) {
    Command({"SET", key, value});
    EXPECT_EQ(RenderKeyed(&from_cache), fresh) << what;
    EXPECT_FALSE(from_cache) << what;
    // The miss stored a good entry over it.
    const std::string now_stored = Command({"GET", key}).text;
    RedisCacheEntry stored;
    ASSERT_TRUE(DecodeRedisCacheEntry(now_stored, &stored)) << what;
    EXPECT_TRUE(stored.signed_entry) << what;
    EXPECT_EQ(stored.html, fresh) << what;
  }
}

TEST_F(RedisRenderCacheKeyTest, NodesWithoutTheKeyNeitherServeNorAreServedSignedEntries) {
  bool from_cache = true;
  const std::string fresh = RenderKeyed(&from_cache);
  // A node without a key (mid-upgrade) cannot check a MAC: a miss.
  std::vector<std::string> warnings;
  std::string html;
  ASSERT_TRUE(
      Renderer("https://jira.example.com", &warnings)->Render(kMarkdown, &html, &from_cache).ok());
  EXPECT_FALSE(from_cache);
  EXPECT_EQ(html, fresh);
  // It stored an unsigned entry, which a node with the key does not serve.
  EXPECT_EQ(RenderKeyed(&from_cache), fresh);
  EXPECT_FALSE(from_cache);
  EXPECT_EQ(RenderKeyed(&from_cache), fresh);
  EXPECT_TRUE(from_cache);
}

TEST_F(RedisRenderCacheTest, StatsCountTheFleetsHitsAndEntriesByEpochAndGcDropsOldOnes) {
  std::vector<std::string> warnings;
  std::string html;
  // Two nodes (two connections) share the entry and the counters.
  ASSERT_TRUE(Renderer("https://jira.example.com", &warnings)->Render(kMarkdown, &html).ok());
  ASSERT_TRUE(Renderer("https://jira.example.com", &warnings)->Render(kMarkdown, &html).ok());
  // Another site's settings: an entry of the current version, not of this epoch.
  ASSERT_TRUE(Renderer("https://other.example.com", &warnings)->Render(kMarkdown, &html).ok());

  RenderOptions render;
  render.web_url = "https://jira.example.com";
  std::unique_ptr<jiralink::renderer::Renderer> plain;  // the epoch's fingerprint
  ASSERT_TRUE(jiralink::renderer::Renderer::Create(render, &plain).ok());
  CacheOptions options;
  options.redis = Options();
  RenderCacheStats stats;
  ASSERT_TRUE(ReadCacheStats(options, plain->fingerprint(), &stats).ok());
  EXPECT_EQ(stats.store, "redis");
  EXPECT_EQ(stats.location, server_->url());
  EXPECT_EQ(stats.hits, 1);
  EXPECT_EQ(stats.misses, 2);
  EXPECT_EQ(stats.entries, 2);
  EXPECT_EQ(stats.current_entries, 1);
  EXPECT_EQ(stats.old_entries, 0);
  EXPECT_GT(stats.current_bytes, static_cast<std::int64_t>(std::strlen(kMarkdown)));
  EXPECT_GT(stats.bytes, stats.current_bytes);
  EXPECT_THAT(stats.epoch, ::testing::EndsWith("-v" + std::to_string(stats.local_version)));
  EXPECT_EQ(Command({"TTL", std::string(kRedisHitsKey)}).integer, -1);  // never evicted by TTL

  // Keys of an earlier layout count as old.
  Command({"SET", std::string(kRedisEntryPrefix) + "1:0123456789abcdef0123456789abcdef", "x"});
  std::unique_ptr<RedisRenderCache> cache;
  ASSERT_TRUE(RedisRenderCache::Open(Options(), plain->fingerprint(), &cache).ok());
  ASSERT_TRUE(cache->Invalidate(nullptr).ok());
  ASSERT_TRUE(ReadCacheStats(options, plain->fingerprint(), &stats).ok());
  EXPECT_EQ(stats.entries, 3);
  EXPECT_EQ(stats.old_entries, 3);
  EXPECT_EQ(stats.old_bytes, stats.bytes);
  EXPECT_EQ(stats.current_entries, 0);

  // A new render after the invalidation is current; gc keeps it.
  ASSERT_TRUE(Renderer("https://jira.example.com", &warnings)->Render(kMarkdown, &html).ok());
  std::int64_t removed = 0;
  ASSERT_TRUE(CollectCacheGarbage(options, plain->fingerprint(), 0, &removed).ok());
  EXPECT_EQ(removed, 3);
  ASSERT_TRUE(ReadCacheStats(options, plain->fingerprint(), &stats).ok());
  EXPECT_EQ(stats.entries, 1);
  EXPECT_EQ(stats.current_entries, 1);
  EXPECT_EQ(stats.old_entries, 0);
  EXPECT_EQ(EntryKeys().size(), 1u);
  EXPECT_TRUE(warnings.empty()) << warnings[0];
}

TEST_F(RedisRenderCacheTest, GcRemovesManyOldEntriesInBatches) {
  // More keys than one SCAN batch or one UNLINK holds.
  const int count = kRedisScanBatch * 2 + 17;
  for (int i = 0; i < count; i += 500) {
    std::vector<std::string> mset = {"MSET"};
    for (int j = i; j < std::min(count, i + 500); ++j) {
      char hex[33];
      std::snprintf(hex, sizeof hex, "%032x", j);
      mset.push_back(std::string(kRedisEntryPrefix) + "1:0123456789abcdef:" + hex);
      mset.push_back("v");
    }
    Command(mset);
  }
  CacheOptions options;
  options.redis = Options();
  std::int64_t removed = 0;
  ASSERT_TRUE(CollectCacheGarbage(options, "settings", 0, &removed).ok());
  EXPECT_EQ(removed, count);
  EXPECT_TRUE(EntryKeys().empty());
}

TEST(RedisCacheEntryTest, EncodeDecodeRoundTrip) {
  const std::string value = EncodeRedisCacheEntry("settings", std::string("in\0put", 6), "<p/>");
  RedisCacheEntry entry;
  ASSERT_TRUE(DecodeRedisCacheEntry(value, &entry));
  EXPECT_EQ(entry.settings, "settings");
  EXPECT_EQ(entry.input, std::string_view("in\0put", 6));
  EXPECT_EQ(entry.html, "<p/>");
  for (std::size_t size = 0; size < value.size() - 4; ++size) {
    // Every shorter prefix that cuts into the settings or the input is refused.
    RedisCacheEntry cut;
    EXPECT_FALSE(DecodeRedisCacheEntry(value.substr(0, size), &cut)) << size;
  }
}

}  // namespace
}  // namespace jiralink::renderer
