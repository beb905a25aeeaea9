// Finding the commits each branch update of a push brings (git rev-list),
// counted per branch update as the forge counts them:
//
// - an existing branch updated: the commits in old..new, including commits
//   the repository already had on another branch (a fast-forward or a
//   `--no-ff` merge of a pushed topic brings the topic's commits);
// - a new branch that is not the default branch: the commits not reachable
//   from the default branch as it is after the push;
// - the default branch created: its newest commits.
//
// In each case at most WalkOptions::max_commits_per_update newest commits,
// "newest" in git's default order (by commit date, newest first). Tags,
// deletions and other refs bring nothing.
//
// A commit in the sets of several updates is reported once, under the first
// of them in walk order: the default branch's update first, then updates of
// existing branches, then new branches, each group in the order git gave
// them. A commit that reaches the default branch in this push is therefore
// reported as a default-branch commit (and may close issues).
//
// Cost: a bounded number of git processes whatever the push holds: one
// `git rev-list` for the default branch's update (and one more counting what
// the limit left out of it), and two for each group of several updates
// walked together (one for the shape of their history, one for the messages
// of the commits chosen): the updated branches other than the default
// branch, and the new branches, measured against the default branch or,
// when there is none (a fresh repository whose HEAD names no branch), taken
// whole. A push of 5,000 new branches into a fresh repository runs two.
// A lone updated or new branch is walked on its own (one more, and one to
// count). A commit that one updated branch had before the push is not
// counted again for another updated branch moved onto it in the same push.
//
// The default branch is WalkOptions::default_branch, else the one HEAD
// names. A fresh bare repository's HEAD names a branch that does not exist
// (`master`). When the default branch comes from HEAD, HEAD is unborn, the
// push creates exactly one branch and the repository has no other, HEAD is
// pointed at that branch, as the forge makes the first pushed branch the
// default (WalkResult::head_set_to). When the default branch does not exist
// otherwise, a warning says that no branch of the push is the default branch
// (closing keywords then transition nothing).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "jiralink/core/status.h"
#include "jiralink/hooks/ref_update.h"

namespace jiralink::hooks {

struct NewCommit {
  std::string sha;
  std::string author;        // author name after .mailmap (%aN)
  std::string author_email;  // author email after .mailmap (%aE)
  std::string message;       // raw message, whole
};

// The commits of one branch update.
struct BranchCommits {
  std::string branch;              // "main"
  bool is_default = false;         // the update is to the default branch
  std::vector<NewCommit> commits;  // oldest first (FindNewCommits only)
  int walked = 0;                  // commits of the update within the limit
  int skipped = 0;                 // older commits of the update left out by the limit
};

struct WalkOptions {
  // Branch name that counts as default; empty = the repository's HEAD.
  std::string default_branch;
  // At most this many (newest) commits per branch update; <= 0 = no limit.
  int max_commits_per_update = 100;
};

struct WalkResult {
  std::string default_branch;          // as resolved (empty: HEAD is detached)
  std::string head_set_to;             // the branch HEAD was pointed at, if it was
  std::vector<BranchCommits> updates;  // branch updates that are not deletions, in walk order
  int ignored_updates = 0;             // tags, deletions, other refs
};

// One commit as NewCommitStream reports it.
struct WalkedCommit {
  int update = 0;                         // index of its branch update in WalkResult::updates
  int from_newest = 0;                    // 0 for the update's newest commit, 1 for the next...
  const BranchCommits* branch = nullptr;  // its update (valid until Finish)
  NewCommit commit;
};

// The commits of a push, read while git walks them, so that the caller can
// use each one at once (the hook plans and stores its jobs meanwhile):
//
//   NewCommitStream stream;
//   Status s = stream.Start(git_dir, updates, options, &warnings);  // git starts
//   ...                                      // other set-up, while git works
//   WalkedCommit next;
//   bool end = false;
//   while (s.ok() && (s = stream.Next(&next, &end)).ok() && !end) Use(next);
//   if (s.ok()) s = stream.Finish(&result);  // counts what the limit left out
//
// Updates come in walk order (see above); each update's commits newest
// first. Updates naming objects that are missing or not commits are reported
// in `warnings` and skipped (a missing old tip is taken as a branch creation).
class NewCommitStream {
 public:
  NewCommitStream();
  ~NewCommitStream();
  NewCommitStream(const NewCommitStream&) = delete;
  NewCommitStream& operator=(const NewCommitStream&) = delete;

  // Resolves the default branch (reading HEAD unless options name it; see
  // above for an unborn HEAD) and starts git on the first branch update.
  // Fails when `git_dir` is not a repository.
  Status Start(const std::string& git_dir, const std::vector<RefUpdate>& updates,
               const WalkOptions& options, std::vector<std::string>* warnings);

  // The next commit, or *end = true after the last one.
  Status Next(WalkedCommit* next, bool* end);

  // After the last commit: the branch updates (their `commits` empty), with
  // the commits left out by the limit counted (another walk, only for the
  // updated branches that had more). *result is filled even when a count
  // fails; the error then says which update's count is missing (its
  // `skipped` is 0).
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
