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

// Takes the next whole record of kCommitFormat ("<sha>\0<author>\0<body>\0",
// followed by rev-list's newline) from text[*at...]; false when the record is
// not complete yet.
bool TakeRecord(std::string_view text, std::size_t* at, NewCommit* commit) {
  std::size_t start = *at;
  while (start < text.size() && text[start] == '\n') ++start;
  std::size_t sha_end = text.find('\0', start);
  if (sha_end == std::string_view::npos) return false;
  std::size_t author_end = text.find('\0', sha_end + 1);
  if (author_end == std::string_view::npos) return false;
  std::size_t message_end = text.find('\0', author_end + 1);
  if (message_end == std::string_view::npos) return false;
  commit->sha.assign(text.substr(start, sha_end - start));
  commit->author.assign(text.substr(sha_end + 1, author_end - sha_end - 1));
  commit->message.assign(text.substr(author_end + 1, message_end - author_end - 1));
  *at = message_end + 1;
  return true;
}

}  // namespace

class NewCommitStream::Impl {
 public:
  Status Start(const std::string& git_dir_in, const std::vector<RefUpdate>& updates,
               const WalkOptions& options, std::vector<std::string>* warnings) {
    std::error_code ec;
    git_dir_ = std::filesystem::absolute(git_dir_in, ec).string();
    options_ = options;
    warnings_ = warnings;
    updates_ = updates;
    std::string head_branch;
    if (options.default_branch.empty()) {
      Status status = HeadBranch(git_dir_, &head_branch);
      if (!status.ok()) return status;
    } else if (!std::filesystem::is_directory(git_dir_, ec)) {
      return Status::NotFound("cannot open the repository " + git_dir_ + ": no such directory");
    }
    result_.default_branch = options.default_branch.empty() ? head_branch : options.default_branch;

    // Branch updates that bring commits, the default branch's first.
    for (std::size_t i = 0; i < updates_.size(); ++i) {
      const RefUpdate& update = updates_[i];
      // Every updated ref is left out of the untouched refs (--glob).
      excludes_.push_back("--exclude=" + ExactGlob(update.ref));
      if (!update.is_branch() || update.is_delete()) {
        ++result_.ignored_updates;
        continue;
      }
      order_.push_back(i);
    }
    std::stable_partition(order_.begin(), order_.end(), [&](std::size_t i) {
      return updates_[i].branch() == result_.default_branch;
    });
    // WalkedCommit::branch points into it: no reallocation.
    result_.updates.reserve(order_.size());
    return StartWalk();
  }

  Status Next(WalkedCommit* next, bool* end) {
    *end = false;
    for (;;) {
      if (current_ >= order_.size()) {
        *end = true;
        return Status::Ok();
      }
      NewCommit commit;
      if (!past_limit_ && TakeRecord(buffer_, &parsed_, &commit)) {
        BranchCommits& branch = result_.updates.back();
        // rev-list gives one more than the limit: it tells that there are more.
        if (options_.max_commits_per_update > 0 &&
            branch.walked == options_.max_commits_per_update) {
          past_limit_ = true;
          continue;
        }
        next->update = static_cast<int>(result_.updates.size()) - 1;
        next->from_newest = branch.walked++;
        next->branch = &branch;
        next->commit = std::move(commit);
        return Status::Ok();
      }
      if (output_open_) {
        // Drop what was parsed before reading more, once it is worth a move.
        if (parsed_ > (1u << 16) && parsed_ * 2 > buffer_.size()) {
          buffer_.erase(0, parsed_);
          parsed_ = 0;
        }
        bool more = false;
        git_->Read(&buffer_, &more);
        output_open_ = more;
        continue;
      }
      Status status = EndWalk();
      if (!status.ok()) return status;
    }
  }

  Status Finish(WalkResult* result) {
    const int limit = options_.max_commits_per_update;
    Status first_error;
    // Only updates whose walk ended well have an entry.
    for (std::size_t i = 0; i < result_.updates.size() && i < count_input_.size(); ++i) {
      if (count_input_[i].empty()) continue;
      std::vector<std::string> args = {"rev-list", "--count"};
      AppendSelection(&args);
      std::string output;
      Status status = RunGit(git_dir_, args, count_input_[i], &output);
      if (!status.ok()) {
        if (first_error.ok()) first_error = status.WithContext(result_.updates[i].branch);
        continue;
      }
      result_.updates[i].skipped = std::max(0, std::atoi(output.c_str()) - limit);
    }
    *result = std::move(result_);
    result_ = WalkResult();
    return first_error;
  }

 private:
  const RefUpdate& CurrentUpdate() const { return updates_[order_[current_]]; }

  // Starts rev-list on the branch update at order_[current_], if any.
  Status StartWalk() {
    if (current_ >= order_.size()) return Status::Ok();
    const RefUpdate& update = CurrentUpdate();
    BranchCommits branch;
    branch.branch = update.branch();
    branch.is_default = branch.branch == result_.default_branch;
    result_.updates.push_back(std::move(branch));
    // Old tips of every update are hidden, and the tips walked before this
    // one: a commit is reported under the first update that reaches it.
    input_ = update.new_oid + "\n";
    for (const RefUpdate& other : updates_) {
      if (!other.is_create()) input_ += "^" + other.old_oid + "\n";
    }
    for (const std::string& tip : walked_tips_) input_ += "^" + tip + "\n";
    // git log's own order (newest first by commit date): rev-list streams it
    // as it walks, where --topo-order would first walk everything.
    std::vector<std::string> args = {"rev-list", "--no-commit-header", kCommitFormat};
    const int limit = options_.max_commits_per_update;
    if (limit > 0) args.push_back("--max-count=" + std::to_string(limit + 1));
    AppendSelection(&args);
    buffer_.clear();
    parsed_ = 0;
    past_limit_ = false;
    git_ = std::make_unique<GitProcess>();
    Status status = git_->Start(git_dir_, args, input_);
    if (!status.ok()) return status;
    output_open_ = true;
    return Status::Ok();
  }

