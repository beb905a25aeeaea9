// The renderer against its baselines, over every Markdown document of the
// corpus: plain cmark-gfm with the GFM extensions (BM_RenderCmark), the same
// plus `jira` (BM_RenderJira), and a cache hit through the public API
// (BM_RenderCached). Bytes per second are of Markdown input.
#include <benchmark/benchmark.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "corpus.h"
#include "jiralink/renderer/cached_renderer.h"
#include "jiralink/renderer/renderer.h"

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

void BM_RenderCached(benchmark::State& state) {
  const std::string dir = (std::filesystem::temp_directory_path() /
                           ("jiralink-bench-cache-" + std::to_string(getpid())))
                              .string();
  {
    renderer::CacheOptions cache;
    cache.state_dir = dir;
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

BENCHMARK(BM_RenderCmark)->Name("BM_RenderCmark/markdown")->Unit(benchmark::kMillisecond);
BENCHMARK(BM_RenderJira)->Name("BM_RenderJira/markdown")->Unit(benchmark::kMillisecond);
BENCHMARK(BM_RenderCached)->Name("BM_RenderCached/markdown")->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace jiralink::bench
