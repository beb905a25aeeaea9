// RateBudget: paces the requests to one Jira site by the budget the outbox
// keeps for the whole fleet (Outbox::ReserveRequest and HoldRequests).
//
// Before each request it books the site's next slot and waits for it, so
// that all deliverers together send at most `requests_per_second` (0: no
// limit of its own); after an answer with Retry-After (429, or 503 with the
// header) it records the hold, so that every deliverer on every host waits,
// not only the one that was told. With an SQLite outbox the budget is this
// process's alone (a host runs one delivery at a time).
//
// A wait never exceeds `max_wait_ms` (delivery sets half the job lease): a
// worker must not sleep past its lease, or another could take its job. A
// longer hold is then left to the job's backoff, which honours Retry-After.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "jiralink/jira/client.h"
#include "jiralink/outbox/outbox.h"

namespace jiralink::delivery {

class RateBudget {
 public:
  // `outbox` is not owned and must outlive this. `sleep_ms` waits (tests
  // replace it); `log` gets one line when the outbox cannot be asked.
  RateBudget(outbox::Outbox* outbox, std::string site, int requests_per_second,
             std::int64_t max_wait_ms, std::function<void(const std::string&)> log = {});

  // Installs BeforeRequest and AfterResponse in a client's options; this
  // must outlive the client.
  void Attach(jira::ClientOptions* options);

  void BeforeRequest();
  void AfterResponse(const jira::ApiStatus& status);

  std::function<void(std::int64_t)> sleep_ms;

 private:
  outbox::Outbox* outbox_;
  std::string site_;
  std::int64_t interval_ms_;
  std::int64_t max_wait_ms_;
  std::function<void(const std::string&)> log_;
  bool warned_ = false;
};

}  // namespace jiralink::delivery
