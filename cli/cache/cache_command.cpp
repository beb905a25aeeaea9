// jiralink cache invalidate|stats|gc: the render cache the settings choose,
// the SQLite file under [state] dir or the Redis server of [render] cache.
#include <cstdio>
#include <string>

#include <nlohmann/json.hpp>

#include "common.h"
#include "jiralink/renderer/cached_renderer.h"
#include "jiralink/renderer/renderer.h"

namespace jiralink::cli {

namespace {

// The cache options and the epoch's fingerprint that `jiralink render`
// would use. Prints why and returns 2 when they cannot be had, else -1.
int CacheOf(const config::Settings& settings, const char* command, renderer::CacheOptions* options,
            std::string* fingerprint) {
  std::unique_ptr<renderer::Renderer> renderer;
  Status status = renderer::Renderer::Create(ToRenderOptions(settings), &renderer);
  if (status.ok()) status = ToCacheOptions(settings, options);
  if (!status.ok()) {
    std::fprintf(stderr, "jiralink cache %s: %s\n", command, status.message().c_str());
    return 2;
  }
  *fingerprint = renderer->fingerprint();
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
  renderer::CacheOptions options;
  std::string fingerprint;
  if (int code = CacheOf(settings, "stats", &options, &fingerprint); code >= 0) return code;
  renderer::RenderCacheStats stats;
  Status status = renderer::ReadCacheStats(options, fingerprint, &stats);
  if (!status.ok()) {
    std::fprintf(stderr, "jiralink cache stats: %s\n", status.message().c_str());
    return 2;
  }
  if (json) {
    const nlohmann::json out = {{"store", stats.store},
                                {"location", stats.location},
                                {"entries", stats.entries},
                                {"bytes", stats.bytes},
                                {"current_entries", stats.current_entries},
                                {"current_bytes", stats.current_bytes},
                                {"old_entries", stats.old_entries},
                                {"old_bytes", stats.old_bytes},
                                {"hits", stats.hits},
                                {"misses", stats.misses},
                                {"epoch", stats.epoch},
                                {"local_version", stats.local_version}};
    std::printf("%s\n", out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    return 0;
  }
  std::printf("store:          %s\n", stats.store.c_str());
  std::printf("cache:          %s\n", stats.location.c_str());
  std::printf("entries:        %lld (%lld in the current epoch)\n",
              static_cast<long long>(stats.entries), static_cast<long long>(stats.current_entries));
  std::printf("bytes:          %lld (%lld in the current epoch)\n",
              static_cast<long long>(stats.bytes), static_cast<long long>(stats.current_bytes));
  std::printf("old entries:    %lld (%lld bytes; `jiralink cache gc` removes them)\n",
              static_cast<long long>(stats.old_entries), static_cast<long long>(stats.old_bytes));
  std::printf("hits:           %lld\n", static_cast<long long>(stats.hits));
  std::printf("misses:         %lld\n", static_cast<long long>(stats.misses));
  std::printf("epoch:          %s\n", stats.epoch.c_str());
  std::printf("local version:  %lld\n", static_cast<long long>(stats.local_version));
  return 0;
}

int CollectGarbage(const config::Settings& settings) {
  renderer::CacheOptions options;
  std::string fingerprint;
  if (int code = CacheOf(settings, "gc", &options, &fingerprint); code >= 0) return code;
  std::int64_t removed = 0;
  Status status = renderer::CollectCacheGarbage(
      options, fingerprint, settings.render.cache_max_mb * 1024 * 1024, &removed);
  renderer::RenderCacheStats stats;
  if (status.ok()) status = renderer::ReadCacheStats(options, fingerprint, &stats);
  if (!status.ok()) {
    std::fprintf(stderr, "jiralink cache gc: %s\n", status.message().c_str());
    return 2;
  }
  std::printf("removed %lld entries; %lld entries, %lld bytes left\n",
              static_cast<long long>(removed), static_cast<long long>(stats.entries),
              static_cast<long long>(stats.bytes));
  if (options.redis.has_value()) {
    std::printf(
        "(Redis: entries of old versions removed; Redis's maxmemory policy bounds the "
        "rest, and every entry expires after 7 days)\n");
  }
  return 0;
}

}  // namespace

int RunCache(Context& ctx, int argc, char** argv) {
  CLI::App app{
      "The render cache the settings choose: the SQLite file under [state] dir, or the Redis "
      "server of [render] cache = \"redis://...\".",
      "jiralink cache"};
  app.require_subcommand(1);
  std::string repo;
  app.add_option("--repo", repo, "repository path selecting [groups]/[projects] settings");
  AddConfigOption(app, ctx);
  CLI::App* invalidate = app.add_subcommand(
      "invalidate", "start a new render epoch at once (after a Jira URL migration)");
  CLI::App* stats = app.add_subcommand(
      "stats", "store, where it lives, entries and bytes (current epoch, old), hits, misses");
  CLI::App* gc = app.add_subcommand(
      "gc",
      "drop entries of old epochs; SQLite: then trim to [render] cache_max_mb, least recently "
      "used first (Redis: its maxmemory policy bounds the rest)");
  for (CLI::App* sub : {invalidate, stats, gc}) AddConfigOption(*sub, ctx);
  bool json = false;
  stats->add_flag("--json", json,
                  "print JSON: {store, location, entries, bytes, current_entries, current_bytes, "
                  "old_entries, old_bytes, hits, misses, epoch, local_version}");
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
