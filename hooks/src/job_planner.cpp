#include "jiralink/hooks/job_planner.h"

#include <algorithm>

#include "jiralink/core/comment_text.h"

namespace jiralink::hooks {

using outbox::Job;
using outbox::JobKind;

std::vector<KeyJob> PlanCommitKeys(const NewCommit& commit, bool on_default_branch,
                                   const KeyScanner& scanner, const ClosingKeywords* closing,
                                   const PlanOptions& options,
                                   std::vector<std::string>* smart_problems) {
  std::vector<KeyJob> jobs;
  std::vector<std::string> keys = scanner.UniqueKeys(commit.message);
  if (keys.empty()) return jobs;
  // As GitLab: a key after a closing keyword on the default branch is never
  // also "mentioned"; with transitions off it gets nothing at all (GitLab's
  // close_issue returns early, and closed issues are left out of the
  // cross-references).
  std::vector<std::string> closed;
  if (closing != nullptr && on_default_branch) closed = closing->FindClosedKeys(commit.message);
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
