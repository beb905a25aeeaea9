#include "jiralink/hooks/job_planner.h"

#include <algorithm>

#include "jiralink/core/comment_text.h"

namespace jiralink::hooks {

using outbox::Job;
using outbox::JobKind;

namespace {

Job MakeJob(const PlanOptions& options, const BranchCommits& branch, const NewCommit& commit,
            const std::string& key, JobKind kind) {
  Job job;
  job.repository = options.repository;
  job.site = options.site;
  job.commit = commit.sha;
  job.key = key;
  job.kind = kind;
  job.branch = branch.branch;
  job.author = commit.author;
  job.message = commit.message;
  job.commit_url =
      ExpandUrlTemplate(options.commit_url_template, options.repository, commit.sha, branch.branch);
  job.repo_url =
      ExpandUrlTemplate(options.repo_url_template, options.repository, commit.sha, branch.branch);
  job.branch_url =
      ExpandUrlTemplate(options.branch_url_template, options.repository, commit.sha, branch.branch);
  return job;
}

}  // namespace

void PlanCommitJobs(const BranchCommits& branch, const NewCommit& commit, const KeyScanner& scanner,
                    const ClosingKeywords* closing, const PlanOptions& options,
                    std::vector<Job>* jobs) {
  std::vector<std::string> keys = scanner.UniqueKeys(commit.message);
  if (keys.empty()) return;
  bool may_close = closing != nullptr && branch.is_default && options.transitions_enabled;
  std::vector<std::string> closed;
  if (may_close) closed = closing->FindClosedKeys(commit.message);
  for (const std::string& key : closed) {
    jobs->push_back(MakeJob(options, branch, commit, key, JobKind::kClose));
  }
  for (const std::string& key : keys) {
    if (std::find(closed.begin(), closed.end(), key) != closed.end()) continue;
    jobs->push_back(MakeJob(options, branch, commit, key, JobKind::kMention));
  }
}

}  // namespace jiralink::hooks
