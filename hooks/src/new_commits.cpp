#include "jiralink/hooks/new_commits.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <queue>
#include <set>
#include <sstream>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

#include "git_command.h"

namespace jiralink::hooks {

namespace {

// Ends each field with NUL: a commit message may hold any other byte.
constexpr const char* kCommitFormat = "--format=%H%x00%aN%x00%aE%x00%B%x00";
// The shape of a walk: "<sha> <commit time> <parent>..." per line.
constexpr const char* kShapeFormat = "--format=%H %ct %P";

bool IsHexId(std::string_view text) {
  if (text.size() != 40 && text.size() != 64) return false;
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

std::string FirstLineOf(const std::string& path) {
  std::ifstream file(path);
  std::string line;
  std::getline(file, line);
  return line;
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

// Where refs/heads/<branch> points; empty when there is no such branch.
// Read from the ref files when they answer plainly (a loose ref, or a small
// packed-refs), else asked of git (another ref backend, a symbolic branch).
std::string BranchTip(const std::string& git_dir, const std::string& branch) {
  namespace fs = std::filesystem;
  const std::string ref = "refs/heads/" + branch;
  std::error_code ec;
  if (!fs::exists(git_dir + "/reftable", ec)) {
    const fs::path loose = fs::path(git_dir) / ref;
    if (fs::is_regular_file(loose, ec)) {
      std::string line = FirstLineOf(loose.string());
      if (IsHexId(line)) return line;
    } else if (!fs::exists(loose, ec)) {
      // Not loose: packed, or no such branch.
      const std::string packed = git_dir + "/packed-refs";
      std::uintmax_t size = fs::file_size(packed, ec);
      if (ec) return "";  // no packed-refs: no such branch
      if (size <= (1u << 20)) {
        std::ifstream file(packed);
        std::string line;
        const std::string suffix = " " + ref;
        while (std::getline(file, line)) {
          if (line.size() > suffix.size() &&
              line.compare(line.size() - suffix.size(), suffix.size(), suffix) == 0) {
            std::string id = line.substr(0, line.size() - suffix.size());
            if (IsHexId(id)) return id;
          }
        }
        return "";
      }
    }
  }
  std::string output;
  if (!RunGit(git_dir, {"show-ref", "--verify", "--hash", ref}, "", &output).ok()) return "";
  output.erase(output.find_last_not_of('\n') + 1);
  return IsHexId(output) ? output : "";
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

// Reads records of kCommitFormat ("<sha>\0<author>\0<email>\0<body>\0", each followed
// by rev-list's newline) from git's output as it comes. A record is only
// searched from where the last search stopped, so a message of many
// megabytes arriving in pieces is scanned once.
class RecordReader {
 public:
  void Reset() {
    buffer_.clear();
    start_ = 0;
    scanned_ = 0;
    ends_ = 0;
  }

  std::string* buffer() {
    // Drop what was taken before reading more, once it is worth a move.
    if (start_ > (1u << 16) && start_ * 2 > buffer_.size()) {
      buffer_.erase(0, start_);
      scanned_ -= start_;
      for (std::size_t i = 0; i < ends_; ++i) end_[i] -= start_;
      start_ = 0;
    }
    return &buffer_;
  }

  // The next whole record; false when it has not all arrived yet.
  bool Take(NewCommit* commit) {
    if (ends_ == 0) {
      while (start_ < buffer_.size() && buffer_[start_] == '\n') ++start_;
      if (scanned_ < start_) scanned_ = start_;
    }
    while (ends_ < 4) {
      std::size_t nul = buffer_.find('\0', scanned_);
      if (nul == std::string::npos) {
        scanned_ = buffer_.size();
        return false;
      }
      end_[ends_++] = nul;
      scanned_ = nul + 1;
    }
    commit->sha.assign(buffer_, start_, end_[0] - start_);
    commit->author.assign(buffer_, end_[0] + 1, end_[1] - end_[0] - 1);
    commit->author_email.assign(buffer_, end_[1] + 1, end_[2] - end_[1] - 1);
    commit->message.assign(buffer_, end_[2] + 1, end_[3] - end_[2] - 1);
    start_ = end_[3] + 1;
    scanned_ = start_;
    ends_ = 0;
    return true;
  }

 private:
  std::string buffer_;
  std::size_t start_ = 0;    // where the next record begins
  std::size_t scanned_ = 0;  // searched for NULs up to here
  std::size_t end_[4] = {};  // the NULs of the record found so far
  std::size_t ends_ = 0;
};

// The history of several tips down to what they exclude, as `git rev-list
// --format=%H %ct %P` gives it, and each tip's walk over it as git would
// walk it alone.
class Shape {
 public:
  // Parses the output; false on a line of another shape.
  bool Parse(const std::string& text) {
    std::vector<std::vector<std::string_view>> parents;
    std::size_t at = 0;
    while (at < text.size()) {
      std::size_t end = text.find('\n', at);
      if (end == std::string::npos) end = text.size();
      std::string_view line(text.data() + at, end - at);
      at = end + 1;
      if (line.empty()) continue;
      std::vector<std::string_view> words;
      std::size_t from = 0;
      while (from <= line.size()) {
        std::size_t space = line.find(' ', from);
        if (space == std::string_view::npos) space = line.size();
        if (space > from) words.push_back(line.substr(from, space - from));
        from = space + 1;
      }
      if (words.size() < 2 || !IsHexId(words[0])) return false;
      index_.emplace(std::string(words[0]), static_cast<int>(nodes_.size()));
      nodes_.push_back(Node{std::string(words[0]), std::atoll(std::string(words[1]).c_str()), {}});
      parents.emplace_back(words.begin() + 2, words.end());
    }
    // Parents outside the walk are excluded: they are left out.
    for (std::size_t i = 0; i < nodes_.size(); ++i) {
      for (std::string_view parent : parents[i]) {
        auto found = index_.find(std::string(parent));
        if (found != index_.end()) nodes_[i].parents.push_back(found->second);
      }
    }
    seen_.assign(nodes_.size(), -1);
    return true;
  }

  const std::string& Sha(int node) const { return nodes_[static_cast<std::size_t>(node)].sha; }

  // The newest `limit` (<= 0: all) commits of `tip` in git's default order
  // (the newest commit date first; equal dates in the order they were
  // reached), and how many commits `tip` has here in all (counted only when
  // the limit leaves some out; else the number chosen).
  void Walk(const std::string& tip, int limit, std::vector<int>* chosen, int* total) {
    chosen->clear();
    *total = 0;
    auto found = index_.find(tip);
    if (found == index_.end()) return;  // the tip is excluded itself
    const int walk = ++walks_;
    // (date, -order reached, node): the largest comes first.
    std::priority_queue<std::tuple<std::int64_t, std::int64_t, int>> queue;
    std::int64_t reached = 0;
    auto reach = [&](int node) {
      seen_[static_cast<std::size_t>(node)] = walk;
      queue.emplace(nodes_[static_cast<std::size_t>(node)].date, -reached++, node);
    };
    reach(found->second);
    bool more = false;
    while (!queue.empty()) {
      if (limit > 0 && static_cast<int>(chosen->size()) == limit) {
        more = true;
        break;
      }
      int node = std::get<2>(queue.top());
      queue.pop();
      chosen->push_back(node);
      for (int parent : nodes_[static_cast<std::size_t>(node)].parents) {
        if (seen_[static_cast<std::size_t>(parent)] != walk) reach(parent);
      }
    }
    *total = static_cast<int>(chosen->size());
    if (!more) return;
    // Count the rest: everything reachable from the tip here.
    const int count = ++walks_;
    std::vector<int> stack = {found->second};
    seen_[static_cast<std::size_t>(found->second)] = count;
    *total = 0;
    while (!stack.empty()) {
      int node = stack.back();
      stack.pop_back();
      ++*total;
      for (int parent : nodes_[static_cast<std::size_t>(node)].parents) {
        if (seen_[static_cast<std::size_t>(parent)] == count) continue;
        seen_[static_cast<std::size_t>(parent)] = count;
        stack.push_back(parent);
      }
    }
  }

 private:
  struct Node {
    std::string sha;
    std::int64_t date = 0;
    std::vector<int> parents;
  };
  std::vector<Node> nodes_;
  std::unordered_map<std::string, int> index_;
  std::vector<int> seen_;  // the walk that last reached each node
  int walks_ = 0;
};

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
    if (options.default_branch.empty()) {
      Status status = HeadBranch(git_dir_, &default_branch_);
      if (!status.ok()) return status;
    } else if (!std::filesystem::is_directory(git_dir_, ec)) {
      return Status::NotFound("cannot open the repository " + git_dir_ + ": no such directory");
    } else {
      default_branch_ = options.default_branch;
    }
    for (std::size_t i = 0; i < updates_.size(); ++i) {
      const RefUpdate& update = updates_[i];
      if (!update.is_branch() || update.is_delete()) {
        ++result_.ignored_updates;
        continue;
      }
      order_.push_back(i);
    }
    if (!order_.empty()) FindDefaultTip();
    result_.default_branch = default_branch_;
    // WalkedCommit::branch points into it: no reallocation.
    result_.updates.reserve(order_.size());
    Plan();
    return StartStep();
  }

  Status Next(WalkedCommit* next, bool* end) {
    *end = false;
    for (;;) {
      if (current_ >= order_.size()) {
        *end = true;
        return Status::Ok();
      }
      if (batch_ ? TakeBatchRecord(next) : TakeSingleRecord(next)) return Status::Ok();
      if (!status_.ok()) return status_;
      if (output_open_) {
        bool more = false;
        git_->Read(reader_.buffer(), &more);
        output_open_ = more;
        continue;
      }
      Status status = EndStep();
      if (!status.ok()) return status;
    }
  }

  Status Finish(WalkResult* result) {
    const int limit = options_.max_commits_per_update;
    Status first_error;
    // Only updates whose walk ended well have an entry.
    for (std::size_t i = 0; i < result_.updates.size() && i < count_input_.size(); ++i) {
      if (count_input_[i].empty()) continue;
      std::string output;
      Status status =
          RunGit(git_dir_, {"rev-list", "--count", "--stdin"}, count_input_[i], &output);
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
  // What an update's commits are measured against (see new_commits.h).
  enum class Base {
    kOldTip,       // old..new
    kDefaultTip,   // not reachable from the default branch
    kWholeBranch,  // the newest commits of the branch
  };

  Base BaseOf(const RefUpdate& update) const {
    if (!update.is_create()) return Base::kOldTip;
    if (update.branch() == default_branch_ || default_tip_.empty()) return Base::kWholeBranch;
    return Base::kDefaultTip;
  }

  void Warn(const std::string& warning) {
    if (warnings_ != nullptr) warnings_->push_back(warning);
  }

  // The default branch's tip after the push (default_tip_), from the push
  // itself when it updates the branch, else from the repository. An unborn
  // HEAD is pointed at the one branch of a first push; otherwise a missing
  // default branch is a warning.
  void FindDefaultTip() {
    bool in_push = false;
    for (const RefUpdate& update : updates_) {
      if (!default_branch_.empty() && update.is_branch() && update.branch() == default_branch_) {
        in_push = true;
        default_tip_ = update.is_delete() ? "" : update.new_oid;
      }
    }
    if (!in_push && !default_branch_.empty()) default_tip_ = BranchTip(git_dir_, default_branch_);
    if (!default_tip_.empty()) return;
    const bool from_head = options_.default_branch.empty();
    if (from_head && !in_push && !default_branch_.empty() && order_.size() == 1 &&
        updates_[order_[0]].is_create() && PointHeadAtFirstBranch(updates_[order_[0]])) {
      return;
    }
    std::string what =
        from_head ? (default_branch_.empty()
                         ? "HEAD does not name a branch"
                         : "HEAD names refs/heads/" + default_branch_ + ", which does not exist")
                  : "[git] default_branch names \"" + default_branch_ +
                        "\", which this repository does not have";
    Warn(what +
         ": no branch of this push counts as the default branch, so closing keywords transition "
         "nothing. Point HEAD at the default branch (git symbolic-ref HEAD refs/heads/<branch>) "
         "or set [git] default_branch");
  }

  // HEAD is unborn and the push creates one branch: when the repository has
  // no other branch, HEAD is pointed at it.
  bool PointHeadAtFirstBranch(const RefUpdate& update) {
    std::string branches;
    if (!RunGit(git_dir_, {"for-each-ref", "--count=2", "--format=%(refname)", "refs/heads/"}, "",
                &branches)
             .ok() ||
        branches != update.ref + "\n") {
      return false;
    }
    std::string ignored;
    Status status = RunGit(git_dir_, {"symbolic-ref", "HEAD", update.ref}, "", &ignored);
    if (!status.ok()) {
      Warn("cannot point HEAD at " + update.ref + ": " + status.message());
      return false;
    }
    default_branch_ = update.branch();
    default_tip_ = update.new_oid;
    result_.head_set_to = default_branch_;
    return true;
  }

  // Orders the updates not walked yet (see Group), and decides which groups
  // are walked together: the updated branches other than the default one
  // when there are several, and the new branches when there are several
  // (whether or not there is a default branch to measure them against).
  void Plan() {
    auto rest = order_.begin() + static_cast<std::ptrdiff_t>(current_);
    int in_group[3] = {0, 0, 0};
    for (auto it = rest; it != order_.end(); ++it) ++in_group[Group(*it)];
    for (int group = 0; group < 3; ++group) together_[group] = group > 0 && in_group[group] >= 2;
    std::stable_sort(rest, order_.end(),
                     [&](std::size_t a, std::size_t b) { return Group(a) < Group(b); });
  }

  // Walk order: the default branch, updated branches, new branches.
  int Group(std::size_t i) const {
    const RefUpdate& update = updates_[i];
    if (update.branch() == default_branch_) return 0;
    return BaseOf(update) == Base::kOldTip ? 1 : 2;
  }

  // The revisions `git rev-list --stdin` walks for one update.
  std::string Revisions(const RefUpdate& update) const {
    switch (BaseOf(update)) {
      case Base::kOldTip:
        return update.new_oid + "\n^" + update.old_oid + "\n";
      case Base::kDefaultTip:
        return update.new_oid + "\n^" + default_tip_ + "\n";
      case Base::kWholeBranch:
        break;
    }
    return update.new_oid + "\n";
  }

  BranchCommits& AddResult(const RefUpdate& update) {
    BranchCommits branch;
    branch.branch = update.branch();
    branch.is_default = branch.branch == default_branch_;
    result_.updates.push_back(std::move(branch));
    return result_.updates.back();
  }

  // Starts git on order_[current_] (alone, or with the updates after it).
  Status StartStep() {
    if (current_ >= order_.size()) return Status::Ok();
    reader_.Reset();
    status_ = Status::Ok();
    batch_ = together_[Group(order_[current_])];
    if (batch_) return StartBatch();
    const RefUpdate& update = updates_[order_[current_]];
    AddResult(update);
    input_ = Revisions(update);
    // git log's own order (newest first by commit date): rev-list streams it
    // as it walks, where --topo-order would first walk everything.
    std::vector<std::string> args = {"rev-list", "--no-commit-header", kCommitFormat};
    const int limit = options_.max_commits_per_update;
    if (limit > 0) args.push_back("--max-count=" + std::to_string(limit + 1));
    args.push_back("--stdin");
    past_limit_ = false;
    return StartGit(args, input_);
  }

  Status StartGit(const std::vector<std::string>& args, std::string input) {
    git_ = std::make_unique<GitProcess>();
    Status status = git_->Start(git_dir_, args, std::move(input));
    if (!status.ok()) return status;
    output_open_ = true;
    return Status::Ok();
  }

  // The updates of order_[current_]'s group walked together: one walk for
  // the shape of their history (every tip, less what they are measured
  // against: the default branch's tip for new branches, every old tip for
  // updated ones), each update's commits chosen from it as its own walk
  // would choose them, then one walk for the messages of the commits chosen.
  //
  // Updated branches: the shape leaves out what any of them had before the
  // push, so a commit that branch B already had is not counted again for
  // branch A moved onto it in the same push; it was counted when it came
  // (the default branch, which may close issues, is always walked alone).
  Status StartBatch() {
    const int group = Group(order_[current_]);
    batch_end_ = current_;
    while (batch_end_ < order_.size() && Group(order_[batch_end_]) == group) ++batch_end_;
    std::string revisions;
    std::set<std::string> negated;
    for (std::size_t i = current_; i < batch_end_; ++i) {
      const RefUpdate& update = updates_[order_[i]];
      revisions += update.new_oid + "\n";
      if (group == 1) negated.insert(update.old_oid);
    }
    if (group == 2 && !default_tip_.empty()) negated.insert(default_tip_);
    for (const std::string& oid : negated) revisions += "^" + oid + "\n";
    expected_.clear();
    next_expected_ = 0;
    std::string text;
    Status status = RunGit(git_dir_, {"rev-list", "--no-commit-header", kShapeFormat, "--stdin"},
                           revisions, &text);
    if (!status.ok()) return Recover(status, 0);
    Shape shape;
    if (!shape.Parse(text)) return Status::Internal("git rev-list gave an unexpected line");
    const int limit = options_.max_commits_per_update;
    std::string chosen_shas;
    std::vector<int> chosen;
    for (std::size_t i = current_; i < batch_end_; ++i) {
      BranchCommits& branch = AddResult(updates_[order_[i]]);
      int total = 0;
      shape.Walk(updates_[order_[i]].new_oid, limit, &chosen, &total);
      branch.walked = static_cast<int>(chosen.size());
      branch.skipped = total - branch.walked;
      for (std::size_t rank = 0; rank < chosen.size(); ++rank) {
        const std::string& sha = shape.Sha(chosen[rank]);
        if (!reported_.insert(sha).second) continue;
        expected_.push_back(
            {static_cast<int>(result_.updates.size()) - 1, static_cast<int>(rank), sha});
        chosen_shas += sha + "\n";
      }
      count_input_.emplace_back();  // counted already
    }
    if (expected_.empty()) {
      output_open_ = false;
      return Status::Ok();
    }
    return StartGit(
        {"rev-list", "--no-walk=unsorted", "--no-commit-header", kCommitFormat, "--stdin"},
        chosen_shas);
  }

  bool TakeSingleRecord(WalkedCommit* next) {
    BranchCommits& branch = result_.updates.back();
    NewCommit commit;
    while (!past_limit_ && reader_.Take(&commit)) {
      // rev-list gives one more than the limit: it tells that there are more.
      if (options_.max_commits_per_update > 0 && branch.walked == options_.max_commits_per_update) {
        past_limit_ = true;
        break;
      }
      const int rank = branch.walked++;
      // A commit reported under an earlier update is not reported again.
      if (!reported_.insert(commit.sha).second) continue;
      next->update = static_cast<int>(result_.updates.size()) - 1;
      next->from_newest = rank;
      next->branch = &branch;
      next->commit = std::move(commit);
      return true;
    }
    return false;
  }

  bool TakeBatchRecord(WalkedCommit* next) {
    NewCommit commit;
    if (!reader_.Take(&commit)) return false;
    if (next_expected_ >= expected_.size()) {
      status_ = Status::Internal("git rev-list gave more commits than asked for");
      return false;
    }
    const Expected& expected = expected_[next_expected_++];
    if (commit.sha != expected.sha) {
      status_ = Status::Internal("git rev-list gave " + commit.sha + " where " + expected.sha +
                                 " was asked for");
      return false;
    }
    next->update = expected.update;
    next->from_newest = expected.from_newest;
    next->branch = &result_.updates[static_cast<std::size_t>(expected.update)];
    next->commit = std::move(commit);
    return true;
  }

  // git closed its output: on success, goes on with the next step.
  Status EndStep() {
    Status status = git_ ? git_->Wait() : Status::Ok();
    git_.reset();
    if (status.ok() && batch_ && next_expected_ != expected_.size()) {
      status = Status::Internal("git rev-list gave fewer commits than asked for");
    }
    if (status.ok()) {
      if (batch_) {
        current_ = batch_end_;
        expected_.clear();  // reported for good: a later step's failure keeps them
        next_expected_ = 0;
        batch_ = false;
        return StartStep();
      }
      count_input_.push_back(past_limit_ ? input_ : std::string());
      ++current_;
      return StartStep();
    }
    // rev-list stops before its first commit at an object it does not have
    // (a garbage stdin line, an old tip pruned since): only then look the
    // objects up, and walk the updates not walked yet again.
    bool reported = batch_ ? next_expected_ > 0 : result_.updates.back().walked > 0;
    std::size_t added = batch_ ? batch_end_ - current_ : 1;
    if (reported) checked_objects_ = true;
    return Recover(status, added);
  }

  // After a walk of order_[current_] (and, in a batch, the updates after it)
  // failed, having added `added` entries to result_.updates: the first time,
  // drops what names missing objects and walks the rest again.
  Status Recover(const Status& failure, std::size_t added) {
    if (checked_objects_) {
      const std::string what = !batch_                        ? updates_[order_[current_]].ref
                               : Group(order_[current_]) == 1 ? "updated branches"
                                                              : "new branches";
      return failure.WithContext(what).WithContext(git_dir_);
    }
    checked_objects_ = true;
    result_.updates.resize(result_.updates.size() - added);
    for (const Expected& expected : expected_) reported_.erase(expected.sha);
    expected_.clear();
    count_input_.resize(std::min(count_input_.size(), result_.updates.size()));
    Status checked = DropMissingObjects();
    if (!checked.ok()) return checked.WithContext(git_dir_);
    Plan();
    return StartStep();
  }

  // Missing old tips are taken as branch creations (there is nothing to
  // measure against); updates whose new tip is missing are dropped with a
  // warning. The updates walked already had every object they named.
  Status DropMissingObjects() {
    std::set<std::string> oids;
    for (const RefUpdate& update : updates_) {
      if (!update.is_create()) oids.insert(update.old_oid);
      if (!update.is_delete()) oids.insert(update.new_oid);
    }
    if (!default_tip_.empty()) oids.insert(default_tip_);
    std::set<std::string> missing;
    Status status = MissingObjects(git_dir_, oids, &missing);
    if (!status.ok()) return status;
    for (RefUpdate& update : updates_) {
      if (missing.count(update.old_oid) > 0)
        update.old_oid = std::string(update.old_oid.size(), '0');
    }
    if (missing.count(default_tip_) > 0) default_tip_.clear();
    auto is_missing = [&](std::size_t i) {
      const RefUpdate& update = updates_[i];
      if (missing.count(update.new_oid) == 0) return false;
      Warn(update.ref + ": " + update.new_oid + " is not in this repository; skipped");
      return true;
    };
    auto first = order_.begin() + static_cast<std::ptrdiff_t>(current_);
    order_.erase(std::remove_if(first, order_.end(), is_missing), order_.end());
    return Status::Ok();
  }

  // A commit a walk of several updates is to report, in order.
  struct Expected {
    int update = 0;  // in result_.updates
    int from_newest = 0;
    std::string sha;
  };

  std::string git_dir_;
  WalkOptions options_;
  std::vector<std::string>* warnings_ = nullptr;
  std::vector<RefUpdate> updates_;
  std::string default_branch_;
  std::string default_tip_;         // after the push; empty = none
  std::vector<std::size_t> order_;  // branch updates to walk, by index in updates_
  std::size_t current_ = 0;         // the first not walked yet, in order_
  bool together_[3] = {};           // per Group: its updates are walked together
  bool checked_objects_ = false;
  std::unordered_set<std::string> reported_;  // commits reported so far
  WalkResult result_;
  // The current step: one update, or (batch_) the updates of one group
  // together, order_[current_] to order_[batch_end_ - 1].
  bool batch_ = false;
  std::size_t batch_end_ = 0;
  std::unique_ptr<GitProcess> git_;
  std::string input_;  // its revisions (one update)
  bool output_open_ = false;
  RecordReader reader_;
  bool past_limit_ = false;
  std::vector<Expected> expected_;
  std::size_t next_expected_ = 0;
  Status status_;
  // Per update in result_.updates: its revisions when the limit left commits
  // out of a walk of it alone (counted at Finish).
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
    if (commits.size() <= static_cast<std::size_t>(next.update)) {
      commits.resize(static_cast<std::size_t>(next.update) + 1);
    }
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
