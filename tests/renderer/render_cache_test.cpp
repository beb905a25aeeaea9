// The render cache: hits and misses, epochs (settings and local version),
// invalidation, gc, exact input checks against key collisions, the upgrade
// of an older file, and a corrupt file that must not break rendering.
#include "jiralink/renderer/render_cache.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "jiralink/renderer/cached_renderer.h"
#include "support/test_support.h"

namespace jiralink::renderer {
namespace {

using jiralink::testing::TempDir;

RenderOptions WithUrl(const std::string& url) {
  RenderOptions options;
  options.web_url = url;
  return options;
}

struct Rendered {
  std::string html;
  bool from_cache = false;
};

Rendered RenderOnce(const std::string& state_dir, const RenderOptions& options,
                    const std::string& markdown, std::vector<std::string>* warnings = nullptr) {
  CacheOptions cache;
  cache.state_dir = state_dir;
  cache.warn = [warnings](const std::string& message) {
    if (warnings != nullptr) warnings->push_back(message);
  };
  std::unique_ptr<CachedRenderer> renderer;
  Status status = CachedRenderer::Create(options, cache, &renderer);
  EXPECT_TRUE(status.ok()) << status.ToString();
  Rendered result;
  status = renderer->Render(markdown, &result.html, &result.from_cache);
  EXPECT_TRUE(status.ok()) << status.ToString();
  return result;
}

// Runs `sql` on the cache file under `state_dir`, as another program would.
void ExecOnFile(const std::string& state_dir, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((state_dir + "/render-cache.sqlite3").c_str(), &db), SQLITE_OK);
  char* error = nullptr;
  EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK)
      << (error != nullptr ? error : "") << " in " << sql;
  sqlite3_free(error);
  sqlite3_close(db);
}

RenderCacheStats StatsOf(const std::string& state_dir, const RenderOptions& options) {
  std::unique_ptr<Renderer> renderer;
  EXPECT_TRUE(Renderer::Create(options, &renderer).ok());
  std::unique_ptr<RenderCache> cache;
  Status status = RenderCache::Open(state_dir, renderer->fingerprint(), &cache);
  EXPECT_TRUE(status.ok()) << status.ToString();
  RenderCacheStats stats;
  if (cache != nullptr) {
    EXPECT_TRUE(cache->Stats(&stats).ok());
  }
  return stats;
}

TEST(RenderCacheTest, SecondRenderIsAHitWithTheSameHtml) {
  TempDir dir;
  RenderOptions options = WithUrl("https://old.example.com");
  Rendered first = RenderOnce(dir.path(), options, "Fixes PROJ-1");
  Rendered second = RenderOnce(dir.path(), options, "Fixes PROJ-1");
  EXPECT_FALSE(first.from_cache);
  EXPECT_TRUE(second.from_cache);
  EXPECT_EQ(first.html, second.html);
  RenderCacheStats stats = StatsOf(dir.path(), options);
  EXPECT_EQ(stats.hits, 1);
  EXPECT_EQ(stats.misses, 1);
  EXPECT_EQ(stats.entries, 1);
  EXPECT_EQ(stats.current_entries, 1);
  // The stored input takes space too.
  EXPECT_EQ(stats.bytes, static_cast<std::int64_t>(first.html.size() + strlen("Fixes PROJ-1")));
}

TEST(RenderCacheTest, ChangedWebUrlNeverServesAStaleLink) {
  TempDir dir;
  RenderOnce(dir.path(), WithUrl("https://old.example.com"), "Fixes PROJ-1");
  Rendered moved = RenderOnce(dir.path(), WithUrl("https://new.example.com"), "Fixes PROJ-1");
  EXPECT_FALSE(moved.from_cache);
  EXPECT_NE(moved.html.find("https://new.example.com/browse/PROJ-1"), std::string::npos);
  EXPECT_EQ(moved.html.find("old.example.com"), std::string::npos);
}

