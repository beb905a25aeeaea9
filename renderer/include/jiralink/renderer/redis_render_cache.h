// RedisRenderCache: rendered HTML shared by every web node through one Redis
// server ([render] cache = "redis://host:port/db" or "redis+unix:///path").
//
// It follows the epoch scheme of render_cache_store.h, with the version held
// in Redis, so that `jiralink cache invalidate` on any node reaches them all:
//   - <prefix>version      the shared local version (INCR by an invalidation;
//                          no TTL). Seeded, when absent, with the time in
//                          microseconds (SET NX), so that a version key lost
//                          to a flush or an eviction never comes back to a
//                          number that older entries were stored under;
//   - <prefix>e:<version>:<32 hex digits>
//                          one entry: the key of render_cache_store.h (which
//                          covers the renderer version, web_url, regex,
//                          prefix and render options) under that version.
// A lookup is two round trips (GET version, GET entry); a store is one SET
// with EX. The value (see EncodeRedisCacheEntry) holds the settings and the
// input, and a hit requires both to equal the current ones byte for byte;
// anything else at the key (another program's value, a truncated write, a
// list) is a miss, never served, and is overwritten by the next store.
//
// Bounds: every entry expires after `ttl` (7 days by default), so entries of
// old versions go away by themselves; an entry over kMaxRedisEntryBytes is
// not stored. The total size is Redis's to bound: run it with `maxmemory`
// and `maxmemory-policy volatile-lru` (only entries have a TTL, so the
// version key is never evicted).
//
// Failure: Open connects within `connect_timeout` (150 ms) and every reply
// must come within `command_timeout` (250 ms); any failure is a Status
// naming the server (never the password), on which CachedRenderer drops the
// cache and renders uncached. hiredis is loaded with dlopen on Open
// (renderer/src/hiredis_library.h), so a process that never opens one does
// not load it.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "jiralink/core/redis_url.h"
#include "jiralink/core/status.h"
#include "jiralink/renderer/render_cache_store.h"

struct redisContext;

namespace jiralink::renderer {

// Every key the cache uses starts with this.
inline constexpr std::string_view kRedisKeyPrefix = "jiralink:render:";
// The key of the shared version.
inline constexpr std::string_view kRedisVersionKey = "jiralink:render:version";
// Larger entries (stored input + HTML) are rendered every time.
inline constexpr std::size_t kMaxRedisEntryBytes = 16 * 1024 * 1024;

struct RedisCacheOptions {
  RedisUrl url;
  std::string password;  // resolved (config::ResolveRenderCachePassword); empty: no AUTH
  std::chrono::milliseconds connect_timeout{150};
  std::chrono::milliseconds command_timeout{250};
  std::chrono::seconds ttl{7 * 24 * 3600};
};

class RedisRenderCache final : public RenderCacheStore {
 public:
  // Loads hiredis, connects, authenticates and selects the database.
  // `fingerprint` is Renderer::fingerprint(). Fails with kUnavailable,
  // naming the server, when any of that fails or times out.
  static Status Open(const RedisCacheOptions& options, std::string_view fingerprint,
                     std::unique_ptr<RedisRenderCache>* out);

  ~RedisRenderCache() override;
  RedisRenderCache(const RedisRenderCache&) = delete;
  RedisRenderCache& operator=(const RedisRenderCache&) = delete;

  // render_cache_store.h. A hit is handed to `sink` in one piece, from
  // hiredis's reply buffer (no further copy). An I/O error or a timeout fails
  // (kUnavailable) and leaves the connection unusable.
  Status Lookup(std::string_view markdown, const HtmlSink& sink, bool* found,
                CacheSlot* slot) override;
  Status Store(const CacheSlot& slot, std::string_view markdown, std::string_view html) override;

  // The shared version (seeding it when absent).
  Status Version(std::int64_t* version);

  // Bumps the shared version: every node's next lookup misses. *new_version
  // gets the new number (may be null).
  Status Invalidate(std::int64_t* new_version);

  // The server, as shown in messages: RedisUrlForDisplay.
  const std::string& name() const { return name_; }

 private:
  struct Replies;  // the replies of one Pipeline, freed with it
  RedisRenderCache() = default;
  Status Connect(const RedisCacheOptions& options);
  // Sends every command, then reads as many replies (one round trip).
  Status Pipeline(std::initializer_list<std::initializer_list<std::string_view>> commands,
                  Replies* replies);
  Status Failed(std::string_view what);

  const void* library_ = nullptr;  // internal::HiredisLibrary
  redisContext* context_ = nullptr;
  std::string name_;
  std::string settings_;     // Renderer::fingerprint(), stored in and compared with entries
  std::string settings_id_;  // its XXH3-128: part of every key
  std::chrono::seconds ttl_{0};
};

// The value of one entry:
//   "JLRC1" | settings length (4 bytes, little-endian) | input length (8 bytes,
//   little-endian) | settings | input | html
std::string EncodeRedisCacheEntry(std::string_view settings, std::string_view input,
                                  std::string_view html);

// The parts of a value, viewing into it. False when `value` is not a
// well-formed entry (wrong magic, lengths past the end).
struct RedisCacheEntry {
  std::string_view settings;
  std::string_view input;
  std::string_view html;
};
bool DecodeRedisCacheEntry(std::string_view value, RedisCacheEntry* entry);

}  // namespace jiralink::renderer
