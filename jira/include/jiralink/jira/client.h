// A Jira REST client (Cloud and Server/Data Center 6.x-9.x) over libcurl.
//
// Every call returns an ApiStatus: OK, or what went wrong as a value (HTTP
// status, Jira's messages, whether a retry can help and after how long). The
// client never retries by itself; callers decide. /rest/api/2 is used
// throughout, except where Cloud removed an endpoint (search -> /search/jql).
//
// Writes (POST, PUT) are sent exactly once, each on a new connection, so an
// answer lost on the way back is never followed by a silent second write
// (libcurl would resend on a reused connection): the caller gets a network
// error (http_status 0) and must read Jira to learn whether it was applied.
// One Client reuses one connection across its reads. A Client is not thread-safe;
// use one per thread. The token never appears in any output or message.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "jiralink/core/status.h"

namespace jiralink::jira {

enum class Deployment { kUnknown, kCloud, kServer };
enum class AuthMode { kBasic, kPat };

// The largest body of a Jira answer the client reads (16 MiB). Jira's own
// pages stay far below it: 50 comments or issues of at most 32,767
// characters of text each (Jira's default text field limit), rendered or not,
// are a few MiB. A larger answer is cut off as it arrives and reported as a
// network error (http_status 0, retryable: a write's outcome is then
// unknown, as with a lost reply), so that a hostile or broken Jira cannot
// exhaust memory or hold a caller past its deadline.
inline constexpr std::size_t kMaxResponseBytes = 16u << 20;

struct ClientOptions {
  std::string api_url;  // base, e.g. https://jira.example.com/jira (context path allowed)
  std::string web_url;  // for Cloud detection by host; defaults to api_url
  AuthMode auth = AuthMode::kBasic;
  std::string username;  // basic only
  std::string token;     // API token (Cloud), password (Server basic) or PAT
  // Every request, its answer's body included, ends within timeout_seconds
  // (and within `deadline` below, when set).
  int timeout_seconds = 30;
  int connect_timeout_seconds = 10;
  // Answers with a larger body are cut off and fail (see kMaxResponseBytes).
  std::size_t max_response_bytes = kMaxResponseBytes;
  std::string ca_file;  // custom CA bundle; empty = the system's
  bool verify_tls = true;
  Deployment deployment = Deployment::kUnknown;  // known: skip serverInfo detection
  bool debug = false;                            // log requests to stderr, Authorization redacted
  // When set, no request outlives it: each request's timeout and connect
  // timeout are cut to the time left (to the millisecond), and a request
  // made when none is left fails at once without being sent (http_status 0,
  // network_error "deadline passed"). For callers with a budget for a whole
  // operation (the pre-receive policy's timeout_ms).
  std::optional<std::chrono::steady_clock::time_point> deadline;

  // Called before every request and after every answer (or network error):
  // delivery paces a site's requests by the fleet's budget with them
  // (delivery/rate_budget.h). Unset: nothing is called.
  std::function<void()> before_request;
  std::function<void(const struct ApiStatus&)> after_response;
};

// The outcome of one API call.
struct ApiStatus {
  bool ok() const { return http_status >= 200 && http_status < 300 && network_error.empty(); }

  std::string method;                       // "GET"
  std::string path;                         // "/rest/api/2/issue/PROJ-1" (no query)
  int http_status = 0;                      // 0 when no HTTP answer came (network error, timeout)
  std::string network_error;                // curl's message, empty when an HTTP answer came
  std::vector<std::string> error_messages;  // Jira's "errorMessages"
  std::map<std::string, std::string> field_errors;  // Jira's "errors": field -> message
  std::string body_summary;      // first line(s) of a non-JSON body (HTML title, plain text)
  bool retryable = false;        // network errors, timeouts, 5xx, 429; never 401/403
  int retry_after_seconds = -1;  // from Retry-After (seconds or HTTP date); -1 if absent
  // X-Seraph-LoginReason when Jira sent one ("OK", "AUTHENTICATED_FAILED",
  // "AUTHENTICATION_DENIED"): Cloud answers some calls with a wrong Basic
  // credential as if anonymous, with 200 and AUTHENTICATED_FAILED.
  std::string login_reason;