TEST(RenderCacheTest, InvalidateStartsANewEpochAtOnce) {
  TempDir dir;
  RenderOptions options = WithUrl("https://jira.example.com");
  RenderOnce(dir.path(), options, "PROJ-1");
  const RenderCacheStats before = StatsOf(dir.path(), options);
  std::int64_t version = 0;
  ASSERT_TRUE(InvalidateRenderCache(dir.path(), &version).ok());
  EXPECT_EQ(version, before.local_version + 1);
  const RenderCacheStats after = StatsOf(dir.path(), options);
  EXPECT_NE(after.epoch, before.epoch);
  EXPECT_EQ(after.current_entries, 0);
  EXPECT_FALSE(RenderOnce(dir.path(), options, "PROJ-1").from_cache);
  EXPECT_TRUE(RenderOnce(dir.path(), options, "PROJ-1").from_cache);
}

TEST(RenderCacheTest, InvalidateCreatesAMissingCache) {
  TempDir dir;
  std::int64_t version = 0;
  ASSERT_TRUE(InvalidateRenderCache(dir.Path("new/state"), &version).ok());
  EXPECT_EQ(version, 2);
}

TEST(RenderCacheTest, GcDropsOldEpochsThenLeastRecentlyUsed) {
  TempDir dir;
  RenderOptions options = WithUrl("https://jira.example.com");
  RenderOnce(dir.path(), options, "old PROJ-1");
  ASSERT_TRUE(InvalidateRenderCache(dir.path(), nullptr).ok());
  std::vector<std::string> docs;
  for (int i = 0; i < 5; ++i) {
    docs.push_back("doc " + std::to_string(i) + " " + std::string(1000, 'x'));
    RenderOnce(dir.path(), options, docs.back());
  }
  // Make doc N last used at second N: doc 0 is the least recently used.
  ExecOnFile(dir.path(),
             "UPDATE entries SET last_used = CAST(substr(CAST(input AS TEXT), 5, 1) AS INTEGER)");
  std::unique_ptr<Renderer> renderer;
  ASSERT_TRUE(Renderer::Create(options, &renderer).ok());
  std::unique_ptr<RenderCache> cache;
  ASSERT_TRUE(RenderCache::Open(dir.path(), renderer->fingerprint(), &cache).ok());
  std::int64_t removed = 0;
  // A row is ~2 KB: ~1 KB of input and ~1 KB of HTML. Two fit, three do not.
  ASSERT_TRUE(cache->Gc(/*max_bytes=*/5000, &removed).ok());
  RenderCacheStats stats;
  ASSERT_TRUE(cache->Stats(&stats).ok());
  EXPECT_EQ(removed, 1 + 3);  // the old epoch's row, then the three oldest
  EXPECT_EQ(stats.entries, 2);
  EXPECT_LE(stats.bytes, 5000);
  EXPECT_GT(stats.bytes, 2 * 2000);
  cache.reset();
  // The two newest (docs 3 and 4) survive.
  EXPECT_TRUE(RenderOnce(dir.path(), options, docs[4]).from_cache);
  EXPECT_TRUE(RenderOnce(dir.path(), options, docs[3]).from_cache);
  EXPECT_FALSE(RenderOnce(dir.path(), options, docs[0]).from_cache);
}

TEST(RenderCacheTest, EmptyInputIsCachedToo) {
  TempDir dir;
  std::vector<std::string> warnings;
  RenderOptions options = WithUrl("https://jira.example.com");
  EXPECT_FALSE(RenderOnce(dir.path(), options, "", &warnings).from_cache);
  Rendered second = RenderOnce(dir.path(), options, "", &warnings);
  EXPECT_TRUE(second.from_cache);
  EXPECT_EQ(second.html, "");
  EXPECT_TRUE(warnings.empty()) << warnings[0];
}

