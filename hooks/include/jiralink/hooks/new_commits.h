// Finding the commits a push brought into a repository (git rev-list).
//
// "New" means reachable from a pushed branch tip but not from that branch's
// old tip nor from any ref the push did not touch. Each commit is reported
// once, under the first branch update that reaches it; the default branch's
// update is looked at first, so a commit pushed to main and to a feature
// branch at once counts as a main commit (and may close issues).
#pragma once

#include <memory>
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

// The new commits of one branch update.
struct BranchCommits {
  std::string branch;              // "main"
  bool is_default = false;         // the update is to the default branch
  std::vector<NewCommit> commits;  // oldest first (FindNewCommits only)
  int walked = 0;                  // new commits reported (within the limit)
  int skipped = 0;                 // older new commits left out by the limit
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

// One commit as NewCommitStream reports it.
struct WalkedCommit {
  int update = 0;                         // index of its branch update in WalkResult::updates
  int from_newest = 0;                    // 0 for the update's newest new commit, 1 for the next...
  const BranchCommits* branch = nullptr;  // its update (valid until Finish)
  NewCommit commit;
};

// The new commits of a push, read while git walks them, so that the caller
// can use each one at once (the hook plans and stores its jobs meanwhile):
//
//   NewCommitStream stream;
//   Status s = stream.Start(git_dir, updates, options, &warnings);  // git starts
//   ...                                      // other set-up, while git works
//   WalkedCommit next;
//   bool end = false;
//   while (s.ok() && (s = stream.Next(&next, &end)).ok() && !end) Use(next);
//   if (s.ok()) s = stream.Finish(&result);  // counts what the limit left out
//
// Branch updates are walked one after the other, the default branch's first;
// each update's commits come newest first. Updates naming objects that are
// missing or not commits are reported in `warnings` and skipped.
class NewCommitStream {
 public:
  NewCommitStream();
  ~NewCommitStream();
  NewCommitStream(const NewCommitStream&) = delete;
  NewCommitStream& operator=(const NewCommitStream&) = delete;

  // Reads HEAD (unless options name the default branch) and starts git on the
  // first branch update. Fails when `git_dir` is not a repository.
  Status Start(const std::string& git_dir, const std::vector<RefUpdate>& updates,
               const WalkOptions& options, std::vector<std::string>* warnings);

  // The next new commit, or *end = true after the last one.
  Status Next(WalkedCommit* next, bool* end);

  // After the last commit: the branch updates (their `commits` empty), with
  // the commits left out by the limit counted (another walk, only for the
  // updates that had more). *result is filled even when a count fails; the
  // error then says which update's count is missing (its `skipped` is 0).
  Status Finish(WalkResult* result);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

// The whole walk at once: every update's commits, oldest first.
Status FindNewCommits(const std::string& git_dir, const std::vector<RefUpdate>& updates,
                      const WalkOptions& options, WalkResult* result,
                      std::vector<std::string>* warnings);

}  // namespace jiralink::hooks
