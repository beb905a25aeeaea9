// Turning a merge-request event into outbox jobs, with the hook's rules
// (hooks/job_planner.h) where they apply.
//
//  - Opened, reopened, or title/description edited: a mention job for every
//    key in the title and the description. The outbox's uniqueness
//    (repository, "!<iid>", key, kind) makes an edit add only the keys that
//    are new, and a webhook delivered again add nothing.
//  - Merged into the default branch (target branch = the payload's default
//    branch), with transitions enabled: a close job for every key named
//    after a closing keyword in the title or description. Merged elsewhere:
//    nothing, as GitLab closes only on the default branch.
//  - Anything else: no jobs.
//
// The text scanned is title + "\n\n" + description, which is also
// Job::message (see outbox/job.h for the other fields).
#pragma once

#include <string>
#include <vector>

#include "jiralink/core/closing_keywords.h"
#include "jiralink/core/key_scanner.h"
#include "jiralink/outbox/job.h"
#include "jiralink/serve/merge_request_event.h"

namespace jiralink::serve {

struct MergeRequestPlanOptions {
  std::string site;  // the repository's Jira API URL (Job::site)
  bool transitions_enabled = true;
};

// Appends the event's jobs to *jobs: close jobs first, then mentions.
void PlanMergeRequestJobs(const MergeRequestEvent& event, const KeyScanner& scanner,
                          const ClosingKeywords& closing, const MergeRequestPlanOptions& options,
                          std::vector<outbox::Job>* jobs);

}  // namespace jiralink::serve
