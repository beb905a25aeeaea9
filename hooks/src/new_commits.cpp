#include "jiralink/hooks/new_commits.h"

#include <git2.h>

#include <algorithm>
#include <memory>
#include <set>

namespace jiralink::hooks {

namespace {

template <typename T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using RepoPtr = std::unique_ptr<git_repository, Deleter<git_repository, git_repository_free>>;
using WalkPtr = std::unique_ptr<git_revwalk, Deleter<git_revwalk, git_revwalk_free>>;
using CommitPtr = std::unique_ptr<git_commit, Deleter<git_commit, git_commit_free>>;
using ObjectPtr = std::unique_ptr<git_object, Deleter<git_object, git_object_free>>;
using RefPtr = std::unique_ptr<git_reference, Deleter<git_reference, git_reference_free>>;
using RefIterPtr = std::unique_ptr<git_reference_iterator,
                                   Deleter<git_reference_iterator, git_reference_iterator_free>>;

std::string LastGitError() {
  const git_error* error = git_error_last();
  return error != nullptr && error->message != nullptr ? error->message : "unknown libgit2 error";
}

// Keeps libgit2 initialised for the lifetime of a walk.
class LibGit2 {
 public:
  LibGit2() { git_libgit2_init(); }
  ~LibGit2() { git_libgit2_shutdown(); }
};

// Peels the object named by `hex` to a commit; false when it is missing or
// not a commit (a tag of a tree, a blob).
bool PeelToCommit(git_repository* repo, const std::string& hex, git_oid* commit_oid) {
  git_oid oid;
  if (git_oid_fromstr(&oid, hex.c_str()) != 0) return false;
  git_object* raw = nullptr;
  if (git_object_lookup(&raw, repo, &oid, GIT_OBJECT_ANY) != 0) return false;
  ObjectPtr object(raw);
  git_object* peeled_raw = nullptr;
  if (git_object_peel(&peeled_raw, object.get(), GIT_OBJECT_COMMIT) != 0) return false;
  ObjectPtr peeled(peeled_raw);
  git_oid_cpy(commit_oid, git_object_id(peeled.get()));
  return true;
}

// The branch HEAD points at ("main"), or empty when HEAD is detached or odd.
std::string HeadBranch(git_repository* repo) {
  git_reference* raw = nullptr;
  if (git_reference_lookup(&raw, repo, "HEAD") != 0) return "";
  RefPtr head(raw);
  if (git_reference_type(head.get()) != GIT_REFERENCE_SYMBOLIC) return "";
  std::string target = git_reference_symbolic_target(head.get());
  constexpr std::string_view kPrefix = "refs/heads/";
  if (target.compare(0, kPrefix.size(), kPrefix) != 0) return "";
  return target.substr(kPrefix.size());
}

// Commits reachable from every ref the push did not update.
Status CollectUntouchedTips(git_repository* repo, const std::set<std::string>& updated_refs,
                            std::vector<git_oid>* tips) {
  git_reference_iterator* raw_iter = nullptr;
  if (git_reference_iterator_new(&raw_iter, repo) != 0) {
    return Status::IOError("cannot list refs: " + LastGitError());
  }
  RefIterPtr iter(raw_iter);
  git_reference* raw_ref = nullptr;
  while (git_reference_next(&raw_ref, iter.get()) == 0) {
    RefPtr ref(raw_ref);
    if (updated_refs.count(git_reference_name(ref.get())) > 0) continue;
    git_object* raw_peeled = nullptr;
    if (git_reference_peel(&raw_peeled, ref.get(), GIT_OBJECT_COMMIT) != 0) continue;
    ObjectPtr peeled(raw_peeled);
    tips->push_back(*git_object_id(peeled.get()));
  }
  return Status::Ok();
}

NewCommit ReadCommit(git_repository* repo, const git_oid& oid) {
  NewCommit out;
  char hex[GIT_OID_HEXSZ + 1];
  git_oid_tostr(hex, sizeof(hex), &oid);
  out.sha = hex;
  git_commit* raw = nullptr;
  if (git_commit_lookup(&raw, repo, &oid) == 0) {
    CommitPtr commit(raw);
    const git_signature* author = git_commit_author(commit.get());
    if (author != nullptr && author->name != nullptr) out.author = author->name;
    const char* message = git_commit_message(commit.get());
    if (message != nullptr) out.message = message;
  }
  return out;
}

}  // namespace

Status FindNewCommits(const std::string& git_dir, const std::vector<RefUpdate>& updates,
                      const WalkOptions& options, WalkResult* result,
                      std::vector<std::string>* warnings) {
  *result = WalkResult();
  LibGit2 libgit2;
  git_repository* raw_repo = nullptr;
  if (git_repository_open_ext(&raw_repo, git_dir.c_str(), GIT_REPOSITORY_OPEN_NO_SEARCH, nullptr) !=
      0) {
    return Status::NotFound("cannot open the repository " + git_dir + ": " + LastGitError());
  }
  RepoPtr repo(raw_repo);
  result->default_branch =
      options.default_branch.empty() ? HeadBranch(repo.get()) : options.default_branch;

  // Branch updates that bring commits, the default branch's first.
  std::vector<const RefUpdate*> branch_updates;
  std::set<std::string> updated_refs;
  for (const RefUpdate& update : updates) {
    updated_refs.insert(update.ref);
    if (!update.is_branch() || update.is_delete()) {
      ++result->ignored_updates;
      continue;
    }
    branch_updates.push_back(&update);
  }
  std::stable_partition(branch_updates.begin(), branch_updates.end(),
                        [&](const RefUpdate* u) { return u->branch() == result->default_branch; });

  // Hidden for every update: the old tips and every ref the push left alone.
  std::vector<git_oid> hidden;
  Status status = CollectUntouchedTips(repo.get(), updated_refs, &hidden);
  if (!status.ok()) return status.WithContext(git_dir);
  for (const RefUpdate& update : updates) {
    git_oid oid;
    if (!update.is_create() && PeelToCommit(repo.get(), update.old_oid, &oid)) {
      hidden.push_back(oid);
    }
  }

  git_revwalk* raw_walk = nullptr;
  if (git_revwalk_new(&raw_walk, repo.get()) != 0) {
    return Status::Internal("cannot start a revwalk: " + LastGitError());
  }
  WalkPtr walk(raw_walk);
  for (const RefUpdate* update : branch_updates) {
    git_oid tip;
    if (!PeelToCommit(repo.get(), update->new_oid, &tip)) {
      if (warnings != nullptr) {
        warnings->push_back(update->ref + ": " + update->new_oid +
                            " is not a commit in this repository; skipped");
      }
      continue;
    }
    git_revwalk_reset(walk.get());
    git_revwalk_sorting(walk.get(), GIT_SORT_TOPOLOGICAL | GIT_SORT_TIME);
    for (const git_oid& oid : hidden) git_revwalk_hide(walk.get(), &oid);
    if (git_revwalk_push(walk.get(), &tip) != 0) {
      return Status::Internal(update->ref + ": revwalk failed: " + LastGitError());
    }
    BranchCommits branch;
    branch.branch = update->branch();
    branch.is_default = branch.branch == result->default_branch;
    git_oid oid;
    int limit = options.max_commits_per_update;
    while (git_revwalk_next(&oid, walk.get()) == 0) {
      if (limit > 0 && static_cast<int>(branch.commits.size()) >= limit) {
        ++branch.skipped;
      } else {
        branch.commits.push_back(ReadCommit(repo.get(), oid));
      }
    }
    std::reverse(branch.commits.begin(), branch.commits.end());
    // A commit is reported under the first update that reaches it.
    hidden.push_back(tip);
    result->updates.push_back(std::move(branch));
  }
  return Status::Ok();
}

}  // namespace jiralink::hooks
