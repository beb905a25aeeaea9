#include "standin_api.h"

#include <algorithm>
#include <cstdlib>
#include <sstream>

namespace jiralink::standin::internal {

namespace {

using nlohmann::json;

const char kIssueNotFound[] = "Issue does not exist or you do not have permission to see it.";

ApiReply Json(int status, const json& body) { return {status, body.dump(), {}, {}}; }

ApiReply Error(int status, const std::vector<std::string>& messages,
               const std::map<std::string, std::string>& field_errors = {}) {
  return {status, ErrorBody(messages, field_errors), {}, {}};
}

std::string Param(const ApiRequest& request, const std::string& name,
                  const std::string& fallback = "") {
  auto it = request.params.find(name);
  return it == request.params.end() ? fallback : it->second;
}

// Parses a non-negative integer parameter; false when it is not one.
bool IntParam(const std::string& text, int fallback, int* out) {
  if (text.empty()) {
    *out = fallback;
    return true;
  }
  char* end = nullptr;
  long value = std::strtol(text.c_str(), &end, 10);
  if (*end != '\0' || value < 0 || value > 1000000) return false;
  *out = static_cast<int>(value);
  return true;
}

std::vector<std::string> SplitComma(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    item.erase(0, item.find_first_not_of(' '));
    item.erase(item.find_last_not_of(' ') + 1);
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

bool HasExpand(const std::string& expand, const std::string& what) {
  std::vector<std::string> parts = SplitComma(expand);
  return std::find(parts.begin(), parts.end(), what) != parts.end();
}

bool ParseBody(const ApiRequest& request, json* out, ApiReply* error) {
  try {
    *out = json::parse(request.body);
    return true;
  } catch (const json::exception& e) {
    *error = Error(400, {std::string("Unexpected character in the request body: ") + e.what()});
    return false;
  }
}

std::vector<std::string> Segments(const std::string& path) {
  std::vector<std::string> out;
  std::stringstream ss(path);
  std::string item;
  while (std::getline(ss, item, '/')) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

std::string StringAt(const json& object, const char* name) {
  if (!object.is_object()) return "";
  auto it = object.find(name);
  if (it == object.end()) return "";
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number_integer()) return std::to_string(it->get<long long>());
  return "";
}

// "sj<offset>": opaque enough that clients must echo it, simple to check.
std::string PageToken(size_t offset) { return "sj-" + std::to_string(offset) + "-c2o"; }
bool ParsePageToken(const std::string& token, size_t* offset) {
  if (token.rfind("sj-", 0) != 0 || token.size() < 8 || token.substr(token.size() - 4) != "-c2o") {
    return false;
  }
  std::string digits = token.substr(3, token.size() - 7);
  if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos) return false;
  *offset = std::strtoul(digits.c_str(), nullptr, 10);
  return true;
}

class Router {
 public:
  Router(Model& model, const ApiRequest& request) : model_(model), request_(request) {}

