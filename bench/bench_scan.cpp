// Key scan throughput: the default fast path against RE2 running the same
// pattern on the same input. Both report bytes/s and the number of matches
// (the `matches` counter), which must be equal for the two.
#include <benchmark/benchmark.h>

#include <cstddef>
#include <string>

#include "corpus.h"
#include "jiralink/core/key_scanner.h"

namespace jiralink::bench {
namespace {

void ScanDefault(benchmark::State& state, const std::string& text) {
  const KeyScanner& scanner = KeyScanner::Default();
  std::size_t matches = 0;
  for (auto _ : state) {
    matches = 0;
    scanner.ForEach(text, [&matches](const KeyMatch& m) {
      benchmark::DoNotOptimize(m.key.data());
      ++matches;
      return true;
    });
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
  state.counters["matches"] = static_cast<double>(matches);
}

void ScanRe2(benchmark::State& state, const std::string& text) {
  std::size_t matches = 0;
  for (auto _ : state) {
    const std::vector<KeyMatch> found = FindAllWithRe2Default(text);
    benchmark::DoNotOptimize(found.data());
    matches = found.size();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
  state.counters["matches"] = static_cast<double>(matches);
}

void BM_ScanDefault_Commits(benchmark::State& state) { ScanDefault(state, CommitCorpus()); }
void BM_ScanRE2_Commits(benchmark::State& state) { ScanRe2(state, CommitCorpus()); }
void BM_ScanDefault_Markdown(benchmark::State& state) {
  ScanDefault(state, MarkdownConcatenated());
}
void BM_ScanRE2_Markdown(benchmark::State& state) { ScanRe2(state, MarkdownConcatenated()); }

BENCHMARK(BM_ScanDefault_Commits)->Name("BM_ScanDefault/commits")->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ScanRE2_Commits)->Name("BM_ScanRE2/commits")->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ScanDefault_Markdown)->Name("BM_ScanDefault/markdown")->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ScanRE2_Markdown)->Name("BM_ScanRE2/markdown")->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace jiralink::bench
