#include "jiralink/serve/metrics.h"

#include <sstream>

namespace jiralink::serve {
namespace {

constexpr Forge kForges[] = {Forge::kGitLab, Forge::kGitea, Forge::kGitHub};

}  // namespace

const char* RejectReasonName(RejectReason reason) {
  switch (reason) {
    case RejectReason::kUnauthorized:
      return "unauthorized";
    case RejectReason::kBadJson:
      return "bad_json";
    case RejectReason::kMissingField:
      return "missing_field";
    case RejectReason::kTooLarge:
      return "too_large";
    case RejectReason::kUnsupportedMediaType:
      return "unsupported_media_type";
    case RejectReason::kTimeout:
      return "timeout";
    case RejectReason::kInternal:
      return "internal";
  }
  return "unknown";
}

std::string Metrics::Render(
    const std::vector<std::pair<outbox::JobState, std::int64_t>>& outbox_counts) const {
  std::ostringstream out;
  out << "# HELP jiralink_webhooks_accepted_total Authentic merge-request webhooks acted on.\n"
      << "# TYPE jiralink_webhooks_accepted_total counter\n";
  for (Forge forge : kForges) {
    out << "jiralink_webhooks_accepted_total{forge=\"" << ForgeName(forge) << "\"} "
        << accepted(forge) << "\n";
  }
  out << "# HELP jiralink_webhooks_ignored_total Authentic webhooks answered 202 (nothing to do).\n"
      << "# TYPE jiralink_webhooks_ignored_total counter\n";
  for (Forge forge : kForges) {
    out << "jiralink_webhooks_ignored_total{forge=\"" << ForgeName(forge) << "\"} "
        << ignored(forge) << "\n";
  }
  out << "# HELP jiralink_webhooks_rejected_total Webhooks refused, by reason.\n"
      << "# TYPE jiralink_webhooks_rejected_total counter\n";
  for (Forge forge : kForges) {
    for (int r = 0; r < kRejectReasonCount; ++r) {
      auto reason = static_cast<RejectReason>(r);
      out << "jiralink_webhooks_rejected_total{forge=\"" << ForgeName(forge) << "\",reason=\""
          << RejectReasonName(reason) << "\"} " << rejected(forge, reason) << "\n";
    }
  }
  out << "# HELP jiralink_jobs_queued_total Outbox jobs added from webhooks.\n"
      << "# TYPE jiralink_jobs_queued_total counter\n";
  for (Forge forge : kForges) {
    for (int k = 0; k < 2; ++k) {
      out << "jiralink_jobs_queued_total{forge=\"" << ForgeName(forge) << "\",kind=\""
          << (k == 0 ? "mention" : "close") << "\"} " << queued_[Index(forge)][k] << "\n";
    }
  }
  if (!outbox_counts.empty()) {
    out << "# HELP jiralink_outbox_jobs Jobs in the outbox by state (pending = queue depth, "
           "done = delivered, dead = failed).\n"
        << "# TYPE jiralink_outbox_jobs gauge\n";
    for (const auto& [state, count] : outbox_counts) {
      out << "jiralink_outbox_jobs{state=\"" << outbox::JobStateName(state) << "\"} " << count
          << "\n";
    }
  }
  renderer::RenderCacheStats cache;
  if (render_cache_reader_ && render_cache_reader_(&cache)) {
    const std::string store = "{store=\"" + cache.store + "\"} ";
    const std::pair<const char*, std::int64_t> figures[] = {
        {"hits_total", cache.hits},
        {"misses_total", cache.misses},
        {"entries", cache.entries},
        {"bytes", cache.bytes},
        {"current_entries", cache.current_entries},
        {"current_bytes", cache.current_bytes},
        {"old_entries", cache.old_entries},
        {"old_bytes", cache.old_bytes}};
    for (const auto& [name, value] : figures) {
      const bool counter = std::string_view(name).ends_with("_total");
      out << "# TYPE jiralink_render_cache_" << name << (counter ? " counter\n" : " gauge\n")
          << "jiralink_render_cache_" << name << store << value << "\n";
    }
  }
  return out.str();
}

}  // namespace jiralink::serve
