// jiralink deliver [--once | --daemon [--poll-seconds N]] [--log FILE]
//
// Delivers the due jobs of the outbox to Jira (delivery/site_delivery.h does
// the rounds over every site; this file wires settings in and prints). --once
// (the default; what the hook starts after a push) delivers what is due and
// exits: 0 when everything due was delivered or skipped (the issue does not
// exist, or offers no transition to Done), 1 when some job failed or delivery is paused. --daemon
// keeps polling until SIGTERM or SIGINT. Both forget the jobs delivered more than [delivery]
// keep_done_days ago. Both first take what pushers of other users dropped into the maildrop
// ([state] maildrop, outbox/maildrop.h); the daemon wakes when one drops.
// Run as root, it works as the owner of the state directory.
// With a PostgreSQL outbox, --daemon also takes this host's pushes' jobs
// over <state dir>/outbox.sock (outbox/enqueue_relay.h).
//
// --log appends the output to FILE (rotated, delivery_log.h), each job line
// with a timestamp: the hook's detached run logs to <state dir>/deliver.log.
//
// JIRALINK_BACKOFF_BASE_MS sets the first retry delay (default 1000 ms);
// tests make it small.
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "commands.h"
#include "common.h"
#include "jiralink/core/postgres_uri.h"
#include "jiralink/delivery/delivery.h"
#include "jiralink/delivery/delivery_lock.h"
#include "jiralink/delivery/delivery_log.h"
#include "jiralink/delivery/rate_budget.h"
#include "jiralink/delivery/site_delivery.h"
#include "jiralink/outbox/enqueue_relay.h"
#include "jiralink/outbox/maildrop.h"
#include "jiralink/outbox/sqlite_outbox.h"
#include "jiralink/state/state_owner.h"

