// The renderer against its baselines, over every Markdown document of the
// corpus: plain cmark-gfm with the GFM extensions (BM_RenderCmark), the same
// plus `jira` (BM_RenderJira), and a cache hit through the public API
// (BM_RenderCached/markdown: the SQLite cache; BM_RenderCached/redis: the
// Redis cache on a redis-server started for the run on a Unix socket, the
// SQLite one being its baseline). Bytes per second are of Markdown input.
//
// Whole processes, as cgit and Gitea run `jiralink render` (one per page):
// BM_ProcessStartup is `jiralink --version`, beside its floor
// BM_ProcessStartup/true (`true`: fork, exec and wait with no libraries but
// libc, through the same pipes); BM_RenderProcess/uncached and
// /cached render the corpus's largest document (calcite's history.md) with
// --no-cache and from a warm cache; BM_RenderProcess/speedup runs the two
// alternately and reports their ratio (wall and CPU) from the same run;
// BM_RenderProcess/redis_cached is /cached with [render] cache on Redis, and
// /redis_cached_signed the same with [render] cache_key_file (entries
// authenticated by an HMAC-SHA256): its ratio to /redis_cached is the MAC's cost.
#include <benchmark/benchmark.h>

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "corpus.h"
#include "jiralink/renderer/cached_renderer.h"
#include "jiralink/renderer/renderer.h"
#include "process.h"
#include "support/redis_server.h"

namespace jiralink::bench {
namespace {

std::int64_t CorpusBytes() {
  std::int64_t bytes = 0;
  for (const Document& doc : MarkdownCorpus()) bytes += static_cast<std::int64_t>(doc.text.size());
  return bytes;
}

renderer::RenderOptions BenchOptions(bool jira) {
  renderer::RenderOptions options;
  options.web_url = "https://jira.example.com";
  options.jira_extension = jira;
  return options;
}

void RenderCorpus(benchmark::State& state, bool jira) {
  std::unique_ptr<renderer::Renderer> renderer;
  if (!renderer::Renderer::Create(BenchOptions(jira), &renderer).ok()) {
    state.SkipWithError("cannot create the renderer");
    return;
  }
  std::string html;
  for (auto _ : state) {
    for (const Document& doc : MarkdownCorpus()) {
      if (!renderer->Render(doc.text, &html).ok()) state.SkipWithError(doc.path.c_str());
      benchmark::DoNotOptimize(html.data());
    }
  }
  state.SetBytesProcessed(state.iterations() * CorpusBytes());
}

void BM_RenderCmark(benchmark::State& state) { RenderCorpus(state, /*jira=*/false); }
void BM_RenderJira(benchmark::State& state) { RenderCorpus(state, /*jira=*/true); }

// One redis-server for the whole run, stopped at exit; null (with *error)
// when it cannot be started.
const jiralink::testing::RedisServer* BenchRedis(std::string* error) {
  static std::string start_error;
  static std::unique_ptr<jiralink::testing::RedisServer> server =
      jiralink::testing::RedisServer::Start({}, &start_error);
  *error = start_error;
  return server.get();
}

void RenderCached(benchmark::State& state, bool redis) {
  const std::string dir = (std::filesystem::temp_directory_path() /
                           ("jiralink-bench-cache-" + std::to_string(getpid())))
                              .string();
  {
    renderer::CacheOptions cache;
    cache.state_dir = dir;
    if (redis) {
      std::string error;
      const jiralink::testing::RedisServer* server = BenchRedis(&error);
      if (server == nullptr) {
        state.SkipWithError(error.c_str());
        return;
      }
      renderer::RedisCacheOptions options;
      ParseRedisUrl(server->url(), &options.url);
      cache.redis = options;
    }
    std::unique_ptr<renderer::CachedRenderer> renderer;
    if (!renderer::CachedRenderer::Create(BenchOptions(true), cache, &renderer).ok() ||
        !renderer->cache_in_use()) {
      state.SkipWithError("cannot open the cache");
      return;
    }
    std::string html;
    for (const Document& doc : MarkdownCorpus()) renderer->Render(doc.text, &html);  // warm
    bool hit = false;
    for (auto _ : state) {
      for (const Document& doc : MarkdownCorpus()) {
        renderer->Render(doc.text, &html, &hit);
        if (!hit) state.SkipWithError("expected a cache hit");
        benchmark::DoNotOptimize(html.data());
      }
    }
    state.SetBytesProcessed(state.iterations() * CorpusBytes());
  }
  std::filesystem::remove_all(dir);
}

void BM_RenderCached(benchmark::State& state) { RenderCached(state, /*redis=*/false); }
void BM_RenderCachedRedis(benchmark::State& state) { RenderCached(state, /*redis=*/true); }

// A settings file and state directory for the process benchmarks.
struct ProcessSetup {
  std::string dir;
  std::string config;
  std::string document;  // the Markdown given on stdin

