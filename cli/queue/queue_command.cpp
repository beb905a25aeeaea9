// jiralink queue list [--state pending|done|dead|skipped] [--limit N] [--json]
// jiralink queue retry ID | --dead | --all
// jiralink queue drop ID
//
// The outbox of Jira jobs the hook queued. `retry` makes jobs due now with a
// fresh attempt budget and ends any pause of delivery (after a 401/403, once
// the credentials are fixed); `drop` deletes one job for good. A job from a
// merge request shows "!<iid>" where a commit's shows its SHA.
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "commands.h"
#include "common.h"
#include "jiralink/core/terminal_text.h"
#include "jiralink/outbox/sqlite_outbox.h"

namespace jiralink::cli {

namespace {

namespace fs = std::filesystem;

nlohmann::json ToJson(const outbox::Job& job) {
  return {{"id", job.id},
          {"state", outbox::JobStateName(job.state)},
          {"kind", outbox::JobKindName(job.kind)},
          {"key", job.key},
          {"repository", job.repository},
          {"commit", job.commit},
          {"merge_request", outbox::IsMergeRequest(job)},
          {"branch", job.branch},
          {"author", job.author},
          {"commit_url", job.commit_url},
          {"attempts", job.attempts},
          {"next_attempt_at", outbox::FormatMillisUtc(job.next_attempt_at)},
          {"created_at", outbox::FormatMillisUtc(job.created_at)},
          {"updated_at", outbox::FormatMillisUtc(job.updated_at)},
          {"last_error", job.last_error},
          {"command_index", job.command_index},
          {"command", job.kind == outbox::JobKind::kSmartCommand
                          ? (job.command.kind == SmartCommandKind::kTransition
                                 ? "#" + job.command.transition
                                 : std::string("#") + SmartCommandKindName(job.command.kind))
                          : std::string()}};
}

int List(outbox::Outbox& outbox, const std::string& state_name, int limit, bool json) {
  std::optional<outbox::JobState> state;
  if (!state_name.empty()) {
    outbox::JobState parsed;
    if (!outbox::ParseJobState(state_name, &parsed)) {
      std::fprintf(stderr,
                   "jiralink queue list: --state %s: expected pending, done, dead or skipped\n",
                   state_name.c_str());
      return 2;
    }
    state = parsed;
  }
  std::vector<outbox::Job> jobs;
  std::vector<outbox::SitePause> pauses;
  Status status = outbox.List(state, limit, &jobs);
  if (status.ok()) status = outbox.ListPauses(&pauses);
  if (!status.ok()) {
    std::fprintf(stderr, "jiralink queue list: %s\n", status.message().c_str());
    return 1;
  }
  if (json) {
    nlohmann::json out = nlohmann::json::object();
    out["jobs"] = nlohmann::json::array();
    for (const outbox::Job& job : jobs) out["jobs"].push_back(ToJson(job));
    out["pauses"] = nlohmann::json::array();
    for (const outbox::SitePause& pause : pauses) {
      out["pauses"].push_back({{"site", pause.site},
                               {"reason", pause.reason},
                               {"since", outbox::FormatMillisUtc(pause.since)},
                               {"until", outbox::FormatMillisUtc(pause.until)}});
    }
    std::printf("%s\n", out.dump(2).c_str());
    return 0;
  }
  for (const outbox::SitePause& pause : pauses) {
    std::printf(
        "PAUSED delivery to %s since %s: %s\n  (fix the credentials, then `jiralink "
        "queue retry --all`)\n",
        pause.site.c_str(), outbox::FormatMillisUtc(pause.since).c_str(), pause.reason.c_str());
  }
  if (jobs.empty()) {
    std::printf("no jobs%s\n", state_name.empty() ? "" : (" in state " + state_name).c_str());
    return 0;
  }
  std::printf("%-6s %-8s %-8s %-12s %-20s %-12s %-4s %-20s %s\n", "ID", "STATE", "KIND", "KEY",
              "REPOSITORY", "SOURCE", "TRY", "NEXT ATTEMPT", "LAST ERROR / NOTE");
  for (const outbox::Job& job : jobs) {
    std::string next = job.state == outbox::JobState::kPending
                           ? outbox::FormatMillisUtc(job.next_attempt_at)
                           : std::string("-");
    std::printf("%-6lld %-8s %-8s %-12s %-20s %-12s %-4d %-20s %s\n",
                static_cast<long long>(job.id), outbox::JobStateName(job.state),
                outbox::JobKindName(job.kind), job.key.c_str(), job.repository.c_str(),
                job.commit.substr(0, 12).c_str(), job.attempts, next.c_str(),
                SafeTerminalText(job.last_error, LineBreaks::kFlatten).c_str());
  }
  return 0;
}

}  // namespace

int RunQueue(Context& ctx, int argc, char** argv) {
  CLI::App app{"The outbox of Jira jobs: list, retry, drop.", argv[0]};
  AddConfigOption(app, ctx);
  app.require_subcommand(1);
  CLI::App* list = app.add_subcommand("list", "list jobs, newest first");
  std::string state;
  int limit = 100;
  bool json = false;
  list->add_option("--state", state, "pending, done, dead or skipped");
  list->add_option("--limit", limit, "at most this many jobs")->check(CLI::PositiveNumber);
  list->add_flag("--json", json, "print JSON");
  CLI::App* retry = app.add_subcommand("retry", "make jobs due now; ends a delivery pause");
  std::int64_t id = 0;
  bool dead = false;
  bool all = false;
  retry->add_option("ID", id, "one job");
  retry->add_flag("--dead", dead, "every dead job");
  retry->add_flag("--all", all, "every pending and dead job");
  CLI::App* drop = app.add_subcommand("drop", "delete one job");
  std::int64_t drop_id = 0;
  drop->add_option("ID", drop_id, "the job")->required();
  for (CLI::App* sub : {list, retry, drop}) AddConfigOption(*sub, ctx);
  if (int code = ParseOrExit(app, argc, argv); code >= 0) return code;

  if (retry->parsed() && (id != 0) + dead + all != 1) {
    std::fprintf(stderr, "jiralink queue retry: give exactly one of ID, --dead, --all\n");
    return 2;
  }
  config::Config cfg;
  config::Settings settings;
  std::unique_ptr<outbox::Outbox> outbox;
  if (int code = OpenTopLevelOutbox(ctx, "jiralink queue", &cfg, &settings, &outbox); code >= 0) {
    return code;
  }
  Status status;

  if (list->parsed()) return List(*outbox, state, limit, json);
  if (drop->parsed()) {
    status = outbox->Drop(drop_id);
    if (!status.ok()) {
      std::fprintf(stderr, "jiralink queue drop: %s\n", status.message().c_str());
      return status.code() == Status::Code::kNotFound ? 2 : 1;
    }
    std::printf("dropped job %lld\n", static_cast<long long>(drop_id));
    return 0;
  }
  outbox::RetryScope scope = all    ? outbox::RetryScope::kAll
                             : dead ? outbox::RetryScope::kDead
                                    : outbox::RetryScope::kOne;
  int changed = 0;
  status = outbox->Retry(scope, id, &changed);
  if (!status.ok()) {
    std::fprintf(stderr, "jiralink queue retry: %s\n", status.message().c_str());
    return 1;
  }
  if (scope == outbox::RetryScope::kOne && changed == 0) {
    std::fprintf(stderr,
                 "jiralink queue retry: no pending or dead job with id %lld (see `jiralink "
                 "queue list`)\n",
                 static_cast<long long>(id));
    return 2;
  }
  std::printf("%d job%s due now; delivery pauses cleared (run `jiralink deliver --once`)\n",
              changed, changed == 1 ? "" : "s");
  return 0;
}

}  // namespace jiralink::cli