  ApiReply Route() {
    const std::string prefix = "/rest/api/2";
    if (request_.path.rfind(prefix, 0) != 0) return NoSuchResource();
    std::vector<std::string> s = Segments(request_.path.substr(prefix.size()));
    const std::string& m = request_.method;
    bool cloud = model_.personality() == Personality::kCloud;
    if (s.size() == 1 && s[0] == "serverInfo" && m == "GET") {
      return Json(200, model_.ServerInfoJson());
    }
    if (s.size() == 1 && s[0] == "myself" && m == "GET") {
      return Json(200, model_.MyselfJson(request_.username, request_.display_name));
    }
    if (s.size() >= 1 && s[0] == "search") {
      if (s.size() == 1 && (m == "GET" || m == "POST")) {
        if (cloud) {
          return Error(410, {"The requested API has been removed. Please migrate to the "
                             "/rest/api/3/search/jql API. A full migration guideline is available "
                             "at https://developer.atlassian.com/changelog/#CHANGE-2046"});
        }
        return Search(false);
      }
      if (s.size() == 2 && s[1] == "jql" && cloud && (m == "GET" || m == "POST")) {
        return Search(true);
      }
      if (s.size() == 2 && s[1] == "approximate-count" && cloud && m == "POST") {
        return ApproximateCount();
      }
      return NoSuchResource();
    }
    if (s.size() == 2 && s[0] == "project" && m == "GET") return GetProject(s[1]);
    if (s.size() == 2 && s[0] == "user" && s[1] == "search" && m == "GET")
      return SearchUsers(cloud);
    if (s.size() >= 2 && s[0] == "issue" && s[1] == "createmeta") {
      if (s.size() == 2 && m == "GET") return OldCreateMeta();
      if (s.size() == 4 && s[3] == "issuetypes" && m == "GET") return NewCreateMeta(s[2]);
      return NoSuchResource();
    }
    if (s.size() == 1 && s[0] == "issue" && m == "POST") return CreateIssue();
    if (s.size() >= 2 && s[0] == "issue") {
      if (request_.anonymous) return Error(404, {kIssueNotFound});
      IssueRecord* issue = model_.FindIssue(s[1]);
      if (issue == nullptr || issue->hidden) return Error(404, {kIssueNotFound});
      if (s.size() == 2 && m == "GET") return GetIssue(*issue);
      if (s.size() == 3 && s[2] == "comment" && m == "GET") return GetComments(*issue);
      if (s.size() == 3 && s[2] == "comment" && m == "POST") return AddComment(issue);
      if (s.size() == 3 && s[2] == "remotelink" && m == "GET") return GetRemoteLinks(*issue);
      if (s.size() == 3 && s[2] == "remotelink" && m == "POST") return UpsertRemoteLink(issue);
      if (s.size() == 3 && s[2] == "worklog" && m == "GET") return GetWorklogs(*issue);
      if (s.size() == 3 && s[2] == "worklog" && m == "POST") return AddWorklog(issue);
      if (s.size() == 3 && s[2] == "transitions" && m == "GET") return GetTransitions(*issue);
      if (s.size() == 3 && s[2] == "transitions" && m == "POST") return DoTransition(issue);
    }
    return NoSuchResource();
  }

 private:
  // Jersey's answer for a path no resource serves.
  ApiReply NoSuchResource() {
    return Json(404, {{"message", "null for uri: " + model_.base_url() + request_.path},
                      {"status-code", 404}});
  }

  ApiReply Search(bool cloud) {
    std::string jql;
    std::string start_text, max_text, token;
    std::vector<std::string> fields;
    bool fields_given = false;
    if (request_.method == "POST") {
      json body;
      ApiReply error;
      if (!ParseBody(request_, &body, &error)) return error;
      jql = StringAt(body, "jql");
      start_text = StringAt(body, "startAt");
      max_text = StringAt(body, "maxResults");
      token = StringAt(body, "nextPageToken");
      if (body.is_object() && body.contains("fields") && body["fields"].is_array()) {
        fields_given = true;
        for (const json& f : body["fields"]) {
          if (f.is_string()) fields.push_back(f.get<std::string>());
        }
      }
    } else {
      jql = Param(request_, "jql");
      start_text = Param(request_, "startAt");
      max_text = Param(request_, "maxResults");
      token = Param(request_, "nextPageToken");
      fields_given = request_.params.count("fields") > 0;
      fields = SplitComma(Param(request_, "fields"));
    }
    int start_at = 0, max_results = 50;
    if (!IntParam(start_text, 0, &start_at)) {
      return Error(400, {"The value '" + start_text + "' is invalid for startAt."});
    }
    if (!IntParam(max_text, 50, &max_results)) {
      return Error(400, {"The value '" + max_text + "' is invalid for maxResults."});
    }
    max_results = std::min(max_results, request_.max_results_cap);
    JqlQuery query;
    std::string error;
    if (!JqlQuery::Parse(jql, &query, &error)) return Error(400, {error});
    if (cloud && !query.bounded()) {
      return Error(400, {"Unbounded JQL queries are not allowed here. Please add a search "
                         "restriction to your query."});
    }
    size_t offset = static_cast<size_t>(start_at);
    if (cloud) {
      offset = 0;
      if (!token.empty() && !ParsePageToken(token, &offset)) {
        return Error(400, {"The provided next page token is invalid or expired."});
      }
    }
    std::vector<IssueRecord*> hits;
    if (!request_.anonymous) {
      for (IssueRecord* issue : model_.AllIssues()) {
        if (!issue->hidden && query.Matches(model_.ToJqlFields(*issue))) hits.push_back(issue);
      }
    }
    std::stable_sort(hits.begin(), hits.end(), [&](IssueRecord* a, IssueRecord* b) {
      return query.Before(model_.ToJqlFields(*a), model_.ToJqlFields(*b));
    });
    json issues = json::array();
    size_t end = std::min(hits.size(), offset + static_cast<size_t>(max_results));
    for (size_t i = offset; i < end; ++i) {
      if (cloud && !fields_given) {
        issues.push_back({{"id", hits[i]->id}});  // Cloud's default field list is "id"
      } else {
        issues.push_back(model_.IssueJson(
            *hits[i], fields.empty() ? std::vector<std::string>{"*navigable"} : fields, false,
            false));
      }
    }
    json out;
    if (cloud) {
      out = {{"issues", issues}, {"isLast", end >= hits.size()}};
      if (end < hits.size()) out["nextPageToken"] = PageToken(end);
    } else {
      out = {{"expand", "schema,names"},
             {"startAt", start_at},
             {"maxResults", max_results},
             {"total", hits.size()},
             {"issues", issues}};
    }
    ApiReply reply = Json(200, out);
    return reply;
  }

