// Retry delays: exponential backoff with jitter, capped, Jira's Retry-After first.
#include "jiralink/delivery/backoff.h"

#include <gtest/gtest.h>

namespace jiralink::delivery {
namespace {

TEST(Backoff, DoublesUpToTheCapAndHonoursRetryAfter) {
  BackoffOptions options{1000, 300000};
  EXPECT_EQ(BackoffDelayMs(1, -1, options, 1.0), 1000);
  EXPECT_EQ(BackoffDelayMs(2, -1, options, 1.0), 2000);
  EXPECT_EQ(BackoffDelayMs(4, -1, options, 1.0), 8000);
  EXPECT_EQ(BackoffDelayMs(30, -1, options, 1.0), 300000);
  EXPECT_EQ(BackoffDelayMs(3, -1, options, 0.5), 2000);
  EXPECT_EQ(BackoffDelayMs(1, 7, options, 0.5), 7000);
  EXPECT_EQ(BackoffDelayMs(30, 600, options, 1.0), 600000)
      << "Jira's Retry-After wins over the cap";
  EXPECT_EQ(BackoffDelayMs(1, -1, BackoffOptions{1, 1000}, 0.5), 1)
      << "a retry is never due in the millisecond that failed it";
  EXPECT_EQ(BackoffDelayMs(1, -1, BackoffOptions{0, 1000}, 1.0), 1);
  for (int i = 0; i < 100; ++i) {
    double jitter = RandomJitter();
    EXPECT_GE(jitter, 0.5);
    EXPECT_LE(jitter, 1.0);
  }
}

}  // namespace
}  // namespace jiralink::delivery
