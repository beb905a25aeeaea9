// jiralink deliver [--once | --daemon [--poll-seconds N]]
//
// Delivers the due jobs of the outbox to Jira (see hooks/delivery.h). --once
// (the default; what the hook starts after a push) delivers what is due and
// exits: 0 when everything due was delivered, 1 when some job failed or
// delivery is paused. --daemon keeps polling until SIGTERM or SIGINT. Both
// forget the jobs delivered more than [delivery] keep_done_days ago.
//
// JIRALINK_BACKOFF_BASE_MS sets the first retry delay (default 1000 ms);
// tests make it small.
#include <signal.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "commands.h"
#include "common.h"
#include "jiralink/delivery/delivery.h"
#include "jiralink/delivery/delivery_lock.h"
#include "jiralink/outbox/sqlite_outbox.h"

namespace jiralink::cli {

namespace {

namespace fs = std::filesystem;

// A once-run gives up after this many lock/deliver rounds (each round ends
// with nothing due, so this only bounds pathological churn).
constexpr int kMaxRounds = 50;

std::atomic<bool> g_stop{false};

void OnStopSignal(int) { g_stop = true; }

std::int64_t EnvMillis(const char* name, std::int64_t fallback) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') return fallback;
  char* end = nullptr;
  long long parsed = std::strtoll(value, &end, 10);
  return end != nullptr && *end == '\0' && parsed >= 0 ? parsed : fallback;
}

delivery::DeliveryPolicy PolicyFor(const config::Settings& settings) {
  delivery::DeliveryPolicy policy;
  policy.comments_enabled = settings.comments.enabled;
  policy.transitions_enabled = settings.transitions.enabled;
  policy.close_mode = settings.transitions.mode == config::TransitionMode::kCustom
                          ? delivery::CloseMode::kCustom
                          : delivery::CloseMode::kDone;
  policy.transition_ids = settings.transitions.id_list;
  return policy;
}

struct Totals {
  int delivered = 0;
  int retrying = 0;
  int dead = 0;
  std::map<std::string, std::string> paused;   // site -> why
  std::map<std::string, std::string> blocked;  // site -> why no worker could be made

  void Add(const std::string& site, const delivery::DeliveryReport& report) {
    delivered += report.delivered;
    retrying += report.retrying;
    dead += report.dead;
    if (report.paused) {
      paused[site] = report.pause_reason;
    } else {
      paused.erase(site);
    }
  }
};

// Delivers each Jira site's jobs with that site's own client: repositories
// may take their Jira from a [groups] or [projects] table.
class SiteDelivery {
 public:
  SiteDelivery(const config::Config& cfg, outbox::Outbox& outbox, delivery::DeliveryOptions base)
      : cfg_(cfg), outbox_(outbox), base_(std::move(base)) {}

  // Jobs queued before jobs recorded their site take their repository's.
  Status AssignMissingSites() {
    std::vector<std::string> repositories;
    Status status = outbox_.ListRepositoriesWithoutSite(&repositories);
    for (const std::string& repository : repositories) {
      if (!status.ok()) break;
      std::string site = cfg_.ForRepo(repository).jira.api_url;
      if (!site.empty()) status = outbox_.AssignSite(repository, site);
    }
    return status;
  }

  // One pass over every site with due jobs, except the `skipped` ones
  // (paused, or no worker could be made); adds those it skips now.
  Status DeliverEachSite(Totals* totals, std::set<std::string>* skipped) {
    std::vector<outbox::DueSite> due;
    Status status = outbox_.ListDueSites(outbox::NowMillis(), &due);
    for (const outbox::DueSite& site : due) {
      if (!status.ok()) break;
      if (skipped->count(site.site) > 0) continue;
      delivery::Deliverer* deliverer = DelivererFor(site, totals);
      if (deliverer == nullptr) {
        skipped->insert(site.site);
        continue;
      }
      delivery::DeliveryReport report;
      status = deliverer->RunOnce(&report);
      if (status.ok()) totals->Add(site.site, report);
      if (report.paused) skipped->insert(site.site);
    }
    return status;
  }

  // True when some site not in `skipped` has due jobs.
  Status AnyDue(const std::set<std::string>& skipped, bool* any) {
    *any = false;
    std::vector<outbox::DueSite> due;
    Status status = outbox_.ListDueSites(outbox::NowMillis(), &due);
    for (const outbox::DueSite& site : due) *any = *any || skipped.count(site.site) == 0;
    return status;
  }

 private:
  struct Worker {
    std::unique_ptr<jira::Client> client;
    std::unique_ptr<delivery::Deliverer> deliverer;
  };

