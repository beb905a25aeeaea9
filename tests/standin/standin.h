// JiraStandin: a stateful Jira stand-in on 127.0.0.1 for tests and the demo.
//
// A real HTTP server (cpp-httplib) on an ephemeral loopback port that answers
// the Jira REST calls jiralink makes, shaped like the recorded responses in
// tests/fixtures/jira (copied from ../shared/jira-fixtures with provenance).
// It keeps projects, issues, comments, worklogs, users (for /user/search),
// remote links (upsert by globalId),
// transitions (which change status, status category and resolution) and
// answers a JQL subset. It records every request and can inject faults.
//
// Personalities: Cloud (/rest/api/2/search answers 410; /search/jql pages by
// nextPageToken; POST /search/approximate-count counts; deploymentType
// "Cloud") and Server (no /search/jql; /search pages by startAt/total;
// deploymentType "Server").
//
// Auth: Basic <username:token> and Bearer <token> are accepted when they
// match Options; anything else gets 401 (Cloud: plain text body; Server: an
// HTML page), as Jira does.
//
// Default workflow for every project (Jira's simplified workflow):
//   statuses  "To Do" (category new, id 2), "In Progress" (indeterminate, 4),
//             "Done" (done, 3)
//   transitions id "11" -> To Do, "21" -> In Progress, "31" -> Done;
//   entering Done sets resolution "Done", leaving it clears the resolution.
//
// JQL subset (the forge's builder's output): clauses joined by AND;
//   project in ("A","B") | project = "A" | labels = "x" | status = "x" |
//   reporter = "x" | assignee = "x" | statusCategory = Done | statusCategory != Done |
//   (summary ~ "q" OR description ~ "q") | description ~ "q" | (id = 1 OR id = 2) |
//   key = "A-1"; then optional "order by created|updated ASC|DESC".
//   Unsupported JQL answers 400 with errorMessages, like Jira.
//   Also accepted: any of those fields with "in (...)", "not in (...)", "!=",
//   "is EMPTY" / "is not EMPTY" (assignee, resolution), resolution = Unresolved,
//   summary/text ~, issuekey, and "order by key|priority"; field names and
//   keywords are case-insensitive.
//
// Paging: Jira caps maxResults; the stand-in caps every page (search,
// comments, createmeta) at Options::max_results_cap (50, like Jira's default),
// so clients must page by what was answered.
//
// Admin routes (no auth, not recorded), at the server root whatever the
// context path, for the standalone program and cross-process tests:
//   GET    /_standin/requests[?method=M&path_contains=P]  recorded requests (JSON array)
//   DELETE /_standin/requests                            forget them
//   GET    /_standin/issues/{key}   the issue with "comments", "remoteLinks",
//                                   "status", "resolution" (404 when missing)
//   POST   /_standin/faults         one Fault as JSON (field names as below)
//   DELETE /_standin/faults         clear every fault
//   POST   /_standin/seed           seed JSON (see Seed())
//   GET|DELETE /_standin/devinfo, POST /_standin/devinfo/expire_tokens,
//   POST   /_standin/devinfo/options  the Development Information API's state
//                                   (standin_devinfo.h)
//
// Jira Cloud's Development Information API, Atlassian's OAuth token endpoint
// and the site's /_edge/tenant_info are served on the same port, with their
// own authentication: standin_devinfo.h.
//
// Connection reuse: libcurl resends a request once on a fresh connection when
// a reused one dies without an answer. jiralink's transport sends GETs on
// reused connections (so a close_connection fault with times = 1 on a GET can
// be invisible to it; use times >= 2 or -1) and every other method on a fresh
// one, which libcurl never resends.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "standin_devinfo.h"

