// DevinfoDeliverer: sends a site's due Development-panel jobs
// (outbox/devinfo_job.h) to Jira Cloud's Development Information API
// (jira/devinfo.h).
//
// It claims the jobs of one devinfo site (outbox::DevinfoSite) in the
// outbox's order and gathers entities into bulk requests within Jira's
// limits (jira::kMaxDevinfoRepositoriesPerRequest repositories,
// kMaxDevinfoEntitiesPerRequest entities, kMaxDevinfoCommitsPerRepository
// commits, branches or pull requests per repository). A deleted branch is
// one DELETE with its updateSequenceId, sent after the bulk request of the
// jobs claimed before it, so that a branch's update and its delete reach
// Jira in the order they were queued.
//
// Exactly once, in effect, without reading Jira first: the API is
// idempotent by entity ID and updateSequenceId. Jira keeps, per entity, the
// update with the greatest number and drops one that is not greater, and
// each job carries the number fixed when it was queued. So a bulk request
// sent again after a lost answer, or by a worker that took over an expired
// lease, changes nothing, and a retried old update never overwrites a newer
// one. (Jira keeps no tombstone: an update whose retry overtakes a later
// delete of the same branch shows the branch again until its next push.)
//
// Answers, per request, for every job in it:
//  - 202: done; an entity Jira names as failed (e.g. none of its issue keys
//    exists) is skipped with Jira's message;
//  - 429, 5xx, network errors: due again after a backoff (backoff.h) that
//    honours Retry-After; the run stops there, so the jobs behind keep
//    their order;
//  - 401/403 (after the client's one token refresh): the jobs go back
//    untouched and the devinfo site pauses, as comments' sites do; a
//    missing "Development information" permission is named;
//  - another 4xx: a request of several jobs is split in halves and each
//    sent again, so that one bad entity fails alone; a single job is dead
//    with Jira's message.
// A job whose payload cannot be read is dead with the reason.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "jiralink/core/status.h"
#include "jiralink/delivery/delivery.h"
#include "jiralink/jira/devinfo.h"
#include "jiralink/outbox/devinfo_job.h"
#include "jiralink/outbox/outbox.h"

namespace jiralink::delivery {

class DevinfoDeliverer {
 public:
  // Neither pointer is owned; both must outlive the DevinfoDeliverer.
  // options.site is the devinfo site (outbox::DevinfoSite); options.policy
  // is not used.
  DevinfoDeliverer(outbox::Outbox* outbox, jira::DevinfoClient* client, DeliveryOptions options);

  // Delivers due jobs until none is due, the site pauses, a request is to be
  // retried later, or options.max_jobs is reached. Fails only when the
  // outbox fails.
  Status RunOnce(DeliveryReport* report);

 private:
  struct Claimed {
    outbox::Job job;
    outbox::DevinfoPayload payload;
  };

  // True when delivery may go on; probes Jira when an old pause ran out.
  Status CheckPause(DeliveryReport* report, bool* may_deliver);
  // Sends the jobs' entities in one bulk request (split on a 400) and
  // records the outcomes. *stop: the run must end (retry later or pause).
  Status SendBulk(std::vector<Claimed> batch, DeliveryReport* report, bool* stop);
  // Sends one deleted branch.
  Status SendDelete(const Claimed& claimed, DeliveryReport* report, bool* stop);
  // What a failed request means for its jobs.
  static JobOutcome Failure(const jira::ApiStatus& api, const std::string& what);

  outbox::Outbox* outbox_;
  jira::DevinfoClient* client_;
  DeliveryOptions options_;
};

}  // namespace jiralink::delivery
