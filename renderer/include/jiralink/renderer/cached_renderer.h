// CachedRenderer: a Renderer in front of the RenderCache.
//
// A lookup costs an XXH3 hash of the input and one SQLite read (which also
// compares the stored input); a miss renders and stores the result. Any
// cache failure (a corrupt or unwritable file, a full disk) never fails the
// render: the cache is dropped for the rest of this object's life and `warn`
// is called once with the reason.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "jiralink/core/status.h"
#include "jiralink/renderer/render_cache.h"
#include "jiralink/renderer/renderer.h"

namespace jiralink::renderer {

struct CacheOptions {
  bool enabled = true;
  std::string state_dir;                         // where render-cache.sqlite3 lives
  std::function<void(const std::string&)> warn;  // called at most once; may be empty
};

class CachedRenderer {
 public:
  // Fails only when the render options are invalid (see Renderer::Create);
  // a cache that cannot be opened is reported through `warn`.
  static Status Create(const RenderOptions& render_options, CacheOptions cache_options,
                       std::unique_ptr<CachedRenderer>* out);

  // Same contract as Renderer::Render. *from_cache (may be null) tells
  // whether the HTML came from the cache.
  Status Render(std::string_view markdown, std::string* html, bool* from_cache = nullptr);

  // The same, handing the HTML to `sink` instead: a hit is written straight
  // from the cache's file in pieces, without a copy of the page. Fails
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
  std::unique_ptr<RenderCache> cache_;
  CacheOptions cache_options_;
};

}  // namespace jiralink::renderer