  // The site's worker, made with the settings of a repository whose jobs go
  // there; null (and the reason in totals->blocked) when that cannot be done.
  delivery::Deliverer* DelivererFor(const outbox::DueSite& due, Totals* totals) {
    auto found = workers_.find(due.site);
    if (found != workers_.end()) return found->second.deliverer.get();
    if (totals->blocked.count(due.site) > 0) return nullptr;  // said once already
    if (due.site.empty()) {
      totals->blocked[due.site] = "no Jira site is configured for " + due.repository +
                                  " (set [jira] web_url); its jobs wait";
      return nullptr;
    }
    Worker worker;
    std::string command = "jiralink deliver: " + due.site;
    worker.client = MakeJiraClient(cfg_.ForRepo(due.repository), command.c_str());
    if (!worker.client) {
      totals->blocked[due.site] = "cannot deliver: the settings of " + due.repository +
                                  " lack what is needed (see above); its jobs wait";
      return nullptr;
    }
    delivery::DeliveryOptions options = base_;
    options.site = due.site;
    worker.deliverer =
        std::make_unique<delivery::Deliverer>(&outbox_, worker.client.get(), std::move(options));
    return workers_.emplace(due.site, std::move(worker)).first->second.deliverer.get();
  }

  const config::Config& cfg_;
  outbox::Outbox& outbox_;
  delivery::DeliveryOptions base_;
  std::map<std::string, Worker> workers_;
};

// Rounds of: take the lock, deliver what is due on every site, let go; again
// if jobs became due meanwhile (a hook whose own run found the lock taken
// counts on it).
Status DeliverDue(SiteDelivery& delivery, delivery::DeliveryLock& lock, Totals* totals,
                  bool* lock_busy) {
  *lock_busy = false;
  std::set<std::string> skipped;
  for (int round = 0; round < kMaxRounds; ++round) {
    std::string error;
    if (!lock.TryLock(&error)) {
      if (!error.empty()) return Status::IOError(error);
      *lock_busy = round == 0;
      return Status::Ok();
    }
    Status status = delivery.AssignMissingSites();
    if (status.ok()) status = delivery.DeliverEachSite(totals, &skipped);
    lock.Unlock();
    if (!status.ok()) return status;
    bool any_due = false;
    status = delivery.AnyDue(skipped, &any_due);
    if (!status.ok() || !any_due) return status;
  }
  return Status::Ok();
}

// Deletes the jobs delivered more than `keep_days` ago, so the outbox does
// not grow forever; says how many when there were some.
void ForgetOldDoneJobs(outbox::Outbox& outbox, int keep_days, std::FILE* info = stdout) {
  const std::int64_t before =
      outbox::NowMillis() - static_cast<std::int64_t>(keep_days) * 24 * 3600 * 1000;
  int removed = 0;
  Status status = outbox.PurgeDone(before, &removed);
  if (!status.ok()) {
    std::fprintf(stderr, "jiralink deliver: warning: %s\n", status.message().c_str());
  } else if (removed > 0) {
    std::fprintf(info, "jiralink deliver: forgot %d jobs delivered more than %d days ago\n",
                 removed, keep_days);
  }
}

// Leaves the outbox ready for the next pushes (Outbox::PrepareForPushes).
void PrepareForPushes(outbox::Outbox& outbox) {
  Status status = outbox.PrepareForPushes();
  if (!status.ok()) {
    std::fprintf(stderr, "jiralink deliver: warning: %s\n", status.message().c_str());
  }
}

void PrintSiteProblems(const Totals& totals) {
  for (const auto& [site, reason] : totals.paused) {
    std::printf("jiralink deliver: delivery to %s is paused: %s\n", site.c_str(), reason.c_str());
  }
  for (const auto& [site, reason] : totals.blocked) {
    std::printf("jiralink deliver: %s%s%s\n", site.c_str(), site.empty() ? "" : ": ",
                reason.c_str());
  }
}

// The --json summary of one run: the counts, and the sites that are paused
// or cannot be delivered to, with the reason.
nlohmann::json SummaryJson(const Totals& totals, bool another_run_active) {
  auto sites = [](const std::map<std::string, std::string>& reasons) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& [site, reason] : reasons) list.push_back({{"site", site}, {"reason", reason}});
    return list;
  };
  return {{"delivered", totals.delivered},
          {"retrying", totals.retrying},
          {"dead", totals.dead},
          {"another_run_active", another_run_active},
          {"paused", sites(totals.paused)},
          {"blocked", sites(totals.blocked)}};
}

}  // namespace

