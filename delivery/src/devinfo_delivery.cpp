#include "jiralink/delivery/devinfo_delivery.h"

#include <algorithm>
#include <array>
#include <map>
#include <optional>
#include <set>
#include <utility>

namespace jiralink::delivery {

using outbox::Job;
using outbox::JobKind;
using outbox::NowMillis;

namespace {

// "commits/<id>": how DevinfoBulkResult names an entity Jira refused.
std::string EntityName(const Job& job, const outbox::DevinfoPayload& payload) {
  switch (job.kind) {
    case JobKind::kDevinfoCommit:
      return "commits/" + payload.commit.id;
    case JobKind::kDevinfoBranch:
      return "branches/" + payload.branch.id;
    case JobKind::kDevinfoPullRequest:
      return "pullRequests/" + payload.pull_request.id;
    default:
      return "";
  }
}

// The entities of one bulk request and the counts Jira limits.
class BulkBatch {
 public:
  // Whether one more job's entity stays within Jira's limits.
  bool Fits(const outbox::DevinfoPayload& payload, JobKind kind) const {
    if (entities_ >= jira::kMaxDevinfoEntitiesPerRequest) return false;
    auto found = per_repository_.find(payload.repository.id);
    if (found == per_repository_.end()) {
      return per_repository_.size() < jira::kMaxDevinfoRepositoriesPerRequest;
    }
    return found->second[Index(kind)] < jira::kMaxDevinfoCommitsPerRepository;
  }
  void Count(const outbox::DevinfoPayload& payload, JobKind kind) {
    ++entities_;
    ++per_repository_[payload.repository.id][Index(kind)];
  }
  void Clear() {
    entities_ = 0;
    per_repository_.clear();
  }

