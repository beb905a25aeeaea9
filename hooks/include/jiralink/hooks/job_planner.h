// Turning a push's new commits into outbox jobs.
//
// Per commit: a close job for every key named by a closing keyword when the
// commit came in on the default branch and transitions are enabled; a mention
// job for every other key (a key being closed gets no separate mention).
#pragma once

#include <string>
#include <vector>

#include "jiralink/core/closing_keywords.h"
#include "jiralink/core/key_scanner.h"
#include "jiralink/hooks/new_commits.h"
#include "jiralink/outbox/job.h"

namespace jiralink::hooks {

struct PlanOptions {
  std::string repository;  // "platform/api"
  std::string site;        // the repository's Jira API URL (Job::site)
  bool transitions_enabled = true;
  // URL templates of [git]; {repo}, {sha}, {branch} are filled in per job.
  std::string commit_url_template;
  std::string repo_url_template;
  std::string branch_url_template;
};

// Appends the jobs of one commit of `branch` to *jobs: close jobs first,
// then mentions. `closing` may be null: no close jobs.
void PlanCommitJobs(const BranchCommits& branch, const NewCommit& commit, const KeyScanner& scanner,
                    const ClosingKeywords* closing, const PlanOptions& options,
                    std::vector<outbox::Job>* jobs);

}  // namespace jiralink::hooks