int RunDeliver(Context& ctx, int argc, char** argv) {
  CLI::App app{"Deliver queued Jira comments, remote links and transitions.", argv[0]};
  AddConfigOption(app, ctx);
  bool once = false;
  bool daemon = false;
  int poll_seconds = 5;
  app.add_flag("--once", once, "deliver what is due now, then exit (the default)");
  app.add_flag("--daemon", daemon, "keep delivering until SIGTERM/SIGINT");
  app.add_option("--poll-seconds", poll_seconds, "daemon: how often to look for due jobs")
      ->check(CLI::Range(1, 3600));
  bool json = false;
  app.add_flag("--json", json,
               "print the summary as JSON: {delivered, retrying, dead, another_run_active, "
               "paused, blocked}; progress goes to stderr")
      ->excludes("--daemon");
  if (int code = ParseOrExit(app, argc, argv); code >= 0) return code;
  if (once && daemon) {
    std::fprintf(stderr, "jiralink deliver: --once and --daemon exclude each other\n");
    return 2;
  }

  config::Config cfg;
  if (!LoadConfig(ctx, &cfg)) return 2;
  config::Settings settings = cfg.ForRepo("");
  std::unique_ptr<outbox::Outbox> outbox;
  Status status = OpenOutbox(settings, &outbox);
  if (!status.ok()) {
    std::fprintf(stderr, "jiralink deliver: %s\n", status.message().c_str());
    return 2;
  }

  // Delivery limits are top-level settings; each site gets its own client.
  delivery::DeliveryOptions options;
  options.max_attempts = settings.delivery.max_attempts;
  options.max_age_hours = settings.delivery.max_age_hours;
  options.lease_ms = static_cast<std::int64_t>(settings.delivery.lease_seconds) * 1000;
  options.pause_ms = static_cast<std::int64_t>(settings.delivery.pause_seconds) * 1000;
  options.backoff.cap_ms = static_cast<std::int64_t>(settings.delivery.backoff_cap_seconds) * 1000;
  options.backoff.base_ms = EnvMillis("JIRALINK_BACKOFF_BASE_MS", 1000);
  auto policies = std::make_shared<std::map<std::string, delivery::DeliveryPolicy>>();
  options.policy = [&cfg, policies](const outbox::Job& job) {
    auto found = policies->find(job.repository);
    if (found == policies->end()) {
      found = policies->emplace(job.repository, PolicyFor(cfg.ForRepo(job.repository))).first;
    }
    return found->second;
  };
  std::FILE* info = json ? stderr : stdout;  // stdout is the JSON alone
  options.log = [info](const std::string& line) {
    std::fprintf(info, "jiralink deliver: %s\n", line.c_str());
    std::fflush(info);
  };
  SiteDelivery delivery(cfg, *outbox, options);
  delivery::DeliveryLock lock((fs::path(settings.state.dir) / "deliver.lock").string());

  Totals totals;
  bool lock_busy = false;
  if (!daemon) {
    status = DeliverDue(delivery, lock, &totals, &lock_busy);
    if (!status.ok()) {
      std::fprintf(stderr, "jiralink deliver: %s\n", status.message().c_str());
      return 1;
    }
    if (json) {
      std::printf("%s\n", SummaryJson(totals, lock_busy).dump(2).c_str());
    } else if (lock_busy) {
      std::printf("jiralink deliver: another delivery run is active; it delivers these jobs\n");
    } else {
      std::printf("jiralink deliver: %d delivered, %d retrying later, %d dead\n", totals.delivered,
                  totals.retrying, totals.dead);
      PrintSiteProblems(totals);
    }
    if (lock_busy) return 0;
    ForgetOldDoneJobs(*outbox, settings.delivery.keep_done_days, info);
    PrepareForPushes(*outbox);
    bool trouble = !totals.paused.empty() || !totals.blocked.empty();
    return totals.retrying + totals.dead > 0 || trouble ? 1 : 0;
  }

  struct sigaction action {};
  action.sa_handler = OnStopSignal;
  sigaction(SIGTERM, &action, nullptr);
  sigaction(SIGINT, &action, nullptr);
  auto next_purge = std::chrono::steady_clock::now();
  while (!g_stop) {
    const int handled_before = totals.delivered + totals.retrying + totals.dead;
    status = DeliverDue(delivery, lock, &totals, &lock_busy);
    if (!status.ok()) std::fprintf(stderr, "jiralink deliver: %s\n", status.message().c_str());
    bool wrote = totals.delivered + totals.retrying + totals.dead != handled_before;
    if (std::chrono::steady_clock::now() >= next_purge) {  // hourly is plenty
      ForgetOldDoneJobs(*outbox, settings.delivery.keep_done_days);
      next_purge = std::chrono::steady_clock::now() + std::chrono::hours(1);
      wrote = true;
    }
    // Not when idle: it syncs the disk.
    if (wrote) PrepareForPushes(*outbox);
    auto wake = std::chrono::steady_clock::now() + std::chrono::seconds(poll_seconds);
    while (!g_stop && std::chrono::steady_clock::now() < wake) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  std::printf("jiralink deliver: stopped; %d delivered, %d retried, %d dead\n", totals.delivered,
              totals.retrying, totals.dead);
  return 0;
}

}  // namespace jiralink::cli
