// The service's counters and their Prometheus text exposition (GET /metrics).
//
//   jiralink_webhooks_accepted_total{forge}          authentic merge-request events acted on
//   jiralink_webhooks_ignored_total{forge}           authentic events answered 202 (other events,
//                                                    actions, or [triggers] merge_request = false)
//   jiralink_webhooks_rejected_total{forge,reason}   answered 4xx/5xx or cut off (reasons below)
//   jiralink_jobs_queued_total{forge,kind}           new outbox jobs (duplicates not counted)
//   jiralink_outbox_jobs{state}                      jobs in the outbox now: pending = queue depth,
//                                                    done = delivered, dead = failed (delivered
//                                                    jobs are forgotten after [delivery]
//                                                    keep_done_days)
//   jiralink_render_cache_hits_total{store}          the render cache's figures, as `jiralink
//   jiralink_render_cache_misses_total{store}        cache stats` reads them (Redis: the
//   jiralink_render_cache_entries{store}             fleet's), read at each scrape; left out
//   jiralink_render_cache_bytes{store}               when no reader is set or it fails. Also
//                                                    *_current_entries/bytes (this epoch) and
//                                                    *_old_entries/bytes (older versions)
//
// Counters are atomics: safe to bump from every request thread at once.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "jiralink/outbox/job.h"
#include "jiralink/renderer/render_cache_store.h"
#include "jiralink/serve/merge_request_event.h"

namespace jiralink::serve {

enum class RejectReason {
  kUnauthorized,          // 401: no, wrong or unusable secret/signature
  kBadJson,               // 400: not JSON, or nested too deeply
  kMissingField,          // 400: a needed field is missing or has the wrong type
  kTooLarge,              // 413: over [serve] max_body_bytes
  kUnsupportedMediaType,  // 415: not application/json
  kTimeout,               // the body did not arrive within [serve] timeout_seconds
  kInternal,              // 500/503: the outbox or the secret could not be used
};
inline constexpr int kRejectReasonCount = 7;

const char* RejectReasonName(RejectReason reason);  // "unauthorized", "bad_json", ...

class Metrics {
 public:
  void Accepted(Forge forge) { accepted_[Index(forge)]++; }
  void Ignored(Forge forge) { ignored_[Index(forge)]++; }
  void Rejected(Forge forge, RejectReason reason) {
    rejected_[Index(forge)][static_cast<int>(reason)]++;
  }
  void Queued(Forge forge, outbox::JobKind kind, int count) {
    queued_[Index(forge)][kind == outbox::JobKind::kClose ? 1 : 0] += count;
  }

  std::uint64_t accepted(Forge forge) const { return accepted_[Index(forge)]; }
  std::uint64_t ignored(Forge forge) const { return ignored_[Index(forge)]; }
  std::uint64_t rejected(Forge forge, RejectReason reason) const {
    return rejected_[Index(forge)][static_cast<int>(reason)];
  }

  // Where the render cache's figures come from (false: none this time).
  // Set before the server starts; called from any request thread.
  using RenderCacheReader = std::function<bool(renderer::RenderCacheStats*)>;
  void SetRenderCacheReader(RenderCacheReader reader) { render_cache_reader_ = std::move(reader); }

  // The exposition text, with `outbox_counts` as jiralink_outbox_jobs
  // (left out when empty: the outbox could not be read).
  std::string Render(
      const std::vector<std::pair<outbox::JobState, std::int64_t>>& outbox_counts) const;

 private:
  static int Index(Forge forge) { return static_cast<int>(forge); }

  std::array<std::atomic<std::uint64_t>, 3> accepted_{};
  std::array<std::atomic<std::uint64_t>, 3> ignored_{};
  std::array<std::array<std::atomic<std::uint64_t>, kRejectReasonCount>, 3> rejected_{};
  std::array<std::array<std::atomic<std::uint64_t>, 2>, 3> queued_{};
  RenderCacheReader render_cache_reader_;
};

}  // namespace jiralink::serve
