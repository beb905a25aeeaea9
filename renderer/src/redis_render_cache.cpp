#include "jiralink/renderer/redis_render_cache.h"

#include <hiredis/hiredis.h>
#include <sys/time.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <vector>

#include "cache_key.h"
#include "hiredis_library.h"
#include "jiralink/core/text.h"
#include "jiralink/os/sigpipe_blocked.h"
#include "libcrypto_library.h"

namespace jiralink::renderer {
namespace {

using internal::HiredisLibrary;
using internal::LibcryptoLibrary;

constexpr std::string_view kEntryMagic = "JLRC1";
constexpr std::size_t kEntryHeaderBytes = kEntryMagic.size() + 4 + 8;
constexpr std::string_view kSignedEntryMagic = "JLRC2";
constexpr std::size_t kSignedEntryHeaderBytes = kSignedEntryMagic.size() + 8 + 4 + 8;
constexpr std::size_t kMacBytes = 32;  // HMAC-SHA256
// Hex digits of the settings id in an entry key (the epoch's name).
constexpr std::size_t kSettingsTagDigits = 16;

timeval ToTimeval(std::chrono::milliseconds duration) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(duration.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((duration.count() % 1000) * 1000);
  return tv;
}

void PutLittleEndian(std::uint64_t value, int bytes, std::string* out) {
  for (int i = 0; i < bytes; ++i) out->push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

std::uint64_t GetLittleEndian(std::string_view bytes) {
  std::uint64_t value = 0;
  for (std::size_t i = bytes.size(); i-- > 0;) {
    value = (value << 8) | static_cast<unsigned char>(bytes[i]);
  }
  return value;
}

// The settings' part of an entry key: the epoch's name.
std::string SettingsTag(std::string_view settings_id) {
  return HexLower(settings_id).substr(0, kSettingsTagDigits);
}

std::string EntryKey(std::string_view settings_tag, const CacheSlot& slot) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string key(kRedisEntryPrefix);
  key += std::to_string(slot.version) + ":";
  key += settings_tag;
  key += ':';
  for (const std::int64_t half : {slot.key_high, slot.key_low}) {
    const auto bits = static_cast<std::uint64_t>(half);
    for (int shift = 60; shift >= 0; shift -= 4) key.push_back(kDigits[(bits >> shift) & 0xf]);
  }
  return key;
}

// A version as Redis returned it (a bulk string of decimal digits).
bool ParseVersion(const redisReply* reply, std::int64_t* version) {
  if (reply->type == REDIS_REPLY_INTEGER) {
    *version = reply->integer;
    return true;
  }
  if (reply->type != REDIS_REPLY_STRING || reply->len == 0 || reply->len > 18) return false;
  std::int64_t value = 0;
  for (std::size_t i = 0; i < reply->len; ++i) {
    const char c = reply->str[i];
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  *version = value;
  return true;
}

// The version and settings tag of an entry key; false for a key of another
// layout (an earlier jiralink's "e:<version>:<32 hex>").
bool ParseEntryKey(std::string_view key, std::int64_t* version, std::string_view* settings_tag) {
  if (!key.starts_with(kRedisEntryPrefix)) return false;
  key.remove_prefix(kRedisEntryPrefix.size());
  const std::size_t colon = key.find(':');
  if (colon == 0 || colon == std::string_view::npos || colon > 18) return false;
  std::int64_t value = 0;
  for (const char c : key.substr(0, colon)) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  key.remove_prefix(colon + 1);
  if (key.size() != kSettingsTagDigits + 1 + 32 || key[kSettingsTagDigits] != ':') return false;
  *version = value;
  *settings_tag = key.substr(0, kSettingsTagDigits);
  return true;
}

// A counter as Redis returned it: absent or not a number counts as 0.
std::int64_t CounterValue(const redisReply* reply) {
  std::int64_t value = 0;
  return ParseVersion(reply, &value) ? value : 0;
}

std::string Mac(const LibcryptoLibrary& crypto, std::string_view key, std::string_view bytes) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  crypto.hmac(crypto.sha256(), key.data(), static_cast<int>(key.size()),
              reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), mac, &size);
  return std::string(reinterpret_cast<const char*>(mac), size);
}

std::int64_t NowMicroseconds() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

struct RedisRenderCache::Replies {
  const HiredisLibrary* library = nullptr;
  std::vector<redisReply*> replies;
  ~Replies() {
    for (redisReply* reply : replies) library->free_reply(reply);
  }
  const redisReply* operator[](std::size_t i) const { return replies[i]; }
};

std::string EncodeRedisCacheEntry(std::string_view settings, std::string_view input,
                                  std::string_view html) {
  std::string value;
  value.reserve(kEntryHeaderBytes + settings.size() + input.size() + html.size());
  value.append(kEntryMagic);
  PutLittleEndian(settings.size(), 4, &value);
  PutLittleEndian(input.size(), 8, &value);
  value.append(settings);
  value.append(input);
  value.append(html);
  return value;
}

Status EncodeSignedRedisCacheEntry(std::string_view key, std::int64_t version,
                                   std::string_view settings, std::string_view input,
                                   std::string_view html, std::string* value) {
  std::string error;
  const LibcryptoLibrary* crypto = internal::LoadLibcrypto(&error);
  if (crypto == nullptr) return Status::Unavailable("render cache: " + error);
  value->clear();
  value->reserve(kSignedEntryHeaderBytes + settings.size() + input.size() + html.size() +
                 kMacBytes);
  value->append(kSignedEntryMagic);
  PutLittleEndian(static_cast<std::uint64_t>(version), 8, value);
  PutLittleEndian(settings.size(), 4, value);
  PutLittleEndian(input.size(), 8, value);
  value->append(settings);
  value->append(input);
  value->append(html);
  value->append(Mac(*crypto, key, *value));
  return Status::Ok();
}

bool DecodeRedisCacheEntry(std::string_view value, RedisCacheEntry* entry) {
  *entry = RedisCacheEntry{};
  std::size_t lengths_at = kEntryMagic.size();  // where the two lengths are
  if (value.starts_with(kSignedEntryMagic)) {
    if (value.size() < kSignedEntryHeaderBytes + kMacBytes) return false;
    entry->signed_entry = true;
    entry->version =
        static_cast<std::int64_t>(GetLittleEndian(value.substr(kSignedEntryMagic.size(), 8)));
    entry->signed_bytes = value.substr(0, value.size() - kMacBytes);
    entry->mac = value.substr(value.size() - kMacBytes);
    value = entry->signed_bytes;
    lengths_at += 8;
  } else if (!value.starts_with(kEntryMagic) || value.size() < kEntryHeaderBytes) {
    return false;
  }
  const std::uint64_t settings_size = GetLittleEndian(value.substr(lengths_at, 4));
  const std::uint64_t input_size = GetLittleEndian(value.substr(lengths_at + 4, 8));
  const std::string_view rest = value.substr(lengths_at + 12);
  if (settings_size > rest.size() || input_size > rest.size() - settings_size) return false;
  entry->settings = rest.substr(0, settings_size);
  entry->input = rest.substr(settings_size, input_size);
  entry->html = rest.substr(settings_size + input_size);
  return true;
}

Status RedisRenderCache::Open(const RedisCacheOptions& options, std::string_view fingerprint,
                              std::unique_ptr<RedisRenderCache>* out) {
  std::unique_ptr<RedisRenderCache> cache(new RedisRenderCache());
  cache->name_ = RedisUrlForDisplay(options.url);
  cache->settings_ = std::string(fingerprint);
  cache->settings_id_ = SettingsIdOf(fingerprint);
  cache->settings_tag_ = SettingsTag(cache->settings_id_);
  cache->ttl_ = options.ttl;
  std::string error;
  if (!options.key.empty()) {
    cache->crypto_ = internal::LoadLibcrypto(&error);
    if (cache->crypto_ == nullptr) {
      return Status::Unavailable("render cache " + cache->name_ + ": " + error);
    }
    cache->key_ = options.key;
  }
  cache->library_ = internal::LoadHiredis(&error);
  if (cache->library_ == nullptr) {
    return Status::Unavailable("render cache " + cache->name_ + ": " + error);
  }
  Status status = cache->Connect(options);
  if (!status.ok()) return status;
  *out = std::move(cache);
  return Status::Ok();
}

RedisRenderCache::~RedisRenderCache() {
  if (context_ != nullptr) FlushCounters();  // best effort: they are statistics
  if (context_ != nullptr) {
    SigpipeBlocked guard;  // hiredis write()s to its socket: the server may be gone
    static_cast<const HiredisLibrary*>(library_)->free_context(context_);
  }
}

Status RedisRenderCache::Failed(std::string_view what) {
  std::string message = "render cache " + name_ + ": " + std::string(what);
  if (context_ != nullptr && context_->err != 0) {
    // hiredis reports a timeout as the errno text of EAGAIN.
    const bool timed_out =
        context_->err == REDIS_ERR_IO && std::strcmp(context_->errstr, std::strerror(EAGAIN)) == 0;
    message += std::string(": ") + (timed_out ? "no reply in time" : context_->errstr);
    // A broken connection (half a reply read, say) is never used again.
    static_cast<const HiredisLibrary*>(library_)->free_context(context_);
    context_ = nullptr;
  }
  return Status::Unavailable(std::move(message));
}

Status RedisRenderCache::Connect(const RedisCacheOptions& options) {
  const auto* lib = static_cast<const HiredisLibrary*>(library_);
  SigpipeBlocked guard;
  const timeval connect_timeout = ToTimeval(options.connect_timeout);
  context_ = options.url.socket_path.empty()
                 ? lib->connect_tcp(options.url.host.c_str(), options.url.port, connect_timeout)
                 : lib->connect_unix(options.url.socket_path.c_str(), connect_timeout);
  if (context_ == nullptr) return Status::Unavailable("render cache " + name_ + ": out of memory");
  if (context_->err != 0) {
    Status status = Status::Unavailable("render cache " + name_ +
                                        ": cannot connect: " + std::string(context_->errstr));
    lib->free_context(context_);
    context_ = nullptr;
    return status;
  }
  if (lib->set_timeout(context_, ToTimeval(options.command_timeout)) != REDIS_OK) {
    return Failed("cannot set a timeout");
  }
  const std::string db = std::to_string(options.url.db);
  if (!options.password.empty()) {
    Replies replies;
    Status status = options.url.username.empty()
                        ? Pipeline({{"AUTH", options.password}}, &replies)
                        : Pipeline({{"AUTH", options.url.username, options.password}}, &replies);
    if (!status.ok()) return status;
    if (replies[0]->type == REDIS_REPLY_ERROR) {
      // Redis's message names neither the user nor the password.
      return Status::Unavailable("render cache " + name_ + ": AUTH refused: " +
                                 std::string(replies[0]->str, replies[0]->len));
    }
  }
  if (options.url.db != 0) {
    Replies replies;
    Status status = Pipeline({{"SELECT", db}}, &replies);
    if (!status.ok()) return status;
    if (replies[0]->type == REDIS_REPLY_ERROR) {
      return Status::Unavailable("render cache " + name_ + ": SELECT " + db + ": " +
                                 std::string(replies[0]->str, replies[0]->len));
    }
  }
  return Status::Ok();
}

Status RedisRenderCache::Pipeline(
    std::initializer_list<std::initializer_list<std::string_view>> commands, Replies* replies) {
  std::vector<std::vector<std::string_view>> list;
  list.reserve(commands.size());
  for (const auto& command : commands) list.emplace_back(command);
  return Pipeline(list, replies);
}

Status RedisRenderCache::Pipeline(const std::vector<std::vector<std::string_view>>& commands,
                                  Replies* replies) {
  const auto* lib = static_cast<const HiredisLibrary*>(library_);
  replies->library = lib;
  if (context_ == nullptr) return Status::Unavailable("render cache " + name_ + ": disconnected");
  SigpipeBlocked guard;
  std::vector<const char*> argv;
  std::vector<std::size_t> lengths;
  for (const auto& command : commands) {
    argv.clear();
    lengths.clear();
    for (std::string_view word : command) {
      argv.push_back(word.data());
      lengths.push_back(word.size());
    }
    if (lib->append_command_argv(context_, static_cast<int>(argv.size()), argv.data(),
                                 lengths.data()) != REDIS_OK) {
      return Failed("cannot send a command");
    }
  }
  for (std::size_t i = 0; i < commands.size(); ++i) {
    void* reply = nullptr;
    if (lib->get_reply(context_, &reply) != REDIS_OK || reply == nullptr) {
      return Failed("no reply");
    }
    replies->replies.push_back(static_cast<redisReply*>(reply));
  }
  return Status::Ok();
}

Status RedisRenderCache::Version(std::int64_t* version) {
  {
    Replies replies;
    Status status = Pipeline({{"GET", kRedisVersionKey}}, &replies);
    if (!status.ok()) return status;
    if (replies[0]->type != REDIS_REPLY_NIL) {
      if (!ParseVersion(replies[0], version)) {
        return Status::Unavailable("render cache " + name_ + ": " + std::string(kRedisVersionKey) +
                                   " does not hold a version number (another program's key?)");
      }
      return Status::Ok();
    }
  }
  // Absent: seed it (only one of several racing nodes succeeds), then read it.
  const std::string seed = std::to_string(NowMicroseconds());
  Replies replies;
  Status status =
      Pipeline({{"SET", kRedisVersionKey, seed, "NX"}, {"GET", kRedisVersionKey}}, &replies);
  if (!status.ok()) return status;
  if (!ParseVersion(replies[1], version)) {
    return Status::Unavailable("render cache " + name_ + ": cannot read " +
                               std::string(kRedisVersionKey));
  }
  return Status::Ok();
}

Status RedisRenderCache::Invalidate(std::int64_t* new_version) {
  const std::string seed = std::to_string(NowMicroseconds());
  Replies replies;
  Status status =
      Pipeline({{"SET", kRedisVersionKey, seed, "NX"}, {"INCR", kRedisVersionKey}}, &replies);
  if (!status.ok()) return status;
  if (replies[1]->type != REDIS_REPLY_INTEGER) {
    const std::string why = replies[1]->type == REDIS_REPLY_ERROR
                                ? std::string(replies[1]->str, replies[1]->len)
                                : "unexpected reply";
    return Status::Unavailable("render cache " + name_ + ": INCR " + std::string(kRedisVersionKey) +
                               ": " + why);
  }
  if (new_version != nullptr) *new_version = replies[1]->integer;
  return Status::Ok();
}

bool RedisRenderCache::Accept(std::string_view value, std::int64_t version,
                              RedisCacheEntry* entry) const {
  if (!DecodeRedisCacheEntry(value, entry)) return false;
  if (key_.empty()) return !entry->signed_entry;  // it could not be checked
  if (!entry->signed_entry || entry->version != version) return false;
  const auto* crypto = static_cast<const LibcryptoLibrary*>(crypto_);
  const std::string expected = Mac(*crypto, key_, entry->signed_bytes);
  return expected.size() == entry->mac.size() &&
         crypto->memcmp(expected.data(), entry->mac.data(), expected.size()) == 0;
}

Status RedisRenderCache::Lookup(std::string_view markdown, const HtmlSink& sink, bool* found,
                                CacheSlot* slot) {
  *found = false;
  CacheSlot here = SlotOf(settings_id_, markdown);
  Status status = Version(&here.version);
  if (!status.ok()) return status;
  const std::string key = EntryKey(settings_tag_, here);
  Replies replies;
  status = Pipeline({{"GET", key}}, &replies);
  if (!status.ok()) return status;
  const redisReply* reply = replies[0];
  // WRONGTYPE (someone made the key a list, say) is a miss like any other
  // value that is not ours; any other error is the server's.
  if (reply->type == REDIS_REPLY_ERROR &&
      std::string_view(reply->str, reply->len).substr(0, 9) != "WRONGTYPE") {
    return Status::Unavailable("render cache " + name_ +
                               ": GET: " + std::string(reply->str, reply->len));
  }
  // Settings and input are compared first (cheap, and most misses of a
  // collision end there); the MAC covers the whole value, HTML included.
  RedisCacheEntry entry;
  if (reply->type == REDIS_REPLY_STRING &&
      DecodeRedisCacheEntry(std::string_view(reply->str, reply->len), &entry) &&
      entry.settings == settings_ && entry.input == markdown &&
      Accept(std::string_view(reply->str, reply->len), here.version, &entry)) {
    *found = true;
    sink(entry.html);
  }
  ++(*found ? pending_hits_ : pending_misses_);
  *slot = here;
  return Status::Ok();
}

Status RedisRenderCache::Store(const CacheSlot& slot, std::string_view markdown,
                               std::string_view html) {
  const std::size_t size =
      (key_.empty() ? kEntryHeaderBytes : kSignedEntryHeaderBytes + kMacBytes) + settings_.size() +
      markdown.size() + html.size();
  if (size > kMaxRedisEntryBytes) return FlushCounters();  // rendered every time
  std::string value;
  if (key_.empty()) {
    value = EncodeRedisCacheEntry(settings_, markdown, html);
  } else {
    Status status =
        EncodeSignedRedisCacheEntry(key_, slot.version, settings_, markdown, html, &value);
    if (!status.ok()) return status;
  }
  const std::string ttl = std::to_string(ttl_.count());
  // The counters ride along: a miss costs no round trip of its own.
  const std::string hits = std::to_string(pending_hits_);
  const std::string misses = std::to_string(pending_misses_);
  Replies replies;
  Status status = Pipeline({{"SET", EntryKey(settings_tag_, slot), value, "EX", ttl},
                            {"INCRBY", kRedisHitsKey, hits},
                            {"INCRBY", kRedisMissesKey, misses}},
                           &replies);
  if (!status.ok()) return status;
  pending_hits_ = pending_misses_ = 0;
  if (replies[0]->type == REDIS_REPLY_ERROR) {
    // e.g. OOM under maxmemory-policy noeviction.
    return Status::Unavailable("render cache " + name_ +
                               ": SET: " + std::string(replies[0]->str, replies[0]->len));
  }
  return Status::Ok();
}

Status RedisRenderCache::FlushCounters() {
  if (pending_hits_ == 0 && pending_misses_ == 0) return Status::Ok();
  const std::string hits = std::to_string(pending_hits_);
  const std::string misses = std::to_string(pending_misses_);
  Replies replies;
  Status status =
      Pipeline({{"INCRBY", kRedisHitsKey, hits}, {"INCRBY", kRedisMissesKey, misses}}, &replies);
  if (status.ok()) pending_hits_ = pending_misses_ = 0;
  return status;
}

Status RedisRenderCache::ScanEntries(
    const std::function<Status(const std::vector<std::string>&)>& batch) {
  const std::string pattern = std::string(kRedisEntryPrefix) + "*";
  const std::string count = std::to_string(kRedisScanBatch);
  std::string cursor = "0";
  std::vector<std::string> keys;
  do {
    Replies replies;
    Status status = Pipeline({{"SCAN", cursor, "MATCH", pattern, "COUNT", count}}, &replies);
    if (!status.ok()) return status;
    const redisReply* reply = replies[0];
    if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 2 ||
        reply->element[0]->type != REDIS_REPLY_STRING ||
        reply->element[1]->type != REDIS_REPLY_ARRAY) {
      const std::string why = reply->type == REDIS_REPLY_ERROR ? std::string(reply->str, reply->len)
                                                               : "unexpected reply";
      return Status::Unavailable("render cache " + name_ + ": SCAN: " + why);
    }
    cursor.assign(reply->element[0]->str, reply->element[0]->len);
    keys.clear();
    const redisReply* found = reply->element[1];
    for (std::size_t i = 0; i < found->elements; ++i) {
      if (found->element[i]->type == REDIS_REPLY_STRING) {
        keys.emplace_back(found->element[i]->str, found->element[i]->len);
      }
    }
    if (!keys.empty()) {
      status = batch(keys);
      if (!status.ok()) return status;
    }
  } while (cursor != "0");
  return Status::Ok();
}

