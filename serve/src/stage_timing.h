// Per-stage wall-clock totals of the webhook path, for profiling only.
//
// Built in when the compile definition JIRALINK_SERVE_TIMING is set
// (cmake -DJIRALINK_SERVE_TIMING=ON); otherwise every call below is empty and
// compiles to nothing. With it, each stage's count and total time are printed
// to stderr when the process exits:
//   jiralink serve timing: json  n=10800 total 412.3 ms mean 38.2 us
// Stages are measured on the thread that runs them, so the totals of
// concurrent stages add up to more than the wall-clock time.
#pragma once

#include <chrono>
#include <cstdint>

#ifdef JIRALINK_SERVE_TIMING
#include <atomic>
#include <cstdio>
#endif

namespace jiralink::serve::timing {

enum Stage {
  kBody,         // the request's headers routed to the whole body in memory
  kJson,         // depth check and ParsePayload
  kAuth,         // settings lookup and the secret check
  kEvent,        // ParseMergeRequestEvent and PlanMergeRequestJobs
  kCommitWait,   // Commit(): queued until its group is written (followers)
  kTransaction,  // the leader's BEGIN .. COMMIT (its whole group)
  kGroupSize,    // not a time: the requests one transaction wrote (count = groups)
  kHandle,       // WebhookHandler::Handle, whole
  kStageCount
};

#ifdef JIRALINK_SERVE_TIMING
struct Totals {
  std::atomic<std::int64_t> count[kStageCount] = {};
  std::atomic<std::int64_t> nanos[kStageCount] = {};
  ~Totals() {
    static const char* const kNames[kStageCount] = {
        "body", "json", "auth", "event+plan", "commit wait", "transaction", "group size", "handle"};
    for (int i = 0; i < kStageCount; ++i) {
      std::int64_t n = count[i].load();
      if (n == 0) continue;
      double total = static_cast<double>(nanos[i].load());
      if (i == kGroupSize) {
        std::fprintf(stderr, "jiralink serve timing: %-12s groups=%lld mean %.2f requests\n",
                     kNames[i], static_cast<long long>(n), total / static_cast<double>(n));
      } else {
        std::fprintf(stderr, "jiralink serve timing: %-12s n=%lld total %.1f ms mean %.1f us\n",
                     kNames[i], static_cast<long long>(n), total / 1e6,
                     total / static_cast<double>(n) / 1e3);
      }
    }
  }
};
inline Totals& TheTotals() {
  static Totals totals;
  return totals;
}
inline void Add(Stage stage, std::int64_t value) {
  TheTotals().count[stage].fetch_add(1, std::memory_order_relaxed);
  TheTotals().nanos[stage].fetch_add(value, std::memory_order_relaxed);
}
// Adds the time from its construction to its destruction to `stage`.
class Scope {
 public:
  explicit Scope(Stage stage) : stage_(stage), begun_(std::chrono::steady_clock::now()) {}
  ~Scope() {
    Add(stage_, std::chrono::duration_cast<std::chrono::nanoseconds>(
                    std::chrono::steady_clock::now() - begun_)
                    .count());
  }
  Scope(const Scope&) = delete;
  Scope& operator=(const Scope&) = delete;

 private:
  Stage stage_;
  std::chrono::steady_clock::time_point begun_;
};
#else
inline void Add(Stage /*stage*/, std::int64_t /*value*/) {}
class Scope {
 public:
  explicit Scope(Stage /*stage*/) {}
};
#endif

}  // namespace jiralink::serve::timing
