// Jira Cloud's Development Information API, for tools without an app.
//
// Jira Cloud's Development panel ("3 commits, 1 branch, 1 pull request") is
// filled through the Development Information API. An on-premises tool may
// call it with OAuth credentials that a site admin creates (Settings → Apps →
// OAuth credentials, permission "Development information"):
//  1. a token from the OAuth 2.0 client-credentials grant,
//     POST <api_url>/oauth/token
//     {"audience":"api.atlassian.com","grant_type":"client_credentials",
//      "client_id":…,"client_secret":…} → {"access_token":…,"expires_in":…};
//  2. the site's cloud ID, GET <site>/_edge/tenant_info → {"cloudId":…};
//  3. POST <api_url>/jira/devinfo/0.1/cloud/{cloudId}/bulk with repositories
//     and their commits, branches and pull requests, and
//     DELETE <api_url>/jira/devinfo/0.1/cloud/{cloudId}/repository/{id}/{type}/{entityId}
//     ?_updateSequenceId=N for an entity that is gone (a deleted branch).
// Sources and the limits relied on: docs/DEVINFO.md.
//
// Jira keeps, per entity, the update with the greatest updateSequenceId and
// drops one whose number is not greater, so the API is idempotent by ID and
// sequence number: a bulk request sent again after a lost answer does no
// harm, and an old update arriving late cannot overwrite a newer one, as long
// as the numbers only grow for an entity (DevinfoSequence below).
//
// Jira Data Center and Server have no such API (their Development panel comes
// from the DVCS connector, which pulls from a forge).
//
// A DevinfoClient is not thread-safe; use one per thread. The client secret
// and the access token never appear in any output or message.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "jiralink/core/jira_site.h"
#include "jiralink/jira/client.h"

