// RateBudget over a PostgreSQL outbox: deliverers on several hosts (own
// connections) share one request budget per Jira site and one Retry-After.
#include "jiralink/delivery/rate_budget.h"

#include <algorithm>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "../outbox/outbox_stores.h"
#include "support/postgres_server.h"
#include "support/test_support.h"

namespace jiralink::delivery {
namespace {

constexpr char kSite[] = "https://jira.example.com";

class RateBudgetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    bool missing = false;
    if (testing::PostgresServer::Shared(&why, &missing) == nullptr && missing) {
      GTEST_SKIP() << why;
    }
    uri_ = outbox::PostgresStoreUri(dir_.path(), &why);
    ASSERT_FALSE(uri_.empty()) << why;
  }
  std::unique_ptr<outbox::Outbox> Host() {
    outbox::PostgresOptions options;
    options.uri = uri_;
    std::unique_ptr<outbox::Outbox> out;
    Status status = outbox::OpenPostgresOutbox(options, &out);
    EXPECT_TRUE(status.ok()) << status.ToString();
    return out;
  }
  testing::TempDir dir_;
  std::string uri_;
};

TEST_F(RateBudgetTest, SlotsBookedByManyHostsAtOnceAreOneIntervalApart) {
  constexpr int kHosts = 4;
  constexpr int kEach = 15;
  constexpr std::int64_t kInterval = 50;
  const std::int64_t start = outbox::NowMillis();
  std::vector<std::future<std::vector<std::int64_t>>> hosts;
  for (int h = 0; h < kHosts; ++h) {
    hosts.push_back(std::async(std::launch::async, [&] {
      std::unique_ptr<outbox::Outbox> outbox = Host();
      std::vector<std::int64_t> slots;
      for (int i = 0; outbox && i < kEach; ++i) {
        std::int64_t at = 0;
        EXPECT_TRUE(outbox->ReserveRequest(kSite, outbox::NowMillis(), kInterval, &at).ok());
        slots.push_back(at);
      }
      return slots;
    }));
  }
  std::vector<std::int64_t> all;
  for (auto& host : hosts) {
    std::vector<std::int64_t> slots = host.get();
    all.insert(all.end(), slots.begin(), slots.end());
  }
  ASSERT_EQ(all.size(), static_cast<std::size_t>(kHosts * kEach));
  std::sort(all.begin(), all.end());
  EXPECT_GE(all.front(), start);
  for (std::size_t i = 1; i < all.size(); ++i) {
    EXPECT_GE(all[i] - all[i - 1], kInterval) << "slots " << i - 1 << " and " << i;
  }
  // Another site has its own budget.
  std::unique_ptr<outbox::Outbox> other = Host();
  std::int64_t now = outbox::NowMillis();
  std::int64_t at = 0;
  ASSERT_TRUE(other->ReserveRequest("https://other.example.com", now, kInterval, &at).ok());
  EXPECT_EQ(at, now);
}

TEST_F(RateBudgetTest, ARetryAfterOneHostGotMakesEveryHostWait) {
  std::unique_ptr<outbox::Outbox> told_host = Host();
  std::unique_ptr<outbox::Outbox> other_host = Host();
  RateBudget told(told_host.get(), kSite, 0, 600000);
  RateBudget other(other_host.get(), kSite, 0, 600000);
  std::vector<std::int64_t> waits;
  other.sleep_ms = [&waits](std::int64_t ms) { waits.push_back(ms); };
  told.sleep_ms = [](std::int64_t) {};

  other.BeforeRequest();
  EXPECT_TRUE(waits.empty()) << "no budget and no hold: no wait";
  jira::ApiStatus too_many;
  too_many.http_status = 429;
  too_many.retry_after_seconds = 30;
  told.AfterResponse(too_many);
  other.BeforeRequest();
  ASSERT_EQ(waits.size(), 1u);
  EXPECT_GT(waits[0], 25000);
  EXPECT_LE(waits[0], 30000);

  // A 404 with a Retry-After header holds nothing.
  jira::ApiStatus not_found;
  not_found.http_status = 404;
  not_found.retry_after_seconds = 300;
  told.AfterResponse(not_found);
  other.BeforeRequest();
  ASSERT_EQ(waits.size(), 2u);
  EXPECT_LE(waits[1], 30000);
}

TEST_F(RateBudgetTest, AWaitNeverOutlastsHalfTheLease) {
  std::unique_ptr<outbox::Outbox> outbox = Host();
  ASSERT_TRUE(outbox->HoldRequests(kSite, outbox::NowMillis() + 3600000).ok());
  RateBudget budget(outbox.get(), kSite, 5, 60000);
  std::int64_t waited = 0;
  budget.sleep_ms = [&waited](std::int64_t ms) { waited = ms; };
  budget.BeforeRequest();
  EXPECT_EQ(waited, 60000);
}

TEST(RateBudgetSqlite, WithoutASharedStoreRequestsAreNotDelayed) {
  testing::TempDir dir;
  std::unique_ptr<outbox::Outbox> outbox;
  ASSERT_TRUE(outbox::OpenSqliteOutbox(dir.Path("outbox.sqlite3"), &outbox).ok());
  RateBudget budget(outbox.get(), kSite, 1, 60000);
  bool slept = false;
  budget.sleep_ms = [&slept](std::int64_t) { slept = true; };
  budget.BeforeRequest();
  budget.BeforeRequest();
  EXPECT_FALSE(slept);
}

}  // namespace
}  // namespace jiralink::delivery
