// jiralink_bench: Google Benchmark entry point. The benchmarks live in
// bench_<area>.cpp files beside this one.
#include <benchmark/benchmark.h>

BENCHMARK_MAIN();