  // Cloud's POST /search/approximate-count {"jql"}: {"count": n} (exact here).
  ApiReply ApproximateCount() {
    json body;
    ApiReply error;
    if (!ParseBody(request_, &body, &error)) return error;
    JqlQuery query;
    std::string problem;
    if (!JqlQuery::Parse(StringAt(body, "jql"), &query, &problem)) return Error(400, {problem});
    if (!query.bounded()) {
      return Error(400, {"Unbounded JQL queries are not allowed here. Please add a search "
                         "restriction to your query."});
    }
    std::size_t count = 0;
    if (!request_.anonymous) {
      for (IssueRecord* issue : model_.AllIssues()) {
        if (!issue->hidden && query.Matches(model_.ToJqlFields(*issue))) ++count;
      }
    }
    return Json(200, {{"count", count}});
  }

  ApiReply GetProject(const std::string& key) {
    ProjectRecord* project = request_.anonymous ? nullptr : model_.FindProject(key);
    if (project == nullptr) {
      return Error(404, {"No project could be found with key '" + key + "'."});
    }
    return Json(200, model_.ProjectJson(*project));
  }

  ApiReply OldCreateMeta() {
    if (model_.personality() == Personality::kServer && !request_.old_createmeta) {
      // Jira 9 removed it; the path then matches /issue/{key}.
      return Error(404, {"Issue Does Not Exist"});
    }
    std::vector<std::string> keys = SplitComma(Param(request_, "projectKeys"));
    std::string expand = Param(request_, "expand");
    bool with_types =
        HasExpand(expand, "projects.issuetypes") || HasExpand(expand, "projects.issuetypes.fields");
    json projects = json::array();
    for (const std::string& key : keys) {
      ProjectRecord* project = request_.anonymous ? nullptr : model_.FindProject(key);
      if (project == nullptr) continue;  // Jira leaves out projects it will not show
      json types = json::array();
      for (const IssueTypeSeed& type : project->issue_types) {
        json t = model_.IssueTypeJson(type);
        if (HasExpand(expand, "projects.issuetypes.fields")) {
          t["expand"] = "fields";
          t["fields"] = json::object();
        }
        types.push_back(t);
      }
      json p = {{"expand", "issuetypes"},
                {"self", model_.base_url() + "/rest/api/2/project/" + project->id},
                {"id", project->id},
                {"key", project->key},
                {"name", project->name},
                {"avatarUrls",
                 {{"48x48", model_.base_url() + "/secure/projectavatar?pid=" + project->id}}}};
      p["issuetypes"] = with_types ? types : json::array();
      projects.push_back(p);
    }
    return Json(200, {{"expand", "projects"}, {"projects", projects}});
  }

