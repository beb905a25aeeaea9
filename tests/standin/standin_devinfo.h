// The stand-in's Jira Cloud Development Information API (jira/devinfo.h) and
// the two services around it: Atlassian's OAuth token endpoint and the
// site's tenant_info. Served by JiraStandin (standin.h) on the same port, so
// a test points both [jira] web_url and [devinfo] api_url at base_url().
//
// Routes (at the server root; tenant_info also under the context path):
//   POST /oauth/token   {"grant_type":"client_credentials","client_id","client_secret",
//                        "audience":"api.atlassian.com"} → 200 {"access_token":
//                        "standin-devinfo-token-<n>","expires_in":<lifetime>,
//                        "token_type":"Bearer","scope":"manage:jira-data-provider"};
//                        a wrong id or secret → 401 {"error":"access_denied",…};
//                        another grant → 400 {"error":"unsupported_grant_type"}.
//   GET  /_edge/tenant_info → {"cloudId":<cloud_id>} (Cloud; 404 on Server,
//                        which has no such route).
//   POST /jira/devinfo/0.1/cloud/{cloudId}/bulk   → 202 {"acceptedDevinfoEntities":
//                        {repo:{"commits":[ids],"branches":[…],"pullRequests":[…]}},
//                        "failedDevinfoEntities":{repo:{"commits":[{"id","errorMessages":
//                        [{"message"}]}],…}},"unknownIssueKeys":[…]}
//   GET  …/repository/{repositoryId}              → 200 the stored repository with its
//                        entities as arrays, or 404
//   DELETE …/repository/{repositoryId}[?_updateSequenceId=N]            → 202
//   DELETE …/repository/{repositoryId}/{commit|branch|pull_request}/{entityId}
//                        [?_updateSequenceId=N]                         → 202
// Every devinfo route needs "Authorization: Bearer <a token it issued>":
// none, an unknown or an expired token → 401 {"code":401,"message":"Unauthorized"};
// credentials without the "Development information" permission
// (DevinfoOptions::permitted = false) → 403; another cloud ID → 404.
//
// Bulk requests are checked as Jira checks them (docs/DEVINFO.md), each
// failure a 400 {"errorMessages":[{"message":"<what, and where>"}]}: at most
// 100 repositories, 1000 entities across them, 400 commits (branches, pull
// requests) per repository, 1 to 100 issue keys per entity; the required
// fields and their JSON types; IDs of alphanumerics and "~.-_" (at most 1024);
// field lengths in UTF-16 units as Java counts them (message and title 1024,
// name 255, branch name 512, hash and displayId 255, email 255, URLs 2000);
// the enums (status, approvalStatus, flags, operationType); no entity ID twice
// in a repository.
//
// The sequence rule: an entity (and a repository's own fields) is replaced
// only when the incoming updateSequenceId is greater than the stored one;
// otherwise the update is dropped (and still listed as accepted, as Jira
// does). A delete removes what is stored with updateSequenceId <= N (all,
// without N). No tombstone is kept: after a delete, any update re-creates the
// entity (Atlassian documents nothing stricter; a client must not rely on one).
// Issue keys the stand-in Jira does not hold are listed in unknownIssueKeys;
// an entity none of whose keys is known is not stored and is listed in
// failedDevinfoEntities.
//
// With JIRALINK_STANDIN_DEVINFO_BODIES=<dir> in the environment, every bulk
// body answered 202 is also written to <dir>/<pid>-<n>.json, for the
// schema check (tests/devinfo_schema/).
//
// The stored state, for tests (JiraStandin::DevinfoState(), or the admin
// route GET /_standin/devinfo):
//   {"cloudId": "…", "tokensIssued": 2,
//    "repositories": {"<repository id>": {"id","name","url","avatar"?,"updateSequenceId",
//        "commits": {"<commit id>": <the commit as last stored>},
//        "branches": {"<branch id>": {…}}, "pullRequests": {"<pull request id>": {…}}}}}
// Other admin routes: DELETE /_standin/devinfo (forget the state),
// POST /_standin/devinfo/expire_tokens (every token issued so far expires),
// POST /_standin/devinfo/options {"token_lifetime_seconds":N,"permitted":bool,
// "client_id":…,"client_secret":…} (each optional). The fault mode
// {"expire_token":true,…} (standin.h, Fault) expires the tokens when a
// matching request arrives, which is then answered normally: 401.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

namespace jiralink::standin {

struct DevinfoOptions {
  std::string client_id = "standin-client-id";
  std::string client_secret = "standin-client-secret";
  std::string cloud_id = "5a1e0a55-0000-4000-8000-57a0d1ec1001";
  int token_lifetime_seconds = 3600;  // expires_in of each token issued
  bool permitted = true;              // false: 403 from the devinfo routes
};

namespace internal {

struct ApiRequest;
struct ApiReply;

class DevinfoModel {
 public:
  explicit DevinfoModel(DevinfoOptions options) : options_(std::move(options)) {}

  // Whether `path` (without the context path) is one of the routes above.
  static bool Handles(const std::string& path);

  // Answers one request. `authorization` is its Authorization header;
  // `cloud_site` is false for the Server personality (no tenant_info);
  // `issue_exists` tells the issue keys the stand-in Jira holds.
  ApiReply Handle(const ApiRequest& request, const std::string& authorization, bool cloud_site,
                  const std::function<bool(const std::string&)>& issue_exists);

  void ExpireTokens();
  void Clear();
  nlohmann::json State() const;
  DevinfoOptions& options() { return options_; }

 private:
  struct Repository {
    nlohmann::json fields;                              // id, name, url, avatar, updateSequenceId
    std::map<std::string, nlohmann::json> entities[3];  // commits, branches, pullRequests
  };

  ApiReply Bulk(const ApiRequest& request,
                const std::function<bool(const std::string&)>& issue_exists);
  ApiReply Delete(const std::string& repository, const std::string& type, const std::string& entity,
                  const ApiRequest& request);

  DevinfoOptions options_;
  std::map<std::string, std::chrono::steady_clock::time_point> tokens_;  // token → expiry
  int tokens_issued_ = 0;
  std::map<std::string, Repository> repositories_;
};

}  // namespace internal
}  // namespace jiralink::standin
