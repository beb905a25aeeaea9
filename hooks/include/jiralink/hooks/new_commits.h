// Finding the commits a push brought into a repository (git rev-list).
//
// "New" means reachable from a pushed branch tip but not from that branch's
// old tip nor from any ref the push did not touch. Each commit is reported
// once, under the first branch update that reaches it; the default branch's
// update is looked at first, so a commit pushed to main and to a feature
// branch at once counts as a main commit (and may close issues).
#pragma once

#include <string>
#include <vector>

#include "jiralink/core/status.h"
#include "jiralink/hooks/ref_update.h"

namespace jiralink::hooks {

struct NewCommit {
  std::string sha;
  std::string author;   // author name
  std::string message;  // raw message
};

// The new commits of one branch update, oldest first.
struct BranchCommits {
  std::string branch;       // "main"
  bool is_default = false;  // the update is to the default branch
  std::vector<NewCommit> commits;
  int skipped = 0;  // older new commits left out by the limit
};

struct WalkOptions {
  // Branch name that counts as default; empty = the repository's HEAD.
  std::string default_branch;
  // At most this many (newest) commits per branch update; <= 0 = no limit.
  int max_commits_per_update = 100;
};

struct WalkResult {
  std::string default_branch;          // as resolved
  std::vector<BranchCommits> updates;  // branch updates that are not deletions
  int ignored_updates = 0;             // tags, deletions, other refs
};

// Walks `git_dir` (a bare repository or a .git directory). Updates naming
// objects that are missing or not commits are reported in `warnings` and skipped.
Status FindNewCommits(const std::string& git_dir, const std::vector<RefUpdate>& updates,
                      const WalkOptions& options, WalkResult* result,
                      std::vector<std::string>* warnings);

}  // namespace jiralink::hooks