Status RedisRenderCache::Stats(RenderCacheStats* stats) {
  Status status = FlushCounters();
  RenderCacheStats result;
  result.store = "redis";
  result.location = name_;
  if (status.ok()) status = Version(&result.local_version);
  if (!status.ok()) return status;
  {
    Replies replies;
    status = Pipeline({{"GET", kRedisHitsKey}, {"GET", kRedisMissesKey}}, &replies);
    if (!status.ok()) return status;
    result.hits = CounterValue(replies[0]);
    result.misses = CounterValue(replies[1]);
  }
  status = ScanEntries([&](const std::vector<std::string>& keys) {
    std::vector<std::vector<std::string_view>> commands;
    commands.reserve(keys.size());
    for (const std::string& key : keys) commands.push_back({"STRLEN", key});
    Replies replies;
    Status sizes = Pipeline(commands, &replies);
    if (!sizes.ok()) return sizes;
    for (std::size_t i = 0; i < keys.size(); ++i) {
      // 0: gone since SCAN saw it (expired, evicted); an error: not a string.
      if (replies[i]->type != REDIS_REPLY_INTEGER || replies[i]->integer == 0) continue;
      const std::int64_t size = replies[i]->integer;
      ++result.entries;
      result.bytes += size;
      std::int64_t version = 0;
      std::string_view tag;
      if (!ParseEntryKey(keys[i], &version, &tag) || version != result.local_version) {
        ++result.old_entries;
        result.old_bytes += size;
      } else if (tag == settings_tag_) {
        ++result.current_entries;
        result.current_bytes += size;
      }
    }
    return Status::Ok();
  });
  if (!status.ok()) return status;
  result.epoch = settings_tag_ + "-v" + std::to_string(result.local_version);
  *stats = std::move(result);
  return Status::Ok();
}

Status RedisRenderCache::Gc(std::int64_t* removed) {
  *removed = 0;
  std::int64_t current = 0;
  Status status = Version(&current);
  if (!status.ok()) return status;
  return ScanEntries([&](const std::vector<std::string>& keys) {
    std::vector<std::string_view> command = {"UNLINK"};
    for (const std::string& key : keys) {
      std::int64_t version = 0;
      std::string_view tag;
      if (!ParseEntryKey(key, &version, &tag) || version != current) command.push_back(key);
    }
    if (command.size() == 1) return Status::Ok();
    Replies replies;
    Status unlinked = Pipeline(std::vector<std::vector<std::string_view>>{command}, &replies);
    if (!unlinked.ok()) return unlinked;
    if (replies[0]->type != REDIS_REPLY_INTEGER) {
      const std::string why = replies[0]->type == REDIS_REPLY_ERROR
                                  ? std::string(replies[0]->str, replies[0]->len)
                                  : "unexpected reply";
      return Status::Unavailable("render cache " + name_ + ": UNLINK: " + why);
    }
    *removed += replies[0]->integer;
    return Status::Ok();
  });
}

}  // namespace jiralink::renderer