namespace jiralink::standin {

enum class Personality { kCloud, kServer };

struct RecordedRequest {
  std::string method;
  std::string path;                            // without query
  std::string query;                           // raw query string, without '?'
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  int status = 0;       // what the stand-in answered (0 = closed without answer)
  int remote_port = 0;  // the client's port: equal ports = one reused connection
  std::chrono::steady_clock::time_point received;  // when the stand-in read it
};

// A fault for requests whose method matches (empty = any) and whose path
// contains `path_contains`. Applied `times` times (-1 = until cleared).
// status <= 0 with a delay means "answer normally, but late".
// `after_processing` with close_connection is the lost reply: the request is
// applied (a comment is added, a transition made) and then the connection is
// dropped without an answer. `probability` < 1 makes the fault apply to that
// share of the matching requests only (a seeded generator: the same requests
// in the same order fail on every run); a request it spares does not use up
// `times`.
// As JSON (for POST /_standin/faults): {"method","path_contains","status",
// "body","content_type","delay_ms","close_connection","after_processing",
// "probability","retry_after","times","headers":{name:value},"expire_token"};
// every field optional.
struct Fault {
  std::string method;
  std::string path_contains;
  int status = 503;
  std::string body;               // default: a JSON errorMessages body
  std::string content_type;       // default application/json
  int delay_ms = 0;               // wait before answering (or before closing)
  bool close_connection = false;  // drop the connection without an answer
  bool after_processing = false;  // with close_connection: apply the request first
  double probability = 1.0;       // share of matching requests the fault hits
  std::string retry_after;        // Retry-After header value, e.g. "2"
  int times = -1;
  std::map<std::string, std::string> headers;  // extra response headers
  // Jira Cloud's Development Information API (standin_devinfo.h): every
  // OAuth token issued so far expires when a matching request arrives, which
  // is then answered as usual (a devinfo call: 401). The other fields are
  // not used.
  bool expire_token = false;
};

// Reads a Fault from its JSON form; false (with *error set) on a bad value.
bool FaultFromJson(const nlohmann::json& json, Fault* fault, std::string* error);

struct IssueSeed {
  std::string key;  // "PROJ-1"; the project must exist
  std::string summary;
  std::string description;
  std::string issue_type = "Bug";
  std::string status = "To Do";
  std::string reporter = "Ada Lovelace";
  std::string assignee;  // empty = unassigned
  std::vector<std::string> labels;
  std::vector<std::string> previous_keys;  // seed JSON "previousKeys": keys before a move
  std::string priority = "Medium";
  std::string created;  // ISO timestamp; empty = now, each later seed 1 minute newer
  std::string updated;
  // fields.resolutiondate of a seed in a Done status (seed JSON
  // "resolutiondate"); empty = its updated time.
  std::string resolution_date;
  // renderedFields.description exactly as given (raw HTML, e.g. hostile
  // markup a Jira plugin let through); empty = the description, escaped, in <p>.
  std::string rendered_description;
};

struct IssueTypeSeed {
  std::string id;
  std::string name;
  std::string description;
  bool subtask = false;
};

class JiraStandin {
 public:
  struct Options {
    Personality personality = Personality::kServer;
    std::string username = "jiralink-bot";
    std::string token = "standin-token";
    int port = 0;                               // 0 = ephemeral
    std::string context_path;                   // e.g. "/jira" to serve under a context path
    std::string display_name = "Jiralink Bot";  // of the authenticated user
    int max_results_cap = 50;  // largest page served (search, comments, createmeta)
    // Server only: false = Jira < 8.4 (the new createmeta endpoint answers 404).
    bool new_createmeta = true;
    // Server only: false = Jira 9+ (old createmeta?projectKeys= answers 404).
    bool old_createmeta = true;
    // Cloud only: a wrong Basic credential is treated as anonymous (200 empty
    // search, 404 issue, X-Seraph-LoginReason: AUTHENTICATED_FAILED) except on
    // /myself (401), as measured on Cloud sites.
    bool cloud_bad_basic_is_anonymous = false;
    // The Development Information API, its token endpoint and tenant_info
    // (standin_devinfo.h): credentials, cloud ID, token lifetime.
    DevinfoOptions devinfo;
  };

