// Deliverer: takes due jobs from the outbox and does their Jira work.
//
// Exactly once, in effect: the transport never resends a write (client.h),
// and before every write, on every attempt, the Deliverer reads Jira for the
// work already done (a remote link whose globalId is "jiralink:<commit url>",
// or a comment containing the commit URL — the SHA when there is no URL), so
// neither a lost answer nor a worker that died between posting and marking
// the job done makes it post twice. The remote link is an upsert by globalId.
//
// A mention job posts the "mentioned this issue" comment (when comments are
// enabled) and upserts the remote link. A close job follows the forge: an
// issue already resolved (by another commit or by hand) is left alone;
// "done" mode applies the first transition whose target status category is
// `done`; custom mode applies the ids in order and stops at the first
// failure; afterwards, only if *this job's* transitions resolved the issue,
// the "Issue solved with [sha|url]." comment and a resolved link. Which job
// resolved it is told by the step recorded before and after each transition
// POST (outbox::CloseStep) together with what Jira shows: after a lost
// transition answer, an issue that is now resolved is this job's doing
// unless another commit's "solved" comment or resolved link is there. With
// transitions disabled a close job does nothing, as on the forge (the hook
// does not mention a key it closes). In done mode, an issue that is offered
// no transition into the Done category is left as it is and the job
// skipped with that reason, as GitLab leaves it and logs it. As GitLab's
// send_message, the solved comment is not posted when the issue has a link
// to the commit already (same globalId or URL: the commit was mentioned
// from a topic branch first); the link is then saved again as the solved one.
//
// Merge-request jobs (outbox::IsMergeRequest) are delivered the same way
// with the forge's merge-request wording (comment_text.h).
//
// A smart-command job (Smart Commits, core/smart_commit.h) does one command
// for one key, with the bot as Jira's actor and the commit author named in
// the text (mentioned, with map_authors, when exactly one Jira user has the
// author's email). Each text carries SmartCommandMarker, which is what the
// re-read before a write looks for:
//  - #comment: the comment, unless a comment with the marker is there;
//  - #time: a worklog (timeSpent, the text as its comment), unless a worklog
//    with the marker is there;
//  - #<transition>: the transition whose name matches (MatchTransitionName)
//    among those Jira offers now; none or several make the job dead with the
//    names offered (`queue retry` sends it again once the workflow is
//    fixed). The POST is recorded before and after (outbox::CloseStep) as for
//    close jobs; after a lost answer the status is re-read: applied when the
//    issue is in the transition's target status or the name no longer
//    matches an offered transition. Then the text, if any, as a comment.
//
// Failures: network errors, timeouts, 5xx and 429 retry later (backoff.h);
// 404 (the issue does not exist, e.g. "UTF-8" read as a key, or the bot
// cannot see it) skips the job, as the forge does; other 4xx make the job
// dead with Jira's message; 401/403 pause the whole Jira site: the job goes
// back untouched and the run stops.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "jiralink/core/comment_text.h"
#include "jiralink/core/status.h"
#include "jiralink/delivery/backoff.h"
#include "jiralink/jira/client.h"
#include "jiralink/outbox/outbox.h"

