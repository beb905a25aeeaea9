// Outbox: the durable queue between the post-receive hook and delivery.
//
// The hook adds jobs (one transaction per push, duplicates ignored); delivery
// workers claim due jobs under a lease, then finish them (done, retry later,
// dead). A worker that dies keeps its lease until it runs out; then the job is
// due again. Delivery to one Jira site can be paused (after 401/403) and the
// pause survives restarts.
//
// This is the interface, with two implementations: sqlite_outbox.h for one
// host, postgres_outbox.h for a fleet of hosts sharing one PostgreSQL.
// Every method is safe to call from many processes at once.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "jiralink/core/status.h"
#include "jiralink/outbox/job.h"

namespace jiralink::outbox {

// A pause of delivery to one Jira site.
struct SitePause {
  std::string site;        // the Jira API URL
  std::string reason;      // Jira's answer, e.g. "HTTP 401: ..."
  std::int64_t since = 0;  // ms
  std::int64_t until = 0;  // ms; after it a worker probes Jira once and resumes if allowed
};

// A cached answer of Jira's user search by email ([smart_commits]
// map_authors): who the commit author is in Jira, or that nobody is.
struct JiraUserEntry {
  std::string site;             // the Jira API URL
  std::string email;            // as in the commit, lower-cased
  bool found = false;           // exactly one user has this email
  std::string account_id;       // Cloud
  std::string name;             // Server/Data Center user name
  std::int64_t expires_at = 0;  // ms; ignored from then on
};

struct EnqueueResult {
  int added = 0;      // new jobs
  int duplicate = 0;  // already in the outbox (same repository, commit, key, kind, command index)
  std::vector<bool> is_new;  // per job given, in order: true when it was added
};

// A Jira site with due jobs (Outbox::ListDueSites).
struct DueSite {
  std::string site;        // the Jira API URL
  std::string repository;  // one repository whose jobs go there
};

// The jobs of one push being added in one transaction (Outbox::StartEnqueue),
// as the hook finds them. Workers see none of them before Commit();
// destroying the batch without Commit() adds nothing.
//
// A store may write each job as it is added (SQLite: the hook's walk streams
// into the open transaction) or keep them and write many in one statement at
// Commit (PostgreSQL: one round trip instead of one per job). Either way the
// first Add takes the outbox's write lock, which other writers then wait for
// until the batch ends, and Commit tells which jobs were new.
class EnqueueBatch {
 public:
  virtual ~EnqueueBatch() = default;

  // Adds `job` to the batch.
  virtual Status Add(const Job& job) = 0;
  // Writes the jobs added so far, still uncommitted, when the store keeps
  // them for Commit; the caller expects more to come only later (the enqueue
  // relay, between a hook's frames), so the store's work overlaps the wait.
  virtual Status WriteAdded() { return Status::Ok(); }
  // Writes what is left and commits. (*is_new)[i] (when is_new is not null)
  // tells whether the i-th job added since StartEnqueue was new: false when
  // a job equal in (repository, commit, key, kind, command index) was in the
  // outbox already or came earlier in this batch. A batch without jobs
  // commits nothing and takes no lock.
  virtual Status Commit(std::vector<bool>* is_new) = 0;
};

// Which jobs `queue retry` revives.
enum class RetryScope { kOne, kDead, kAll };

class Outbox {
 public:
  virtual ~Outbox() = default;

  // Starts adding the jobs of one push (see EnqueueBatch). New jobs are due
  // at once.
  virtual Status StartEnqueue(std::unique_ptr<EnqueueBatch>* batch) = 0;

  // Adds all jobs in one batch; a job equal in (repository, commit, key,
  // kind, command index) to one already there is skipped.
  Status Enqueue(const std::vector<Job>& jobs, EnqueueResult* result);

  // Claims the first pending job of `site` due by `due_by` whose lease is
  // free at `now`: sets its lease to now + lease_ms and counts an attempt.
  // *job is empty when nothing is due. "First": the earliest due; among
  // those, pushes in the order they came and each push's jobs by position. (A run passes its start
  // time as due_by, so a job it retried soon does not come back in the same run.)
  virtual Status Claim(const std::string& site, std::int64_t now, std::int64_t due_by,
                       std::int64_t lease_ms, std::optional<Job>* job) = 0;

  // Finishing a claimed job. Each checks that the lease still belongs to the
  // claim (its lease_token); a lost lease gives kNotFound and changes nothing.
  virtual Status MarkDone(const Job& job, const std::string& note) = 0;
  virtual Status MarkRetry(const Job& job, std::int64_t next_attempt_at,
                           const std::string& error) = 0;
  virtual Status MarkDead(const Job& job, const std::string& reason) = 0;
  // Nothing to do for the job in Jira (JobState::kSkipped); `reason` says why.
  virtual Status MarkSkipped(const Job& job, const std::string& reason) = 0;
  // Gives the job back without counting the attempt (delivery was paused).
  virtual Status Release(const Job& job, const std::string& reason) = 0;
  // Durably records how far a close job got (job.progress and job.step), so
  // that a retry neither repeats a transition nor loses the "solved" comment.
  // Every finishing call above stores them too.
  virtual Status SaveProgress(const Job& job) = 0;

