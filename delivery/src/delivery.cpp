#include "jiralink/delivery/delivery.h"

#include <cctype>
#include <utility>

#include "jiralink/core/comment_text.h"
#include "jiralink/core/smart_commit.h"
#include "jiralink/core/text.h"

namespace jiralink::delivery {

using outbox::CloseStep;
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
  facts.merge_request = outbox::IsMergeRequest(job);
  facts.branch = job.branch;
  facts.author = job.author;
  facts.message = job.message;
  facts.commit_url = job.commit_url;
  facts.repo_url = job.repo_url;
  facts.branch_url = job.branch_url;
  return facts;
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

// True when a link to `url` is there, whoever wrote it (GitLab's
// find_remote_link matches object.url).
bool HasLinkTo(const std::vector<jira::RemoteLink>& links, const std::string& url) {
  for (const jira::RemoteLink& link : links) {
    if (link.url == url) return true;
  }
  return false;
}

// True when Jira's answer says the write was not applied: an answer came and
// it is neither a 5xx (a gateway may answer 502/504 for a write that went
// through) nor missing.
bool SurelyNotApplied(const jira::ApiStatus& api) {
  return api.http_status >= 400 && api.http_status < 500;
}

// The first transition whose target status is in the Done category.
const jira::Transition* DoneTransition(const jira::Issue& issue) {
  for (const jira::Transition& transition : issue.transitions) {
    if (transition.to.category.key == "done") return &transition;
  }
  return nullptr;
}

const jira::Transition* FindTransition(const jira::Issue& issue, const std::string& id) {
  for (const jira::Transition& transition : issue.transitions) {
    if (transition.id == id) return &transition;
  }
  return nullptr;
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
  } else if (api.http_status == 404) {
    // As the forge: an issue that does not exist (or that the bot cannot
    // see) is skipped, not an error.
    outcome.verdict = Verdict::kSkip;
    outcome.message = "no such issue, or the bot cannot see it: " + outcome.message;
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
  switch (job.kind) {
    case JobKind::kClose:
      return DeliverClose(job, policy);
    case JobKind::kSmartCommand:
      return DeliverSmart(job, policy);
    case JobKind::kMention:
      break;
    case JobKind::kDevinfoCommit:
    case JobKind::kDevinfoBranch:
    case JobKind::kDevinfoBranchDelete:
    case JobKind::kDevinfoPullRequest:
      // Queued under their own site (outbox::DevinfoSite), which only
      // DevinfoDeliverer claims: one here is a bug, never a comment.
      return {Verdict::kDead, "a Development-panel job is not a comment job (its site " + job.site +
                                  " is not a devinfo site)"};
  }
  return DeliverMention(job, policy);
}

std::string Deliverer::AuthorMention(const Job& job, const DeliveryPolicy& policy) {
  if (!policy.map_authors || job.author_email.empty()) return "";
  std::string email = AsciiLowercase(job.author_email);
  std::optional<outbox::JiraUserEntry> cached;
  const std::int64_t now = NowMillis();
  if (outbox_->GetJiraUser(options_.site, email, now, &cached).ok() && cached) {
    return cached->found ? JiraUserMention(cached->account_id, cached->name) : "";
  }
  std::vector<jira::User> users;
  jira::ApiStatus api = client_->SearchUsers(email, &users);
  if (!api.ok()) {
    // Not worth failing the command for: the author's name is written instead.
    Log("cannot look up the Jira user of " + email + ": " + api.ToString());
    return "";
  }
  outbox::JiraUserEntry entry;
  entry.site = options_.site;
  entry.email = email;
  entry.expires_at = now + kUserCacheMillis;
  int matches = 0;
  for (const jira::User& user : users) {
    std::string theirs = AsciiLowercase(user.email);
    if (theirs != email) continue;
    ++matches;
    entry.account_id = user.account_id;
    entry.name = user.account_id.empty() ? user.name : "";
  }
  // As Atlassian: the email must match exactly one user.
  entry.found = matches == 1;
  if (!entry.found) {
    entry.account_id.clear();
    entry.name.clear();
  }
  Status status = outbox_->PutJiraUser(entry);
  if (!status.ok()) Log("cannot cache the Jira user of " + email + ": " + status.message());
  return entry.found ? JiraUserMention(entry.account_id, entry.name) : "";
}

Deliverer::Outcome Deliverer::SmartComment(const Job& job, const std::string& who,
                                           const std::string& done) {
  CommitFacts facts = FactsOf(job);
  std::vector<jira::Comment> comments;
  jira::ApiStatus api = client_->GetComments(job.key, &comments);
  if (!api.ok()) return Failure(api, "reading the comments of " + job.key);
  if (AnyCommentContains(comments, SmartCommandMarker(facts, job.command_index))) {
    return {Verdict::kDone, done + " (the comment was there already)", -1};
  }
  jira::Comment created;
  api = client_->AddComment(
      job.key, SmartCommandText(facts, job.command_index, job.command.text, who), &created);
  if (!api.ok()) return Failure(api, "commenting on " + job.key);
  return {Verdict::kDone, done, -1};
}

Deliverer::Outcome Deliverer::DeliverSmart(Job& job, const DeliveryPolicy& policy) {
  CommitFacts facts = FactsOf(job);
  const std::string marker = SmartCommandMarker(facts, job.command_index);
  switch (job.command.kind) {
    case SmartCommandKind::kComment:
      return SmartComment(job, AuthorMention(job, policy), "commented");
    case SmartCommandKind::kTime: {
      std::vector<jira::Worklog> worklogs;
      jira::ApiStatus api = client_->GetWorklogs(job.key, &worklogs);
      if (!api.ok()) return Failure(api, "reading the worklogs of " + job.key);
      for (const jira::Worklog& worklog : worklogs) {
        if (worklog.comment.find(marker) != std::string::npos) {
          return {Verdict::kDone, "work was logged already", -1};
        }
      }
      jira::Worklog created;
      api = client_->AddWorklog(
          job.key, job.command.time_spent,
          SmartCommandText(facts, job.command_index, job.command.text, AuthorMention(job, policy)),
          &created);
      if (!api.ok()) return Failure(api, "logging " + job.command.time_spent + " on " + job.key);
      return {Verdict::kDone, "logged " + job.command.time_spent, -1};
    }
    case SmartCommandKind::kTransition:
      break;
  }

  Outcome outcome;
  const std::string& written = job.command.transition;
  if (job.progress == 0) {
    jira::Issue issue;
    jira::ApiStatus api = client_->GetIssue(job.key, "transitions", "status", &issue);
    if (!api.ok()) return Failure(api, "reading " + job.key);
    std::vector<std::string> names;
    for (const jira::Transition& transition : issue.transitions) names.push_back(transition.name);
    std::vector<std::size_t> matches = MatchTransitionName(written, names);
    if (job.step == CloseStep::kTransitionSent) {
      // The answer to our POST was lost: applied when the issue is in the
      // target status, or the name no longer selects one transition from
      // where the issue is now.
      bool applied =
          matches.size() != 1 || issue.transitions[matches[0]].to.name == issue.status.name;
      job.step = CloseStep::kNone;
      if (applied) job.progress = 1;
      if (!Record(job, &outcome)) return outcome;
    }
    if (job.progress == 0) {
      if (matches.size() != 1) {
        std::string offered;
        for (const std::string& name : names) offered += (offered.empty() ? "" : ", ") + name;
        if (offered.empty()) offered = "none";
        std::string problem = matches.empty() ? "no transition named \"" + written + "\""
                                              : "\"" + written + "\" matches " +
                                                    std::to_string(matches.size()) + " transitions";
        return {Verdict::kDead,
                problem + " from status \"" + issue.status.name + "\" of " + job.key +
                    " (offered: " + offered +
                    "); fix the workflow or the name, then `jiralink queue retry " +
                    std::to_string(job.id) + "`",
                -1};
      }
      const jira::Transition& transition = issue.transitions[matches[0]];
      job.step = CloseStep::kTransitionSent;
      if (!Record(job, &outcome)) return outcome;
      api = client_->DoTransition(job.key, transition.id);
      if (!api.ok()) {
        if (SurelyNotApplied(api)) {
          job.step = CloseStep::kNone;
          if (!Record(job, &outcome)) return outcome;
        }
        return Failure(api, "transition \"" + transition.name + "\" of " + job.key);
      }
      job.step = CloseStep::kNone;
      job.progress = 1;
      if (!Record(job, &outcome)) return outcome;
    }
  }
  if (job.command.text.empty()) return {Verdict::kDone, "transitioned (#" + written + ")", -1};
  return SmartComment(job, AuthorMention(job, policy),
                      "transitioned (#" + written + ") and commented");
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
      api = client_->AddComment(job.key, MentionComment(facts, policy.comment_detail), &created);
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

bool Deliverer::Record(const Job& job, Outcome* outcome) {
  Status status = outbox_->SaveProgress(job);
  if (status.ok()) return true;
  // Lost lease: Finish's MarkRetry finds that out too and counts it.
  *outcome = {Verdict::kRetry, "recording the step of " + job.key + ": " + status.message(), -1};
  return false;
}

Deliverer::Outcome Deliverer::DeliverClose(Job& job, const DeliveryPolicy& policy) {
  if (!policy.transitions_enabled) {
    return {Verdict::kDone, "transitions are disabled: nothing to do, as on the forge", -1};
  }
  const bool custom = policy.close_mode == CloseMode::kCustom;
  const int total = custom ? static_cast<int>(policy.transition_ids.size()) : 1;
  if (total == 0) return {Verdict::kDone, "no transition ids are configured", -1};

  // Every attempt starts from what Jira shows now.
  jira::Issue issue;
  jira::ApiStatus api = client_->GetIssue(job.key, "transitions", "status,resolution", &issue);
  if (!api.ok()) return Failure(api, "reading " + job.key);
  Outcome outcome;

  if (job.step == CloseStep::kResolved) {
    // This job resolved it earlier; the comment or link did not make it.
    if (issue.resolution.empty()) {
      return {Verdict::kDone, "resolved by this job but reopened since; no solved comment", -1};
    }
    return PostSolved(job, policy);
  }

  if (!issue.resolution.empty()) {
    // Ours only if a transition of this job may have done it: its answer was
    // lost, or all were applied and the worker stopped before the re-read.
    bool maybe_ours = job.step == CloseStep::kTransitionSent || job.progress >= total;
    if (!maybe_ours) {
      return {Verdict::kDone, "already resolved (" + issue.resolution + "); nothing to do", -1};
    }
    // Another change that resolved it in between left its solved comment or
    // resolved link (its job posts them right after its transition). A person
    // resolving it by hand after our unanswered POST cannot be told apart.
    std::vector<jira::Comment> comments;
    api = client_->GetComments(job.key, &comments);
    if (!api.ok()) return Failure(api, "reading the comments of " + job.key);
    std::vector<jira::RemoteLink> links;
    api = client_->GetRemoteLinks(job.key, &links);
    if (!api.ok()) return Failure(api, "reading the remote links of " + job.key);
    CommitFacts facts = FactsOf(job);
    std::string ours = SolvedComment(facts);
    std::string global_id = RemoteLinkGlobalId(facts);
    for (const jira::Comment& comment : comments) {
      if (IsSolvedComment(comment.body) && comment.body != ours) {
        return {Verdict::kDone, "resolved by another change (" + comment.body + "); nothing to do",
                -1};
      }
    }
    for (const jira::RemoteLink& link : links) {
      if (link.resolved && IsJiralinkGlobalId(link.global_id) && link.global_id != global_id) {
        return {Verdict::kDone, "resolved by another change (" + link.title + "); nothing to do",
                -1};
      }
    }
    job.progress = total;
    job.step = CloseStep::kResolved;
    if (!Record(job, &outcome)) return outcome;
    return PostSolved(job, policy);
  }

  if (job.step == CloseStep::kTransitionSent) {
    // The last transition's answer was lost and the issue is not resolved:
    // find out whether it was applied before sending anything again.
    bool applied;
    if (custom) {
      const std::string& id = policy.transition_ids[static_cast<std::size_t>(job.progress)];
      const jira::Transition* offered = FindTransition(issue, id);
      // Applied when the issue is in its target status, or the workflow no
      // longer offers it from where the issue is.
      applied = offered == nullptr || offered->to.name == issue.status.name;
    } else {
      applied = issue.status.category.key == "done";
    }
    if (applied) ++job.progress;
    job.step = CloseStep::kNone;
    if (!Record(job, &outcome)) return outcome;
  }

  if (job.progress < total) {
    outcome = Transition(job, policy, issue);
    if (outcome.verdict != Verdict::kDone) return outcome;
    jira::Issue after;
    api = client_->GetIssue(job.key, "", "resolution", &after);
    if (!api.ok()) return Failure(api, "reading " + job.key + " after the transition");
    issue.resolution = after.resolution;
  }
  if (issue.resolution.empty()) {
    return {Verdict::kDone, "transitioned; not resolved, so no solved comment", -1};
  }
  job.step = CloseStep::kResolved;
  if (!Record(job, &outcome)) return outcome;
  return PostSolved(job, policy);
}

Deliverer::Outcome Deliverer::Transition(Job& job, const DeliveryPolicy& policy,
                                         const jira::Issue& issue) {
  const bool custom = policy.close_mode == CloseMode::kCustom;
  const int total = custom ? static_cast<int>(policy.transition_ids.size()) : 1;
  Outcome outcome;
  while (job.progress < total) {
    std::string id;
    if (custom) {
      id = policy.transition_ids[static_cast<std::size_t>(job.progress)];
    } else {
      const jira::Transition* target = DoneTransition(issue);
      if (target == nullptr) {
        // As GitLab: a workflow without a way to Done is left as it is and
        // logged. Not a failure: nothing would make a retry succeed.
        return {Verdict::kSkip,
                "no transition to Done is offered from status \"" + issue.status.name + "\" of " +
                    job.key + "; the issue is left as it is, as GitLab does",
                -1};
      }
      id = target->id;
    }
    // Recorded before the POST: if its answer is lost, or this worker dies,
    // the retry knows a transition may have been applied.
    job.step = CloseStep::kTransitionSent;
    if (!Record(job, &outcome)) return outcome;
    jira::ApiStatus api = client_->DoTransition(job.key, id);
    if (!api.ok()) {
      Outcome failure = Failure(api, "transition " + id + " of " + job.key);
      if (SurelyNotApplied(api)) {
        job.step = CloseStep::kNone;
        if (!Record(job, &outcome)) return outcome;
      }
      if (failure.verdict == Verdict::kDead && custom)
        failure.message += " (later ids not applied)";
      return failure;
    }
    job.step = CloseStep::kNone;
    ++job.progress;
    if (!Record(job, &outcome)) return outcome;
  }
  return {Verdict::kDone, "", -1};
}

Deliverer::Outcome Deliverer::PostSolved(const Job& job, const DeliveryPolicy& policy) {
  CommitFacts facts = FactsOf(job);
  std::string global_id = RemoteLinkGlobalId(facts);
  bool linked_before = false;
  if (!global_id.empty() && !facts.merge_request) {
    // As GitLab's send_message: when a link to the commit is there already
    // (its mention, from a topic branch that reached the default branch by
    // fast-forward), no comment is posted and the link is saved again, now
    // as the solved one.
    std::vector<jira::RemoteLink> links;
    jira::ApiStatus api = client_->GetRemoteLinks(job.key, &links);
    if (!api.ok()) return Failure(api, "reading the remote links of " + job.key);
    linked_before = HasLink(links, global_id) || HasLinkTo(links, job.commit_url);
  }
  if (policy.comments_enabled && !linked_before) {
    std::vector<jira::Comment> comments;
    jira::ApiStatus api = client_->GetComments(job.key, &comments);
    if (!api.ok()) return Failure(api, "reading the comments of " + job.key);
    std::string comment = SolvedComment(facts);
    if (!AnyCommentContains(comments, comment)) {
      jira::Comment created;
      api = client_->AddComment(job.key, comment, &created);
      if (!api.ok()) return Failure(api, "commenting on " + job.key);
    }
  }
  if (!global_id.empty()) {
    jira::RemoteLinkRequest link;
    link.global_id = global_id;
    link.url = job.commit_url;
    link.title = SolvedLinkTitle(facts);
    link.resolved = true;
    link.icon_title = kLinkIconTitle;
    std::int64_t id = 0;
    jira::ApiStatus api = client_->UpsertRemoteLink(job.key, link, &id);
    if (!api.ok()) return Failure(api, "linking " + job.key);
  }
  if (linked_before) {
    return {Verdict::kDone, "resolved; the commit was linked already, so no solved comment", -1};
  }
  return {Verdict::kDone, "resolved", -1};
}

Status Deliverer::Finish(const Job& job, const Outcome& outcome, DeliveryReport* report) {
  return RecordOutcome(outbox_, options_, job, outcome, report);
}

std::string DescribeJob(const Job& job) {
  if (outbox::IsDevinfoKind(job.kind)) {
    // The source says which entity: "devinfo:branch:<old>..<new>:<name>".
    std::string source = job.commit.substr(0, 120);
    return "#" + std::to_string(job.id) + " " + JobKindName(job.kind) + " (" + job.repository +
           " " + source + ")";
  }
  return "#" + std::to_string(job.id) + " " + JobKindName(job.kind) + " " + job.key + " (" +
         job.repository + " " + job.commit.substr(0, 12) + ")";
}

Status RecordOutcome(Outbox* outbox, const DeliveryOptions& options, const Job& job,
                     const JobOutcome& outcome, DeliveryReport* report) {
  auto Log = [&options](const std::string& line) {
    if (options.log) options.log(line);
  };
  Status status;
  std::int64_t now = NowMillis();
  switch (outcome.verdict) {
    case Verdict::kDone:
      status = outbox->MarkDone(job, outcome.message);
      if (status.ok()) {
        ++report->delivered;
        Log("delivered " + DescribeJob(job) + ": " + outcome.message);
      }
      break;
    case Verdict::kDead:
      status = outbox->MarkDead(job, outcome.message);
      if (status.ok()) {
        ++report->dead;
        Log("dead " + DescribeJob(job) + ": " + outcome.message);
      }
      break;
    case Verdict::kSkip:
      status = outbox->MarkSkipped(job, outcome.message);
      if (status.ok()) {
        ++report->skipped;
        Log("skipped " + DescribeJob(job) + ": " + outcome.message);
      }
      break;
    case Verdict::kRetry: {
      std::int64_t age_ms = now - job.created_at;
      bool too_old = age_ms > static_cast<std::int64_t>(options.max_age_hours) * 3600 * 1000;
      if (job.attempts >= options.max_attempts || too_old) {
        std::string reason = "gave up after " + std::to_string(job.attempts) + " attempts";
        if (too_old) reason += " and " + std::to_string(age_ms / 3600000) + " hours";
        status = outbox->MarkDead(job, reason + ": " + outcome.message);
        if (status.ok()) {
          ++report->dead;
          Log("dead " + DescribeJob(job) + ": " + reason + ": " + outcome.message);
        }
        break;
      }
      std::int64_t delay = BackoffDelayMs(job.attempts, outcome.retry_after_seconds,
                                          options.backoff, RandomJitter());
      status = outbox->MarkRetry(job, now + delay, outcome.message);
      if (status.ok()) {
        ++report->retrying;
        Log("retrying " + DescribeJob(job) + " in " + std::to_string((delay + 999) / 1000) +
            " s: " + outcome.message);
      }
      break;
    }
    case Verdict::kPause: {
      status = outbox->Release(job, outcome.message);
      if (!status.ok()) break;
      SitePause pause{options.site, outcome.message, now, now + options.pause_ms};
      status = outbox->SetPause(pause);
      report->paused = true;
      report->pause_reason = outcome.message;
      Log("paused delivery to " + options.site + ": " + outcome.message +
          " (fix the credentials, then `jiralink queue retry --all`)");
      break;
    }
  }
  if (status.code() == Status::Code::kNotFound) {
    // Our lease ran out and another worker owns the job now; it re-checks Jira.
    ++report->lost_leases;
    Log("lost the lease of " + DescribeJob(job) + "; another worker has it");
    return Status::Ok();
  }
  return status;
}

}  // namespace jiralink::delivery