namespace jiralink::delivery {

enum class CloseMode { kDone, kCustom };

// What to do for the jobs of one repository (from its settings).
struct DeliveryPolicy {
  bool comments_enabled = true;
  bool transitions_enabled = true;
  CommentDetail comment_detail = CommentDetail::kStandard;
  CloseMode close_mode = CloseMode::kDone;
  std::vector<std::string> transition_ids;  // custom mode, in order
  // [smart_commits] map_authors: name the commit author as the Jira user
  // with their email (a /user/search lookup, cached in the outbox).
  bool map_authors = false;
};

// How long a /user/search answer (a user, or "nobody has this email") is
// trusted.
inline constexpr std::int64_t kUserCacheMillis = 24LL * 3600 * 1000;

struct DeliveryOptions {
  // The Jira API URL: the Deliverer takes only this site's jobs (Job::site),
  // and a 401/403 pauses only this site.
  std::string site;
  int max_attempts = 20;
  int max_age_hours = 72;
  std::int64_t lease_ms = 120 * 1000;
  BackoffOptions backoff;
  // How long a 401/403 pause lasts before a worker probes Jira again
  // (`queue retry` ends it at once).
  std::int64_t pause_ms = 5 * 60 * 1000;
  // Stop after this many jobs in one run; <= 0 = until nothing is due.
  int max_jobs = 0;
  // The policy for a job's repository; unset = DeliveryPolicy{}.
  std::function<DeliveryPolicy(const outbox::Job&)> policy;
  // One line per finished job and per pause, for the operator.
  std::function<void(const std::string&)> log;
};

struct DeliveryReport {
  int delivered = 0;    // done (including "already there" and "nothing to do")
  int retrying = 0;     // failed, due again later
  int dead = 0;         // given up
  int skipped = 0;      // nothing to do: the issue does not exist or is hidden (404), or
                        // its workflow offers no transition to Done
  int lost_leases = 0;  // another worker took the job over
  bool paused = false;  // the site is paused (now or from before)
  std::string pause_reason;
};

// What one attempt at a job came to (Deliverer, DevinfoDeliverer).
enum class Verdict { kDone, kRetry, kDead, kSkip, kPause };
struct JobOutcome {
  Verdict verdict = Verdict::kDone;
  std::string message;  // note for done, error for the others
  int retry_after_seconds = -1;
};

// Records `outcome` of a claimed `job` in the outbox: done, skipped, dead,
// due again after a backoff (BackoffDelayMs; dead instead once it had
// options.max_attempts attempts or is older than options.max_age_hours), or
// given back untouched with options.site paused for options.pause_ms.
// Counts it in *report and logs one line. A lease lost meanwhile is counted
// (report->lost_leases), not an error.
Status RecordOutcome(outbox::Outbox* outbox, const DeliveryOptions& options, const outbox::Job& job,
                     const JobOutcome& outcome, DeliveryReport* report);

// "#12 mention PROJ-1 (platform/api 0123456789ab)", for log lines.
std::string DescribeJob(const outbox::Job& job);

class Deliverer {
 public:
  // Neither pointer is owned; both must outlive the Deliverer.
  Deliverer(outbox::Outbox* outbox, jira::Client* client, DeliveryOptions options);

  // Delivers due jobs until none is due, the site is paused or max_jobs is
  // reached. Fails only when the outbox fails.
  Status RunOnce(DeliveryReport* report);

 private:
  using Outcome = JobOutcome;

  // What a failed Jira call means for the job: retry, dead or pause.
  static Outcome Failure(const jira::ApiStatus& api, const std::string& what);

  // True when delivery may go on; probes Jira when an old pause ran out.
  Status CheckPause(DeliveryReport* report, bool* may_deliver);
  Outcome Deliver(outbox::Job& job);
  Outcome DeliverMention(const outbox::Job& job, const DeliveryPolicy& policy);
  Outcome DeliverClose(outbox::Job& job, const DeliveryPolicy& policy);
  // The close job's transitions, from job.progress on, each POST recorded
  // before and after; `issue` holds its transitions (expand=transitions).
  Outcome Transition(outbox::Job& job, const DeliveryPolicy& policy, const jira::Issue& issue);
  Outcome DeliverSmart(outbox::Job& job, const DeliveryPolicy& policy);
  // The smart command's text as a comment, unless one with its marker is there.
  Outcome SmartComment(const outbox::Job& job, const std::string& who, const std::string& done);
  // Who to name in a smart command's text: the Jira mention of the author
  // with map_authors when exactly one user has their email, else "".
  std::string AuthorMention(const outbox::Job& job, const DeliveryPolicy& policy);
  // The "solved" comment and resolved link, each only when not there yet.
  Outcome PostSolved(const outbox::Job& job, const DeliveryPolicy& policy);
  // Durably records job.progress and job.step; false (with *outcome) when
  // the lease was lost or the outbox failed: then nothing more is written.
  bool Record(const outbox::Job& job, Outcome* outcome);
  Status Finish(const outbox::Job& job, const Outcome& outcome, DeliveryReport* report);
  void Log(const std::string& line) const;

  outbox::Outbox* outbox_;
  jira::Client* client_;
  DeliveryOptions options_;
};

}  // namespace jiralink::delivery
