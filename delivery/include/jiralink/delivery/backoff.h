// Retry delays for delivery: exponential backoff with jitter, capped, and
// never shorter than what Jira asked for with Retry-After.
#pragma once

#include <cstdint>

namespace jiralink::delivery {

struct BackoffOptions {
  std::int64_t base_ms = 1000;       // the delay after the first failed attempt
  std::int64_t cap_ms = 300 * 1000;  // [delivery] backoff_cap_seconds
};

// The delay after failed attempt number `attempts` (1 = the first):
// min(cap, base * 2^(attempts-1)), scaled by `jitter` in [0.5, 1.0] ("equal
// jitter", so concurrent workers spread out), then raised to
// retry_after_seconds (if >= 0), even above the cap: Jira's word wins.
// Never less than 1 ms, so a retried job is never due again within the
// delivery run (and millisecond) that failed it.
std::int64_t BackoffDelayMs(int attempts, int retry_after_seconds, const BackoffOptions& options,
                            double jitter);

// A random jitter factor in [0.5, 1.0].
double RandomJitter();

}  // namespace jiralink::delivery
