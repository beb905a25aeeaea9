#include "jiralink/hooks/pre_receive_policy.h"

#include <fnmatch.h>

#include <algorithm>
#include <cctype>
#include <unordered_map>

#include <re2/re2.h>

#include "git_command.h"
#include "jiralink/core/comment_text.h"
#include "jiralink/core/jql.h"
#include "jiralink/core/terminal_text.h"
#include "jiralink/core/text.h"
#include "jiralink/jira/client.h"

namespace jiralink::hooks {

namespace {

// Every field ends with NUL: a message may hold any other byte. No %h: git
// proves each abbreviation unique by looking in every object directory
// (quarantine, repository, alternates), which cost more than the rest of
// the walk; the short SHA is the forge's short id instead.
constexpr const char* kPolicyFormat = "--format=%H%x00%P%x00%an%x00%ae%x00%B%x00";
constexpr std::size_t kFields = 5;

// The title as the rejection shows it, in screen columns.
constexpr int kTitleColumns = 50;

std::string FirstLine(std::string_view message) {
  std::size_t end = message.find('\n');
  return std::string(message.substr(0, end));
}

std::string Join(const std::vector<std::string>& values) {
  std::string text;
  for (const std::string& value : values) text += (text.empty() ? "" : ", ") + value;
  return text;
}

// Reads kPolicyFormat records from git's output as it comes; each byte is
// searched for NUL once, however the record arrives.
class RecordSplitter {
 public:
  std::string* buffer() {
    if (start_ > (1u << 16) && start_ * 2 > buffer_.size()) {
      buffer_.erase(0, start_);
      scanned_ -= start_;
      for (std::size_t i = 0; i < found_; ++i) ends_[i] -= start_;
      start_ = 0;
    }
    return &buffer_;
  }

  // The fields of the next whole record; false until it has all arrived.
  bool Take(std::string_view (&fields)[kFields]) {
    if (found_ == 0) {
      while (start_ < buffer_.size() && buffer_[start_] == '\n') ++start_;
      scanned_ = std::max(scanned_, start_);
    }
    while (found_ < kFields) {
      std::size_t nul = buffer_.find('\0', scanned_);
      if (nul == std::string::npos) {
        scanned_ = buffer_.size();
        return false;
      }
      ends_[found_++] = nul;
      scanned_ = nul + 1;
    }
    std::size_t from = start_;
    for (std::size_t i = 0; i < kFields; ++i) {
      fields[i] = std::string_view(buffer_).substr(from, ends_[i] - from);
      from = ends_[i] + 1;
    }
    start_ = from;
    scanned_ = start_;
    found_ = 0;
    return true;
  }

  bool empty() const { return buffer_.find_first_not_of('\n', start_) == std::string::npos; }

