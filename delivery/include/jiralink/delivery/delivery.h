// Deliverer: takes due jobs from the outbox and does their Jira work.
//
// Exactly once, in effect: before writing, it looks in Jira for work already
// done (a remote link whose globalId is "jiralink:<commit url>", or a comment
// containing the commit URL — the SHA when there is no URL), so a worker that
// died between posting and marking the job done does not post twice.
//
// A mention job posts the "mentioned this issue" comment (when comments are
// enabled) and upserts the remote link. A close job follows the forge: skip an
// issue that is already resolved; "done" mode applies the first transition
// whose target status category is `done`; custom mode applies the ids in
// order and stops at the first failure; afterwards, only if the issue is now
// resolved, the "Issue solved with [sha|url]." comment and a resolved link.
//
// Failures: network errors, timeouts, 5xx and 429 retry later (backoff.h);
// other 4xx (400, 404) make the job dead with Jira's message; 401/403 pause
// the whole Jira site: the job goes back untouched and the run stops.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "jiralink/core/status.h"
#include "jiralink/delivery/backoff.h"
#include "jiralink/jira/client.h"
#include "jiralink/outbox/outbox.h"

namespace jiralink::delivery {

enum class CloseMode { kDone, kCustom };

// What to do for the jobs of one repository (from its settings).
struct DeliveryPolicy {
  bool comments_enabled = true;
  bool transitions_enabled = true;
  CloseMode close_mode = CloseMode::kDone;
  std::vector<std::string> transition_ids;  // custom mode, in order
};

struct DeliveryOptions {
  // The Jira API URL: the Deliverer takes only this site's jobs (Job::site),
  // and a 401/403 pauses only this site.
  std::string site;
  int max_attempts = 20;
  int max_age_hours = 72;
  std::int64_t lease_ms = 120 * 1000;
  BackoffOptions backoff;
  // How long a 401/403 pause lasts before a worker probes Jira again
  // (`queue retry` ends it at once).
  std::int64_t pause_ms = 5 * 60 * 1000;
  // Stop after this many jobs in one run; <= 0 = until nothing is due.
  int max_jobs = 0;
  // The policy for a job's repository; unset = DeliveryPolicy{}.
  std::function<DeliveryPolicy(const outbox::Job&)> policy;
  // One line per finished job and per pause, for the operator.
  std::function<void(const std::string&)> log;
};

struct DeliveryReport {
  int delivered = 0;    // done (including "already there" and "nothing to do")
  int retrying = 0;     // failed, due again later
  int dead = 0;         // given up
  int lost_leases = 0;  // another worker took the job over
  bool paused = false;  // the site is paused (now or from before)
  std::string pause_reason;
};

class Deliverer {
 public:
  // Neither pointer is owned; both must outlive the Deliverer.
  Deliverer(outbox::Outbox* outbox, jira::Client* client, DeliveryOptions options);

  // Delivers due jobs until none is due, the site is paused or max_jobs is
  // reached. Fails only when the outbox fails.
  Status RunOnce(DeliveryReport* report);

 private:
  enum class Verdict { kDone, kRetry, kDead, kPause };
  struct Outcome {
    Verdict verdict = Verdict::kDone;
    std::string message;  // note for done, error for the others
    int retry_after_seconds = -1;
  };

  // What a failed Jira call means for the job: retry, dead or pause.
  static Outcome Failure(const jira::ApiStatus& api, const std::string& what);

  // True when delivery may go on; probes Jira when an old pause ran out.
  Status CheckPause(DeliveryReport* report, bool* may_deliver);
  Outcome Deliver(outbox::Job& job);
  Outcome DeliverMention(const outbox::Job& job, const DeliveryPolicy& policy);
  Outcome DeliverClose(outbox::Job& job, const DeliveryPolicy& policy);
  Status Finish(const outbox::Job& job, const Outcome& outcome, DeliveryReport* report);
  void Log(const std::string& line) const;

  outbox::Outbox* outbox_;
  jira::Client* client_;
  DeliveryOptions options_;
};

}  // namespace jiralink::delivery