  ApiReply NewCreateMeta(const std::string& key) {
    bool cloud = model_.personality() == Personality::kCloud;
    if (!cloud && !request_.new_createmeta) return NoSuchResource();  // before Jira 8.4
    ProjectRecord* project = request_.anonymous ? nullptr : model_.FindProject(key);
    if (project == nullptr) {
      return Error(404, {"No project could be found with key '" + key + "'."});
    }
    int start_at = 0, max_results = 50;
    if (!IntParam(Param(request_, "startAt"), 0, &start_at) ||
        !IntParam(Param(request_, "maxResults"), 50, &max_results)) {
      return Error(400, {"startAt and maxResults must be non-negative numbers."});
    }
    if (cloud && max_results > 200) {
      return Error(400, {"Parameter 'maxResults' must not exceed the limit '200'"});
    }
    max_results = std::min(max_results, request_.max_results_cap);
    json values = json::array();
    size_t total = project->issue_types.size();
    size_t end = std::min(total, static_cast<size_t>(start_at) + max_results);
    for (size_t i = static_cast<size_t>(start_at); i < end; ++i) {
      values.push_back(model_.IssueTypeJson(project->issue_types[i]));
    }
    if (cloud) {
      return Json(200, {{"issueTypes", values},
                        {"maxResults", max_results},
                        {"startAt", start_at},
                        {"total", total}});
    }
    return Json(200, {{"maxResults", max_results},
                      {"startAt", start_at},
                      {"total", total},
                      {"isLast", end >= total},
                      {"values", values}});
  }

  ApiReply CreateIssue() {
    json body;
    ApiReply error;
    if (!ParseBody(request_, &body, &error)) return error;
    if (!body.is_object() || !body.contains("fields") || !body["fields"].is_object()) {
      return Error(400, {"one of 'fields' or 'update' required"});
    }
    const json& fields = body["fields"];
    std::map<std::string, std::string> errors;
    ProjectRecord* project = nullptr;
    if (fields.contains("project")) {
      std::string id = StringAt(fields["project"], "id");
      std::string key = StringAt(fields["project"], "key");
      project = model_.FindProject(!id.empty() ? id : key);
    }
    if (project == nullptr || request_.anonymous) {
      errors["project"] = "valid project is required";
    }
    const IssueTypeSeed* type = nullptr;
    if (project != nullptr && fields.contains("issuetype")) {
      std::string id = StringAt(fields["issuetype"], "id");
      std::string name = StringAt(fields["issuetype"], "name");
      for (const IssueTypeSeed& t : project->issue_types) {
        if ((!id.empty() && t.id == id) || (id.empty() && !name.empty() && t.name == name)) {
          type = &t;
        }
      }
    }
    if (type == nullptr) errors["issuetype"] = "valid issue type is required";
    if (StringAt(fields, "summary").empty()) {
      errors["summary"] = "You must specify a summary of the issue.";
    }
    if (project != nullptr) {
      for (const auto& [field, message] : project->required_fields) {
        bool given = fields.contains(field) && !fields[field].is_null() &&
                     !((fields[field].is_array() || fields[field].is_string() ||
                        fields[field].is_object()) &&
                       fields[field].empty());
        if (!given) errors[field] = message;
      }
    }
    if (!errors.empty()) return Error(400, {}, errors);
    IssueRecord* issue = model_.CreateIssue(project, *type, fields, request_.display_name);
    return Json(201, {{"id", issue->id},
                      {"key", issue->key},
                      {"self", model_.base_url() + "/rest/api/2/issue/" + issue->id}});
  }

  ApiReply GetIssue(const IssueRecord& issue) {
    std::string expand = Param(request_, "expand");
    std::vector<std::string> fields = SplitComma(Param(request_, "fields"));
    return Json(200, model_.IssueJson(issue, fields, HasExpand(expand, "renderedFields"),
                                      HasExpand(expand, "transitions")));
  }