 private:
  std::string buffer_;
  std::size_t start_ = 0;
  std::size_t scanned_ = 0;
  std::size_t ends_[kFields] = {};
  std::size_t found_ = 0;
};

// The keys among `keys` that Jira's 400 messages name as unknown or
// invalid ("An issue with key 'X-1' does not exist for field 'key'.",
// "The issue key 'x' for field 'key' is invalid.").
std::set<std::string> KeysNamedIn(const jira::ApiStatus& status,
                                  const std::vector<std::string>& keys) {
  std::set<std::string> named;
  for (const std::string& message : status.error_messages) {
    for (const std::string& key : keys) {
      if (message.find("'" + key + "'") != std::string::npos) named.insert(key);
    }
  }
  return named;
}

}  // namespace

bool BranchMatchesAny(std::string_view branch, const std::vector<std::string>& globs) {
  const std::string name(branch);
  return std::any_of(globs.begin(), globs.end(), [&](const std::string& glob) {
    return ::fnmatch(glob.c_str(), name.c_str(), 0) == 0;
  });
}

namespace {

// A moved issue answers a search for its old key under its new one, so the
// old key looks unknown. Only when the search returned a key nobody asked
// for (the sign of a move) are the keys it left out asked for one by one
// (GET /issue/{key} follows a move too), at most kMaxMovedLookups of them.
constexpr std::size_t kMaxMovedLookups = 20;

void ResolveMovedKeys(jira::Client& client, const std::vector<std::string>& wanted,
                      std::map<std::string, std::pair<std::string, std::string>>* found,
                      IssueLookup* lookup) {
  const std::set<std::string> asked(wanted.begin(), wanted.end());
  bool moved = false;
  for (const auto& entry : *found) moved = moved || asked.count(entry.first) == 0;
  if (!moved) return;
  std::size_t asked_again = 0;
  for (const std::string& key : wanted) {
    if (found->count(key) > 0) continue;
    if (asked_again++ == kMaxMovedLookups) break;
    jira::Issue issue;
    ++lookup->issue_requests;
    jira::ApiStatus status = client.GetIssue(key, "", "status", &issue);
    if (!status.ok()) continue;  // 404: no such issue after all
    (*found)[key] = {issue.status.category.name, issue.status.category.key};
    lookup->moved[key] = issue.key;
  }
}

}  // namespace

IssueLookup LookUpIssueCategories(jira::Client& client, const std::vector<std::string>& keys) {
  IssueLookup lookup;
  std::vector<std::string> wanted = keys;
  // At most two rounds: the second only after a 400 naming unknown keys.
  for (int round = 0; round < 2 && !wanted.empty(); ++round) {
    jira::SearchRequest request;
    request.jql = jql::IssueKeysJql(wanted);
    request.fields = {"status"};
    request.max_results = static_cast<int>(std::min<std::size_t>(wanted.size(), 1000));
    std::map<std::string, std::pair<std::string, std::string>> found;
    jira::ApiStatus status;
    for (;;) {
      jira::SearchPage page;
      ++lookup.searches;
      status = client.Search(request, &page);
      if (!status.ok()) break;
      for (const jira::Issue& issue : page.issues) {
        found[issue.key] = {issue.status.category.name, issue.status.category.key};
      }
      const int got = static_cast<int>(page.issues.size());
      // Further pages only when Jira capped this one below what was asked.
      if (page.is_last || got == 0 || found.size() >= wanted.size()) break;
      request.start_at += got;
      request.next_page_token = page.next_page_token;
    }
    if (status.ok()) {
      lookup.answered = true;
      ResolveMovedKeys(client, wanted, &found, &lookup);
      lookup.categories.insert(found.begin(), found.end());
      return lookup;
    }
    std::set<std::string> unknown =
        status.http_status == 400 ? KeysNamedIn(status, wanted) : std::set<std::string>();
    if (unknown.empty()) {
      lookup.answered = false;
      lookup.problem = status.ToString();
      return lookup;
    }
    std::erase_if(wanted, [&](const std::string& key) { return unknown.count(key) > 0; });
    if (wanted.empty()) {
      lookup.answered = true;  // every key is unknown: none is in categories
      return lookup;
    }
  }
  lookup.answered = false;
  lookup.problem = "Jira refused the search for " + Join(wanted);
  return lookup;
}

PushPolicy::~PushPolicy() = default;

Status PushPolicy::Create(const PolicyOptions& options, std::unique_ptr<PushPolicy>* out) {
  std::unique_ptr<PushPolicy> policy(new PushPolicy());
  policy->options_ = options;
  Status status = KeyScanner::Create(options.matching, &policy->scanner_);
  if (!status.ok()) return status;
  if (!options.exempt_message.empty()) {
    RE2::Options re2_options;
    re2_options.set_log_errors(false);
    auto compiled = std::make_unique<re2::RE2>(options.exempt_message, re2_options);
    if (!compiled->ok()) {
      return Status::InvalidArgument("[policy] exempt_message does not compile in RE2: " +
                                     compiled->error());
    }
    policy->exempt_message_ = std::move(compiled);
  }
  *out = std::move(policy);
  return Status::Ok();
}

bool PushPolicy::checks_anything() const {
  return !options_.require_key.empty() || !options_.allowed_states.empty();
}

bool PushPolicy::IsExemptAuthor(const std::string& name, const std::string& email) const {
  for (const std::string& entry : options_.exempt_authors) {
    if (entry.find('@') != std::string::npos ? AsciiLowercase(entry) == AsciiLowercase(email)
                                             : entry == name) {
      return true;
    }
  }
  return false;
}

void PushPolicy::Classify(std::string_view message, PolicyCommit* commit) const {
  commit->title = FirstLine(message);
  commit->exempt = IsExemptAuthor(commit->author_name, commit->author_email) ||
                   (exempt_message_ != nullptr && RE2::PartialMatch(message, *exempt_message_));
  commit->keys = commit->exempt ? std::vector<std::string>() : scanner_->UniqueKeys(message);
}

Status PushPolicy::ReadCommits(const std::string& git_dir, const std::vector<RefUpdate>& updates,
                               std::vector<PolicyCommit>* commits) const {
  commits->clear();
  std::string tips;
  std::set<std::string> seen;
  for (const RefUpdate& update : updates) {
    if (!update.is_branch() || update.is_delete()) continue;
    if (seen.insert(update.new_oid).second) tips += update.new_oid + "\n";
  }
  if (tips.empty()) return Status::Ok();

  // The tips come on stdin (a push may update thousands of branches); they
  // count as included, `--not --all` excludes every ref as it was before
  // the push (pre-receive runs before any ref moves).
  GitProcess git;
  Status status = git.Start(
      git_dir, {"rev-list", "--no-commit-header", kPolicyFormat, "--stdin", "--not", "--all"},
      std::move(tips));
  if (!status.ok()) return status;
  // Each commit's parents as git wrote them ("<sha> <sha>"), split only by
  // the walk below: one string per commit, not one per parent.
  std::vector<std::string> parents;
  RecordSplitter splitter;
  std::string_view fields[kFields];
  bool more = true;
  while (more) {
    git.Read(splitter.buffer(), &more);
    while (splitter.Take(fields)) {
      PolicyCommit commit;
      commit.sha = std::string(fields[0]);
      commit.short_sha = commit.sha.substr(0, kShortShaLength);
      commit.author_name = std::string(fields[2]);
      commit.author_email = std::string(fields[3]);
      Classify(fields[4], &commit);
      parents.emplace_back(fields[1]);
      commits->push_back(std::move(commit));
    }
  }
  status = git.Wait();
  if (!status.ok()) return status.WithContext(git_dir);
  if (!splitter.empty()) return Status::Internal("git rev-list ended inside a commit record");

  // Which commits a protected branch's new tip reaches (within the new ones).
  // Keys view the commits' shas, which stay put from here on.
  std::unordered_map<std::string_view, std::size_t> index;
  for (std::size_t i = 0; i < commits->size(); ++i) index.emplace((*commits)[i].sha, i);
  std::vector<char> reached(commits->size(), 0);
  for (const RefUpdate& update : updates) {
    if (!update.is_branch() || update.is_delete()) continue;
    const std::string branch = update.branch();
    if (!BranchMatchesAny(branch, options_.require_key)) continue;
    auto tip = index.find(update.new_oid);
    if (tip == index.end()) continue;  // nothing new on it
    std::vector<std::size_t> stack = {tip->second};
    std::fill(reached.begin(), reached.end(), 0);
    reached[tip->second] = 1;
    while (!stack.empty()) {
      std::size_t at = stack.back();
      stack.pop_back();
      PolicyCommit& commit = (*commits)[at];
      if (commit.required_on.empty()) commit.required_on = branch;
      for (std::string_view list = parents[at]; !list.empty();) {
        const std::size_t space = list.find(' ');
        auto found = index.find(list.substr(0, space));
        list = space == std::string_view::npos ? std::string_view() : list.substr(space + 1);
        if (found == index.end() || reached[found->second] != 0) continue;
        reached[found->second] = 1;
        stack.push_back(found->second);
      }
    }
  }
  return Status::Ok();
}

PolicyVerdict PushPolicy::Judge(const std::vector<PolicyCommit>& commits,
                                const IssueLookupFn& lookup) const {
  PolicyVerdict verdict;
  verdict.commits = static_cast<int>(commits.size());
  std::vector<std::string> keys;
  std::set<std::string> distinct;
  for (const PolicyCommit& commit : commits) {
    if (commit.exempt) {
      ++verdict.exempt;
      continue;
    }
    if (options_.allowed_states.empty()) continue;
    for (const std::string& key : commit.keys) {
      if (distinct.insert(key).second) keys.push_back(key);
    }
  }

  IssueLookup found;
  bool states_known = false;
  if (!keys.empty()) {
    found = lookup(keys);
    verdict.searches = found.searches;
    states_known = found.answered;
    if (!found.answered) {
      const std::string what = "Jira could not be asked about " + Join(keys) + ": " +
                               (found.problem.empty() ? "no answer" : found.problem);
      if (options_.reject_when_jira_unreachable) {
        verdict.problems.push_back(what + " ([policy] on_jira_unreachable = \"reject\")");
      } else {
        verdict.warnings.push_back(what + "; the push is accepted without that check ([policy] " +
                                   "on_jira_unreachable = \"allow\")");
      }
    }
  }
  std::vector<std::string> allowed;
  for (const std::string& state : options_.allowed_states) allowed.push_back(AsciiLowercase(state));

  for (const PolicyCommit& commit : commits) {
    if (commit.exempt) continue;
    PolicyViolation violation;
    if (!commit.required_on.empty() && commit.keys.empty()) {
      violation.reasons.push_back("names no Jira issue key (required on " + commit.required_on +
                                  ")");
    }
    if (states_known) {
      for (const std::string& key : commit.keys) {
        auto it = found.categories.find(key);
        if (it == found.categories.end()) {
          violation.reasons.push_back(key + ": no such issue");
          continue;
        }
        const auto& [name, category_key] = it->second;
        bool ok =
            std::find(allowed.begin(), allowed.end(), AsciiLowercase(name)) != allowed.end() ||
            std::find(allowed.begin(), allowed.end(), AsciiLowercase(category_key)) !=
                allowed.end();
        if (!ok) {
          auto moved = found.moved.find(key);
          const std::string shown =
              moved == found.moved.end() ? key : key + " (now " + moved->second + ")";
          violation.reasons.push_back(shown + " is " + (name.empty() ? category_key : name) +
                                      " (allowed: " + Join(options_.allowed_states) + ")");
        }
      }
    }
    if (violation.reasons.empty()) continue;
    violation.sha = commit.sha;
    violation.short_sha = commit.short_sha;
    violation.title = commit.title;
    verdict.violations.push_back(std::move(violation));
  }
  verdict.refused = !verdict.violations.empty() || !verdict.problems.empty();
  return verdict;
}

Status PushPolicy::CheckPush(const std::string& git_dir, std::string_view input,
                             const IssueLookupFn& lookup, PolicyVerdict* verdict) const {
  *verdict = PolicyVerdict();
  std::vector<std::string> warnings;
  std::vector<RefUpdate> updates = ParseRefUpdates(input, &warnings);
  std::vector<PolicyCommit> commits;
  if (checks_anything()) {
    Status status = ReadCommits(git_dir, updates, &commits);
    if (!status.ok()) {
      verdict->warnings = std::move(warnings);
      return status;
    }
  }
  *verdict = Judge(commits, lookup);
  verdict->warnings.insert(verdict->warnings.begin(), warnings.begin(), warnings.end());
  return Status::Ok();
}

std::vector<std::string> RejectionLines(const PolicyVerdict& verdict, std::size_t max_commits) {
  std::vector<std::string> lines;
  if (!verdict.refused) return lines;
  const std::size_t count = verdict.violations.size();
  lines.push_back(count == 0 ? std::string("push refused by the Jira policy:")
                             : "push refused by the Jira policy: " + std::to_string(count) +
                                   (count == 1 ? " commit breaks it" : " commits break it") + ":");
  for (std::size_t i = 0; i < count && i < max_commits; ++i) {
    const PolicyViolation& violation = verdict.violations[i];
    std::string title =
        TruncateToColumns(SafeTerminalText(violation.title, LineBreaks::kFlatten), kTitleColumns);
    std::string reasons;
    for (const std::string& reason : violation.reasons) {
      reasons += (reasons.empty() ? "" : "; ") + reason;
    }
    lines.push_back("  " + violation.short_sha + " " + title + ": " +
                    SafeTerminalText(reasons, LineBreaks::kFlatten));
  }
  if (count > max_commits) {
    lines.push_back("  and " + std::to_string(count - max_commits) + " more commit" +
                    (count - max_commits == 1 ? "" : "s"));
  }
  for (const std::string& problem : verdict.problems) {
    lines.push_back(SafeTerminalText(problem, LineBreaks::kFlatten));
  }
  if (count > 0) {
    lines.push_back(
        "Name an existing, open Jira issue in each of these commit messages (`git commit "
        "--amend`, or `git rebase -i` for older commits), then push again.");
  } else {
    lines.push_back("Push again when Jira answers, or ask an administrator about [policy].");
  }
  return lines;
}

}  // namespace jiralink::hooks
