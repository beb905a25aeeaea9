// jiralink deliver [--once | --daemon [--poll-seconds N]]
//
// Delivers the due jobs of the outbox to Jira (see hooks/delivery.h). --once
// (the default; what the hook starts after a push) delivers what is due and
// exits: 0 when everything due was delivered, 1 when some job failed or
// delivery is paused. --daemon keeps polling until SIGTERM or SIGINT.
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
#include <string>
#include <thread>

#include "commands.h"
#include "common.h"
#include "jiralink/hooks/delivery.h"
#include "jiralink/hooks/delivery_lock.h"
#include "jiralink/hooks/sqlite_outbox.h"

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

hooks::DeliveryPolicy PolicyFor(const config::Settings& settings) {
  hooks::DeliveryPolicy policy;
  policy.comments_enabled = settings.comments.enabled;
  policy.transitions_enabled = settings.transitions.enabled;
  policy.close_mode = settings.transitions.mode == config::TransitionMode::kCustom
                          ? hooks::CloseMode::kCustom
                          : hooks::CloseMode::kDone;
  policy.transition_ids = settings.transitions.id_list;
  return policy;
}

struct Totals {
  int delivered = 0;
  int retrying = 0;
  int dead = 0;
  bool paused = false;
  std::string pause_reason;

  void Add(const hooks::DeliveryReport& report) {
    delivered += report.delivered;
    retrying += report.retrying;
    dead += report.dead;
    paused = report.paused;
    if (report.paused) pause_reason = report.pause_reason;
  }
};

// Rounds of: take the lock, deliver all that is due, let go; again if jobs
// became due meanwhile (a hook whose own run found the lock taken counts on it).
Status DeliverDue(hooks::Deliverer& deliverer, hooks::Outbox& outbox, hooks::DeliveryLock& lock,
                  Totals* totals, bool* lock_busy) {
  *lock_busy = false;
  for (int round = 0; round < kMaxRounds; ++round) {
    std::string error;
    if (!lock.TryLock(&error)) {
      if (!error.empty()) return Status::IOError(error);
      *lock_busy = round == 0;
      return Status::Ok();
    }
    hooks::DeliveryReport report;
    Status status = deliverer.RunOnce(&report);
    lock.Unlock();
    if (!status.ok()) return status;
    totals->Add(report);
    if (report.paused) return Status::Ok();
    int due = 0;
    status = outbox.CountDue(hooks::NowMillis(), &due);
    if (!status.ok()) return status;
    if (due == 0) return Status::Ok();
  }
  return Status::Ok();
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
  if (int code = ParseOrExit(app, argc, argv); code >= 0) return code;
  if (once && daemon) {
    std::fprintf(stderr, "jiralink deliver: --once and --daemon exclude each other\n");
    return 2;
  }

  config::Config cfg;
  if (!LoadConfig(ctx, &cfg)) return 2;
  config::Settings settings = cfg.ForRepo("");
  std::unique_ptr<jira::Client> client = MakeJiraClient(settings, "jiralink deliver");
  if (!client) return 2;
  std::unique_ptr<hooks::Outbox> outbox;
  Status status = OpenOutbox(settings, &outbox);
  if (!status.ok()) {
    std::fprintf(stderr, "jiralink deliver: %s\n", status.message().c_str());
    return 2;
  }

  hooks::DeliveryOptions options;
  options.site = client->options().api_url;
  options.max_attempts = settings.delivery.max_attempts;
  options.max_age_hours = settings.delivery.max_age_hours;
  options.lease_ms = static_cast<std::int64_t>(settings.delivery.lease_seconds) * 1000;
  options.backoff.cap_ms = static_cast<std::int64_t>(settings.delivery.backoff_cap_seconds) * 1000;
  options.backoff.base_ms = EnvMillis("JIRALINK_BACKOFF_BASE_MS", 1000);
  auto policies = std::make_shared<std::map<std::string, hooks::DeliveryPolicy>>();
  options.policy = [&cfg, policies](const hooks::Job& job) {
    auto found = policies->find(job.repository);
    if (found == policies->end()) {
      found = policies->emplace(job.repository, PolicyFor(cfg.ForRepo(job.repository))).first;
    }
    return found->second;
  };
  options.log = [](const std::string& line) {
    std::printf("jiralink deliver: %s\n", line.c_str());
    std::fflush(stdout);
  };
  hooks::Deliverer deliverer(outbox.get(), client.get(), options);
  hooks::DeliveryLock lock((fs::path(StateDir(settings)) / "deliver.lock").string());

  Totals totals;
  bool lock_busy = false;
  if (!daemon) {
    status = DeliverDue(deliverer, *outbox, lock, &totals, &lock_busy);
    if (!status.ok()) {
      std::fprintf(stderr, "jiralink deliver: %s\n", status.message().c_str());
      return 1;
    }
    if (lock_busy) {
      std::printf("jiralink deliver: another delivery run is active; it delivers these jobs\n");
      return 0;
    }
    std::printf("jiralink deliver: %d delivered, %d retrying later, %d dead\n", totals.delivered,
                totals.retrying, totals.dead);
    if (totals.paused) {
      std::printf("jiralink deliver: delivery to %s is paused: %s\n", options.site.c_str(),
                  totals.pause_reason.c_str());
    }
    return totals.retrying + totals.dead > 0 || totals.paused ? 1 : 0;
  }

  struct sigaction action {};
  action.sa_handler = OnStopSignal;
  sigaction(SIGTERM, &action, nullptr);
  sigaction(SIGINT, &action, nullptr);
  while (!g_stop) {
    status = DeliverDue(deliverer, *outbox, lock, &totals, &lock_busy);
    if (!status.ok()) std::fprintf(stderr, "jiralink deliver: %s\n", status.message().c_str());
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