namespace jiralink::cli {

namespace {

namespace fs = std::filesystem;

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
  policy.comment_detail = settings.comments.detail == config::CommentDetailLevel::kAllDetails
                              ? CommentDetail::kAllDetails
                              : CommentDetail::kStandard;
  policy.transitions_enabled = settings.transitions.enabled;
  policy.close_mode = settings.transitions.mode == config::TransitionMode::kCustom
                          ? delivery::CloseMode::kCustom
                          : delivery::CloseMode::kDone;
  policy.transition_ids = settings.transitions.id_list;
  policy.map_authors = settings.smart_commits.map_authors;
  return policy;
}

// With a PostgreSQL outbox: moves what pushes queued in this host's spool
// while the server was away (outbox/open_outbox.h), exactly once.
void MoveSpool(const config::Settings& settings, outbox::Outbox& outbox, std::FILE* info) {
  if (!IsPostgresUri(settings.state.outbox)) return;
  int moved = 0;
  const std::string spool = config::SqliteOutboxPath(settings.state);
  Status status = outbox::MoveSpoolInto(spool, &outbox, &moved);
  if (!status.ok()) {
    std::fprintf(stderr, "jiralink deliver: warning: the spool %s: %s\n", spool.c_str(),
                 status.message().c_str());
  } else if (moved > 0) {
    std::fprintf(info, "jiralink deliver: moved %d jobs from the spool %s to PostgreSQL\n", moved,
                 spool.c_str());
  }
}

// Takes what pushers of other users dropped into the maildrop
// (outbox/maildrop.h) into the outbox. Says so in the log when it took or
// refused something.
void PickUpMaildrop(const config::Settings& settings, outbox::Outbox& outbox,
                    const std::function<void(const std::string&)>& log) {
  outbox::PickupReport report;
  do {
    Status status = outbox::PickUpMaildrop(
        settings.state.maildrop, (fs::path(settings.state.dir) / "maildrop-rejected").string(),
        &outbox, log, &report);
    if (!status.ok()) {
      std::fprintf(stderr, "jiralink deliver: warning: the maildrop: %s\n",
                   status.message().c_str());
      return;
    }
  } while (report.more);
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

void PrintSiteProblems(const delivery::DeliveryTotals& totals) {
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
nlohmann::json SummaryJson(const delivery::DeliveryTotals& totals, bool another_run_active) {
  auto sites = [](const std::map<std::string, std::string>& reasons) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& [site, reason] : reasons) list.push_back({{"site", site}, {"reason", reason}});
    return list;
  };
  return {{"delivered", totals.delivered},
          {"retrying", totals.retrying},
          {"dead", totals.dead},
          {"skipped", totals.skipped},
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
               "print the summary as JSON: {delivered, retrying, dead, skipped, "
               "another_run_active, paused, blocked}; progress goes to stderr")
      ->excludes("--daemon");
  std::string log_path;
  app.add_option("--log", log_path, "append the output to this file (rotated at 1 MiB)");
  if (int code = ParseOrExit(app, argc, argv); code >= 0) return code;
  if (state::RunningAsRoot()) {
    // Root delivers as the state's owner, before it opens the log there.
    config::Config early;
    if (!LoadConfig(ctx, &early)) return 2;
    if (Status owner = BecomeStateOwner(ctx, early.ForRepo("")); !owner.ok()) {
      std::fprintf(stderr, "jiralink deliver: %s\n", owner.message().c_str());
      return 2;
    }
  }
  if (!log_path.empty()) {
    // First, so that even a settings error ends up where the operator looks.
    Status logging = delivery::RedirectOutputToLog(log_path);
    if (!logging.ok()) {
      std::fprintf(stderr, "jiralink deliver: %s\n", logging.message().c_str());
      return 2;
    }
    std::setvbuf(stdout, nullptr, _IOLBF, 0);
    StampWarnings();
    std::printf("%s jiralink deliver: run %s (pid %d)\n",
                outbox::FormatMillisUtc(outbox::NowMillis()).c_str(),
                daemon ? "--daemon" : "--once", static_cast<int>(::getpid()));
  }
  if (once && daemon) {
    std::fprintf(stderr, "jiralink deliver: --once and --daemon exclude each other\n");
    return 2;
  }

  config::Config cfg;
  config::Settings settings;
  std::unique_ptr<outbox::Outbox> outbox;
  if (int code = OpenTopLevelOutbox(ctx, "jiralink deliver", &cfg, &settings, &outbox); code >= 0) {
    return code;
  }
  Status status;

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
  const bool stamped = !log_path.empty();
  options.log = [info, stamped](const std::string& line) {
    if (stamped) std::fprintf(info, "%s ", outbox::FormatMillisUtc(outbox::NowMillis()).c_str());
    std::fprintf(info, "jiralink deliver: %s\n", line.c_str());
    std::fflush(info);
  };
  delivery::SiteDeliveryHooks hooks;
  hooks.site_of = [&cfg](const std::string& repository) {
    return cfg.ForRepo(repository).jira.api_url;
  };
  // One request budget per site, shared through the outbox (rate_budget.h);
  // declared before `delivery`, whose clients call it, so it outlives them.
  std::map<std::string, std::unique_ptr<delivery::RateBudget>> budgets;
  hooks.make_client = [&](const std::string& repository, const std::string& site) {
    std::unique_ptr<delivery::RateBudget>& budget = budgets[site];
    if (!budget) {
      budget = std::make_unique<delivery::RateBudget>(outbox.get(), site,
                                                      settings.delivery.requests_per_second,
                                                      options.lease_ms / 2, options.log);
    }
    std::string command = "jiralink deliver: " + site;
    return MakeJiraClient(cfg.ForRepo(repository), command.c_str(),
                          [&budget](jira::ClientOptions* client) { budget->Attach(client); });
  };
  // Jira Cloud's Development panel (#27): its own site, client and pause.
  hooks.make_devinfo_client = [&cfg](const std::string& repository, const std::string& site) {
    std::string command = "jiralink deliver: the Development panel of " + site;
    return MakeDevinfoClient(cfg.ForRepo(repository), command.c_str());
  };
  delivery::SiteDelivery delivery(outbox.get(), options, std::move(hooks));
  delivery::DeliveryLock lock((fs::path(settings.state.dir) / "deliver.lock").string());

  delivery::DeliveryTotals totals;
  bool lock_busy = false;
  if (!daemon) {
    MoveSpool(settings, *outbox, info);
    PickUpMaildrop(settings, *outbox, options.log);
    status = delivery.DeliverDue(lock, &totals, &lock_busy);
    if (!status.ok()) {
      std::fprintf(stderr, "jiralink deliver: %s\n", status.message().c_str());
      return 1;
    }
    if (json) {
      std::printf("%s\n", SummaryJson(totals, lock_busy).dump(2).c_str());
    } else if (lock_busy) {
      std::printf("jiralink deliver: another delivery run is active; it delivers these jobs\n");
    } else {
      std::printf("jiralink deliver: %d delivered, %d retrying later, %d dead, %d skipped\n",
                  totals.delivered, totals.retrying, totals.dead, totals.skipped);
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
  // With PostgreSQL, this host's hooks hand their jobs to this daemon
  // (outbox/enqueue_relay.h). One daemon per host serves them; another
  // takes over at its next round when that one stops.
  std::unique_ptr<outbox::EnqueueRelayServer> relay;
  bool relay_problem_told = false;
  if (IsPostgresUri(settings.state.outbox)) {
    outbox::RelayServerOptions relay_options;
    relay_options.socket_path = config::OutboxRelaySocketPath(settings.state);
    relay_options.open_outbox = [&settings](std::unique_ptr<outbox::Outbox>* opened) {
      return OpenOutbox(settings, opened);
    };
    relay_options.log = [info, stamped](const std::string& line) {
      // One write per line: the relay's threads log beside the rounds.
      std::string text = (stamped ? outbox::FormatMillisUtc(outbox::NowMillis()) + " " : "") +
                         "jiralink deliver: " + line + "\n";
      std::fputs(text.c_str(), info);
      std::fflush(info);
    };
    relay = std::make_unique<outbox::EnqueueRelayServer>(std::move(relay_options));
  }
  auto serve_pushes = [&] {
    if (!relay || relay->serving()) return;
    bool serving = false;
    Status started = relay->TryStart(&serving);
    if (!started.ok() && !relay_problem_told) {
      std::fprintf(stderr,
                   "jiralink deliver: warning: cannot take pushes' jobs (%s); the hooks open "
                   "PostgreSQL themselves\n",
                   started.message().c_str());
      relay_problem_told = true;
    } else if (serving) {
      options.log("taking this host's pushes' jobs at " +
                  config::OutboxRelaySocketPath(settings.state));
    }
  };
  auto next_purge = std::chrono::steady_clock::now();
  // Listening from the start: a job added during the first round wakes the wait after it.
  if (outbox->CanWaitForJobs()) {
    bool told = false;
    status = outbox->WaitForJobs(0, &told);
    if (!status.ok()) std::fprintf(stderr, "jiralink deliver: %s\n", status.message().c_str());
  }
  while (!g_stop) {
    serve_pushes();
    MoveSpool(settings, *outbox, info);
    std::int64_t maildrop_stamp = outbox::MaildropChangeStamp(settings.state.maildrop);
    PickUpMaildrop(settings, *outbox, options.log);
    const int handled_before = totals.Handled();
    status = delivery.DeliverDue(lock, &totals, &lock_busy);
    if (!status.ok()) std::fprintf(stderr, "jiralink deliver: %s\n", status.message().c_str());
    bool wrote = totals.Handled() != handled_before;
    if (std::chrono::steady_clock::now() >= next_purge) {  // hourly is plenty
      ForgetOldDoneJobs(*outbox, settings.delivery.keep_done_days);
      next_purge = std::chrono::steady_clock::now() + std::chrono::hours(1);
      wrote = true;
    }
    // Not when idle: it syncs the disk.
    if (wrote) PrepareForPushes(*outbox);
    // Until the next poll, or at once when the outbox says a job came (PostgreSQL: NOTIFY).
    auto wake = std::chrono::steady_clock::now() + std::chrono::seconds(poll_seconds);
    while (!g_stop && std::chrono::steady_clock::now() < wake) {
      // A pusher of another user dropped a push (its rename changes the directory).
      if (outbox::MaildropChangeStamp(settings.state.maildrop) != maildrop_stamp) break;
      bool told = false;
      if (outbox->CanWaitForJobs() && outbox->WaitForJobs(250, &told).ok()) {
        if (told) break;
      } else {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
    }
  }
  if (relay) relay->Stop();  // before the outbox it writes to is closed
  std::printf("jiralink deliver: stopped; %d delivered, %d retried, %d dead\n", totals.delivered,
              totals.retrying, totals.dead);
  return 0;
}

}  // namespace jiralink::cli
