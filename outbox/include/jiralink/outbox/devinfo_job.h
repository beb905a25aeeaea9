// Development-panel jobs: one entity of Jira Cloud's Development Information
// API (jira/devinfo.h) per outbox job, queued by the hook and `serve`, sent
// by delivery/devinfo_delivery.h.
//
// The representation needs no schema change in either store:
//  - Job::kind is one of the devinfo kinds (job.h, IsDevinfoKind);
//  - Job::commit, the source, makes the job's identity within its repository
//    (the outbox never holds two jobs of one repository, source and kind):
//      commit         "devinfo:commit:<sha>"  — once per repository, however
//                     many branches or pushes bring the commit;
//      branch         "devinfo:branch:<old>..<new>:<name>" — a new job per
//                     push of the branch, none for the same push replayed;
//      deleted branch "devinfo:branch-delete:<old>:<name>";
//      pull request   "devinfo:pull-request:<number>:<event>", where <event>
//                     is the forge's last-update time of the merge request,
//                     so a webhook delivered again queues nothing new;
//    no source starts with '!', so IsMergeRequest is false for all of them;
//  - Job::key is empty: the entity's issue keys are in the payload;
//  - Job::message is the payload: JSON holding the repository and the entity
//    with its updateSequenceId, fixed when the job is queued
//    (jira::DevinfoSequence of the event's time). A retried job keeps its
//    number, so a late or repeated job never overwrites a newer update. Like
//    a commit message it is stored once per (repository, source);
//  - Job::site is DevinfoSite(the Jira API URL): the comment Deliverer, which
//    claims its own site's jobs only, never takes a devinfo job, and a pause
//    of the Development-panel credentials (401/403) pauses only them.
//
// One limitation follows from the identity: a branch deleted and then pushed
// again at the very commit it was created at, from the same old tip, is the
// same job as its first creation (the branch shows again at its next push or
// with `jiralink devinfo backfill`).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "jiralink/core/status.h"
#include "jiralink/jira/devinfo.h"
#include "jiralink/outbox/job.h"

namespace jiralink::outbox {

// The prefix of a devinfo job's Job::site.
inline constexpr std::string_view kDevinfoSitePrefix = "devinfo:";

// "devinfo:<jira_site>": the Job::site of devinfo jobs for `jira_site`.
std::string DevinfoSite(std::string_view jira_site);
bool IsDevinfoSite(std::string_view site);
// The Jira API URL of a DevinfoSite ("" when `site` is not one).
std::string JiraSiteOfDevinfoSite(std::string_view site);

// A commit message is kept in a payload up to this many bytes (cut on a
// UTF-8 boundary): at least the kMaxDevinfoMessageLength characters Jira
// shows, whatever the characters.
inline constexpr std::size_t kMaxDevinfoPayloadMessageBytes = 4 * jira::kMaxDevinfoMessageLength;

// What one devinfo job carries. `repository` has no entities; of the
// entities, the one the job's kind names is filled in.
struct DevinfoPayload {
  jira::DevinfoRepository repository;     // id, name, url, avatar, update_sequence_id
  jira::DevinfoCommit commit;             // kDevinfoCommit
  jira::DevinfoBranch branch;             // kDevinfoBranch; kDevinfoBranchDelete: id and name
  jira::DevinfoPullRequest pull_request;  // kDevinfoPullRequest
  // The entity's updateSequenceId (for a deleted branch, the delete's).
  std::int64_t update_sequence_id = 0;
};

// Where a producer's jobs go: the outbox's repository name, the Jira API
// URL, and the repository as Jira shows it (its update_sequence_id is set
// per job from the entity's).
struct DevinfoJobContext {
  std::string repository;                   // Job::repository, "platform/api"
  std::string jira_site;                    // the Jira API URL (Job::site is DevinfoSite of it)
  jira::DevinfoRepository jira_repository;  // id, name, url, avatar
};

// The jobs of each kind. Messages are cut to kMaxDevinfoPayloadMessageBytes.
Job DevinfoCommitJob(const DevinfoJobContext& context, const jira::DevinfoCommit& commit);
Job DevinfoBranchJob(const DevinfoJobContext& context, std::string_view old_sha,
                     const jira::DevinfoBranch& branch);
// `branch_id` is the branch's entity ID (jira::DevinfoEntityId of its name).
Job DevinfoBranchDeleteJob(const DevinfoJobContext& context, std::string_view old_sha,
                           std::string_view branch, std::string_view branch_id,
                           std::int64_t update_sequence_id);
// `event` tells the merge request's updates apart (the forge's update time).
Job DevinfoPullRequestJob(const DevinfoJobContext& context, std::string_view event,
                          const jira::DevinfoPullRequest& pull_request);

// Reads a devinfo job's payload. Fails with kInvalidArgument, naming the job
// and what is wrong, for a job of another kind or a payload that is not one.
Status ReadDevinfoPayload(const Job& job, DevinfoPayload* payload);

}  // namespace jiralink::outbox
