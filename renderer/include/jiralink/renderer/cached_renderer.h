// CachedRenderer: a Renderer in front of a render cache store
// (render_cache_store.h): the SQLite RenderCache, or the Redis one shared by
// a fleet when CacheOptions::redis is set.
//
// A lookup costs an XXH3 hash of the input and one SQLite read, or two Redis
// round trips (either also compares the stored input); a miss renders and
// stores the result. Any cache failure (a corrupt or unwritable file, a full
// disk, Redis down, refusing or slower than its timeouts) never fails the
// render: the cache is dropped for the rest of this object's life and `warn`
// is called once with the reason, and the page is rendered uncached.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "jiralink/core/status.h"
#include "jiralink/renderer/redis_render_cache.h"
#include "jiralink/renderer/render_cache.h"
#include "jiralink/renderer/renderer.h"

namespace jiralink::renderer {

struct CacheOptions {
  bool enabled = true;
  std::string state_dir;                         // where render-cache.sqlite3 lives
  std::function<void(const std::string&)> warn;  // called at most once; may be empty
  // Set: the cache is the shared one on this Redis server instead of the
  // SQLite file (hiredis is loaded only then).
  std::optional<RedisCacheOptions> redis;
};

// What InvalidateCaches did.
struct CacheInvalidation {
  std::int64_t local_version = 0;   // the SQLite cache's new version
  std::int64_t shared_version = 0;  // the Redis cache's, when `options.redis` is set
};

// Starts a new epoch of the caches that `options` names: always the SQLite
// cache under state_dir (it is used again when the Redis setting is taken
// away, and by `--repo`s without it), and the Redis one when set, which
// reaches every node at its next lookup. Used by `jiralink cache invalidate`
// and `jiralink migrate`. Fails when either cannot be bumped.
Status InvalidateCaches(const CacheOptions& options, CacheInvalidation* done);

// The figures of the cache that `options` names for renders whose
// Renderer::fingerprint() is `fingerprint`: the Redis one when set, else the
// SQLite file under state_dir (created when absent, unless
// `create_sqlite_file` is false: then kNotFound). Used by `jiralink cache
// stats` and by serve's /metrics.
Status ReadCacheStats(const CacheOptions& options, std::string_view fingerprint,
                      RenderCacheStats* stats, bool create_sqlite_file = true);

// `jiralink cache gc` on the cache that `options` names: with SQLite, rows of
// older versions, then the least recently used until `max_bytes` is left;
// with Redis, the entries of older versions, in batches (the rest is Redis's
// to bound with maxmemory). *removed gets the count.
Status CollectCacheGarbage(const CacheOptions& options, std::string_view fingerprint,
                           std::int64_t max_bytes, std::int64_t* removed);

class CachedRenderer {
 public:
  // Fails only when the render options are invalid (see Renderer::Create);
  // a cache that cannot be opened is reported through `warn`.
  static Status Create(const RenderOptions& render_options, CacheOptions cache_options,
                       std::unique_ptr<CachedRenderer>* out);

  // Same contract as Renderer::Render. *from_cache (may be null) tells
  // whether the HTML came from the cache.
  Status Render(std::string_view markdown, std::string* html, bool* from_cache = nullptr);

  // The same, handing the HTML to `sink` instead: a SQLite hit is written
  // straight from the cache's file in pieces, a Redis hit from hiredis's
  // reply, without a copy of the page. Fails
  // without handing anything out, except for a read error of the cache in the
  // middle of a hit (kIOError; the page is then incomplete).
  Status RenderTo(std::string_view markdown, const HtmlSink& sink, bool* from_cache = nullptr);

  // True while the cache is in use.
  bool cache_in_use() const { return cache_ != nullptr; }

  const Renderer& renderer() const { return *renderer_; }

 private:
  CachedRenderer() = default;
  void DropCache(const Status& why);

  std::unique_ptr<Renderer> renderer_;
  std::unique_ptr<RenderCacheStore> cache_;
  CacheOptions cache_options_;
};

}  // namespace jiralink::renderer
