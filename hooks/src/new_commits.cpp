#include "jiralink/hooks/new_commits.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>

#include "git_command.h"

namespace jiralink::hooks {

namespace {

// Ends each field with NUL: a commit message may hold any other byte.
constexpr const char* kCommitFormat = "--format=%H%x00%an%x00%B%x00";

// A --exclude pattern matching exactly `ref` (git's ref names cannot hold
// glob characters, but stdin is not trusted).
std::string ExactGlob(const std::string& ref) {
  std::string pattern;
  for (char c : ref) {
    if (c == '*' || c == '?' || c == '[' || c == '\\') pattern.push_back('\\');
    pattern.push_back(c);
  }
  return pattern;
}

// The branch HEAD names, from HEAD's file when it is the classic
// "ref: refs/heads/<name>" symref, else by asking git (other ref backends
// keep a placeholder there). Empty when HEAD is detached.
Status HeadBranch(const std::string& git_dir, std::string* branch) {
  branch->clear();
  constexpr std::string_view kPrefix = "ref: refs/heads/";
  std::ifstream file(git_dir + "/HEAD");
  std::string line;
  if (!std::getline(file, line)) {
    return Status::NotFound("cannot open the repository " + git_dir + ": not a git repository");
  }
  if (line.rfind(kPrefix, 0) == 0 && line != "ref: refs/heads/.invalid") {
    *branch = line.substr(kPrefix.size());
    return Status::Ok();
  }
  std::string output;
  if (!RunGit(git_dir, {"symbolic-ref", "--quiet", "HEAD"}, "", &output).ok()) {
    return Status::Ok();  // detached
  }
  output.erase(output.find_last_not_of('\n') + 1);
  if (output.rfind("refs/heads/", 0) == 0) *branch = output.substr(11);
  return Status::Ok();
}

// Splits rev-list output of kCommitFormat records ("<sha>\0<author>\0<body>\0",
// each followed by rev-list's newline) into commits, newest first.
std::vector<NewCommit> ParseCommits(std::string_view text) {
  std::vector<NewCommit> commits;
  std::size_t at = 0;
  auto field = [&](std::string* out) {
    std::size_t end = text.find('\0', at);
    if (end == std::string_view::npos) return false;
    out->assign(text.substr(at, end - at));
    at = end + 1;
    return true;
  };
  for (;;) {
    while (at < text.size() && text[at] == '\n') ++at;
    NewCommit commit;
    if (!field(&commit.sha) || !field(&commit.author) || !field(&commit.message)) break;
    commits.push_back(std::move(commit));
  }
  return commits;
}

// Of `oids`, the ones this repository does not have.
Status MissingObjects(const std::string& git_dir, const std::set<std::string>& oids,
                      std::set<std::string>* missing) {
  std::string input;
  for (const std::string& oid : oids) input += oid + "\n";
  std::string output;
  Status status = RunGit(git_dir, {"cat-file", "--batch-check=%(objectname)"}, input, &output);
  if (!status.ok()) return status;
  // Answers come in input order: "<oid>" or "<oid> missing".
  std::size_t at = 0;
  while (at < output.size()) {
    std::size_t end = output.find('\n', at);
    if (end == std::string::npos) end = output.size();
    std::string_view line(output.data() + at, end - at);
    constexpr std::string_view kMissing = " missing";
    if (line.size() > kMissing.size() && line.substr(line.size() - kMissing.size()) == kMissing) {
      missing->insert(std::string(line.substr(0, line.size() - kMissing.size())));
    }
    at = end + 1;
  }
  return Status::Ok();
}

// The walk of one push, once the objects it names are known to exist.
class PushWalk {
 public:
  PushWalk(std::string git_dir, const WalkOptions& options)
      : git_dir_(std::move(git_dir)), options_(options) {}

  // Old tips of every update are hidden; so is every ref the push did not
  // touch (rev-list's --glob, minus the updated refs).
  void HideOldTips(const std::vector<RefUpdate>& updates) {
    for (const RefUpdate& update : updates) {
      excludes_.push_back("--exclude=" + ExactGlob(update.ref));
      if (!update.is_create()) hidden_.push_back(update.old_oid);
    }
  }