  explicit JiraStandin(Options options);
  ~JiraStandin();  // stops the server
  JiraStandin(const JiraStandin&) = delete;
  JiraStandin& operator=(const JiraStandin&) = delete;

  // Starts listening on 127.0.0.1 in a background thread; returns false on failure.
  bool Start();
  void Stop();
  int port() const;
  // "http://127.0.0.1:<port><context_path>"
  std::string base_url() const;

  // State. Every project gets the default workflow and issue types
  // Bug (10004), Task (10002), Story (10001), Sub-task (10003, subtask).
  void AddProject(const std::string& key, const std::string& name, const std::string& id = "");
  void AddIssue(const IssueSeed& seed);
  // Issues <project>-1 .. <project>-<count>, summaries "Issue <n>", in the
  // default workflow's first status.
  void AddNumberedIssues(const std::string& project_key, int count);
  void SetIssueTypes(const std::string& project_key, std::vector<IssueTypeSeed> types);
  // Users who may not see an issue get 404, as Jira answers for hidden issues.
  void HideIssue(const std::string& key);
  // Issues created through POST /issue are numbered after the seeded ones.
  // POST /issue for the project answers 400 {"errorMessages":[],"errors":
  // {field: message}} unless the field is given (message default:
  // "<Field> is required.", e.g. "Component/s is required." for components).
  void RequireField(const std::string& project_key, const std::string& field,
                    const std::string& message = "");
  // A workflow transition offered from every status but `to` (a default
  // status name), after the default ones: e.g. a second "Done" to make a name
  // ambiguous. Applies to every project.
  void AddTransition(const std::string& id, const std::string& name, const std::string& to);
  // A user GET /user/search finds by a prefix of `email` or of its user name.
  void AddUser(const std::string& display_name, const std::string& email);
  // Replaces the serverInfo answer (e.g. a Jira 6 body without deploymentType).
  void SetServerInfo(nlohmann::json server_info);
  // Seeds from JSON: {"projects":[{"key","name","id","issueTypes":[{"id","name",
  // "description","subtask"}],"requiredFields":{field: message}}],
  // "issues":[{"key","summary","description","issueType","status","reporter",
  // "assignee","labels":[],"priority","created","updated","renderedDescription",
  // "comments":["text"],"previousKeys":["OLD-1"] (a moved issue: found by them too)}],
  // "hidden":["KEY-1"], "serverInfo":{...}}. Returns false with *error on bad input.
  bool Seed(const nlohmann::json& seed, std::string* error);

  // What the stand-in holds now (JSON as it would serve it).
  nlohmann::json Issue(const std::string& key) const;  // null when missing
  std::vector<nlohmann::json> Comments(const std::string& key) const;
  std::vector<nlohmann::json> RemoteLinks(const std::string& key) const;
  std::vector<nlohmann::json> Worklogs(const std::string& key) const;
  std::string Status(const std::string& key) const;
  std::string Resolution(const std::string& key) const;  // empty = unresolved

  // Requests seen so far (in arrival order), optionally filtered.
  std::vector<RecordedRequest> Requests() const;
  std::vector<RecordedRequest> Requests(const std::string& method,
                                        const std::string& path_contains) const;
  void ClearRequests();

  void InjectFault(Fault fault);
  void ClearFaults();

  // Jira Cloud's Development Information API (standin_devinfo.h): the stored
  // repositories and entities (the shape documented there), every token
  // issued so far expired now, the expires_in of the next tokens, and
  // whether the credentials hold the "Development information" permission
  // (false: 403).
  nlohmann::json DevinfoState() const;
  void ExpireDevinfoTokens();
  void SetDevinfoTokenLifetime(int seconds);
  void SetDevinfoPermitted(bool permitted);

  const Options& options() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace jiralink::standin
