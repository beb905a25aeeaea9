// SiteDelivery: one delivery run over every Jira site with due jobs.
//
// Repositories may take their Jira from a [groups] or [projects] table, so
// each site (Job::site, its API URL) gets its own client and Deliverer, made
// once per run from the settings of a repository whose jobs go there. A site
// that pauses (401/403), or whose client cannot be made (no token), holds up
// only its own jobs. A run is rounds of: take the host's delivery lock,
// deliver what is due on every site, let go; again while jobs became due
// meanwhile (a hook whose own run found the lock taken counts on it).
//
// A devinfo site's jobs (outbox/devinfo_job.h) go to a DevinfoDeliverer
// (devinfo_delivery.h) with its own client and its own pause.
//
// The settings stay outside: the caller passes how to find a repository's
// site and how to make its client (cli/deliver_command.cpp wires config/ in).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "jiralink/core/status.h"
#include "jiralink/delivery/delivery.h"
#include "jiralink/delivery/delivery_lock.h"
#include "jiralink/delivery/devinfo_delivery.h"
#include "jiralink/jira/client.h"
#include "jiralink/jira/devinfo.h"
#include "jiralink/outbox/outbox.h"

namespace jiralink::delivery {

// What the runs so far did, over every site.
struct DeliveryTotals {
  int delivered = 0;
  int retrying = 0;
  int dead = 0;
  int skipped = 0;
  std::map<std::string, std::string> paused;   // site -> why
  std::map<std::string, std::string> blocked;  // site -> why no worker could be made

  // Adds one Deliverer run's report for `site`.
  void Add(const std::string& site, const DeliveryReport& report);
  // Jobs finished one way or another (delivered, retrying, dead, skipped).
  int Handled() const { return delivered + retrying + dead + skipped; }
};

struct SiteDeliveryHooks {
  // The Jira site (API URL) of a repository's settings; "" when none.
  std::function<std::string(const std::string& repository)> site_of;
  // A client for `site` made with `repository`'s settings; null when those
  // lack what is needed (the function says why to the operator).
  std::function<std::unique_ptr<jira::Client>(const std::string& repository,
                                              const std::string& site)>
      make_client;
  // For a devinfo site (outbox::DevinfoSite of `jira_site`): a Development
  // Information API client made with `repository`'s [devinfo] settings;
  // null when those lack what is needed (the function says why). Unset: such
  // jobs wait.
  std::function<std::unique_ptr<jira::DevinfoClient>(const std::string& repository,
                                                     const std::string& jira_site)>
      make_devinfo_client;
};

class SiteDelivery {
 public:
  // `outbox` is not owned and must outlive this. `base` is copied into each
  // site's Deliverer with its `site` set.
  SiteDelivery(outbox::Outbox* outbox, DeliveryOptions base, SiteDeliveryHooks hooks);

  // Rounds (at most `max_rounds`) under `lock` until nothing not paused or
  // blocked is due. *lock_busy: another run held the lock at the first try
  // (that run delivers these jobs). Fails only when the outbox fails or the
  // lock file cannot be opened.
  Status DeliverDue(DeliveryLock& lock, DeliveryTotals* totals, bool* lock_busy,
                    int max_rounds = 50);

  // The steps of a round, for callers that hold the lock themselves.
  // Jobs queued before jobs recorded their site take their repository's.
  Status AssignMissingSites();
  // One pass over every site with due jobs, except the `skipped` ones
  // (paused, or no worker could be made); adds those it skips now.
  Status DeliverEachSite(DeliveryTotals* totals, std::set<std::string>* skipped);
  // True when some site not in `skipped` has due jobs.
  Status AnyDue(const std::set<std::string>& skipped, bool* any);

 private:
  struct Worker {
    std::unique_ptr<jira::Client> client;
    std::unique_ptr<Deliverer> deliverer;
    // A devinfo site's, instead of the two above.
    std::unique_ptr<jira::DevinfoClient> devinfo_client;
    std::unique_ptr<DevinfoDeliverer> devinfo_deliverer;

    Status RunOnce(DeliveryReport* report) {
      return deliverer ? deliverer->RunOnce(report) : devinfo_deliverer->RunOnce(report);
    }
  };

  // The site's worker; null (and the reason in totals->blocked) when it
  // cannot be made.
  Worker* WorkerFor(const outbox::DueSite& due, DeliveryTotals* totals);

  outbox::Outbox* outbox_;
  DeliveryOptions base_;
  SiteDeliveryHooks hooks_;
  std::map<std::string, Worker> workers_;
};

}  // namespace jiralink::delivery
