// The render cache: hits and misses, epochs (settings and local version),
// invalidation, gc, and a corrupt file that must not break rendering.
#include "jiralink/renderer/render_cache.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

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
  EXPECT_EQ(stats.bytes, static_cast<std::int64_t>(first.html.size()));
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
  // Make doc 0 the most recently used and the others older, in order.
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(dir.Path("render-cache.sqlite3").c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, "UPDATE entries SET last_used = rowid", nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
  }
  std::unique_ptr<Renderer> renderer;
  ASSERT_TRUE(Renderer::Create(options, &renderer).ok());
  std::unique_ptr<RenderCache> cache;
  ASSERT_TRUE(RenderCache::Open(dir.path(), renderer->fingerprint(), &cache).ok());
  std::int64_t removed = 0;
  ASSERT_TRUE(cache->Gc(/*max_bytes=*/2500, &removed).ok());
  RenderCacheStats stats;
  ASSERT_TRUE(cache->Stats(&stats).ok());
  EXPECT_EQ(removed, 1 + 3);  // the old epoch's row, then the three oldest
  EXPECT_EQ(stats.entries, 2);
  EXPECT_LE(stats.bytes, 2500);
  cache.reset();
  // The two newest (docs 3 and 4) survive.
  EXPECT_TRUE(RenderOnce(dir.path(), options, docs[4]).from_cache);
  EXPECT_TRUE(RenderOnce(dir.path(), options, docs[3]).from_cache);
  EXPECT_FALSE(RenderOnce(dir.path(), options, docs[0]).from_cache);
}

TEST(RenderCacheTest, CorruptFileStillRendersAndWarnsOnce) {
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
  EXPECT_FALSE(renderer->cache_in_use());
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("render-cache.sqlite3"), std::string::npos) << warnings[0];
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