  // Listing, for `queue list` (state empty = all), newest first.
  virtual Status List(std::optional<JobState> state, int limit, std::vector<Job>* jobs) = 0;
  virtual Status Get(std::int64_t id, std::optional<Job>* job) = 0;
  // Jobs due at `now` (pending, due, lease free).
  virtual Status CountDue(std::int64_t now, int* count) = 0;
  // How many jobs the outbox holds in each state (for `serve`'s /metrics).
  // *counts gets one entry per state, 0 for a state without jobs.
  virtual Status CountByState(std::vector<std::pair<JobState, std::int64_t>>* counts) = 0;
  // The sites with jobs due at `now`, each with one of its repositories
  // (whose settings give the site's credentials), by site.
  virtual Status ListDueSites(std::int64_t now, std::vector<DueSite>* sites) = 0;
  // Repositories that have jobs without a site (see Job::site), and giving
  // them one.
  virtual Status ListRepositoriesWithoutSite(std::vector<std::string>* repositories) = 0;
  virtual Status AssignSite(const std::string& repository, const std::string& site) = 0;

  // Makes jobs due now with a fresh attempt budget: one job by id (pending,
  // dead or skipped), all dead jobs, or all pending and dead jobs (jobs
  // leased right now are left alone). Also clears every pause. *changed
  // counts the jobs revived.
  virtual Status Retry(RetryScope scope, std::int64_t id, int* changed) = 0;
  // Deletes one job; kNotFound when there is no such id.
  virtual Status Drop(std::int64_t id) = 0;
  // Deletes the done and skipped jobs last changed before `before` (ms);
  // *removed counts them. Safe for exactly-once: a commit pushed again after its job is gone
  // gets a new job, and delivery finds the work already in Jira.
  virtual Status PurgeDone(std::int64_t before, int* removed) = 0;

  // Housekeeping for the delivery worker after a round: leaves the store so
  // that the next pushes add their jobs without waiting for the disk (for
  // SQLite: folds the write-ahead log into the file and starts the next log
  // with its header already written and synced; a new log's first commit
  // syncs it twice, and that commit would otherwise be a push's). Call it
  // last before closing: this connection no longer checkpoints on close.
  virtual Status PrepareForPushes() = 0;

  // Waits up to `timeout_ms` for another process to add or revive a job
  // (a push, a webhook, `queue retry`). *told is true when the store said
  // so (PostgreSQL: LISTEN/NOTIFY); false after the timeout, or at once from
  // a store that cannot tell (SQLite), whose callers poll instead.
  virtual Status WaitForJobs(std::int64_t timeout_ms, bool* told) {
    (void)timeout_ms;
    *told = false;
    return Status::Ok();
  }
  // Whether WaitForJobs can be told of new jobs (else it returns at once).
  virtual bool CanWaitForJobs() const { return false; }

  // The request budget of one Jira site, shared by every deliverer of the
  // store (PostgreSQL: the whole fleet). ReserveRequest books the next
  // request slot: at least `interval_ms` after the slot booked before it by
  // any process, and not before a hold (HoldRequests); *at is the slot (ms),
  // which the caller waits for. Booking is atomic, so N deliverers together
  // never exceed one request per interval. HoldRequests records Jira's
  // Retry-After: no deliverer requests before `until`. A store without a
  // shared budget (SQLite: one delivery run per host at a time) gives
  // *at = now and ignores holds; its deliverer's own backoff honours Retry-After.
  virtual Status ReserveRequest(const std::string& site, std::int64_t now, std::int64_t interval_ms,
                                std::int64_t* at) {
    (void)site;
    (void)interval_ms;
    *at = now;
    return Status::Ok();
  }
  virtual Status HoldRequests(const std::string& site, std::int64_t until) {
    (void)site;
    (void)until;
    return Status::Ok();
  }

  virtual Status SetPause(const SitePause& pause) = 0;
  virtual Status GetPause(const std::string& site, std::optional<SitePause>* pause) = 0;
  virtual Status ClearPause(const std::string& site) = 0;
  virtual Status ListPauses(std::vector<SitePause>* pauses) = 0;

  // The cache of Jira users by email: the entry for (site, email) that has
  // not expired at `now`, or none.
  virtual Status GetJiraUser(const std::string& site, const std::string& email, std::int64_t now,
                             std::optional<JiraUserEntry>* entry) = 0;
  // Stores (or replaces) an entry; expired entries are deleted meanwhile.
  virtual Status PutJiraUser(const JiraUserEntry& entry) = 0;
};

// Opens an outbox when it is needed (the hook: while git walks; the enqueue
// relay: when its first request comes).
using OutboxOpener = std::function<Status(std::unique_ptr<Outbox>*)>;

}  // namespace jiralink::outbox
