#include "jiralink/serve/webhook_handler.h"

#include <sys/resource.h>

#include <cstdio>
#include <filesystem>
#include <optional>
#include <system_error>
#include <vector>

#include "jiralink/core/closing_keywords.h"
#include "jiralink/core/json_depth.h"
#include "jiralink/core/key_scanner.h"
#include "jiralink/serve/merge_request_jobs.h"
#include "jiralink/serve/signature.h"
#include "stage_timing.h"

namespace jiralink::serve {

using nlohmann::json;

struct WebhookHandler::Repository {
  config::Settings settings;
  std::string site;
  std::unique_ptr<KeyScanner> own_scanner;  // null: the default pattern
  std::unique_ptr<ClosingKeywords> own_closing;
  const KeyScanner* scanner = nullptr;
  const ClosingKeywords* closing = nullptr;
  Status secret_status = Status::Ok();
  std::string secret;
};

struct WebhookHandler::PendingWrite {
  const MergeRequestJobs* jobs = nullptr;
  std::vector<bool> is_new;
  Status status = Status::Ok();
  bool done = false;
};

namespace {

constexpr std::size_t kMaxCachedRepositories = 4096;

// A string as a JSON string literal: safe in answers and in log lines
// whatever the payload put in it.
std::string Quoted(std::string_view text) {
  return json(std::string(text)).dump(-1, ' ', true, json::error_handler_t::replace);
}

std::string ErrorBody(const std::string& message) { return "{\"error\":" + Quoted(message) + "}"; }

// The header that carries the secret, and which one was found.
struct SecretHeader {
  std::string_view name;
  std::string_view value;
};

SecretHeader FindSecretHeader(Forge forge, const HeaderLookup& headers) {
  switch (forge) {
    case Forge::kGitLab:
      return {"X-Gitlab-Token", headers("X-Gitlab-Token")};
    case Forge::kGitea:
      if (std::string_view v = headers("X-Gitea-Signature"); !v.empty()) {
        return {"X-Gitea-Signature", v};
      }
      return {"X-Forgejo-Signature", headers("X-Forgejo-Signature")};
    case Forge::kGitHub:
      return {"X-Hub-Signature-256", headers("X-Hub-Signature-256")};
  }
  return {};
}

std::string_view EventHeader(Forge forge, const HeaderLookup& headers) {
  switch (forge) {
    case Forge::kGitLab:
      return headers("X-Gitlab-Event");
    case Forge::kGitea:
      if (std::string_view v = headers("X-Gitea-Event"); !v.empty()) return v;
      return headers("X-Forgejo-Event");
    case Forge::kGitHub:
      return headers("X-GitHub-Event");
  }
  return {};
}

bool Authentic(Forge forge, const std::string& secret, std::string_view header,
               std::string_view body) {
  switch (forge) {
    case Forge::kGitLab:
      return TokenMatches(secret, header);
    case Forge::kGitea:
      return SignatureMatches(secret, body, header, "");
    case Forge::kGitHub:
      return SignatureMatches(secret, body, header, "sha256=");
  }
  return false;
}

}  // namespace

WebhookHandler::WebhookHandler(const config::Config& config, std::unique_ptr<outbox::Outbox> outbox,
                               WebhookHandlerOptions options)
    : config_(config), options_(std::move(options)), outbox_(std::move(outbox)) {}

WebhookHandler::~WebhookHandler() = default;

std::shared_ptr<const WebhookHandler::Repository> WebhookHandler::Find(const std::string& name) {
  {
    std::lock_guard<std::mutex> lock(cache_mutex_);
    if (auto it = cache_.find(name); it != cache_.end()) return it->second;
  }
  auto repository = std::make_shared<Repository>();
  repository->settings = config_.ForRepo(name);
  const config::Settings& settings = repository->settings;
  repository->site = settings.jira.api_url;
  repository->scanner = &KeyScanner::Default();
  repository->closing = &ClosingKeywords::Default();
  if (!settings.matching.regex.empty() || !settings.matching.prefix.empty()) {
    MatchingOptions matching{settings.matching.regex, settings.matching.prefix};
    // The settings were validated when loaded: the pattern compiles.
    if (KeyScanner::Create(matching, &repository->own_scanner).ok() &&
        ClosingKeywords::Create(*repository->own_scanner, &repository->own_closing).ok()) {
      repository->scanner = repository->own_scanner.get();
      repository->closing = repository->own_closing.get();
    }
  }
  repository->secret_status = config::ResolveWebhookSecret(settings.serve, &repository->secret);
  return repository;
}

void WebhookHandler::Remember(const std::string& name,
                              std::shared_ptr<const Repository> repository) {
  std::lock_guard<std::mutex> lock(cache_mutex_);
  if (cache_.size() >= kMaxCachedRepositories) cache_.clear();
  cache_.emplace(name, std::move(repository));
}

Status WebhookHandler::Commit(const MergeRequestJobs& jobs, std::vector<bool>* is_new) {
  PendingWrite mine;
  mine.jobs = &jobs;
  timing::Scope timed_wait(timing::kCommitWait);
  std::unique_lock<std::mutex> lock(queue_mutex_);
  queue_.push_back(&mine);
  queue_changed_.wait(lock, [&] { return mine.done || queue_.front() == &mine; });
  if (!mine.done) {
    // This request leads: it writes its own jobs and those of everyone
    // queued behind it, in one transaction.
    std::vector<PendingWrite*> group(queue_.begin(), queue_.end());
    lock.unlock();
    Status status;
    timing::Add(timing::kGroupSize, static_cast<std::int64_t>(group.size()));
    {
      timing::Scope timed_transaction(timing::kTransaction);
      std::lock_guard<std::mutex> outbox_lock(outbox_mutex_);
      std::unique_ptr<outbox::EnqueueBatch> batch;
      status = outbox_->StartEnqueue(&batch);
      for (PendingWrite* write : group) {
        // One Job per request, its key changed per job: the text is copied
        // once, not once per key.
        outbox::Job job = write->jobs->shared;
        for (const std::string& key : write->jobs->keys) {
          if (!status.ok()) break;
          job.key = key;
          status = batch->Add(job);
        }
      }
      std::vector<bool> answers;
      if (status.ok()) status = batch->Commit(&answers);
      // Each request's share of the answers, in the order they were added.
      std::size_t next = 0;
      for (PendingWrite* write : group) {
        for (std::size_t i = 0; i < write->jobs->size(); ++i) {
          write->is_new.push_back(next < answers.size() && answers[next]);
          ++next;
        }
      }
    }
    lock.lock();
    for (PendingWrite* write : group) {
      write->status = status;
      write->done = true;
      queue_.pop_front();
    }
    queue_changed_.notify_all();
  }
  *is_new = std::move(mine.is_new);
  return mine.status;
}

WebhookResponse WebhookHandler::Reject(Forge forge, RejectReason reason, int status,
                                       const std::string& message, const std::string& repository) {
  metrics_.Rejected(forge, reason);
  std::fprintf(stderr, "jiralink serve: %d %s%s%s: %s\n", status, ForgeName(forge),
               repository.empty() ? "" : " ", repository.empty() ? "" : Quoted(repository).c_str(),
               message.c_str());
  return {status, ErrorBody(message)};
}

WebhookResponse WebhookHandler::Handle(Forge forge, const HeaderLookup& headers,
                                       std::string_view body) {
  timing::Scope timed_handle(timing::kHandle);
  // 1. The secret header.
  SecretHeader secret_header = FindSecretHeader(forge, headers);
  if (secret_header.value.empty()) {
    return Reject(forge, RejectReason::kUnauthorized, 401,
                  "missing " + std::string(secret_header.name) + " header", "");
  }
  // 2. JSON.
  std::optional<timing::Scope> timed(std::in_place, timing::kJson);
  if (!JsonNestingWithin(body, kMaxJsonDepth)) {
    return Reject(forge, RejectReason::kBadJson, 400,
                  "the body nests deeper than " + std::to_string(kMaxJsonDepth) + " levels", "");
  }
  json payload = ParsePayload(body);
  if (payload.is_discarded() || !payload.is_object()) {
    return Reject(forge, RejectReason::kBadJson, 400, "the body is not a JSON object", "");
  }
  // 3. The repository's settings and secret.
  timed.emplace(timing::kAuth);
  std::string name = RepositoryOf(forge, payload);
  std::shared_ptr<const Repository> repository = Find(name);
  if (!repository->secret_status.ok()) {
    if (repository->secret_status.code() == Status::Code::kNotFound) {
      return Reject(forge, RejectReason::kUnauthorized, 401,
                    "no webhook secret is configured for this repository", name);
    }
    // Said to the log only: the caller is not authenticated, and the reason
    // names the server's files.
    Reject(forge, RejectReason::kInternal, 500, repository->secret_status.message(), name);
    return {500, ErrorBody("internal error: the webhook secret of this repository is unusable; "
                           "see the service's log")};
  }
  // 4. Authentic?
  if (!Authentic(forge, repository->secret, secret_header.value, body)) {
    return Reject(forge, RejectReason::kUnauthorized, 401,
                  "wrong " + std::string(secret_header.name), name);
  }
  Remember(name, repository);
  // 5, 6. The event.
  timed.emplace(timing::kEvent);
  MergeRequestEvent event;
  if (Status status = ParseMergeRequestEvent(forge, EventHeader(forge, headers), payload, &event);
      !status.ok()) {
    return Reject(forge, RejectReason::kMissingField, 400, status.message(), name);
  }
  if (event.action == MergeRequestAction::kIgnored ||
      !repository->settings.triggers.merge_request) {
    metrics_.Ignored(forge);
    std::string why = event.action == MergeRequestAction::kIgnored
                          ? event.ignored_because
                          : "[triggers] merge_request = false";
    return {202, "{\"ignored\":" + Quoted(why) + "}"};
  }
  // 7. The jobs, committed before the answer.
  MergeRequestJobs jobs;
  MergeRequestPlanOptions plan;
  plan.site = repository->site;
  plan.transitions_enabled = repository->settings.transitions.enabled;
  PlanMergeRequestJobs(event, *repository->scanner, *repository->closing, plan, &jobs);
  timed.reset();
  int added = 0;
  int duplicates = 0;
  if (!jobs.empty()) {
    std::vector<bool> is_new;
    if (Status status = Commit(jobs, &is_new); !status.ok()) {
      return Reject(forge, RejectReason::kInternal, 503,
                    "the outbox cannot take the jobs now: " + status.message(), name);
    }
    for (std::size_t i = 0; i < jobs.size(); ++i) {
      if (i < is_new.size() && is_new[i]) {
        ++added;
        metrics_.Queued(forge, jobs.shared.kind, 1);
      } else {
        ++duplicates;
      }
    }
  }
  metrics_.Accepted(forge);
  if (options_.log_accepted) {
    std::fprintf(stderr, "jiralink serve: 200 %s %s %s: %d new jobs, %d already queued\n",
                 ForgeName(forge), Quoted(name).c_str(),
                 outbox::MergeRequestSource(event.iid).c_str(), added, duplicates);
  }
  std::string answer =
      "{\"added\":" + std::to_string(added) + ",\"duplicates\":" + std::to_string(duplicates);
  // What the caps left out, said to whoever reads the forge's delivery log.
  if (jobs.keys_left_out > 0) {
    answer += ",\"keys_left_out\":" + std::to_string(jobs.keys_left_out) +
              ",\"keys_limit\":" + std::to_string(kMaxKeysPerMergeRequest);
  }
  if (jobs.message_cut) {
    answer += ",\"text_cut_at_bytes\":" + std::to_string(outbox::kMaxJobMessageBytes);
  }
  return {200, answer + "}"};
}

bool WebhookHandler::Healthy(std::string* why) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) {
    // Counting needs a descriptor itself: none left fails here too.
    std::error_code error;
    std::size_t open = 0;
    for (auto it = std::filesystem::directory_iterator("/proc/self/fd", error);
         !error && it != std::filesystem::directory_iterator(); it.increment(error)) {
      ++open;
    }
    if (error || open + kHealthFdReserve > limit.rlim_cur) {
      *why = error ? "cannot count open descriptors: " + error.message()
                   : std::to_string(open) + " of " + std::to_string(limit.rlim_cur) +
                         " descriptors open; fewer than " + std::to_string(kHealthFdReserve) +
                         " left for webhooks";
      return false;
    }
  }
  std::unique_lock<std::mutex> lock(outbox_mutex_, std::try_to_lock);
  if (!lock.owns_lock()) return true;  // writing jobs right now
  int due = 0;
  if (Status status = outbox_->CountDue(outbox::NowMillis(), &due); !status.ok()) {
    *why = "the outbox does not answer: " + status.message();
    return false;
  }
  return true;
}

std::string WebhookHandler::MetricsText() {
  std::vector<std::pair<outbox::JobState, std::int64_t>> counts;
  Status status;
  {
    std::lock_guard<std::mutex> lock(outbox_mutex_);
    status = outbox_->CountByState(&counts);
  }
  if (!status.ok()) counts.clear();
  return metrics_.Render(counts);
}

}  // namespace jiralink::serve
