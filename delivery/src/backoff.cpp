#include "jiralink/delivery/backoff.h"

#include <algorithm>
#include <random>

namespace jiralink::delivery {

std::int64_t BackoffDelayMs(int attempts, int retry_after_seconds, const BackoffOptions& options,
                            double jitter) {
  std::int64_t delay = std::max<std::int64_t>(options.base_ms, 0);
  for (int i = 1; i < attempts && delay < options.cap_ms; ++i) delay *= 2;
  delay = std::min(delay, options.cap_ms);
  delay = static_cast<std::int64_t>(static_cast<double>(delay) * std::clamp(jitter, 0.5, 1.0));
  if (retry_after_seconds >= 0) {
    delay = std::max<std::int64_t>(delay, static_cast<std::int64_t>(retry_after_seconds) * 1000);
  }
  return std::max<std::int64_t>(delay, 1);
}

double RandomJitter() {
  static thread_local std::mt19937_64 generator{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.5, 1.0)(generator);
}

}  // namespace jiralink::delivery
