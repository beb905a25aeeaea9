#include "jiralink/hooks/job_planner.h"

#include <algorithm>
#include <unordered_set>

#include "jiralink/core/comment_text.h"

namespace jiralink::hooks {

using outbox::Job;
using outbox::JobKind;

std::vector<KeyJob> PlanCommitKeys(const NewCommit& commit, bool on_default_branch,
                                   const KeyScanner& scanner, const ClosingKeywords* closing,
                                   const PlanOptions& options,
                                   std::vector<std::string>* smart_problems, int* keys_left_out) {
  std::vector<KeyJob> jobs;
  int left_out = 0;
  std::vector<std::string> keys = scanner.UniqueKeys(commit.message, kMaxKeysPerSource, &left_out);
  if (keys_left_out != nullptr) *keys_left_out = left_out;
  if (keys.empty()) return jobs;
  // Only needed when keys were left out (the mentions below move `keys`).
  std::unordered_set<std::string> kept_keys;
  if (left_out > 0) kept_keys.insert(keys.begin(), keys.end());
  auto kept = [&](const std::string& key) { return left_out == 0 || kept_keys.count(key) > 0; };
  // As GitLab: a key after a closing keyword on the default branch is never
  // also "mentioned"; with transitions off it gets nothing at all (GitLab's
  // close_issue returns early, and closed issues are left out of the
  // cross-references).
  std::vector<std::string> closed;
  if (closing != nullptr && on_default_branch) closed = closing->FindClosedKeys(commit.message);
  // Keys past the limit get nothing, closes and Smart Commit commands included.
  closed.erase(std::remove_if(closed.begin(), closed.end(),
                              [&](const std::string& key) { return !kept(key); }),
               closed.end());
  if (options.transitions_enabled) {
    for (const std::string& key : closed) jobs.push_back({key, JobKind::kClose});
  }
  if (options.mentions_enabled) {
    for (std::string& key : keys) {
      bool is_closed = std::find(closed.begin(), closed.end(), key) != closed.end();
      if (!is_closed) jobs.push_back({std::move(key), JobKind::kMention});
    }
  }
  if (options.smart_commits_enabled) {
    SmartCommitParse parse = ParseSmartCommit(commit.message, scanner);
    if (smart_problems != nullptr) {
      for (std::string& problem : parse.problems) smart_problems->push_back(std::move(problem));
      if (parse.dropped > 0) {
        smart_problems->push_back(std::to_string(parse.dropped) + " command" +
                                  (parse.dropped == 1 ? "" : "s") + " over the limit of " +
                                  std::to_string(kMaxSmartCommands) + " left out");
      }
    }
    for (SmartCommitAction& action : parse.actions) {
      if (!kept(action.key)) continue;
      jobs.push_back(
          {std::move(action.key), JobKind::kSmartCommand, action.index, std::move(action.command)});
    }
  }
  return jobs;
}

Job CommitJob(const BranchCommits& branch, const NewCommit& commit, const PlanOptions& options) {
  Job job;
  job.repository = options.repository;
  job.site = options.site;
  job.commit = commit.sha;
  job.branch = branch.branch;
  job.author = commit.author;
  job.author_email = commit.author_email;
  job.message = CapJobMessage(commit.message);
  job.commit_url =
      ExpandUrlTemplate(options.commit_url_template, options.repository, commit.sha, branch.branch);
  job.repo_url =
      ExpandUrlTemplate(options.repo_url_template, options.repository, commit.sha, branch.branch);
  job.branch_url =
      ExpandUrlTemplate(options.branch_url_template, options.repository, commit.sha, branch.branch);
  return job;
}

}  // namespace jiralink::hooks