// A row found under the key of input A but holding input B, as a hash
// collision (even a crafted one) would make: A must never get B's HTML.
TEST(RenderCacheTest, RowOfAnotherInputUnderTheSameKeyIsAMiss) {
  TempDir dir;
  RenderOptions options = WithUrl("https://jira.example.com");
  const Rendered a = RenderOnce(dir.path(), options, "Fixes PROJ-1");
  ExecOnFile(dir.path(),
             "UPDATE entries SET input = CAST('Fixes EVIL-666' AS BLOB), "
             "html = CAST('<p>the HTML of another document</p>' AS BLOB)");
  std::vector<std::string> warnings;
  Rendered again = RenderOnce(dir.path(), options, "Fixes PROJ-1", &warnings);
  EXPECT_FALSE(again.from_cache);
  EXPECT_EQ(again.html, a.html);
  EXPECT_TRUE(warnings.empty());
  // The render replaced the row: A hits again, with its own HTML.
  Rendered third = RenderOnce(dir.path(), options, "Fixes PROJ-1");
  EXPECT_TRUE(third.from_cache);
  EXPECT_EQ(third.html, a.html);
  const RenderCacheStats stats = StatsOf(dir.path(), options);
  EXPECT_EQ(stats.entries, 1);
  EXPECT_EQ(stats.hits, 1);
  EXPECT_EQ(stats.misses, 2);
}

TEST(RenderCacheTest, RowOfOtherSettingsUnderTheSameKeyIsAMiss) {
  TempDir dir;
  RenderOptions options = WithUrl("https://new.example.com");
  const Rendered fresh = RenderOnce(dir.path(), options, "Fixes PROJ-1");
  ExecOnFile(dir.path(),
             "UPDATE entries SET settings = zeroblob(32), "
             "html = CAST('<a href=\"https://old.example.com/browse/PROJ-1\">' AS BLOB)");
  Rendered again = RenderOnce(dir.path(), options, "Fixes PROJ-1");
  EXPECT_FALSE(again.from_cache);
  EXPECT_EQ(again.html, fresh.html);
}

TEST(RenderCacheTest, StoreUnderTheSlotOfAnotherInputOnlyWastesARow) {
  TempDir dir;
  std::unique_ptr<Renderer> renderer;
  ASSERT_TRUE(Renderer::Create(WithUrl("https://jira.example.com"), &renderer).ok());
  std::unique_ptr<RenderCache> cache;
  ASSERT_TRUE(RenderCache::Open(dir.path(), renderer->fingerprint(), &cache).ok());
  std::string html;
  bool found = true;
  RenderCache::Slot one;
  ASSERT_TRUE(cache->Lookup("Fixes PROJ-1", &html, &found, &one).ok());
  EXPECT_FALSE(found);
  // A caller's mistake: PROJ-2's HTML under PROJ-1's slot. Neither input may
  // be served it: a hit compares the stored input.
  ASSERT_TRUE(cache->Store(one, "Fixes PROJ-2", "<p>Fixes PROJ-2</p>").ok());
  RenderCache::Slot slot;
  ASSERT_TRUE(cache->Lookup("Fixes PROJ-1", &html, &found, &slot).ok());
  EXPECT_FALSE(found);
  ASSERT_TRUE(cache->Lookup("Fixes PROJ-2", &html, &found, &slot).ok());
  EXPECT_FALSE(found);
  // Used as meant, the slot holds the rendering of its own input.
  ASSERT_TRUE(cache->Store(one, "Fixes PROJ-1", "<p>one</p>").ok());
  ASSERT_TRUE(cache->Lookup("Fixes PROJ-1", &html, &found, &slot).ok());
  EXPECT_TRUE(found);
  EXPECT_EQ(html, "<p>one</p>");
}

