#include "jiralink/serve/merge_request_jobs.h"

#include "jiralink/config/loader.h"
#include "jiralink/outbox/job_message.h"

namespace jiralink::serve {

using outbox::Job;
using outbox::JobKind;

Job MergeRequestJobs::JobAt(std::size_t i) const {
  Job job = shared;
  job.key = keys[i];
  return job;
}

void PlanMergeRequestJobs(const MergeRequestEvent& event, const KeyScanner& scanner,
                          const ClosingKeywords& closing, const MergeRequestPlanOptions& options,
                          MergeRequestJobs* plan) {
  *plan = MergeRequestJobs();
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
    case MergeRequestAction::kCommented:
      // As GitLab: the keys a comment names are mentioned by the merge
      // request; the outbox's uniqueness mentions each (merge request, key)
      // once, whether the description or a comment named it first.
      keys = scanner.UniqueKeys(event.comment);
      break;
    case MergeRequestAction::kIgnored:
      return;
  }
  if (keys.empty()) return;
  if (keys.size() > kMaxKeysPerMergeRequest) {
    plan->keys_left_out = keys.size() - kMaxKeysPerMergeRequest;
    keys.resize(kMaxKeysPerMergeRequest);
  }
  Job& base = plan->shared;
  base.repository = config::RepositoryName(event.repository, "");
  base.site = options.site;
  base.commit = outbox::MergeRequestSource(event.iid);
  base.kind = kind;
  base.branch = event.source_branch;
  base.author = event.author;
  plan->message_cut = message.size() > outbox::kMaxJobMessageBytes;
  base.message = plan->message_cut ? outbox::CapJobMessage(message) : std::move(message);
  base.commit_url = event.url;
  if (kind == JobKind::kClose && !event.head_sha.empty()) {
    // As GitLab's close_issue: the solved comment and link name the merge
    // request's head commit (diff_head_sha), so the close has its own link
    // beside the mention's (which is the merge request's page).
    base.commit = event.head_sha;
    base.commit_url = CommitUrl(event.forge, event.repo_url, event.head_sha);
  }
  base.repo_url = event.repo_url;
  base.branch_url = BranchUrl(event.forge, event.source_repo_url, event.source_branch);
  plan->keys = std::move(keys);
}

}  // namespace jiralink::serve
