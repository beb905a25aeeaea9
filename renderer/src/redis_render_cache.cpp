#include "jiralink/renderer/redis_render_cache.h"

#include <hiredis/hiredis.h>
#include <sys/time.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <vector>

#include "cache_key.h"
#include "hiredis_library.h"
#include "jiralink/core/sigpipe_blocked.h"

namespace jiralink::renderer {
namespace {

using internal::HiredisLibrary;

constexpr std::string_view kEntryMagic = "JLRC1";
constexpr std::size_t kEntryHeaderBytes = kEntryMagic.size() + 4 + 8;

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

std::string EntryKey(const CacheSlot& slot) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string key(kRedisKeyPrefix);
  key += "e:" + std::to_string(slot.version) + ":";
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

bool DecodeRedisCacheEntry(std::string_view value, RedisCacheEntry* entry) {
  if (value.size() < kEntryHeaderBytes || !value.starts_with(kEntryMagic)) return false;
  const std::uint64_t settings_size = GetLittleEndian(value.substr(kEntryMagic.size(), 4));
  const std::uint64_t input_size = GetLittleEndian(value.substr(kEntryMagic.size() + 4, 8));
  std::string_view rest = value.substr(kEntryHeaderBytes);
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
  cache->ttl_ = options.ttl;
  std::string error;
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

Status RedisRenderCache::Lookup(std::string_view markdown, const HtmlSink& sink, bool* found,
                                CacheSlot* slot) {
  *found = false;
  CacheSlot here = SlotOf(settings_id_, markdown);
  Status status = Version(&here.version);
  if (!status.ok()) return status;
  const std::string key = EntryKey(here);
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
  RedisCacheEntry entry;
  if (reply->type == REDIS_REPLY_STRING &&
      DecodeRedisCacheEntry(std::string_view(reply->str, reply->len), &entry) &&
      entry.settings == settings_ && entry.input == markdown) {
    *found = true;
    sink(entry.html);
  }
  *slot = here;
  return Status::Ok();
}

Status RedisRenderCache::Store(const CacheSlot& slot, std::string_view markdown,
                               std::string_view html) {
  if (kEntryHeaderBytes + settings_.size() + markdown.size() + html.size() > kMaxRedisEntryBytes) {
    return Status::Ok();  // rendered every time: see kMaxRedisEntryBytes
  }
  const std::string value = EncodeRedisCacheEntry(settings_, markdown, html);
  const std::string ttl = std::to_string(ttl_.count());
  Replies replies;
  Status status = Pipeline({{"SET", EntryKey(slot), value, "EX", ttl}}, &replies);
  if (!status.ok()) return status;
  if (replies[0]->type == REDIS_REPLY_ERROR) {
    // e.g. OOM under maxmemory-policy noeviction.
    return Status::Unavailable("render cache " + name_ +
                               ": SET: " + std::string(replies[0]->str, replies[0]->len));
  }
  return Status::Ok();
}

}  // namespace jiralink::renderer
