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
//    nothing, as GitLab closes only on the default branch. As on GitLab, a
//    close names the merge request's head commit (MergeRequestEvent::
//    head_sha): its source is that SHA and its URL the commit's page, so the
//    solved comment reads "Issue solved with [<sha>|<commit url>]." and its
//    link is a second one beside the mention's. Without a head SHA in the
//    payload it names the merge request ("!<iid>", its page).
//  - A comment on it written or edited (kCommented): a mention job, by the
//    merge request, for every key in the comment, under the same
//    uniqueness: a key the description or an earlier comment named is not
//    mentioned again. The jobs keep the merge request's title and
//    description, which the mention quotes, as GitLab does.
//  - Anything else: no jobs.
//
// The text scanned is title + "\n\n" + description. Bounded cost per
// webhook, whatever the merge request says:
//  - the jobs keep that text once, capped as the hook caps a commit message
//    (outbox::CapJobMessage, 64 KiB): keys are still found in all of it;
//  - at most kMaxKeysPerMergeRequest keys, the first ones in the text; the
//    rest are counted in MergeRequestJobs::keys_left_out (the webhook's
//    answer says so).
// So a 1 MiB body naming 60,000 keys costs one 64 KiB text and 100 keys, not
// 60,000 copies of the body.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "jiralink/core/closing_keywords.h"
#include "jiralink/core/key_scanner.h"
#include "jiralink/outbox/job.h"
#include "jiralink/outbox/job_message.h"
#include "jiralink/serve/merge_request_event.h"

namespace jiralink::serve {

struct MergeRequestPlanOptions {
  std::string site;  // the repository's Jira API URL (Job::site)
  bool transitions_enabled = true;
};

// The keys of one merge request that get jobs: the same cap as a commit's
// (kMaxKeysPerSource, core/key_scanner.h: Jira's development-information API
// takes at most 500 issue keys per entity, and GitLab caps its payloads
// there). The text is stored once per merge request whatever the count, so
// the cap bounds the rows, not the memory. One naming thousands is an attack
// on the queue and on Jira.
inline constexpr std::size_t kMaxKeysPerMergeRequest = static_cast<std::size_t>(kMaxKeysPerSource);

// The jobs of one merge-request event: one job per key, all alike but for
// the key. `shared` holds what they share (key empty), the capped text once.
struct MergeRequestJobs {
  outbox::Job shared;
  std::vector<std::string> keys;  // at most kMaxKeysPerMergeRequest, in text order
  std::size_t keys_left_out = 0;  // keys found beyond the cap
  bool message_cut = false;       // the text was longer than outbox::kMaxJobMessageBytes

  bool empty() const { return keys.empty(); }
  std::size_t size() const { return keys.size(); }
  // Job number `i`: `shared` with keys[i].
  outbox::Job JobAt(std::size_t i) const;
};

// The event's jobs into *plan (cleared first): for a merge, close jobs for
// the keys named after a closing keyword; otherwise mentions.
void PlanMergeRequestJobs(const MergeRequestEvent& event, const KeyScanner& scanner,
                          const ClosingKeywords& closing, const MergeRequestPlanOptions& options,
                          MergeRequestJobs* plan);

}  // namespace jiralink::serve