  // `cache`: the [render] cache value, e.g. "\"redis://...\"" (empty: the default).
  explicit ProcessSetup(const std::string& cache = "") {
    dir = (std::filesystem::temp_directory_path() /
           ("jiralink-bench-process-" + std::to_string(getpid())))
              .string();
    std::filesystem::create_directories(dir);
    config = dir + "/config.toml";
    std::FILE* file = std::fopen(config.c_str(), "w");
    if (file != nullptr) {
      std::fprintf(file, "[jira]\nweb_url = \"https://jira.example.com\"\n[state]\ndir = \"%s\"\n",
                   (dir + "/state").c_str());
      if (!cache.empty()) std::fprintf(file, "[render]\ncache = %s\n", cache.c_str());
      std::fclose(file);
    }
    // The corpus's largest document.
    for (const Document& doc : MarkdownCorpus()) {
      if (doc.text.size() > document.size()) document = doc.text;
    }
  }
  ~ProcessSetup() { std::filesystem::remove_all(dir); }
};

void BM_ProcessStartup(benchmark::State& state) {
  const double cpu_before = ChildrenCpuSeconds();
  for (auto _ : state) {
    if (RunProcess({JIRALINK_BIN, "--version"}).exit_code != 0) {
      state.SkipWithError("jiralink --version failed");
      return;
    }
  }
  SetChildrenCpuCounter(state, cpu_before);
}

void BM_TrueProcess(benchmark::State& state) {
  const double cpu_before = ChildrenCpuSeconds();
  for (auto _ : state) {
    if (RunProcess({"true"}).exit_code != 0) {
      state.SkipWithError("true failed");
      return;
    }
  }
  SetChildrenCpuCounter(state, cpu_before);
}

void RenderProcess(benchmark::State& state, bool cached, const std::string& cache = "") {
  ProcessSetup setup(cache);
  std::vector<std::string> argv = {JIRALINK_BIN, "--config", setup.config, "render"};
  if (!cached) argv.push_back("--no-cache");
  if (RunProcess(argv, setup.document).exit_code != 0) {  // warms the cache
    state.SkipWithError("jiralink render failed");
    return;
  }
  const double cpu_before = ChildrenCpuSeconds();
  for (auto _ : state) RunProcess(argv, setup.document);
  SetChildrenCpuCounter(state, cpu_before);
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(setup.document.size()));
}

// The cache's speed-up in one run: each iteration renders history.md once
// uncached and once from the cache, alternately, so both see the same load.
// Counters: means of wall and CPU time (the children's CPU
// from getrusage, which a busy machine disturbs least) and their ratios.
void BM_RenderProcessSpeedup(benchmark::State& state) {
  ProcessSetup setup;
  std::vector<std::string> cached = {JIRALINK_BIN, "--config", setup.config, "render"};
  std::vector<std::string> uncached = cached;
  uncached.push_back("--no-cache");
  if (RunProcess(cached, setup.document).exit_code != 0) {  // warms the cache
    state.SkipWithError("jiralink render failed");
    return;
  }
  double wall[2] = {0, 0};  // [0] uncached, [1] cached
  double cpu[2] = {0, 0};
  for (auto _ : state) {
    for (int i = 0; i < 2; ++i) {
      const double cpu_before = ChildrenCpuSeconds();
      const auto start = std::chrono::steady_clock::now();
      RunProcess(i == 0 ? uncached : cached, setup.document);
      wall[i] += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      cpu[i] += ChildrenCpuSeconds() - cpu_before;
    }
  }
  const double n = static_cast<double>(state.iterations());
  state.counters["uncached_ms"] = wall[0] / n * 1e3;
  state.counters["cached_ms"] = wall[1] / n * 1e3;
  state.counters["speedup"] = wall[0] / wall[1];
  state.counters["uncached_cpu_ms"] = cpu[0] / n * 1e3;
  state.counters["cached_cpu_ms"] = cpu[1] / n * 1e3;
  state.counters["cpu_speedup"] = cpu[1] > 0 ? cpu[0] / cpu[1] : 0;
}

void BM_RenderProcessUncached(benchmark::State& state) { RenderProcess(state, false); }
void BM_RenderProcessCached(benchmark::State& state) { RenderProcess(state, true); }
void BM_RenderProcessRedisCached(benchmark::State& state) {
  std::string error;
  const jiralink::testing::RedisServer* server = BenchRedis(&error);
  if (server == nullptr) {
    state.SkipWithError(error.c_str());
    return;
  }
  RenderProcess(state, true, "\"" + server->url() + "\"");
}
// The same with [render] cache_key_file: every entry carries an HMAC-SHA256
// (libcrypto loaded with dlopen, the value hashed on each hit).
void BM_RenderProcessRedisCachedSigned(benchmark::State& state) {
  std::string error;
  const jiralink::testing::RedisServer* server = BenchRedis(&error);
  if (server == nullptr) {
    state.SkipWithError(error.c_str());
    return;
  }
  const std::string key_file =
      (std::filesystem::temp_directory_path() / ("jiralink-bench-key-" + std::to_string(getpid())))
          .string();
  if (std::FILE* file = std::fopen(key_file.c_str(), "w")) {
    std::fputs("6b1d0f3e9a2c47b58e1f20c3d4a5b6c7d8e9f0a1b2c3d4e5\n", file);
    std::fclose(file);
  }
  // ProcessSetup writes `cache = <this>` as the [render] table's last lines.
  RenderProcess(state, true, "\"" + server->url() + "\"\ncache_key_file = \"" + key_file + "\"");
  std::filesystem::remove(key_file);
}

BENCHMARK(BM_ProcessStartup)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_TrueProcess)
    ->Name("BM_ProcessStartup/true")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_RenderProcessUncached)
    ->Name("BM_RenderProcess/uncached")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_RenderProcessCached)
    ->Name("BM_RenderProcess/cached")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_RenderProcessRedisCached)
    ->Name("BM_RenderProcess/redis_cached")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_RenderProcessRedisCachedSigned)
    ->Name("BM_RenderProcess/redis_cached_signed")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_RenderProcessSpeedup)
    ->Name("BM_RenderProcess/speedup")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_RenderCmark)->Name("BM_RenderCmark/markdown")->Unit(benchmark::kMillisecond);
BENCHMARK(BM_RenderJira)->Name("BM_RenderJira/markdown")->Unit(benchmark::kMillisecond);
BENCHMARK(BM_RenderCached)->Name("BM_RenderCached/markdown")->Unit(benchmark::kMillisecond);
BENCHMARK(BM_RenderCachedRedis)->Name("BM_RenderCached/redis")->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace jiralink::bench