// The layout of jiralink before the input was stored in each row.
TEST(RenderCacheTest, OlderLayoutIsUpgradedKeepingCountersAndVersion) {
  TempDir dir;
  ExecOnFile(dir.path(), R"sql(
    CREATE TABLE meta(name TEXT PRIMARY KEY, value INTEGER NOT NULL);
    INSERT INTO meta(name, value) VALUES ('local_version', 7), ('hits', 30), ('misses', 40);
    CREATE TABLE entries(key BLOB PRIMARY KEY, settings BLOB NOT NULL,
                         version INTEGER NOT NULL, html BLOB NOT NULL,
                         last_used INTEGER NOT NULL);
    CREATE INDEX entries_by_last_use ON entries(last_used);
    INSERT INTO entries VALUES (randomblob(32), randomblob(32), 7, CAST('old' AS BLOB), 0);
  )sql");
  std::vector<std::string> warnings;
  RenderOptions options = WithUrl("https://jira.example.com");
  const Rendered first = RenderOnce(dir.path(), options, "Fixes PROJ-1", &warnings);
  EXPECT_FALSE(first.from_cache);
  EXPECT_NE(first.html.find("https://jira.example.com/browse/PROJ-1"), std::string::npos);
  const Rendered second = RenderOnce(dir.path(), options, "Fixes PROJ-1", &warnings);
  EXPECT_TRUE(second.from_cache);
  EXPECT_EQ(second.html, first.html);
  EXPECT_TRUE(warnings.empty()) << warnings[0];
  const RenderCacheStats stats = StatsOf(dir.path(), options);
  EXPECT_EQ(stats.entries, 1);  // the old row was dropped
  EXPECT_EQ(stats.local_version, 7);
  EXPECT_EQ(stats.hits, 31);
  EXPECT_EQ(stats.misses, 41);
  std::int64_t version = 0;
  ASSERT_TRUE(InvalidateRenderCache(dir.path(), &version).ok());
  EXPECT_EQ(version, 8);
}

TEST(RenderCacheTest, NewerLayoutIsLeftAloneAndRendersUncached) {
  TempDir dir;
  ExecOnFile(dir.path(), "CREATE TABLE future(x); PRAGMA user_version = 99;");
  std::vector<std::string> warnings;
  const Rendered result =
      RenderOnce(dir.path(), WithUrl("https://jira.example.com"), "PROJ-1", &warnings);
  EXPECT_NE(result.html.find("browse/PROJ-1"), std::string::npos);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("layout version 99"), std::string::npos) << warnings[0];
  ExecOnFile(dir.path(), "SELECT x FROM future");  // still there
}

TEST(RenderCacheTest, CorruptFileIsMovedAsideWithOneWarningAndCachingGoesOn) {
  TempDir dir;
  jiralink::testing::WriteFile(dir.Path("render-cache.sqlite3"),
                               std::string(8192, 'G') + "garbage, not a database");
  std::vector<std::string> warnings;
  RenderOptions options = WithUrl("https://jira.example.com");
  CacheOptions cache;
  cache.state_dir = dir.path();
  cache.warn = [&warnings](const std::string& message) { warnings.push_back(message); };
  std::unique_ptr<CachedRenderer> renderer;
  ASSERT_TRUE(CachedRenderer::Create(options, cache, &renderer).ok());
  std::string html;
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(renderer->Render("PROJ-1", &html).ok());
    EXPECT_NE(html.find("https://jira.example.com/browse/PROJ-1"), std::string::npos);
  }
  EXPECT_TRUE(renderer->cache_in_use());
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("render-cache.sqlite3.corrupt"), std::string::npos) << warnings[0];
  EXPECT_EQ(jiralink::testing::ReadFile(dir.Path("render-cache.sqlite3.corrupt")),
            std::string(8192, 'G') + "garbage, not a database")
      << "the broken file is kept for a look, not deleted";
  // The next process finds a healthy cache holding the render.
  renderer.reset();
  warnings.clear();
  Rendered again = RenderOnce(dir.path(), options, "PROJ-1", &warnings);
  EXPECT_TRUE(again.from_cache);
  EXPECT_TRUE(warnings.empty());
}

TEST(RenderCacheTest, UnusableStateDirectoryStillRenders) {
  TempDir dir;
  jiralink::testing::WriteFile(dir.Path("file"), "x");
  std::vector<std::string> warnings;
  Rendered result =
      RenderOnce(dir.Path("file/state"), WithUrl("https://jira.example.com"), "PROJ-1", &warnings);
  EXPECT_NE(result.html.find("browse/PROJ-1"), std::string::npos);
  EXPECT_EQ(warnings.size(), 1u);
}

}  // namespace
}  // namespace jiralink::renderer
