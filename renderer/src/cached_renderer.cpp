#include "jiralink/renderer/cached_renderer.h"

#include <utility>

namespace jiralink::renderer {

Status CachedRenderer::Create(const RenderOptions& render_options, CacheOptions cache_options,
                              std::unique_ptr<CachedRenderer>* out) {
  std::unique_ptr<CachedRenderer> cached(new CachedRenderer());
  Status status = Renderer::Create(render_options, &cached->renderer_);
  if (!status.ok()) return status;
  cached->cache_options_ = std::move(cache_options);
  if (cached->cache_options_.enabled) {
    status = RenderCache::Open(cached->cache_options_.state_dir, cached->renderer_->fingerprint(),
                               &cached->cache_);
    if (!status.ok()) {
      cached->DropCache(status);
    } else if (!cached->cache_->recovery_note().empty() && cached->cache_options_.warn) {
      cached->cache_options_.warn(cached->cache_->recovery_note());
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
  RenderCache::Slot slot;
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

}  // namespace jiralink::renderer
