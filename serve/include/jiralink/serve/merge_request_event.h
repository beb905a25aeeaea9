// Reading forge webhooks: each forge's merge-request (pull-request) payload
// becomes one forge-neutral MergeRequestEvent. Pure functions over parsed
// JSON; no I/O.
//
// What is read, per forge (GitLab's Merge Request Hook | Gitea/Forgejo and
// GitHub pull_request):
//   repository       project.path_with_namespace | repository.full_name
//   iid              object_attributes.iid | pull_request.number
//   title, text      object_attributes.title, .description |
//                    pull_request.title, .body (null = "")
//   url              object_attributes.url | pull_request.html_url
//   author           user.name | sender.full_name (Gitea), else sender.login
//   source branch    object_attributes.source_branch | pull_request.head.ref
//   target branch    object_attributes.target_branch | pull_request.base.ref
//   default branch   project.default_branch | repository.default_branch
//   repository URL   project.web_url | repository.html_url
//   source repo URL  object_attributes.source.web_url |
//                    pull_request.head.repo.html_url
//   head commit      object_attributes.last_commit.id | pull_request.head.sha
//
// Actions: GitLab's "open", "reopen", "update" (with `changes.title` or
// `changes.description` = the text was edited), "merge"; Gitea's and
// GitHub's "opened", "reopened", "edited" (with `changes.title` or
// `changes.body`), and "closed" with `pull_request.merged` = true.
//
// Comments on a merge request (action kCommented, the text in `comment`),
// created or edited, as GitLab cross-references a key a comment names:
//  - GitLab's Note Hook with object_attributes.noteable_type "MergeRequest"
//    (not a system note): the comment is object_attributes.note, the merge
//    request is under `merge_request` (iid, title, description, branches,
//    source.web_url, last_commit.id) and its page is object_attributes.url
//    without its "#note_..." fragment;
//  - Gitea's and GitHub's issue_comment on a pull request (GitHub: `issue`
//    has a `pull_request` member; Gitea: is_pull): comment.body; the pull
//    request is `issue` (number, title, body, html_url), with no branches
//    in the payload, so the mention names none;
//  - GitHub's pull_request_review (submitted or edited, with a body):
//    review.body, and the pull request as in pull_request.
// Other actions and other event types are ignored (the service answers 202).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "jiralink/core/status.h"

namespace jiralink::serve {

enum class Forge { kGitLab, kGitea, kGitHub };

// "gitlab", "gitea", "github" (also the route: /hooks/<name>).
const char* ForgeName(Forge forge);

enum class MergeRequestAction {
  kOpened,     // opened, or reopened
  kEdited,     // title or description changed
  kMerged,     // merged into its target branch
  kCommented,  // a comment on it was written or edited (`comment`)
  kIgnored,    // anything else (new commits, approvals, closed unmerged, labels...)
};

struct MergeRequestEvent {
  Forge forge = Forge::kGitLab;
  MergeRequestAction action = MergeRequestAction::kIgnored;
  std::string ignored_because;  // with kIgnored: e.g. "action \"approved\""

  std::string repository;  // "group/project"
  std::int64_t iid = 0;    // the number shown as !42 / #42
  std::string title;
  std::string description;
  std::string url;  // the merge request's web page
  std::string author;
  std::string source_branch;
  std::string target_branch;
  std::string default_branch;
  std::string repo_url;  // the target repository's web page
  std::string
      source_repo_url;  // the source repository's web page ("" if unknown, e.g. deleted fork)
  // The merge request's head commit, as GitLab's diff_head_sha: GitLab's
  // object_attributes.last_commit.id, Gitea's and GitHub's
  // pull_request.head.sha. "" when missing or not a full hex SHA (40 or 64
  // lowercase hex digits).
  std::string head_sha;
  std::string comment;  // with kCommented: the comment's text
};

// Parses a webhook body, keeping only the object keys this file reads (the
// table above; every other value is dropped while parsing, so no memory is
// spent on it). The result is discarded() when `body` is not JSON. Reading
// it gives the same RepositoryOf() and ParseMergeRequestEvent() as reading
// the whole document.
nlohmann::json ParsePayload(std::string_view body);

// The repository a payload names (see the table), or "" when it names none
// or the name is not a string. Used to pick the settings, and so the secret,
// before the rest is read.
std::string RepositoryOf(Forge forge, const nlohmann::json& body);

// Reads an authenticated payload. `event` is the forge's event header
// (X-Gitlab-Event, X-Gitea-Event / X-Forgejo-Event, X-GitHub-Event). An
// event type other than merge/pull requests gives action kIgnored. A
// merge-request payload missing a field that is needed gives
// InvalidArgument naming the field ("missing or not a string:
// object_attributes.title").
Status ParseMergeRequestEvent(Forge forge, std::string_view event, const nlohmann::json& body,
                              MergeRequestEvent* out);

// The web page of `branch` in the repository at `repo_url`, as the forge
// builds it (GitLab <repo>/-/tree/<branch>, Gitea <repo>/src/branch/<branch>,
// GitHub <repo>/tree/<branch>), with the branch percent-encoded except '/'.
// "" when `repo_url` is empty.
std::string BranchUrl(Forge forge, std::string_view repo_url, std::string_view branch);

// The web page of commit `sha` (a head_sha) in the repository at `repo_url`,
// as the forge builds it (GitLab <repo>/-/commit/<sha>, Gitea and GitHub
// <repo>/commit/<sha>). "" when `repo_url` or `sha` is empty.
std::string CommitUrl(Forge forge, std::string_view repo_url, std::string_view sha);

}  // namespace jiralink::serve
