#include "jiralink/delivery/delivery.h"

#include <utility>

#include "jiralink/core/comment_text.h"

namespace jiralink::delivery {

using outbox::Job;
using outbox::JobKind;
using outbox::NowMillis;
using outbox::Outbox;
using outbox::SitePause;

namespace {

constexpr const char* kLinkIconTitle = "jiralink";

CommitFacts FactsOf(const Job& job) {
  CommitFacts facts;
  facts.repository = job.repository;
  facts.sha = job.commit;
  facts.branch = job.branch;
  facts.author = job.author;
  facts.message = job.message;
  facts.commit_url = job.commit_url;
  facts.repo_url = job.repo_url;
  facts.branch_url = job.branch_url;
  return facts;
}

std::string Describe(const Job& job) {
  return "#" + std::to_string(job.id) + " " + JobKindName(job.kind) + " " + job.key + " (" +
         job.repository + " " + job.commit.substr(0, 12) + ")";
}

bool AnyCommentContains(const std::vector<jira::Comment>& comments, const std::string& text) {
  for (const jira::Comment& comment : comments) {
    if (comment.body.find(text) != std::string::npos) return true;
  }
  return false;
}

bool HasLink(const std::vector<jira::RemoteLink>& links, const std::string& global_id) {
  for (const jira::RemoteLink& link : links) {
    if (link.global_id == global_id) return true;
  }
  return false;
}

}  // namespace

Deliverer::Deliverer(Outbox* outbox, jira::Client* client, DeliveryOptions options)
    : outbox_(outbox), client_(client), options_(std::move(options)) {}

void Deliverer::Log(const std::string& line) const {
  if (options_.log) options_.log(line);
}

Deliverer::Outcome Deliverer::Failure(const jira::ApiStatus& api, const std::string& what) {
  Outcome outcome;
  outcome.message = what + ": " + api.ToString();
  if (api.http_status == 401 || api.http_status == 403) {
    outcome.verdict = Verdict::kPause;
  } else if (api.retryable || api.http_status == 0 || api.http_status >= 500 ||
             api.http_status == 429) {
    outcome.verdict = Verdict::kRetry;
    outcome.retry_after_seconds = api.retry_after_seconds;
  } else {
    outcome.verdict = Verdict::kDead;
  }
  return outcome;
}

Status Deliverer::RunOnce(DeliveryReport* report) {
  *report = DeliveryReport();
  bool may_deliver = false;
  Status status = CheckPause(report, &may_deliver);
  if (!status.ok() || !may_deliver) return status;
  const std::int64_t started = NowMillis();
  for (int handled = 0; options_.max_jobs <= 0 || handled < options_.max_jobs; ++handled) {
    std::optional<Job> job;
    status = outbox_->Claim(options_.site, NowMillis(), started, options_.lease_ms, &job);
    if (!status.ok()) return status;
    if (!job) break;
    Outcome outcome = Deliver(*job);
    status = Finish(*job, outcome, report);
    if (!status.ok()) return status;
    if (report->paused) break;
  }
  return Status::Ok();
}

Status Deliverer::CheckPause(DeliveryReport* report, bool* may_deliver) {
  *may_deliver = false;
  std::optional<SitePause> pause;
  Status status = outbox_->GetPause(options_.site, &pause);
  if (!status.ok()) return status;
  if (!pause) {
    *may_deliver = true;
    return Status::Ok();
  }
  std::int64_t now = NowMillis();
  report->paused = true;
  report->pause_reason = pause->reason;
  if (now < pause->until) return Status::Ok();
  // The pause ran out: one cheap call tells whether the credentials work again.
  jira::User user;
  jira::ApiStatus api = client_->GetMyself(&user);
  if (api.ok()) {
    Log("Jira accepts the credentials again; delivery to " + options_.site + " resumed");
    report->paused = false;
    report->pause_reason.clear();
    *may_deliver = true;
    return outbox_->ClearPause(options_.site);
  }
  if (api.http_status == 401 || api.http_status == 403) {
    pause->until = now + options_.pause_ms;
    pause->reason = api.ToString();
    report->pause_reason = pause->reason;
    return outbox_->SetPause(*pause);
  }
  // Jira is unreachable: not a reason to change the pause; try next run.
  return Status::Ok();
}

Deliverer::Outcome Deliverer::Deliver(Job& job) {
  DeliveryPolicy policy = options_.policy ? options_.policy(job) : DeliveryPolicy{};
  return job.kind == JobKind::kClose ? DeliverClose(job, policy) : DeliverMention(job, policy);
}

Deliverer::Outcome Deliverer::DeliverMention(const Job& job, const DeliveryPolicy& policy) {
  CommitFacts facts = FactsOf(job);
  std::string global_id = RemoteLinkGlobalId(facts);
  if (!global_id.empty()) {
    std::vector<jira::RemoteLink> links;
    jira::ApiStatus api = client_->GetRemoteLinks(job.key, &links);
    if (!api.ok()) return Failure(api, "reading the remote links of " + job.key);
    // The link is written last, so its presence means the job was done.
    if (HasLink(links, global_id)) return {Verdict::kDone, "already linked in Jira", -1};
  }
  bool commented = false;
  if (policy.comments_enabled) {
    std::vector<jira::Comment> comments;
    jira::ApiStatus api = client_->GetComments(job.key, &comments);
    if (!api.ok()) return Failure(api, "reading the comments of " + job.key);
    if (!AnyCommentContains(comments, CommitIdentity(facts))) {
      jira::Comment created;
      api = client_->AddComment(job.key, MentionComment(facts), &created);
      if (!api.ok()) return Failure(api, "commenting on " + job.key);
      commented = true;
    }
  }
  if (!global_id.empty()) {
    jira::RemoteLinkRequest link;
    link.global_id = global_id;
    link.url = job.commit_url;
    link.title = MentionLinkTitle(facts);
    link.icon_title = kLinkIconTitle;
    std::int64_t id = 0;
    jira::ApiStatus api = client_->UpsertRemoteLink(job.key, link, &id);
    if (!api.ok()) return Failure(api, "linking " + job.key);
    return {Verdict::kDone, commented ? "commented and linked" : "linked", -1};
  }
  return {Verdict::kDone, commented ? "commented" : "nothing to post (comments off, no commit URL)",
          -1};
}

Deliverer::Outcome Deliverer::DeliverClose(Job& job, const DeliveryPolicy& policy) {
  if (!policy.transitions_enabled) return {Verdict::kDone, "transitions are disabled", -1};
  bool custom = policy.close_mode == CloseMode::kCustom;
  int total = custom ? static_cast<int>(policy.transition_ids.size()) : 1;
  if (total == 0) return {Verdict::kDone, "no transition ids are configured", -1};

  if (job.progress < total) {
    jira::Issue issue;
    if (job.progress == 0) {
      jira::ApiStatus api = client_->GetIssue(job.key, "transitions", "status,resolution", &issue);
      if (!api.ok()) return Failure(api, "reading " + job.key);
      if (!issue.resolution.empty()) {
        return {Verdict::kDone, "already resolved (" + issue.resolution + "); nothing to do", -1};
      }
    }
    if (!custom) {
      const jira::Transition* target = nullptr;
      for (const jira::Transition& transition : issue.transitions) {
        if (transition.to.category.key == "done") {
          target = &transition;
          break;
        }
      }
      if (target == nullptr) {
        return {Verdict::kDead, job.key + " has no transition to a status in the Done category",
                -1};
      }
      jira::ApiStatus api = client_->DoTransition(job.key, target->id);
      if (!api.ok()) return Failure(api, "transition " + target->id + " of " + job.key);
      job.progress = 1;
    } else {
      for (; job.progress < total; ++job.progress) {
        const std::string& id = policy.transition_ids[static_cast<std::size_t>(job.progress)];
        jira::ApiStatus api = client_->DoTransition(job.key, id);
        if (!api.ok()) {
          Outcome failure = Failure(api, "transition " + id + " of " + job.key);
          if (failure.verdict == Verdict::kDead) failure.message += " (later ids not applied)";
          return failure;
        }
        outbox_->SaveProgress(job, job.progress + 1);
      }
    }
    // Remembered so that a retry from here on does not transition again.
    outbox_->SaveProgress(job, job.progress);
  }

  jira::Issue after;
  jira::ApiStatus api = client_->GetIssue(job.key, "", "resolution", &after);
  if (!api.ok()) return Failure(api, "reading " + job.key + " after the transition");
  if (after.resolution.empty()) {
    return {Verdict::kDone, "transitioned; not resolved, so no solved comment", -1};
  }
  CommitFacts facts = FactsOf(job);
  if (policy.comments_enabled) {
    std::vector<jira::Comment> comments;
    api = client_->GetComments(job.key, &comments);
    if (!api.ok()) return Failure(api, "reading the comments of " + job.key);
    std::string comment = SolvedComment(facts);
    if (!AnyCommentContains(comments, comment)) {
      jira::Comment created;
      api = client_->AddComment(job.key, comment, &created);
      if (!api.ok()) return Failure(api, "commenting on " + job.key);
    }
  }
  std::string global_id = RemoteLinkGlobalId(facts);
  if (!global_id.empty()) {
    jira::RemoteLinkRequest link;
    link.global_id = global_id;
    link.url = job.commit_url;
    link.title = SolvedLinkTitle(facts);
    link.resolved = true;
    link.icon_title = kLinkIconTitle;
    std::int64_t id = 0;
    api = client_->UpsertRemoteLink(job.key, link, &id);
    if (!api.ok()) return Failure(api, "linking " + job.key);
  }
  return {Verdict::kDone, "resolved", -1};
}

Status Deliverer::Finish(const Job& job, const Outcome& outcome, DeliveryReport* report) {
  Status status;
  std::int64_t now = NowMillis();
  switch (outcome.verdict) {
    case Verdict::kDone:
      status = outbox_->MarkDone(job, outcome.message);
      if (status.ok()) {
        ++report->delivered;
        Log("delivered " + Describe(job) + ": " + outcome.message);
      }
      break;
    case Verdict::kDead:
      status = outbox_->MarkDead(job, outcome.message);
      if (status.ok()) {
        ++report->dead;
        Log("dead " + Describe(job) + ": " + outcome.message);
      }
      break;
    case Verdict::kRetry: {
      std::int64_t age_ms = now - job.created_at;
      bool too_old = age_ms > static_cast<std::int64_t>(options_.max_age_hours) * 3600 * 1000;
      if (job.attempts >= options_.max_attempts || too_old) {
        std::string reason = "gave up after " + std::to_string(job.attempts) + " attempts";
        if (too_old) reason += " and " + std::to_string(age_ms / 3600000) + " hours";
        status = outbox_->MarkDead(job, reason + ": " + outcome.message);
        if (status.ok()) {
          ++report->dead;
          Log("dead " + Describe(job) + ": " + reason + ": " + outcome.message);
        }
        break;
      }
      std::int64_t delay = BackoffDelayMs(job.attempts, outcome.retry_after_seconds,
                                          options_.backoff, RandomJitter());
      status = outbox_->MarkRetry(job, now + delay, outcome.message);
      if (status.ok()) {
        ++report->retrying;
        Log("retrying " + Describe(job) + " in " + std::to_string((delay + 999) / 1000) +
            " s: " + outcome.message);
      }
      break;
    }
    case Verdict::kPause: {
      status = outbox_->Release(job, outcome.message);
      if (!status.ok()) break;
      SitePause pause{options_.site, outcome.message, now, now + options_.pause_ms};
      status = outbox_->SetPause(pause);
      report->paused = true;
      report->pause_reason = outcome.message;
      Log("paused delivery to " + options_.site + ": " + outcome.message +
          " (fix the credentials, then `jiralink queue retry --all`)");
      break;
    }
  }
  if (status.code() == Status::Code::kNotFound) {
    // Our lease ran out and another worker owns the job now; it re-checks Jira.
    ++report->lost_leases;
    Log("lost the lease of " + Describe(job) + "; another worker has it");
    return Status::Ok();
  }
  return status;
}

}  // namespace jiralink::delivery
