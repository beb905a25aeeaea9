// Job: one piece of Jira work queued for a source (a pushed commit, or a
// forge's merge request) and an issue key.
//
// A job is identified by (repository, source, key, kind, command index): the
// outbox never holds two jobs with the same five values, so a commit pushed again, pushed
// to another branch or kept by a rebase, or a webhook delivered again, queues
// nothing new. The source is kept in `Job::commit`: a commit's full SHA, or
// "!<iid>" for a merge request (a SHA never starts with '!'), so one unique
// key serves both producers. The command index tells a commit's Smart Commit
// commands for one key apart (0 for mention and close jobs).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "jiralink/core/smart_commit.h"

namespace jiralink::outbox {

enum class JobKind {
  kMention,       // "mentioned this issue" comment (if enabled) + remote link
  kClose,         // transition(s), then the "Issue solved" comment + link if resolved
  kSmartCommand,  // one Smart Commit command (#comment, #time, #<transition>) for one key
  // Jira Cloud's Development panel (devinfo_job.h): one entity each, sent by
  // delivery/devinfo_delivery.h, never by the comment Deliverer.
  kDevinfoCommit,        // a commit, once per repository
  kDevinfoBranch,        // a branch created or moved (one per push of it)
  kDevinfoBranchDelete,  // a branch deleted
  kDevinfoPullRequest,   // a merge request's state (one per webhook event)
};

// True for the Development-panel kinds above.
inline bool IsDevinfoKind(JobKind kind) {
  return kind == JobKind::kDevinfoCommit || kind == JobKind::kDevinfoBranch ||
         kind == JobKind::kDevinfoBranchDelete || kind == JobKind::kDevinfoPullRequest;
}

enum class JobState {
  kPending,  // waiting to be delivered (maybe leased by a worker right now)
  kDone,     // delivered (or found already delivered)
  kDead,     // given up; last_error says why; `queue retry` revives it
  kSkipped,  // nothing to do in Jira: the issue does not exist or the bot cannot
             // see it (404), or its workflow offers no transition to Done, as the
             // forge skips it; last_error says so
};

// The durable record of a close job's write in flight: saved before and
// after each transition POST (Outbox::SaveProgress), so that a retry, after a
// lost answer or a killed worker, can tell whether *this* job resolved the
// issue (then it still owes the "solved" comment and link) or another did.
enum class CloseStep {
  kNone = 0,            // no transition POST of this job is unaccounted for
  kTransitionSent = 1,  // the POST of transition number `progress` was sent and its
                        // answer not recorded (lost, or the worker died)
  kResolved = 2,        // this job's transitions resolved the issue
};

// "mention" | "close" | "smart" | "devinfo-commit" | "devinfo-branch" |
// "devinfo-branch-delete" | "devinfo-pull-request"
const char* JobKindName(JobKind kind);
const char* JobStateName(JobState state);  // "pending" | "done" | "dead" | "skipped"
bool ParseJobKind(std::string_view text, JobKind* kind);
bool ParseJobState(std::string_view text, JobState* state);

// Milliseconds since the Unix epoch (all outbox times use it).
std::int64_t NowMillis();

// An outbox time as UTC, "2026-12-01T13:56:10Z"; "-" for 0 (never).
std::string FormatMillisUtc(std::int64_t millis);

// "!<iid>": the Job::commit of a merge request's jobs.
std::string MergeRequestSource(std::int64_t iid);

struct Job {
  std::int64_t id = 0;  // assigned by the outbox
  std::string repository;
  // The source: a commit's full SHA, or "!<iid>" for a merge request (the
  // forge's merge/pull request number; see IsMergeRequest).
  std::string commit;
  std::string key;  // "PROJ-123"
  JobKind kind = JobKind::kMention;
  std::string branch;
  std::string author;
  std::string author_email;  // commits: the author's email (Smart Commits' map_authors)
  std::string message;       // the whole commit message; the title is derived from it
  std::string commit_url;
  std::string repo_url;
  std::string branch_url;
  // The Jira API URL of the repository's settings when the job was queued:
  // jobs go to the site their repository was configured with ("" = unknown,
  // from an outbox written before sites were recorded).
  std::string site;
  // Delivery order within the job's push: a push's jobs are delivered by
  // ascending position, equal positions in the order they were added. The
  // hook walks newest first, so it counts down (older commits are delivered
  // first). Pushes are delivered in the order they came.
  std::int64_t position = 0;
  // Smart-command jobs: the command's number in the commit message
  // (SmartCommitAction::index; part of the job's identity, 0 for other kinds)
  // and the command itself, as parsed when the job was queued.
  int command_index = 0;
  SmartCommand command;

  JobState state = JobState::kPending;
  int attempts = 0;                   // claims so far
  int progress = 0;                   // close jobs: transitions applied so far;
                                      // smart transitions: 1 once applied
  CloseStep step = CloseStep::kNone;  // close and smart transition jobs: see CloseStep
  std::int64_t next_attempt_at = 0;   // ms; due when <= now
  std::int64_t lease_until = 0;       // ms; a worker owns the job until then
  std::int64_t lease_token = 0;       // identifies the claim that owns the lease
  std::string last_error;             // why the last attempt failed / why it is dead
  std::int64_t created_at = 0;        // ms
  std::int64_t updated_at = 0;        // ms
};

// True when the job came from a merge request rather than a commit.
inline bool IsMergeRequest(const Job& job) { return !job.commit.empty() && job.commit[0] == '!'; }

}  // namespace jiralink::outbox
