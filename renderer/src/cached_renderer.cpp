#include "jiralink/renderer/cached_renderer.h"

#include <filesystem>
#include <utility>

namespace jiralink::renderer {

Status CachedRenderer::Create(const RenderOptions& render_options, CacheOptions cache_options,
                              std::unique_ptr<CachedRenderer>* out) {
  std::unique_ptr<CachedRenderer> cached(new CachedRenderer());
  Status status = Renderer::Create(render_options, &cached->renderer_);
  if (!status.ok()) return status;
  cached->cache_options_ = std::move(cache_options);
  const std::string& fingerprint = cached->renderer_->fingerprint();
  if (cached->cache_options_.enabled && cached->cache_options_.redis.has_value()) {
    std::unique_ptr<RedisRenderCache> redis;
    status = RedisRenderCache::Open(*cached->cache_options_.redis, fingerprint, &redis);
    if (status.ok()) {
      cached->cache_ = std::move(redis);
    } else {
      cached->DropCache(status);
    }
  } else if (cached->cache_options_.enabled) {
    std::unique_ptr<RenderCache> sqlite;
    status = RenderCache::Open(cached->cache_options_.state_dir, fingerprint, &sqlite);
    if (!status.ok()) {
      cached->DropCache(status);
    } else {
      if (!sqlite->recovery_note().empty() && cached->cache_options_.warn) {
        cached->cache_options_.warn(sqlite->recovery_note());
      }
      cached->cache_ = std::move(sqlite);
    }
  }
  *out = std::move(cached);
  return Status::Ok();
}

void CachedRenderer::DropCache(const Status& why) {
  cache_.reset();
  if (cache_options_.warn) {
    cache_options_.warn(why.message() + "; rendering without the cache");
    cache_options_.warn = nullptr;  // once
  }
}

Status CachedRenderer::Render(std::string_view markdown, std::string* html, bool* from_cache) {
  html->clear();
  return RenderTo(
      markdown, [html](std::string_view piece) { html->append(piece); }, from_cache);
}

Status CachedRenderer::RenderTo(std::string_view markdown, const HtmlSink& sink, bool* from_cache) {
  if (from_cache != nullptr) *from_cache = false;
  std::string html;
  // Refuse oversized input before hashing it.
  if (static_cast<std::int64_t>(markdown.size()) > renderer_->options().max_bytes) {
    return renderer_->Render(markdown, &html);
  }
  CacheSlot slot;
  if (cache_ != nullptr) {
    bool found = false;
    Status status = cache_->Lookup(markdown, sink, &found, &slot);
    if (!status.ok()) {
      DropCache(status);
      if (found) return status;  // part of the page was handed out already
    } else if (found) {
      if (from_cache != nullptr) *from_cache = true;
      return Status::Ok();
    }
  }
  Status status = renderer_->Render(markdown, &html);
  if (!status.ok()) return status;
  sink(html);
  if (cache_ != nullptr) {
    Status stored = cache_->Store(slot, markdown, html);
    if (!stored.ok()) DropCache(stored);
  }
  return Status::Ok();
}

Status InvalidateCaches(const CacheOptions& options, CacheInvalidation* done) {
  *done = CacheInvalidation{};
  Status status = InvalidateRenderCache(options.state_dir, &done->local_version);
  if (!status.ok() || !options.redis.has_value()) return status;
  // The renderer's settings do not matter: the version is shared by all.
  std::unique_ptr<RedisRenderCache> redis;
  status = RedisRenderCache::Open(*options.redis, "", &redis);
  if (status.ok()) status = redis->Invalidate(&done->shared_version);
  return status;
}

Status ReadCacheStats(const CacheOptions& options, std::string_view fingerprint,
                      RenderCacheStats* stats, bool create_sqlite_file) {
  if (options.redis.has_value()) {
    std::unique_ptr<RedisRenderCache> redis;
    Status status = RedisRenderCache::Open(*options.redis, fingerprint, &redis);
    return status.ok() ? redis->Stats(stats) : status;
  }
  const std::string path = options.state_dir + "/" + std::string(kRenderCacheFileName);
  if (!create_sqlite_file && !std::filesystem::exists(path)) {
    return Status::NotFound("render cache " + path + " does not exist");
  }
  std::unique_ptr<RenderCache> sqlite;
  Status status = RenderCache::Open(options.state_dir, fingerprint, &sqlite);
  return status.ok() ? sqlite->Stats(stats) : status;
}

Status CollectCacheGarbage(const CacheOptions& options, std::string_view fingerprint,
                           std::int64_t max_bytes, std::int64_t* removed) {
  *removed = 0;
  if (options.redis.has_value()) {
    std::unique_ptr<RedisRenderCache> redis;
    Status status = RedisRenderCache::Open(*options.redis, fingerprint, &redis);
    return status.ok() ? redis->Gc(removed) : status;
  }
  std::unique_ptr<RenderCache> sqlite;
  Status status = RenderCache::Open(options.state_dir, fingerprint, &sqlite);
  return status.ok() ? sqlite->Gc(max_bytes, removed) : status;
}

}  // namespace jiralink::renderer
