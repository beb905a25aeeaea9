#include "jiralink/delivery/site_delivery.h"

#include <utility>
#include <vector>

namespace jiralink::delivery {

void DeliveryTotals::Add(const std::string& site, const DeliveryReport& report) {
  delivered += report.delivered;
  retrying += report.retrying;
  dead += report.dead;
  skipped += report.skipped;
  if (report.paused) {
    paused[site] = report.pause_reason;
  } else {
    paused.erase(site);
  }
}

SiteDelivery::SiteDelivery(outbox::Outbox* outbox, DeliveryOptions base, SiteDeliveryHooks hooks)
    : outbox_(outbox), base_(std::move(base)), hooks_(std::move(hooks)) {}

Status SiteDelivery::AssignMissingSites() {
  std::vector<std::string> repositories;
  Status status = outbox_->ListRepositoriesWithoutSite(&repositories);
  for (const std::string& repository : repositories) {
    if (!status.ok()) break;
    std::string site = hooks_.site_of ? hooks_.site_of(repository) : "";
    if (!site.empty()) status = outbox_->AssignSite(repository, site);
  }
  return status;
}

Status SiteDelivery::DeliverEachSite(DeliveryTotals* totals, std::set<std::string>* skipped) {
  std::vector<outbox::DueSite> due;
  Status status = outbox_->ListDueSites(outbox::NowMillis(), &due);
  for (const outbox::DueSite& site : due) {
    if (!status.ok()) break;
    if (skipped->count(site.site) > 0) continue;
    Worker* worker = WorkerFor(site, totals);
    if (worker == nullptr) {
      skipped->insert(site.site);
      continue;
    }
    DeliveryReport report;
    status = worker->RunOnce(&report);
    if (status.ok()) totals->Add(site.site, report);
    if (report.paused) skipped->insert(site.site);
  }
  return status;
}

Status SiteDelivery::AnyDue(const std::set<std::string>& skipped, bool* any) {
  *any = false;
  std::vector<outbox::DueSite> due;
  Status status = outbox_->ListDueSites(outbox::NowMillis(), &due);
  for (const outbox::DueSite& site : due) *any = *any || skipped.count(site.site) == 0;
  return status;
}

Status SiteDelivery::DeliverDue(DeliveryLock& lock, DeliveryTotals* totals, bool* lock_busy,
                                int max_rounds) {
  *lock_busy = false;
  std::set<std::string> skipped;
  for (int round = 0; round < max_rounds; ++round) {
    std::string error;
    if (!lock.TryLock(&error)) {
      if (!error.empty()) return Status::IOError(error);
      *lock_busy = round == 0;
      return Status::Ok();
    }
    Status status = AssignMissingSites();
    if (status.ok()) status = DeliverEachSite(totals, &skipped);
    lock.Unlock();
    if (!status.ok()) return status;
    bool any_due = false;
    status = AnyDue(skipped, &any_due);
    if (!status.ok() || !any_due) return status;
  }
  return Status::Ok();
}

SiteDelivery::Worker* SiteDelivery::WorkerFor(const outbox::DueSite& due, DeliveryTotals* totals) {
  auto found = workers_.find(due.site);
  if (found != workers_.end()) return &found->second;
  if (totals->blocked.count(due.site) > 0) return nullptr;  // said once already
  if (due.site.empty()) {
    totals->blocked[due.site] =
        "no Jira site is configured for " + due.repository + " (set [jira] web_url); its jobs wait";
    return nullptr;
  }
  Worker worker;
  DeliveryOptions options = base_;
  options.site = due.site;
  if (outbox::IsDevinfoSite(due.site)) {
    if (hooks_.make_devinfo_client) {
      worker.devinfo_client =
          hooks_.make_devinfo_client(due.repository, outbox::JiraSiteOfDevinfoSite(due.site));
    }
    if (!worker.devinfo_client) {
      totals->blocked[due.site] =
          "cannot deliver to Jira's Development panel: the [devinfo] "
          "settings of " +
          due.repository + " lack what is needed; its jobs wait";
      return nullptr;
    }
    worker.devinfo_deliverer = std::make_unique<DevinfoDeliverer>(
        outbox_, worker.devinfo_client.get(), std::move(options));
    return &workers_.emplace(due.site, std::move(worker)).first->second;
  }
  if (hooks_.make_client) worker.client = hooks_.make_client(due.repository, due.site);
  if (!worker.client) {
    totals->blocked[due.site] = "cannot deliver: the settings of " + due.repository +
                                " lack what is needed (see above); its jobs wait";
    return nullptr;
  }
  worker.deliverer = std::make_unique<Deliverer>(outbox_, worker.client.get(), std::move(options));
  return &workers_.emplace(due.site, std::move(worker)).first->second;
}

}  // namespace jiralink::delivery
