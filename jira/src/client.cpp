#include "jiralink/jira/client.h"

#include <optional>

#include "http_transport.h"
#include "jiralink/core/jira_site.h"
#include "jiralink/core/text.h"
#include "jiralink/jira/json_parse.h"
#include "response_status.h"

namespace jiralink::jira {

namespace {

using nlohmann::json;

constexpr char kApi[] = "/rest/api/2";
// Loops over pages stop here even if Jira keeps answering "not last".
constexpr int kMaxPages = 10000;
// Longer (encoded) JQL is sent in a POST body: URLs over ~8 KB are refused
// by Tomcat and many proxies.
constexpr size_t kMaxQueryJql = 4000;

// Commit text may hold invalid UTF-8: replace it rather than throw.
std::string Dump(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

// Reads every page of a list under an issue (comments, worklogs): `get`
// fetches one page for a query; the items are under `field` and each goes to
// `each`. Pages follow what Jira sent (it may cap maxResults) up to `total`.
template <typename Get, typename Each>
ApiStatus ReadAllPages(Get&& get, const char* field, int page_size, Each&& each) {
  long long start_at = 0;
  ApiStatus status;
  for (int page = 0; page < kMaxPages; ++page) {
    json body;
    status = get("startAt=" + std::to_string(start_at) + "&maxResults=" + std::to_string(page_size),
                 &body);
    if (!status.ok()) return status;
    const json& list = body.is_object() && body.contains(field) ? body[field] : json();
    size_t count = 0;
    if (list.is_array()) {
      for (const json& item : list) {
        each(item);
        ++count;
      }
    }
    long long total = body.is_object() && body.contains("total") && body["total"].is_number()
                          ? body["total"].get<long long>()
                          : -1;
    start_at += static_cast<long long>(count);
    if (count == 0 || total < 0 || start_at >= total) break;
  }
  return status;
}

}  // namespace

struct Client::Impl {
  explicit Impl(const ClientOptions& options)
      : transport(options),
        base(std::string(TrimTrailingSlashes(options.api_url))),
        before_request(options.before_request),
        after_response(options.after_response) {}

  // One call: `path` below /rest/api/2 (e.g. "/issue/A-1"), `query` already
  // encoded (without '?'). Parses a JSON answer into *body when asked.
  ApiStatus Call(const char* method, const std::string& path, const std::string& query,
                 const std::string& request_body, json* body) {
    std::string api_path = std::string(kApi) + path;
    std::string url = base + api_path + (query.empty() ? "" : "?" + query);
    if (before_request) before_request();
    internal::HttpResponse response = transport.Send(method, url, request_body);
    ApiStatus status = internal::MakeApiStatus(method, api_path, response);
    if (after_response) after_response(status);
    if (status.ok() && body != nullptr) {
      *body = ParseResponseBody(response.body);
      if (body->is_discarded()) {
        // A 2xx that is not JSON (a proxy's page, say) is a failure.
        status.http_status = 502;
        status.retryable = true;
        status.body_summary =
            "Jira answered " + std::to_string(response.status) + " with a body that is not JSON";
      }
    }
    return status;
  }

  std::string Segment(std::string_view text) { return transport.Escape(text); }

  // "name=value" with the value percent-encoded.
  std::string Param(std::string_view name, std::string_view value) {
    return std::string(name) + "=" + transport.Escape(value);
  }

