#include "jiralink/serve/merge_request_jobs.h"

#include "jiralink/config/loader.h"

namespace jiralink::serve {

using outbox::Job;
using outbox::JobKind;

void PlanMergeRequestJobs(const MergeRequestEvent& event, const KeyScanner& scanner,
                          const ClosingKeywords& closing, const MergeRequestPlanOptions& options,
                          std::vector<Job>* jobs) {
  std::vector<std::string> keys;
  JobKind kind = JobKind::kMention;
  std::string message = event.title + "\n\n" + event.description;
  switch (event.action) {
    case MergeRequestAction::kOpened:
    case MergeRequestAction::kEdited:
      keys = scanner.UniqueKeys(message);
      break;
    case MergeRequestAction::kMerged:
      if (!options.transitions_enabled || event.target_branch != event.default_branch) return;
      keys = closing.FindClosedKeys(message);
      kind = JobKind::kClose;
      break;
    case MergeRequestAction::kIgnored:
      return;
  }
  if (keys.empty()) return;
  Job base;
  base.repository = config::RepositoryName(event.repository, "");
  base.site = options.site;
  base.commit = outbox::MergeRequestSource(event.iid);
  base.kind = kind;
  base.branch = event.source_branch;
  base.author = event.author;
  base.message = std::move(message);
  base.commit_url = event.url;
  base.repo_url = event.repo_url;
  base.branch_url = BranchUrl(event.forge, event.source_repo_url, event.source_branch);
  for (std::string& key : keys) {
    jobs->push_back(base);
    jobs->back().key = std::move(key);
  }
}

}  // namespace jiralink::serve