 private:
  static int Index(JobKind kind) {
    return kind == JobKind::kDevinfoCommit ? 0 : kind == JobKind::kDevinfoBranch ? 1 : 2;
  }
  std::size_t entities_ = 0;
  std::map<std::string, std::array<std::size_t, 3>> per_repository_;
};

}  // namespace

DevinfoDeliverer::DevinfoDeliverer(outbox::Outbox* outbox, jira::DevinfoClient* client,
                                   DeliveryOptions options)
    : outbox_(outbox), client_(client), options_(std::move(options)) {}

JobOutcome DevinfoDeliverer::Failure(const jira::ApiStatus& api, const std::string& what) {
  JobOutcome outcome;
  outcome.message = what + ": " + api.ToString();
  if (api.http_status == 403) {
    outcome.verdict = Verdict::kPause;
    outcome.message = what +
                      ": the OAuth credentials lack the \"Development information\" "
                      "permission ([devinfo] client_id): " +
                      api.ToString();
  } else if (api.http_status == 401) {
    outcome.verdict = Verdict::kPause;
    outcome.message = what + ": Jira refused the OAuth credentials ([devinfo]): " + api.ToString();
  } else if (api.retryable || api.http_status == 0 || api.http_status >= 500 ||
             api.http_status == 429) {
    outcome.verdict = Verdict::kRetry;
    outcome.retry_after_seconds = api.retry_after_seconds;
  } else {
    outcome.verdict = Verdict::kDead;
  }
  return outcome;
}

Status DevinfoDeliverer::CheckPause(DeliveryReport* report, bool* may_deliver) {
  *may_deliver = false;
  std::optional<outbox::SitePause> pause;
  Status status = outbox_->GetPause(options_.site, &pause);
  if (!status.ok()) return status;
  if (!pause) {
    *may_deliver = true;
    return Status::Ok();
  }
  const std::int64_t now = NowMillis();
  report->paused = true;
  report->pause_reason = pause->reason;
  if (now < pause->until) return Status::Ok();
  // The pause ran out: a token and a read tell whether the credentials work.
  jira::ApiStatus api = client_->CheckAccess();
  if (api.ok()) {
    if (options_.log) options_.log("Jira accepts the credentials again; " + options_.site);
    report->paused = false;
    report->pause_reason.clear();
    *may_deliver = true;
    return outbox_->ClearPause(options_.site);
  }
  if (api.http_status == 401 || api.http_status == 403) {
    pause->until = now + options_.pause_ms;
    pause->reason = Failure(api, "the Development Information API").message;
    report->pause_reason = pause->reason;
    return outbox_->SetPause(*pause);
  }
  return Status::Ok();  // unreachable now: try at the next run
}

Status DevinfoDeliverer::RunOnce(DeliveryReport* report) {
  *report = DeliveryReport();
  bool may_deliver = false;
  Status status = CheckPause(report, &may_deliver);
  if (!status.ok() || !may_deliver) return status;
  const std::int64_t started = NowMillis();
  std::vector<Claimed> batch;
  BulkBatch limits;
  bool stop = false;
  auto flush = [&] {
    limits.Clear();
    if (batch.empty()) return Status::Ok();
    return SendBulk(std::exchange(batch, {}), report, &stop);
  };
  for (int handled = 0; !stop && (options_.max_jobs <= 0 || handled < options_.max_jobs);
       ++handled) {
    std::optional<Job> job;
    status = outbox_->Claim(options_.site, NowMillis(), started, options_.lease_ms, &job);
    if (!status.ok()) return status;
    if (!job) break;
    Claimed claimed{std::move(*job), {}};
    Status read = outbox::ReadDevinfoPayload(claimed.job, &claimed.payload);
    if (!read.ok()) {
      status =
          RecordOutcome(outbox_, options_, claimed.job, {Verdict::kDead, read.message()}, report);
      if (!status.ok()) return status;
      continue;
    }
    const bool deletion = claimed.job.kind == JobKind::kDevinfoBranchDelete;
    if (deletion || !limits.Fits(claimed.payload, claimed.job.kind)) {
      status = flush();
      if (!status.ok()) return status;
      if (stop) {
        // Behind a request to retry later: given back as it was.
        return outbox_->Release(claimed.job, "waiting for the request before it");
      }
    }
    if (deletion) {
      status = SendDelete(claimed, report, &stop);
      if (!status.ok()) return status;
      continue;
    }
    limits.Count(claimed.payload, claimed.job.kind);
    batch.push_back(std::move(claimed));
  }
  return flush();
}

Status DevinfoDeliverer::SendBulk(std::vector<Claimed> batch, DeliveryReport* report, bool* stop) {
  // Repositories in the order their first job came.
  std::vector<jira::DevinfoRepository> repositories;
  std::map<std::string, std::size_t> index;
  for (const Claimed& claimed : batch) {
    const outbox::DevinfoPayload& payload = claimed.payload;
    auto [at, added] = index.emplace(payload.repository.id, repositories.size());
    if (added) repositories.push_back(payload.repository);
    jira::DevinfoRepository& repository = repositories[at->second];
    // The repository's own fields are as new as its newest entity.
    repository.update_sequence_id =
        std::max(repository.update_sequence_id, payload.update_sequence_id);
    if (claimed.job.kind == JobKind::kDevinfoCommit) repository.commits.push_back(payload.commit);
    if (claimed.job.kind == JobKind::kDevinfoBranch) repository.branches.push_back(payload.branch);
    if (claimed.job.kind == JobKind::kDevinfoPullRequest) {
      repository.pull_requests.push_back(payload.pull_request);
    }
  }
  jira::DevinfoBulkResult result;
  jira::ApiStatus api = client_->SubmitBulk(repositories, /*backfill=*/false, &result);
  if (!api.ok()) {
    JobOutcome outcome = Failure(api, "the Development panel's bulk request of " +
                                          std::to_string(batch.size()) + " updates");
    if (outcome.verdict == Verdict::kDead && batch.size() > 1) {
      // One bad entity must not sink the others: each half on its own.
      std::vector<Claimed> second(std::make_move_iterator(batch.begin() + batch.size() / 2),
                                  std::make_move_iterator(batch.end()));
      batch.resize(batch.size() / 2);
      Status status = SendBulk(std::move(batch), report, stop);
      if (!status.ok() || *stop) {
        for (const Claimed& claimed : second) {
          Status released = outbox_->Release(claimed.job, "waiting for the request before it");
          if (!released.ok()) return released;
        }
        return status;
      }
      return SendBulk(std::move(second), report, stop);
    }
    *stop = outcome.verdict == Verdict::kRetry || outcome.verdict == Verdict::kPause;
    for (const Claimed& claimed : batch) {
      Status status = RecordOutcome(outbox_, options_, claimed.job, outcome, report);
      if (!status.ok()) return status;
    }
    return Status::Ok();
  }
  std::map<std::string, std::string> refused(result.failed_entities.begin(),
                                             result.failed_entities.end());
  for (const Claimed& claimed : batch) {
    JobOutcome outcome;
    auto found = refused.find(EntityName(claimed.job, claimed.payload));
    if (found != refused.end()) {
      outcome.verdict = Verdict::kSkip;
      outcome.message = "Jira did not store it: " + found->second;
    } else {
      outcome.message =
          "accepted (updateSequenceId " + std::to_string(claimed.payload.update_sequence_id) + ")";
    }
    Status status = RecordOutcome(outbox_, options_, claimed.job, outcome, report);
    if (!status.ok()) return status;
  }
  return Status::Ok();
}

Status DevinfoDeliverer::SendDelete(const Claimed& claimed, DeliveryReport* report, bool* stop) {
  const outbox::DevinfoPayload& payload = claimed.payload;
  jira::ApiStatus api = client_->DeleteEntity(payload.repository.id, "branch", payload.branch.id,
                                              payload.update_sequence_id);
  JobOutcome outcome;
  if (api.ok()) {
    outcome.message = "deleted branch " + payload.branch.name + " (updateSequenceId " +
                      std::to_string(payload.update_sequence_id) + ")";
  } else {
    outcome = Failure(api, "deleting branch " + payload.branch.name);
    *stop = outcome.verdict == Verdict::kRetry || outcome.verdict == Verdict::kPause;
  }
  return RecordOutcome(outbox_, options_, claimed.job, outcome, report);
}

}  // namespace jiralink::delivery
