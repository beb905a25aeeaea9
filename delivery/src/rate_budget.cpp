#include "jiralink/delivery/rate_budget.h"

#include <algorithm>
#include <chrono>
#include <thread>
#include <utility>

namespace jiralink::delivery {

RateBudget::RateBudget(outbox::Outbox* outbox, std::string site, int requests_per_second,
                       std::int64_t max_wait_ms, std::function<void(const std::string&)> log)
    : sleep_ms([](std::int64_t ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }),
      outbox_(outbox),
      site_(std::move(site)),
      interval_ms_(requests_per_second > 0 ? (1000 + requests_per_second - 1) / requests_per_second
                                           : 0),
      max_wait_ms_(max_wait_ms),
      log_(std::move(log)) {}

void RateBudget::Attach(jira::ClientOptions* options) {
  options->before_request = [this] { BeforeRequest(); };
  options->after_response = [this](const jira::ApiStatus& status) { AfterResponse(status); };
}

void RateBudget::BeforeRequest() {
  const std::int64_t now = outbox::NowMillis();
  std::int64_t at = now;
  Status status = outbox_->ReserveRequest(site_, now, interval_ms_, &at);
  if (!status.ok()) {
    // The request goes unpaced rather than not at all; said once.
    if (!warned_ && log_) log_("request budget of " + site_ + ": " + status.message());
    warned_ = true;
    return;
  }
  std::int64_t wait = std::min(at - now, max_wait_ms_);
  if (wait > 0) sleep_ms(wait);
}

void RateBudget::AfterResponse(const jira::ApiStatus& status) {
  if (status.retry_after_seconds <= 0) return;
  if (status.http_status != 429 && status.http_status != 503) return;
  std::int64_t until =
      outbox::NowMillis() + static_cast<std::int64_t>(status.retry_after_seconds) * 1000;
  Status held = outbox_->HoldRequests(site_, until);
  if (!held.ok() && log_) log_("request budget of " + site_ + ": " + held.message());
}

}  // namespace jiralink::delivery