namespace jiralink::jira {

// Atlassian's API gateway: the default of [devinfo] api_url.
inline constexpr std::string_view kDefaultDevinfoApiUrl = kAtlassianApiGatewayUrl;

// Jira's limits for one bulk request (docs/DEVINFO.md).
inline constexpr std::size_t kMaxDevinfoRepositoriesPerRequest = 100;
inline constexpr std::size_t kMaxDevinfoEntitiesPerRequest = 1000;  // across repositories
inline constexpr std::size_t kMaxDevinfoCommitsPerRepository = 400;
inline constexpr std::size_t kMaxDevinfoIssueKeysPerEntity = 100;
// Field lengths: longer values are cut (messages with "…"), never refused.
inline constexpr std::size_t kMaxDevinfoMessageLength = 1024;
inline constexpr std::size_t kMaxDevinfoNameLength = 255;

struct DevinfoAuthor {
  std::string name;
  std::string email;   // may be empty
  std::string url;     // may be empty
  std::string avatar;  // may be empty
};

struct DevinfoCommit {
  std::string id;          // the full hash
  std::string display_id;  // the short hash
  std::string message;     // cut to kMaxDevinfoMessageLength when sent
  DevinfoAuthor author;
  std::string author_timestamp;  // ISO 8601, e.g. "2026-12-08T00:30:00+01:00"
  std::string url;               // "" when the repository has no commit URL
  int file_count = 0;
  bool merge_commit = false;            // flags: ["MERGE_COMMIT"]
  std::vector<std::string> issue_keys;  // 1 to kMaxDevinfoIssueKeysPerEntity
  std::int64_t update_sequence_id = 0;
};

struct DevinfoBranch {
  std::string id;    // the branch name, as an ID Jira accepts (DevinfoEntityId)
  std::string name;  // "feature/PROJ-1-login"
  std::string url;
  std::string create_pull_request_url;  // may be empty
  DevinfoCommit last_commit;
  std::vector<std::string> issue_keys;
  std::int64_t update_sequence_id = 0;
};

enum class PullRequestStatus { kOpen, kMerged, kDeclined, kUnknown };

struct DevinfoReviewer {
  std::string name;
  std::string email;
  bool approved = false;  // approvalStatus APPROVED, else UNAPPROVED
};

struct DevinfoPullRequest {
  std::string id;          // the forge's number ("42")
  std::string display_id;  // "!42" (GitLab) or "#42" (Gitea, GitHub)
  std::string title;
  PullRequestStatus status = PullRequestStatus::kUnknown;
  DevinfoAuthor author;
  std::vector<DevinfoReviewer> reviewers;
  int comment_count = 0;
  std::string source_branch;
  std::string source_branch_url;
  std::string destination_branch;
  std::string destination_branch_url;
  std::string last_update;  // ISO 8601
  std::string url;
  std::vector<std::string> issue_keys;
  std::int64_t update_sequence_id = 0;
};

struct DevinfoRepository {
  std::string id;  // stable per repository (DevinfoEntityId of its name)
  std::string name;
  std::string url;
  std::string avatar;  // may be empty
  std::int64_t update_sequence_id = 0;
  std::vector<DevinfoCommit> commits;
  std::vector<DevinfoBranch> branches;
  std::vector<DevinfoPullRequest> pull_requests;
};

// An ID Jira accepts for an entity: alphanumerics and "~.-_" only, at most
// 1024 characters. Other bytes are written as "~XX" (hex; '~' itself as
// "~7E"), so distinct names stay distinct IDs.
std::string DevinfoEntityId(std::string_view name);

// An updateSequenceId that only grows for an entity across hosts and
// restarts: the milliseconds since the epoch of the event (the push's or the
// webhook's arrival) times 1000 plus a counter below 1000 that the caller
// keeps per event, so updates from one event keep their order. A retried job
// keeps the number it was given when it was queued.
std::int64_t DevinfoSequence(std::int64_t event_millis, int counter);

// The body of one bulk request: {"repositories":[…],"preventTransitions":true,
// "operationType":"NORMAL"|"BACKFILL","properties":{…}}. Fields are cut to
// Jira's lengths; empty optional fields are left out. The caller keeps within
// the per-request limits above (DevinfoBatcher in delivery/ does).
nlohmann::json DevinfoBulkBody(const std::vector<DevinfoRepository>& repositories, bool backfill);

struct DevinfoOptions {
  std::string api_url{kDefaultDevinfoApiUrl};  // token at <api_url>/oauth/token
  std::string site_url;                        // the Jira site, for _edge/tenant_info
  std::string client_id;
  std::string client_secret;
  int timeout_seconds = 30;
  int connect_timeout_seconds = 10;
  std::string ca_file;  // empty = the system's
  bool verify_tls = true;
  bool debug = false;  // requests to stderr, secrets redacted
};

// What Jira said of a bulk request that it accepted (HTTP 202).
struct DevinfoBulkResult {
  // "commits" / "branches" / "pullRequests" entity IDs Jira refused, with
  // its messages, e.g. an entity whose issue keys are all unknown. Each is
  // ("<kind>/<entity id>", "message; message"), e.g. ("commits/a7727ee…",
  // "…"); a repository's own errors are ("repositories/<repository id>", …).
  std::vector<std::pair<std::string, std::string>> failed_entities;
  std::vector<std::string> unknown_issue_keys;
};

// The repository ID DevinfoClient::CheckAccess asks for: DevinfoEntityId
// never makes it ("~j" is no "~XX" escape), so no repository has it.
inline constexpr std::string_view kDevinfoProbeRepositoryId = "~jiralink-access-check";

class DevinfoClient {
 public:
  explicit DevinfoClient(DevinfoOptions options);
  ~DevinfoClient();
  DevinfoClient(const DevinfoClient&) = delete;
  DevinfoClient& operator=(const DevinfoClient&) = delete;

  // Takes a token (or uses the cached one until a minute before it expires)
  // and reads the site's cloud ID (once). A 401 from the token endpoint is
  // "the client ID or secret is wrong"; a 403 from devinfo is "the
  // credentials lack the Development information permission".
  ApiStatus Connect(std::string* cloud_id);

  // Connect, then GET …/repository/<kDevinfoProbeRepositoryId>, which no
  // tool stores: its 404 (or a 200) says the credentials may use the API
  // (returned as OK); a 403 is the missing "Development information"
  // permission. For `jiralink test`; nothing is written.
  ApiStatus CheckAccess();

  // POST …/bulk. A 401 refreshes the token once and sends again (the API is
  // idempotent by ID and sequence number). 429 and 5xx are retryable, with
  // Retry-After read.
  ApiStatus SubmitBulk(const std::vector<DevinfoRepository>& repositories, bool backfill,
                       DevinfoBulkResult* result);

  // DELETE …/repository/{repository_id}/{entity_type}/{entity_id}
  // ?_updateSequenceId=N; entity_type is "commit", "branch" or "pull_request".
  ApiStatus DeleteEntity(std::string_view repository_id, std::string_view entity_type,
                         std::string_view entity_id, std::int64_t update_sequence_id);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace jiralink::jira