  internal::HttpTransport transport;
  std::string base;
  std::function<void()> before_request;
  std::function<void(const ApiStatus&)> after_response;
  std::optional<Deployment> detected;
  bool search_jql_only = false;  // a "Server" answered 410 on /search
};

Client::Client(ClientOptions options)
    : options_(std::move(options)), impl_(std::make_unique<Impl>(options_)) {}

Client::~Client() = default;

Deployment Client::deployment() {
  if (options_.deployment != Deployment::kUnknown) return options_.deployment;
  if (impl_->detected) return *impl_->detected;
  ServerInfo info;
  ApiStatus status = GetServerInfo(&info);
  if (status.ok()) return info.deployment;  // GetServerInfo remembers it
  // No answer: decide by the host now, ask again next time.
  const std::string& url = options_.web_url.empty() ? options_.api_url : options_.web_url;
  return IsJiraCloudUrl(url) || IsJiraCloudUrl(options_.api_url) ? Deployment::kCloud
                                                                 : Deployment::kServer;
}

ApiStatus Client::GetServerInfo(ServerInfo* out) {
  json body;
  ApiStatus status = impl_->Call("GET", "/serverInfo", "", "", &body);
  if (!status.ok()) return status;
  ServerInfo info;
  ParseServerInfo(body, &info);
  const std::string& url = options_.web_url.empty() ? options_.api_url : options_.web_url;
  info.deployment = ResolveDeployment(info, url);
  if (info.deployment == Deployment::kServer && IsJiraCloudUrl(options_.api_url)) {
    info.deployment = Deployment::kCloud;
  }
  impl_->detected = info.deployment;
  if (out != nullptr) *out = std::move(info);
  return status;
}

ApiStatus Client::GetMyself(User* out) {
  json body;
  ApiStatus status = impl_->Call("GET", "/myself", "", "", &body);
  if (status.ok() && out != nullptr) ParseUser(body, out);
  return status;
}

ApiStatus Client::GetIssue(std::string_view key, std::string_view expand, std::string_view fields,
                           Issue* out) {
  std::string query;
  if (!fields.empty()) query = impl_->Param("fields", fields);
  if (!expand.empty()) query += (query.empty() ? "" : "&") + impl_->Param("expand", expand);
  json body;
  ApiStatus status = impl_->Call("GET", "/issue/" + impl_->Segment(key), query, "", &body);
  if (status.ok() && out != nullptr) ParseIssue(body, out);
  return status;
}

ApiStatus Client::GetComments(std::string_view key, std::vector<Comment>* out) {
  std::vector<Comment> comments;
  const std::string path = "/issue/" + impl_->Segment(key) + "/comment";
  ApiStatus status =
      ReadAllPages([&](const std::string& query,
                       json* body) { return impl_->Call("GET", path, query, "", body); },
                   "comments", 100,
                   [&](const json& item) {
                     Comment comment;
                     ParseComment(item, &comment);
                     comments.push_back(std::move(comment));
                   });
  if (status.ok() && out != nullptr) *out = std::move(comments);
  return status;
}

ApiStatus Client::AddComment(std::string_view key, std::string_view body, Comment* created) {
  json request = {{"body", std::string(body)}};
  json answer;
  ApiStatus status =
      impl_->Call("POST", "/issue/" + impl_->Segment(key) + "/comment", "", Dump(request), &answer);
  if (status.ok() && created != nullptr) ParseComment(answer, created);
  return status;
}

ApiStatus Client::GetWorklogs(std::string_view key, std::vector<Worklog>* out) {
  std::vector<Worklog> worklogs;
  const std::string path = "/issue/" + impl_->Segment(key) + "/worklog";
  ApiStatus status =
      ReadAllPages([&](const std::string& query,
                       json* body) { return impl_->Call("GET", path, query, "", body); },
                   "worklogs", 1000,
                   [&](const json& item) {
                     Worklog worklog;
                     ParseWorklog(item, &worklog);
                     worklogs.push_back(std::move(worklog));
                   });
  if (status.ok() && out != nullptr) *out = std::move(worklogs);
  return status;
}

ApiStatus Client::AddWorklog(std::string_view key, std::string_view time_spent,
                             std::string_view comment, Worklog* created) {
  json request = {{"timeSpent", std::string(time_spent)}, {"comment", std::string(comment)}};
  json answer;
  ApiStatus status =
      impl_->Call("POST", "/issue/" + impl_->Segment(key) + "/worklog", "", Dump(request), &answer);
  if (status.ok() && created != nullptr) ParseWorklog(answer, created);
  return status;
}

ApiStatus Client::SearchUsers(std::string_view email, std::vector<User>* out) {
  std::string query =
      impl_->Param(deployment() == Deployment::kCloud ? "query" : "username", email) +
      "&maxResults=10";
  json body;
  ApiStatus status = impl_->Call("GET", "/user/search", query, "", &body);
  if (!status.ok() || out == nullptr) return status;
  out->clear();
  if (body.is_array()) {
    for (const json& item : body) {
      User user;
      ParseUser(item, &user);
      out->push_back(std::move(user));
    }
  }
  return status;
}

ApiStatus Client::GetRemoteLinks(std::string_view key, std::vector<RemoteLink>* out) {
  json body;
  ApiStatus status =
      impl_->Call("GET", "/issue/" + impl_->Segment(key) + "/remotelink", "", "", &body);
  if (!status.ok() || out == nullptr) return status;
  out->clear();
  if (body.is_array()) {
    for (const json& item : body) {
      RemoteLink link;
      ParseRemoteLink(item, &link);
      out->push_back(std::move(link));
    }
  }
  return status;
}

ApiStatus Client::UpsertRemoteLink(std::string_view key, const RemoteLinkRequest& link,
                                   std::int64_t* id) {
  // Jira sets every field left out of an update to null: send them all.
  json object = {
      {"url", link.url}, {"title", link.title}, {"status", {{"resolved", link.resolved}}}};
  if (!link.icon_title.empty() || !link.icon_url.empty()) {
    json icon = {{"title", link.icon_title}};
    if (!link.icon_url.empty()) icon["url16x16"] = link.icon_url;
    object["icon"] = icon;
  }
  json request = {{"relationship", link.relationship}, {"object", object}};
  if (!link.global_id.empty()) request["globalId"] = link.global_id;
  json answer;
  ApiStatus status = impl_->Call("POST", "/issue/" + impl_->Segment(key) + "/remotelink", "",
                                 Dump(request), &answer);
  if (status.ok() && id != nullptr) {
    RemoteLink created;
    ParseRemoteLink(answer, &created);
    *id = created.id;
  }
  return status;
}

ApiStatus Client::GetTransitions(std::string_view key, std::vector<Transition>* out) {
  json body;
  ApiStatus status = impl_->Call("GET", "/issue/" + impl_->Segment(key) + "/transitions",
                                 "expand=transitions.fields", "", &body);
  if (status.ok() && out != nullptr) *out = ParseTransitions(body);
  return status;
}

ApiStatus Client::DoTransition(std::string_view key, std::string_view transition_id) {
  json request = {{"transition", {{"id", std::string(transition_id)}}}};
  return impl_->Call("POST", "/issue/" + impl_->Segment(key) + "/transitions", "", Dump(request),
                     nullptr);
}

ApiStatus Client::Search(const SearchRequest& request, SearchPage* out) {
  std::string fields;
  for (const std::string& f : request.fields) fields += (fields.empty() ? "" : ",") + f;
  if (fields.empty()) fields = "*navigable";
  // One attempt on one endpoint: GET with a query, or POST with the same
  // parameters as JSON when the JQL would make the URL too long for proxies.
  auto search = [&](bool cloud, json* body) {
    const char* path = cloud ? "/search/jql" : "/search";
    std::string encoded_jql = impl_->Param("jql", request.jql);
    if (encoded_jql.size() > kMaxQueryJql) {
      json post = {{"jql", request.jql},
                   {"maxResults", request.max_results},
                   {"fields", request.fields.empty() ? std::vector<std::string>{"*navigable"}
                                                     : request.fields}};
      if (cloud && !request.next_page_token.empty()) {
        post["nextPageToken"] = request.next_page_token;
      }
      if (!cloud) post["startAt"] = request.start_at;
      return impl_->Call("POST", path, "", Dump(post), body);
    }
    std::string query = encoded_jql;
    if (cloud) {
      if (!request.next_page_token.empty()) {
        query += "&" + impl_->Param("nextPageToken", request.next_page_token);
      }
    } else {
      query += "&startAt=" + std::to_string(request.start_at);
    }
    query += "&maxResults=" + std::to_string(request.max_results);
    query += "&" + impl_->Param("fields", fields);
    return impl_->Call("GET", path, query, "", body);
  };
  bool cloud = impl_->search_jql_only || deployment() == Deployment::kCloud;
  json body;
  ApiStatus status = search(cloud, &body);
  if (!cloud && status.http_status == 410) {
    // A site that looked like Server but removed /search is Cloud-like: once
    // on /search/jql, and from then on.
    impl_->search_jql_only = true;
    cloud = true;
    status = search(true, &body);
  }
  if (status.ok() && out != nullptr) {
    ParseSearchPage(body, out);
    if (cloud) out->total = -1;
  }
  return status;
}

ApiStatus Client::CountIssues(const std::string& jql, std::int64_t* count) {
  if (impl_->search_jql_only || deployment() == Deployment::kCloud) {
    json body;
    ApiStatus status =
        impl_->Call("POST", "/search/approximate-count", "", Dump(json{{"jql", jql}}), &body);
    if (status.ok() && count != nullptr) {
      *count = body.is_object() && body.contains("count") && body["count"].is_number_integer()
                   ? body["count"].get<std::int64_t>()
                   : -1;
    }
    return status;
  }
  SearchRequest request;
  request.jql = jql;
  request.max_results = 0;
  request.fields = {"key"};
  SearchPage page;
  ApiStatus status = Search(request, &page);
  if (status.ok() && count != nullptr) *count = page.total;
  return status;
}

ApiStatus Client::GetProject(std::string_view key, Project* out) {
  json body;
  ApiStatus status = impl_->Call("GET", "/project/" + impl_->Segment(key), "", "", &body);
  if (status.ok() && out != nullptr) ParseProject(body, out);
  return status;
}

ApiStatus Client::GetCreateIssueTypes(std::string_view project_key, std::vector<IssueType>* out) {
  std::vector<IssueType> types;
  ApiStatus status;
  long long start_at = 0;
  std::string path = "/issue/createmeta/" + impl_->Segment(project_key) + "/issuetypes";
  for (int page = 0; page < kMaxPages; ++page) {
    json body;
    status = impl_->Call("GET", path, "startAt=" + std::to_string(start_at) + "&maxResults=50", "",
                         &body);
    if (!status.ok()) break;
    bool is_last = true;
    std::vector<IssueType> page_types = ParseCreateMetaIssueTypes(body, &is_last);
    start_at += static_cast<long long>(page_types.size());
    for (IssueType& t : page_types) types.push_back(std::move(t));
    if (is_last || page_types.empty()) break;
  }
  if (status.http_status == 404) {
    // Jira before 8.4 has only the old endpoint.
    json body;
    status = impl_->Call("GET", "/issue/createmeta",
                         impl_->Param("projectKeys", project_key) + "&expand=projects.issuetypes",
                         "", &body);
    if (!status.ok()) return status;
    bool found = false;
    types = ParseOldCreateMeta(body, project_key, &found);
    if (!found) {
      // Jira leaves out projects the user cannot create issues in.
      status.http_status = 404;
      status.error_messages.push_back("No project could be found with key '" +
                                      std::string(project_key) +
                                      "', or you cannot create issues in it.");
      return status;
    }
  }
  if (status.ok() && out != nullptr) *out = std::move(types);
  return status;
}

ApiStatus Client::CreateIssue(const CreateIssueRequest& request, CreatedIssue* out) {
  json fields = json::object();
  fields["project"] = request.project_id.empty() ? json{{"key", request.project_key}}
                                                 : json{{"id", request.project_id}};
  fields["issuetype"] = {{"id", request.issue_type_id}};
  fields["summary"] = request.summary;
  if (!request.description.empty()) fields["description"] = request.description;
  if (!request.labels.empty()) fields["labels"] = request.labels;
  json answer;
  ApiStatus status = impl_->Call("POST", "/issue", "", Dump(json{{"fields", fields}}), &answer);
  if (status.ok() && out != nullptr) {
    Issue created;
    ParseIssue(answer, &created);
    out->id = created.id;
    out->key = created.key;
    out->self = answer.is_object() && answer.contains("self") && answer["self"].is_string()
                    ? answer["self"].get<std::string>()
                    : "";
  }
  return status;
}

}  // namespace jiralink::jira