  // One line: "GET /rest/api/2/myself: HTTP 401: Client must be authenticated ...".
  std::string ToString() const;
  // The same as a jiralink::Status with a fitting code.
  Status ToStatus() const;
};

struct ServerInfo {
  std::string base_url;
  std::string version;
  std::vector<int> version_numbers;  // may be empty (Jira 4.x)
  std::string deployment_type;       // raw field; empty on Jira 6.x
  std::string server_title;
  Deployment deployment = Deployment::kUnknown;  // resolved (field, then host fallback)
};

struct User {
  std::string account_id;  // Cloud
  std::string name;        // Server user name
  std::string key;         // Server
  std::string display_name;
  std::string email;
  bool active = true;
};

struct StatusCategory {
  int id = 0;
  std::string key;  // "new", "indeterminate", "done", "undefined"
  std::string name;
};

struct IssueStatus {
  std::string id;
  std::string name;
  StatusCategory category;  // key empty when Jira sent none (Jira 5-era)
};

struct Transition {
  std::string id;
  std::string name;
  IssueStatus to;
};

struct Comment {
  std::string id;
  std::string body;
  std::string author;  // display name
  std::string created;
};

struct Worklog {
  std::string id;
  std::string time_spent;  // as Jira shows it, e.g. "1w 2d"
  std::string comment;     // wiki text (v2); a v3 (ADF) comment as its JSON text
};

struct RemoteLink {
  std::int64_t id = 0;
  std::string global_id;
  std::string relationship;
  std::string url;
  std::string title;
  bool resolved = false;
};

struct RemoteLinkRequest {
  std::string global_id;  // upsert key
  std::string relationship = "mentioned on";
  std::string url;
  std::string title;
  bool resolved = false;
  std::string icon_title;
  std::string icon_url;  // url16x16; left out when empty
};

struct Issue {
  std::string id;
  std::string key;
  std::string summary;
  std::string description;  // wiki markup (v2)
  std::string issue_type;
  IssueStatus status;
  std::string resolution;  // empty = unresolved
  std::string priority;
  std::string reporter;  // display names
  std::string assignee;
  std::vector<std::string> labels;
  std::string created;
  std::string updated;
  std::vector<Transition> transitions;  // with expand=transitions
  std::vector<Comment> comments;        // when the comment field was returned
  nlohmann::json rendered_fields;       // with expand=renderedFields (HTML values)
  nlohmann::json raw;                   // the whole JSON object as Jira sent it
};

// Search sends GET with query parameters, or POST with the same parameters
// as JSON when the JQL is long (over 4000 bytes encoded). Empty `fields` asks
// for "*navigable" on both deployments (Cloud's own default would be "id" only).
struct SearchRequest {
  std::string jql;
  int max_results = 100;
  int start_at = 0;                 // Server/DC paging
  std::string next_page_token;      // Cloud paging
  std::vector<std::string> fields;  // empty = Jira's default set
};

struct SearchPage {
  std::vector<Issue> issues;
  bool is_last = true;
  std::int64_t total = -1;  // Server/DC only; -1 when unknown (Cloud)
  int start_at = 0;
  int max_results = 0;          // as Jira answered (it may cap the request)
  std::string next_page_token;  // Cloud only
};

struct IssueType {
  std::string id;
  std::string name;
  std::string description;
  bool subtask = false;
};

struct Project {
  std::string id;
  std::string key;
  std::string name;
  std::vector<IssueType> issue_types;
};

struct CreateIssueRequest {
  std::string project_id;  // either id or key
  std::string project_key;
  std::string issue_type_id;
  std::string summary;
  std::string description;  // wiki markup
  std::vector<std::string> labels;
};

struct CreatedIssue {
  std::string id;
  std::string key;
  std::string self;
};

class Client {
 public:
  explicit Client(ClientOptions options);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  const ClientOptions& options() const { return options_; }

  // Cloud or Server: the option if set, else serverInfo.deploymentType
  // (fetched once), else the host (*.atlassian.net is Cloud).
  Deployment deployment();

  ApiStatus GetServerInfo(ServerInfo* out);
  ApiStatus GetMyself(User* out);

  // GET /issue/{key}; expand e.g. "renderedFields,transitions"; fields empty = all.
  ApiStatus GetIssue(std::string_view key, std::string_view expand, std::string_view fields,
                     Issue* out);
  // Every comment of the issue, following all pages.
  ApiStatus GetComments(std::string_view key, std::vector<Comment>* out);
  ApiStatus AddComment(std::string_view key, std::string_view body, Comment* created);

  // Every worklog of the issue, following all pages.
  ApiStatus GetWorklogs(std::string_view key, std::vector<Worklog>* out);
  // POST /issue/{key}/worklog with timeSpent ("1w 2d 4h 30m") and the comment.
  ApiStatus AddWorklog(std::string_view key, std::string_view time_spent, std::string_view comment,
                       Worklog* created);

  // GET /user/search for users matching an email: `query=` on Cloud,
  // `username=` on Server/Data Center (which matches emails there). At most
  // 10 users; the caller checks the emails.
  ApiStatus SearchUsers(std::string_view email, std::vector<User>* out);

  ApiStatus GetRemoteLinks(std::string_view key, std::vector<RemoteLink>* out);
  // Creates, or updates the link with the same globalId (the whole object is sent).
  ApiStatus UpsertRemoteLink(std::string_view key, const RemoteLinkRequest& link, std::int64_t* id);

  // GET /issue/{key}/transitions?expand=transitions.fields
  ApiStatus GetTransitions(std::string_view key, std::vector<Transition>* out);
  ApiStatus DoTransition(std::string_view key, std::string_view transition_id);

  // One page: /search (startAt/total) on Server, /search/jql (nextPageToken) on Cloud.
  ApiStatus Search(const SearchRequest& request, SearchPage* out);
  // How many issues match `jql`, in one request: Server/DC, /search with
  // maxResults=0 (its total); Cloud, POST /search/approximate-count (an
  // estimate; Jira wants the JQL bounded, e.g. by project).
  ApiStatus CountIssues(const std::string& jql, std::int64_t* count);

  ApiStatus GetProject(std::string_view key, Project* out);
  // Issue types for creating issues in a project: the new createmeta endpoint
  // (Cloud and DC shapes), falling back to the old createmeta on 404.
  ApiStatus GetCreateIssueTypes(std::string_view project_key, std::vector<IssueType>* out);
  ApiStatus CreateIssue(const CreateIssueRequest& request, CreatedIssue* out);

 private:
  struct Impl;
  ClientOptions options_;
  std::unique_ptr<Impl> impl_;
};

// "Cloud", "Server" or "unknown".
const char* DeploymentName(Deployment deployment);

// "jiralink/<version>", the User-Agent of every request.
const char* UserAgent();

// Seconds to wait from a Retry-After value: delay-seconds ("120") or an
// HTTP date in any of HTTP's three forms ("Wed, 21 Oct 2026 07:28:00 GMT",
// "Wednesday, 21-Oct-26 07:28:00 GMT", "Wed Oct 21 07:28:00 2026"), read
// with libcurl's curl_getdate, relative to `now_unix_seconds` and never
// negative. -1 when the value is neither (or libcurl cannot be loaded).
int ParseRetryAfter(std::string_view value, std::int64_t now_unix_seconds);

}  // namespace jiralink::jira