  ApiReply GetComments(const IssueRecord& issue) {
    int start_at = 0, max_results = 50;
    if (!IntParam(Param(request_, "startAt"), 0, &start_at) ||
        !IntParam(Param(request_, "maxResults"), 50, &max_results)) {
      return Error(400, {"startAt and maxResults must be non-negative numbers."});
    }
    max_results = std::min(max_results, request_.max_results_cap);
    json comments = json::array();
    size_t end = std::min(issue.comments.size(), static_cast<size_t>(start_at) + max_results);
    for (size_t i = static_cast<size_t>(start_at); i < end; ++i) {
      comments.push_back(model_.CommentJson(issue, issue.comments[i]));
    }
    return Json(200, {{"startAt", start_at},
                      {"maxResults", max_results},
                      {"total", issue.comments.size()},
                      {"comments", comments}});
  }

  ApiReply AddComment(IssueRecord* issue) {
    json body;
    ApiReply error;
    if (!ParseBody(request_, &body, &error)) return error;
    if (!body.is_object() || !body.contains("body") || !body["body"].is_string() ||
        body["body"].get<std::string>().empty()) {
      return Error(400, {}, {{"comment", "Comment body can not be empty!"}});
    }
    CommentRecord* comment =
        model_.AddComment(issue, body["body"].get<std::string>(), request_.display_name);
    return Json(201, model_.CommentJson(*issue, *comment));
  }

  ApiReply GetWorklogs(const IssueRecord& issue) {
    int start_at = 0, max_results = 1000;
    if (!IntParam(Param(request_, "startAt"), 0, &start_at) ||
        !IntParam(Param(request_, "maxResults"), 1000, &max_results)) {
      return Error(400, {"startAt and maxResults must be non-negative numbers."});
    }
    max_results = std::min(max_results, request_.max_results_cap);
    json worklogs = json::array();
    size_t end = std::min(issue.worklogs.size(), static_cast<size_t>(start_at) + max_results);
    for (size_t i = static_cast<size_t>(start_at); i < end; ++i) {
      worklogs.push_back(model_.WorklogJson(issue, issue.worklogs[i]));
    }
    return Json(200, {{"startAt", start_at},
                      {"maxResults", max_results},
                      {"total", issue.worklogs.size()},
                      {"worklogs", worklogs}});
  }

  // Jira's duration: "<number><w|d|h|m>" parts, 1w = 5d, 1d = 8h (Jira's
  // default time tracking); -1 when it is not one.
  static std::int64_t DurationSeconds(const std::string& text) {
    std::stringstream ss(text);
    std::string part;
    double seconds = 0;
    bool any = false;
    while (ss >> part) {
      char unit = part.back();
      double per = unit == 'w'   ? 5 * 8 * 3600
                   : unit == 'd' ? 8 * 3600
                   : unit == 'h' ? 3600
                   : unit == 'm' ? 60
                                 : -1;
      if (per < 0 || part.size() < 2) return -1;
      char* end = nullptr;
      std::string number = part.substr(0, part.size() - 1);
      double value = std::strtod(number.c_str(), &end);
      if (*end != '\0' || value < 0) return -1;
      seconds += value * per;
      any = true;
    }
    return any ? static_cast<std::int64_t>(seconds) : -1;
  }

  ApiReply AddWorklog(IssueRecord* issue) {
    json body;
    ApiReply error;
    if (!ParseBody(request_, &body, &error)) return error;
    std::string time_spent = StringAt(body, "timeSpent");
    if (time_spent.empty()) {
      return Error(400, {}, {{"timeLogged", "You must indicate the time spent working."}});
    }
    std::int64_t seconds = DurationSeconds(time_spent);
    if (seconds <= 0) return Error(400, {}, {{"timeLogged", "Invalid time duration entered."}});
    WorklogRecord* worklog = model_.AddWorklog(issue, time_spent, seconds,
                                               StringAt(body, "comment"), request_.display_name);
    return Json(201, model_.WorklogJson(*issue, *worklog));
  }

  // Cloud searches by `query`; Server/Data Center by `username` (which
  // matches user names and emails there).
  ApiReply SearchUsers(bool cloud) {
    const char* name = cloud ? "query" : "username";
    if (request_.params.count(name) == 0) {
      return Error(400, {std::string("The ") + name + " query parameter was not provided"});
    }
    json users = json::array();
    for (json& user : model_.SearchUsers(Param(request_, name))) users.push_back(std::move(user));
    return Json(200, users);
  }

