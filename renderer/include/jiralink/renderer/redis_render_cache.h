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
//   - <prefix>e:<version>:<16 hex digits>:<32 hex digits>
//                          one entry: the version it was stored under, the
//                          settings' id (the epoch's name, so that `cache
//                          stats` can count an epoch from the keys alone) and
//                          the key of render_cache_store.h (which covers the
//                          renderer version, web_url, regex, prefix and render
//                          options);
//   - <prefix>hits, <prefix>misses
//                          the fleet's lookups (INCRBY; no TTL).
// A lookup is two round trips (GET version, GET entry); a store is one (SET
// with EX, and the counters); the counters of hits are sent when the cache
// is destroyed (one more round trip per process that hit). The value (see
// EncodeRedisCacheEntry) holds the settings and the input, and a hit
// requires both to equal the current ones byte for byte; anything else at
// the key (another program's value, a truncated write, a list) is a miss,
// never served, and is overwritten by the next store.
//
// Integrity: with a key (RedisCacheOptions::key, from [render]
// cache_key_file), every entry carries an HMAC-SHA256 under that key of all
// its bytes, its version included (EncodeSignedRedisCacheEntry), and only
// such entries are served: whoever can write to Redis without the key can
// cause misses, never HTML that jiralink did not render for this input,
// settings and version. Without a key, entries are unauthenticated (the
// format of earlier jiralinks, so that a fleet can upgrade node by node),
// and entries that carry a MAC are misses. libcrypto is loaded (dlopen) only
// when a key is set.
//
// Bounds: every entry expires after `ttl` (7 days by default), so entries of
// old versions go away by themselves, and Gc() removes them at once in
// batches; an entry over kMaxRedisEntryBytes is not stored. The total size is
// Redis's to bound: run it with `maxmemory` and `maxmemory-policy
// volatile-lru` (only entries have a TTL, so the version key and the
// counters are never evicted).
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
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "jiralink/core/redis_url.h"
#include "jiralink/core/status.h"
#include "jiralink/renderer/render_cache_store.h"

struct redisContext;

namespace jiralink::renderer {

// Every key the cache uses starts with this.
inline constexpr std::string_view kRedisKeyPrefix = "jiralink:render:";
// The key of the shared version.
inline constexpr std::string_view kRedisVersionKey = "jiralink:render:version";
// The fleet's hit and miss counters.
inline constexpr std::string_view kRedisHitsKey = "jiralink:render:hits";
inline constexpr std::string_view kRedisMissesKey = "jiralink:render:misses";
// Every entry key starts with this.
inline constexpr std::string_view kRedisEntryPrefix = "jiralink:render:e:";
// Keys asked for per SCAN, and removed per UNLINK, by Stats and Gc: each
// command stays short, so the server is never blocked for long.
inline constexpr int kRedisScanBatch = 1000;
// Larger entries (stored input + HTML) are rendered every time.
inline constexpr std::size_t kMaxRedisEntryBytes = 16 * 1024 * 1024;

struct RedisCacheEntry;  // below

struct RedisCacheOptions {
  RedisUrl url;
  std::string password;  // resolved (config::ResolveRenderCachePassword); empty: no AUTH
  // The MAC key ([render] cache_key_file, config::ResolveRenderCacheKey,
  // which requires 32 bytes or more); empty: entries are unauthenticated.
  std::string key;
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

  // The fleet's figures: the counters, and entries and bytes (value sizes,
  // STRLEN) counted by SCAN in batches of kRedisScanBatch, so the server is
  // never blocked, however large the cache (the count is then only as exact
  // as SCAN: an entry stored or expired meanwhile may be missed).
  Status Stats(RenderCacheStats* stats);

  // Removes the entries of versions other than the current one (and keys of
  // an earlier layout), found by SCAN and removed with UNLINK in batches of
  // kRedisScanBatch. *removed gets the count. The rest is Redis's to bound
  // (maxmemory); entries also expire after the TTL.
  Status Gc(std::int64_t* removed);

  // The server, as shown in messages: RedisUrlForDisplay.
  const std::string& name() const { return name_; }

 private:
  struct Replies;  // the replies of one Pipeline, freed with it
  RedisRenderCache() = default;
  Status Connect(const RedisCacheOptions& options);
  // Sends every command, then reads as many replies (one round trip).
  Status Pipeline(std::initializer_list<std::initializer_list<std::string_view>> commands,
                  Replies* replies);
  Status Pipeline(const std::vector<std::vector<std::string_view>>& commands, Replies* replies);
  Status Failed(std::string_view what);
  // Walks every entry key with SCAN, handing each batch to `batch`.
  Status ScanEntries(const std::function<Status(const std::vector<std::string>&)>& batch);
  // Sends the hits and misses counted since the last send.
  Status FlushCounters();
  // True when `value` is an entry of this cache's format (signed when a key
  // is set, and then under `version`), and sets *entry.
  bool Accept(std::string_view value, std::int64_t version, RedisCacheEntry* entry) const;

  const void* library_ = nullptr;  // internal::HiredisLibrary
  redisContext* context_ = nullptr;
  std::string name_;
  std::string settings_;          // Renderer::fingerprint(), stored in and compared with entries
  std::string settings_id_;       // its XXH3-128: part of every key
  std::string settings_tag_;      // its first 16 hex digits: the epoch's name, in every key
  std::string key_;               // the MAC key; empty: unauthenticated entries
  const void* crypto_ = nullptr;  // internal::LibcryptoLibrary, with a key
  std::chrono::seconds ttl_{0};
  std::int64_t pending_hits_ = 0;  // counted here, sent by FlushCounters
  std::int64_t pending_misses_ = 0;
};

// The value of one entry, without a key (unauthenticated):
//   "JLRC1" | settings length (4 bytes, little-endian) | input length (8 bytes,
//   little-endian) | settings | input | html
std::string EncodeRedisCacheEntry(std::string_view settings, std::string_view input,
                                  std::string_view html);

// The value of one entry under `key` (RedisCacheOptions::key):
//   "JLRC2" | version (8 bytes, little-endian) | settings length (4) | input
//   length (8) | settings | input | html | HMAC-SHA256 under `key` of all the
//   bytes before it (32)
// Fails (kUnavailable) only when libcrypto cannot be loaded.
Status EncodeSignedRedisCacheEntry(std::string_view key, std::int64_t version,
                                   std::string_view settings, std::string_view input,
                                   std::string_view html, std::string* value);

// The parts of a value of either format, viewing into it. False when `value`
// is not a well-formed entry (wrong magic, lengths past the end); the MAC is
// not checked here.
struct RedisCacheEntry {
  bool signed_entry = false;  // "JLRC2": `version`, `mac` and `signed_bytes` are set
  std::int64_t version = 0;
  std::string_view settings;
  std::string_view input;
  std::string_view html;
  std::string_view signed_bytes;  // what the MAC covers
  std::string_view mac;
};
bool DecodeRedisCacheEntry(std::string_view value, RedisCacheEntry* entry);

}  // namespace jiralink::renderer