  // git closed its output: on success, goes on with the next update.
  Status EndWalk() {
    Status status = git_->Wait();
    git_.reset();
    if (status.ok()) {
      count_input_.push_back(past_limit_ ? input_ : std::string());
      walked_tips_.push_back(CurrentUpdate().new_oid);
      ++current_;
      return StartWalk();
    }
    const std::string ref = CurrentUpdate().ref;
    // rev-list stops before its first commit at an object it does not have (a
    // garbage stdin line, an old tip pruned since): only then look the
    // objects up, and walk this update again.
    if (result_.updates.back().walked > 0 || checked_objects_) {
      return status.WithContext(ref).WithContext(git_dir_);
    }
    checked_objects_ = true;
    result_.updates.pop_back();
    Status checked = DropMissingObjects();
    if (!checked.ok()) return checked.WithContext(git_dir_);
    return StartWalk();
  }

  // Missing old tips are no longer hidden (there is nothing to hide); updates
  // whose new tip is missing are dropped with a warning. The updates walked
  // already had every object they named.
  Status DropMissingObjects() {
    std::set<std::string> oids;
    for (const RefUpdate& update : updates_) {
      if (!update.is_create()) oids.insert(update.old_oid);
      if (!update.is_delete()) oids.insert(update.new_oid);
    }
    std::set<std::string> missing;
    Status status = MissingObjects(git_dir_, oids, &missing);
    if (!status.ok()) return status;
    for (RefUpdate& update : updates_) {
      if (missing.count(update.old_oid) > 0)
        update.old_oid = std::string(update.old_oid.size(), '0');
    }
    auto is_missing = [&](std::size_t i) {
      const RefUpdate& update = updates_[i];
      if (missing.count(update.new_oid) == 0) return false;
      if (warnings_ != nullptr) {
        warnings_->push_back(update.ref + ": " + update.new_oid +
                             " is not in this repository; skipped");
      }
      return true;
    };
    auto first = order_.begin() + static_cast<std::ptrdiff_t>(current_);
    order_.erase(std::remove_if(first, order_.end(), is_missing), order_.end());
    return Status::Ok();
  }

  // Revisions from stdin, then every untouched ref as a negative.
  void AppendSelection(std::vector<std::string>* args) const {
    args->push_back("--stdin");
    args->push_back("--not");
    args->insert(args->end(), excludes_.begin(), excludes_.end());
    args->push_back("--glob=refs/*");
  }

  std::string git_dir_;
  WalkOptions options_;
  std::vector<std::string>* warnings_ = nullptr;
  std::vector<RefUpdate> updates_;
  std::vector<std::size_t> order_;  // branch updates to walk, by index in updates_
  std::size_t current_ = 0;         // the one being walked, in order_
  std::vector<std::string> excludes_;
  std::vector<std::string> walked_tips_;
  bool checked_objects_ = false;
  WalkResult result_;
  // The walk of the current update.
  std::unique_ptr<GitProcess> git_;
  std::string input_;  // its revisions
  bool output_open_ = false;
  std::string buffer_;
  std::size_t parsed_ = 0;
  bool past_limit_ = false;
  // Per walked update: its revisions when the limit left commits out.
  std::vector<std::string> count_input_;
};

NewCommitStream::NewCommitStream() : impl_(std::make_unique<Impl>()) {}
NewCommitStream::~NewCommitStream() = default;

Status NewCommitStream::Start(const std::string& git_dir, const std::vector<RefUpdate>& updates,
                              const WalkOptions& options, std::vector<std::string>* warnings) {
  return impl_->Start(git_dir, updates, options, warnings);
}

Status NewCommitStream::Next(WalkedCommit* next, bool* end) { return impl_->Next(next, end); }

Status NewCommitStream::Finish(WalkResult* result) { return impl_->Finish(result); }

Status FindNewCommits(const std::string& git_dir, const std::vector<RefUpdate>& updates,
                      const WalkOptions& options, WalkResult* result,
                      std::vector<std::string>* warnings) {
  *result = WalkResult();
  NewCommitStream stream;
  Status status = stream.Start(git_dir, updates, options, warnings);
  std::vector<std::vector<NewCommit>> commits;
  WalkedCommit next;
  bool end = false;
  while (status.ok() && (status = stream.Next(&next, &end)).ok() && !end) {
    commits.resize(static_cast<std::size_t>(next.update) + 1);
    commits[static_cast<std::size_t>(next.update)].push_back(std::move(next.commit));
  }
  if (status.ok()) status = stream.Finish(result);
  if (!status.ok()) return status;
  for (std::size_t i = 0; i < result->updates.size() && i < commits.size(); ++i) {
    std::reverse(commits[i].begin(), commits[i].end());
    result->updates[i].commits = std::move(commits[i]);
  }
  return Status::Ok();
}

}  // namespace jiralink::hooks