  ApiReply GetRemoteLinks(const IssueRecord& issue) {
    std::string global_id = Param(request_, "globalId");
    if (request_.params.count("globalId") > 0) {
      for (const RemoteLinkRecord& link : issue.links) {
        if (StringAt(link.body, "globalId") == global_id) {
          return Json(200, model_.RemoteLinkJson(issue, link));
        }
      }
      return Error(404, {"No remote link with globalId '" + global_id + "' on this issue."});
    }
    json links = json::array();
    for (const RemoteLinkRecord& link : issue.links) {
      links.push_back(model_.RemoteLinkJson(issue, link));
    }
    return Json(200, links);
  }

  ApiReply UpsertRemoteLink(IssueRecord* issue) {
    json body;
    ApiReply error;
    if (!ParseBody(request_, &body, &error)) return error;
    if (!body.is_object() || !body.contains("object") || !body["object"].is_object()) {
      return Error(400, {}, {{"object", "'object' is required."}});
    }
    if (StringAt(body["object"], "url").empty()) {
      return Error(400, {}, {{"url", "'url' is required."}});
    }
    if (StringAt(body["object"], "title").empty()) {
      return Error(400, {}, {{"title", "'title' is required."}});
    }
    if (StringAt(body, "globalId").size() > 255) {
      return Error(400, {}, {{"globalId", "'globalId' must be 255 characters or fewer."}});
    }
    bool created = false;
    RemoteLinkRecord* link = model_.UpsertRemoteLink(issue, body, &created);
    json out = model_.RemoteLinkJson(*issue, *link);
    return Json(created ? 201 : 200, {{"id", out["id"]}, {"self", out["self"]}});
  }

  ApiReply GetTransitions(const IssueRecord& issue) {
    bool with_fields = HasExpand(Param(request_, "expand"), "transitions.fields");
    return Json(200, model_.TransitionsJson(issue, with_fields, Param(request_, "transitionId")));
  }

  ApiReply DoTransition(IssueRecord* issue) {
    json body;
    ApiReply error;
    if (!ParseBody(request_, &body, &error)) return error;
    if (!body.is_object() || !body.contains("transition") || !body["transition"].is_object() ||
        !body["transition"].contains("id")) {
      return Error(400, {"Missing 'transition' identifier"});
    }
    std::string id = StringAt(body["transition"], "id");
    if (id.empty() || id.find_first_not_of("0123456789") != std::string::npos) {
      return Error(400, {"'transition' identifier must be an integer"});
    }
    std::string resolution;
    if (body.contains("fields") && body["fields"].is_object() &&
        body["fields"].contains("resolution")) {
      resolution = StringAt(body["fields"]["resolution"], "name");
    }
    if (!model_.ApplyTransition(issue, id, resolution)) {
      return Error(400, {"Transition id '" + id + "' is not valid for this issue."});
    }
    // update.comment[].add.body adds a comment with the transition.
    if (body.contains("update") && body["update"].is_object() &&
        body["update"].contains("comment") && body["update"]["comment"].is_array()) {
      for (const json& op : body["update"]["comment"]) {
        if (op.is_object() && op.contains("add")) {
          std::string text = StringAt(op["add"], "body");
          if (!text.empty()) model_.AddComment(issue, text, request_.display_name);
        }
      }
    }
    return {204, "", "", {}};
  }

  Model& model_;
  const ApiRequest& request_;
};

}  // namespace

std::string ErrorBody(const std::vector<std::string>& messages,
                      const std::map<std::string, std::string>& field_errors) {
  json errors = json::object();
  for (const auto& [field, message] : field_errors) errors[field] = message;
  return json{{"errorMessages", messages}, {"errors", errors}}.dump();
}

ApiReply HandleApi(Model& model, const ApiRequest& request) {
  try {
    return Router(model, request).Route();
  } catch (const nlohmann::json::exception& e) {
    // A body of an unexpected type: answer like Jira's generic 400.
    return Error(400, {std::string("Can not deserialize the request: ") + e.what()});
  }
}

}  // namespace jiralink::standin::internal
