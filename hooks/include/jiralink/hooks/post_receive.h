// The post-receive hook's whole job, without settings files or processes:
// parse git's stdin, walk the new commits, plan jobs, add them to the outbox
// in one transaction. The CLI wraps it (settings, detached delivery).
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "jiralink/core/key_scanner.h"
#include "jiralink/core/status.h"
#include "jiralink/hooks/job_planner.h"
#include "jiralink/hooks/new_commits.h"
#include "jiralink/outbox/outbox.h"

namespace jiralink::hooks {

struct PostReceiveOptions {
  std::string git_dir;  // the bare repository (absolute path)
  MatchingOptions matching;
  WalkOptions walk;
  PlanOptions plan;  // plan.repository names the repository: config::RepositoryName()
};

struct PostReceiveSummary {
  int branch_updates = 0;             // branch creations and updates looked at
  int new_commits = 0;                // commits looked at (each once, after the limit)
  int skipped_commits = 0;            // older commits left out by the limit (all updates)
  int mentions_queued = 0;            // new mention jobs
  int closes_queued = 0;              // new close jobs
  int smart_commands_queued = 0;      // new smart-command jobs
  int devinfo_queued = 0;             // new Development-panel jobs (devinfo_planner.h)
  int already_queued = 0;             // jobs that were in the outbox already
  int commits_over_key_limit = 0;     // commits naming more than kMaxKeysPerSource keys
  int keys_left_out = 0;              // the keys of those commits past the limit
  std::vector<std::string> warnings;  // bad stdin lines, odd refs, no default branch
  std::vector<std::string> notes;     // what the hook did besides queueing (HEAD set)
};

// The most a push's planned jobs hold in memory before they are written.
inline constexpr std::size_t kMaxHeldJobBytes = 64u << 20;

// Opens the outbox; RunPostReceive calls it while git walks.
using outbox::OutboxOpener;
// Starts the push's batch (e.g. outbox::StartRelayedEnqueue); RunPostReceive
// calls it while git walks.
using BatchStarter = std::function<Status(std::unique_ptr<outbox::EnqueueBatch>*)>;

// Never loses a valid stdin line: bad lines become warnings. Fails only when
// the repository cannot be read, the matching settings are invalid, or the
// outbox cannot be opened or written; then nothing of the push is queued.
//
// Git is read first: the outbox (or relay) is opened while git walks, the
// jobs are planned as git reports the commits (newest first, each with the
// Job::position that delivers them oldest first), and all are added and
// committed in one short transaction after git's last line, so that the
// outbox's write lock is never held while git walks. Only a push whose jobs
// would hold more than kMaxHeldJobBytes in memory starts writing earlier.
// Concurrent pushes wait for the lock (the store's busy timeout); none is
// dropped for it.
Status RunPostReceive(const PostReceiveOptions& options, std::string_view stdin_text,
                      const OutboxOpener& open_outbox, PostReceiveSummary* summary);

// The same with the batch `start_batch` gives.
Status RunPostReceive(const PostReceiveOptions& options, std::string_view stdin_text,
                      const BatchStarter& start_batch, PostReceiveSummary* summary);

// The same with an outbox that is open already.
Status RunPostReceive(const PostReceiveOptions& options, std::string_view stdin_text,
                      outbox::Outbox* outbox, PostReceiveSummary* summary);

// The one line shown to the pusher, e.g. "jiralink: 3 Jira mentions queued";
// empty when the push updated no branch.
std::string SummaryLine(const PostReceiveSummary& summary, int max_commits_per_update);

}  // namespace jiralink::hooks
