// jiralink cache invalidate|stats|gc: the render cache under [state] dir.
#include <cstdio>
#include <string>

#include <nlohmann/json.hpp>

#include "common.h"
#include "jiralink/renderer/render_cache.h"
#include "jiralink/renderer/renderer.h"

namespace jiralink::cli {

namespace {

// Opens the cache with the epoch that `jiralink render` would use.
int OpenCache(const config::Settings& settings, std::unique_ptr<renderer::RenderCache>* cache) {
  std::unique_ptr<renderer::Renderer> renderer;
  Status status = renderer::Renderer::Create(ToRenderOptions(settings), &renderer);
  if (status.ok())
    status = renderer::RenderCache::Open(settings.state.dir, renderer->fingerprint(), cache);
  if (!status.ok()) {
    std::fprintf(stderr, "jiralink cache: %s\n", status.message().c_str());
    return 2;
  }
  return -1;
}

int Invalidate(const config::Settings& settings) {
  renderer::CacheOptions options;
  renderer::CacheInvalidation done;
  Status status = ToCacheOptions(settings, &options);
  if (status.ok()) status = renderer::InvalidateCaches(options, &done);
  if (!status.ok()) {
    std::fprintf(stderr, "jiralink cache invalidate: %s\n", status.message().c_str());
    return 2;
  }
  std::printf("render cache invalidated: local version is now %lld\n",
              static_cast<long long>(done.local_version));
  if (options.redis.has_value()) {
    std::printf("shared render cache %s invalidated: version is now %lld\n",
                RedisUrlForDisplay(options.redis->url).c_str(),
                static_cast<long long>(done.shared_version));
  }
  return 0;
}

int PrintStats(const config::Settings& settings, bool json) {
  std::unique_ptr<renderer::RenderCache> cache;
  if (int code = OpenCache(settings, &cache); code >= 0) return code;
  renderer::RenderCacheStats stats;
  Status status = cache->Stats(&stats);
  if (!status.ok()) {
    std::fprintf(stderr, "jiralink cache stats: %s\n", status.message().c_str());
    return 2;
  }
  if (json) {
    const nlohmann::json out = {{"path", stats.path},
                                {"entries", stats.entries},
                                {"current_entries", stats.current_entries},
                                {"bytes", stats.bytes},
                                {"hits", stats.hits},
                                {"misses", stats.misses},
                                {"epoch", stats.epoch},
                                {"local_version", stats.local_version}};
    std::printf("%s\n", out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    return 0;
  }
  std::printf("cache:          %s\n", stats.path.c_str());
  std::printf("entries:        %lld (%lld in the current epoch)\n",
              static_cast<long long>(stats.entries), static_cast<long long>(stats.current_entries));
  std::printf("bytes:          %lld\n", static_cast<long long>(stats.bytes));
  std::printf("hits:           %lld\n", static_cast<long long>(stats.hits));
  std::printf("misses:         %lld\n", static_cast<long long>(stats.misses));
  std::printf("epoch:          %s\n", stats.epoch.c_str());
  std::printf("local version:  %lld\n", static_cast<long long>(stats.local_version));
  return 0;
}

int CollectGarbage(const config::Settings& settings) {
  std::unique_ptr<renderer::RenderCache> cache;
  if (int code = OpenCache(settings, &cache); code >= 0) return code;
  std::int64_t removed = 0;
  Status status = cache->Gc(settings.render.cache_max_mb * 1024 * 1024, &removed);
  renderer::RenderCacheStats stats;
  if (status.ok()) status = cache->Stats(&stats);
  if (!status.ok()) {
    std::fprintf(stderr, "jiralink cache gc: %s\n", status.message().c_str());
    return 2;
  }
  std::printf("removed %lld entries; %lld entries, %lld bytes left\n",
              static_cast<long long>(removed), static_cast<long long>(stats.entries),
              static_cast<long long>(stats.bytes));
  return 0;
}

}  // namespace

int RunCache(Context& ctx, int argc, char** argv) {
  CLI::App app{"The render cache (SQLite under [state] dir).", "jiralink cache"};
  app.require_subcommand(1);
  std::string repo;
  app.add_option("--repo", repo, "repository path selecting [groups]/[projects] settings");
  AddConfigOption(app, ctx);
  CLI::App* invalidate = app.add_subcommand(
      "invalidate", "start a new render epoch at once (after a Jira URL migration)");
  CLI::App* stats = app.add_subcommand("stats", "entries, bytes, hits, misses, epoch");
  CLI::App* gc = app.add_subcommand(
      "gc",
      "drop rows of old epochs, then trim to [render] cache_max_mb, least recently used first");
  for (CLI::App* sub : {invalidate, stats, gc}) AddConfigOption(*sub, ctx);
  bool json = false;
  stats->add_flag("--json", json,
                  "print JSON: {path, entries, current_entries, bytes, hits, misses, epoch, "
                  "local_version}");
  if (int code = ParseOrExit(app, argc, argv); code >= 0) return code;

  config::Config config;
  if (!LoadConfig(ctx, &config)) return 2;
  const config::Settings settings = config.ForRepo(repo);
  // Root works on the cache as the owner of the state directory it is in.
  if (Status owner = BecomeStateOwner(ctx, settings); !owner.ok()) {
    std::fprintf(stderr, "jiralink cache: %s\n", owner.message().c_str());
    return 2;
  }
  if (invalidate->parsed()) return Invalidate(settings);
  if (stats->parsed()) return PrintStats(settings, json);
  return CollectGarbage(settings);
}

}  // namespace jiralink::cli