  // The new commits of one branch update; its tip is hidden from the ones after.
  Status WalkBranch(const RefUpdate& update, BranchCommits* branch) {
    const int limit = options_.max_commits_per_update;
    std::string revisions = update.new_oid + "\n";
    for (const std::string& oid : hidden_) revisions += "^" + oid + "\n";
    // git log's own order (newest first by commit date): rev-list streams it
    // as it walks, where --topo-order would first walk everything.
    std::vector<std::string> args = {"rev-list", "--no-commit-header", kCommitFormat};
    // One more than the limit tells whether any were left out.
    if (limit > 0) args.push_back("--max-count=" + std::to_string(limit + 1));
    AppendSelection(&args);
    std::string output;
    Status status = RunGit(git_dir_, args, revisions, &output);
    if (!status.ok()) return status.WithContext(update.ref);
    branch->commits = ParseCommits(output);
    if (limit > 0 && static_cast<int>(branch->commits.size()) > limit) {
      branch->commits.resize(static_cast<std::size_t>(limit));
      std::vector<std::string> count_args = {"rev-list", "--count"};
      AppendSelection(&count_args);
      status = RunGit(git_dir_, count_args, revisions, &output);
      if (!status.ok()) return status.WithContext(update.ref);
      branch->skipped = std::max(0, std::atoi(output.c_str()) - limit);
    }
    std::reverse(branch->commits.begin(), branch->commits.end());
    hidden_.push_back(update.new_oid);
    return Status::Ok();
  }

 private:
  // Revisions from stdin, then every untouched ref as a negative.
  void AppendSelection(std::vector<std::string>* args) const {
    args->push_back("--stdin");
    args->push_back("--not");
    args->insert(args->end(), excludes_.begin(), excludes_.end());
    args->push_back("--glob=refs/*");
  }

  std::string git_dir_;
  WalkOptions options_;
  std::vector<std::string> excludes_;
  std::vector<std::string> hidden_;
};

// Drops the updates whose objects are missing: a missing new tip is reported,
// a missing old tip is simply not hidden (there is nothing to hide).
Status DropMissingObjects(const std::string& git_dir, std::vector<RefUpdate>* updates,
                          std::vector<const RefUpdate*>* branch_updates,
                          std::vector<std::string>* warnings) {
  std::set<std::string> oids;
  for (const RefUpdate& update : *updates) {
    if (!update.is_create()) oids.insert(update.old_oid);
    if (!update.is_delete()) oids.insert(update.new_oid);
  }
  std::set<std::string> missing;
  Status status = MissingObjects(git_dir, oids, &missing);
  if (!status.ok()) return status;
  for (RefUpdate& update : *updates) {
    if (missing.count(update.old_oid) > 0) update.old_oid = std::string(update.old_oid.size(), '0');
  }
  auto is_missing = [&](const RefUpdate* update) {
    if (missing.count(update->new_oid) == 0) return false;
    if (warnings != nullptr) {
      warnings->push_back(update->ref + ": " + update->new_oid +
                          " is not in this repository; skipped");
    }
    return true;
  };
  branch_updates->erase(std::remove_if(branch_updates->begin(), branch_updates->end(), is_missing),
                        branch_updates->end());
  return Status::Ok();
}

}  // namespace

Status FindNewCommits(const std::string& git_dir_in, const std::vector<RefUpdate>& updates_in,
                      const WalkOptions& options, WalkResult* result,
                      std::vector<std::string>* warnings) {
  *result = WalkResult();
  std::error_code ec;
  const std::string git_dir = std::filesystem::absolute(git_dir_in, ec).string();
  std::string head_branch;
  if (options.default_branch.empty()) {
    Status status = HeadBranch(git_dir, &head_branch);
    if (!status.ok()) return status;
  } else if (!std::filesystem::is_directory(git_dir, ec)) {
    return Status::NotFound("cannot open the repository " + git_dir + ": no such directory");
  }
  result->default_branch = options.default_branch.empty() ? head_branch : options.default_branch;

  // Branch updates that bring commits, the default branch's first.
  std::vector<RefUpdate> updates = updates_in;
  std::vector<const RefUpdate*> branch_updates;
  for (const RefUpdate& update : updates) {
    if (!update.is_branch() || update.is_delete()) {
      ++result->ignored_updates;
      continue;
    }
    branch_updates.push_back(&update);
  }
  std::stable_partition(branch_updates.begin(), branch_updates.end(),
                        [&](const RefUpdate* u) { return u->branch() == result->default_branch; });
  if (branch_updates.empty()) return Status::Ok();

  // rev-list stops at an object it does not have (a garbage stdin line, an
  // old tip pruned since): only then look the objects up, and walk again.
  for (int attempt = 0;; ++attempt) {
    PushWalk walk(git_dir, options);
    walk.HideOldTips(updates);
    Status status;
    std::vector<BranchCommits> walked;
    for (const RefUpdate* update : branch_updates) {
      BranchCommits branch;
      branch.branch = update->branch();
      branch.is_default = branch.branch == result->default_branch;
      status = walk.WalkBranch(*update, &branch);
      if (!status.ok()) break;
      walked.push_back(std::move(branch));
    }
    if (status.ok()) {
      result->updates = std::move(walked);
      return Status::Ok();
    }
    if (attempt > 0) return status.WithContext(git_dir);
    Status checked = DropMissingObjects(git_dir, &updates, &branch_updates, warnings);
    if (!checked.ok()) return checked.WithContext(git_dir);
  }
}

}  // namespace jiralink::hooks
