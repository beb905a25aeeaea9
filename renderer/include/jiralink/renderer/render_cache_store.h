// RenderCacheStore: where rendered HTML is kept, behind one interface.
//
// Two stores implement it:
//   - RenderCache (render_cache.h): a SQLite file under [state] dir, one
//     machine's cache (the default);
//   - RedisRenderCache (redis_render_cache.h): a Redis server that every web
//     node of a fleet shares ([render] cache = "redis://...").
// Both follow the same epoch scheme: an entry is found by
// XXH3-128(XXH3-128(Renderer::fingerprint()) || input) under the current
// local version, and it is a hit only when its stored settings and input
// equal the current ones byte for byte, so a collision (even a crafted one)
// is only a miss. Invalidation bumps the version: every older entry is out
// of reach at once, in O(1).
//
// CachedRenderer (cached_renderer.h) is the only user on the render path; a
// store is used from one thread at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "jiralink/core/status.h"

namespace jiralink::renderer {

// Receives HTML, in one or more pieces, in order.
using HtmlSink = std::function<void(std::string_view)>;

// What `jiralink cache stats` shows, in one shape for both stores (and
// serve's /metrics). An epoch is (settings, version): `current_*` counts the
// entries that renders with these settings can hit, `old_*` those of older
// versions (what `cache gc` removes first); entries of other settings in the
// current version are in `entries` only (other repositories' settings may
// use them).
struct RenderCacheStats {
  std::string store;                 // "sqlite" or "redis"
  std::string location;              // the file, or the server (never its password)
  std::int64_t entries = 0;          // every epoch
  std::int64_t bytes = 0;            // stored bytes (input and HTML; Redis: whole values)
  std::int64_t current_entries = 0;  // the current epoch of these settings
  std::int64_t current_bytes = 0;
  std::int64_t old_entries = 0;  // older versions
  std::int64_t old_bytes = 0;
  std::int64_t hits = 0;           // lookups that found an entry (Redis: the fleet's)
  std::int64_t misses = 0;         // lookups that did not
  std::int64_t local_version = 0;  // the version `cache invalidate` bumps (Redis: shared)
  std::string epoch;               // settings id (16 hex digits) "-v" version
};

// Where a lookup looked: the input's key and the local version it saw.
struct CacheSlot {
  std::int64_t key_low = 0;   // XXH3-128 of (settings id || input), in two
  std::int64_t key_high = 0;  // halves
  std::int64_t version = 0;
};

class RenderCacheStore {
 public:
  virtual ~RenderCacheStore() = default;

  // Looks up the HTML of `markdown` in the current epoch and hands a hit to
  // `sink` (*found true). *slot (on success) is where to Store the rendering
  // after a miss, so the input is hashed once. A store may hand a hit out in
  // several pieces; a read error after the first piece fails with *found true.
  virtual Status Lookup(std::string_view markdown, const HtmlSink& sink, bool* found,
                        CacheSlot* slot) = 0;

  // Stores `html` as the rendering of `markdown` in the `slot` its Lookup
  // gave, under the version that Lookup saw: a render that raced an
  // invalidation is stored under the old version, where no later lookup finds it.
  virtual Status Store(const CacheSlot& slot, std::string_view markdown, std::string_view html) = 0;
};

}  // namespace jiralink::renderer
