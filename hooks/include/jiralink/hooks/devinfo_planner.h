// The Development-panel jobs of a push (outbox/devinfo_job.h), planned with
// PlanOptions::devinfo_enabled ([devinfo] enabled on a Jira Cloud site):
//
//  - a commit job for each commit the push counts (the same walk as the
//    comments, new_commits.h) whose message names at least one key, with
//    its id, short id, message, author, author time, URL, file count
//    (against its first parent) and merge flag;
//  - a branch job for each branch created or moved whose name or counted
//    commits name a key, with its new tip as the last commit;
//  - a delete job for each branch deleted (Jira accepts the delete of a
//    branch it never had).
//
// Jira needs at least one key per entity; at most
// jira::kMaxDevinfoIssueKeysPerEntity are sent, the first to appear. Every
// job of one push has the push's updateSequenceId,
// jira::DevinfoSequence(event_millis, 0): an entity appears once per push, and
// a later push of it has a later time.
//
// Cost: one git process per push besides the walk, `git log --no-walk
// --stdin --shortstat` over the commits and tips that need their facts
// (author time, parents, file count, which the walk does not read), and
// none when there are none. The push never waits for Jira: the jobs go into
// the push's one transaction with the others.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "jiralink/core/key_scanner.h"
#include "jiralink/core/status.h"
#include "jiralink/hooks/job_planner.h"
#include "jiralink/hooks/new_commits.h"
#include "jiralink/hooks/ref_update.h"
#include "jiralink/outbox/job.h"

namespace jiralink::hooks {

class DevinfoPlanner {
 public:
  // `options` and `scanner` must outlive the planner. `event_millis` is the
  // push's time (outbox::NowMillis() when the hook started).
  DevinfoPlanner(const PlanOptions& options, const KeyScanner& scanner, std::int64_t event_millis);

  // Each commit as the walk reports it.
  void AddCommit(const WalkedCommit& walked);

  // After the walk: reads the facts of the commits and branch tips from git
  // and appends the jobs to *jobs (commits, then branches, then deletes).
  // Fails when git fails; then nothing is appended.
  Status Finish(const std::string& git_dir, const std::vector<RefUpdate>& updates,
                std::vector<outbox::Job>* jobs);

 private:
  struct KeyedCommit {
    std::string sha;
    std::string branch;  // the update it was counted under
    std::vector<std::string> keys;
  };

  // Appends `keys` to *into, each once, up to the entity limit.
  static void Merge(const std::vector<std::string>& keys, std::vector<std::string>* into);

  const PlanOptions& options_;
  const KeyScanner& scanner_;
  std::int64_t event_millis_;
  std::vector<KeyedCommit> commits_;
  std::map<std::string, std::vector<std::string>> branch_keys_;  // of its counted commits
};

}  // namespace jiralink::hooks
