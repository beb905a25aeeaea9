#include "jiralink/jira/json_parse.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>

#include "jiralink/core/jira_site.h"
#include "jiralink/core/json_depth.h"
#include "jiralink/core/text.h"

namespace jiralink::jira {

namespace {

using nlohmann::json;

const json& Null() {
  static const json null_value;
  return null_value;
}

// The member `name` of an object, or null.
const json& At(const json& object, const char* name) {
  if (!object.is_object()) return Null();
  auto it = object.find(name);
  return it == object.end() ? Null() : *it;
}

// IDs arrive as strings, sometimes as numbers: both become text.
std::string Text(const json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number_integer()) return std::to_string(value.get<long long>());
  if (value.is_number_unsigned()) return std::to_string(value.get<unsigned long long>());
  if (value.is_number_float()) return std::to_string(value.get<double>());
  if (value.is_boolean()) return value.get<bool>() ? "true" : "false";
  return "";
}

std::string Text(const json& object, const char* name) { return Text(At(object, name)); }

long long Integer(const json& value, long long fallback) {
  if (value.is_number_integer()) return value.get<long long>();
  if (value.is_number_unsigned()) return static_cast<long long>(value.get<unsigned long long>());
  if (value.is_string()) {
    const std::string& s = value.get_ref<const std::string&>();
    char* end = nullptr;
    errno = 0;
    long long parsed = std::strtoll(s.c_str(), &end, 10);
    if (!s.empty() && *end == '\0' && errno == 0) return parsed;
  }
  return fallback;
}

bool Boolean(const json& value, bool fallback) {
  if (value.is_boolean()) return value.get<bool>();
  return fallback;
}

// A user object's display name (Jira 4 had only "name").
std::string DisplayName(const json& user) {
  std::string name = Text(user, "displayName");
  return name.empty() ? Text(user, "name") : name;
}

}  // namespace

void ParseServerInfo(const json& j, ServerInfo* out) {
  *out = ServerInfo();
  out->base_url = Text(j, "baseUrl");
  out->version = Text(j, "version");
  const json& numbers = At(j, "versionNumbers");
  if (numbers.is_array()) {
    for (const json& n : numbers) {
      if (n.is_number_integer()) out->version_numbers.push_back(n.get<int>());
    }
  }
  out->deployment_type = Text(j, "deploymentType");
  out->server_title = Text(j, "serverTitle");
}

void ParseUser(const json& j, User* out) {
  *out = User();
  out->account_id = Text(j, "accountId");
  out->name = Text(j, "name");
  out->key = Text(j, "key");
  out->display_name = DisplayName(j);
  out->email = Text(j, "emailAddress");
  out->active = Boolean(At(j, "active"), true);
}

void ParseIssueStatus(const json& j, IssueStatus* out) {
  *out = IssueStatus();
  out->id = Text(j, "id");
  out->name = Text(j, "name");
  const json& category = At(j, "statusCategory");
  out->category.id = static_cast<int>(Integer(At(category, "id"), 0));
  out->category.key = Text(category, "key");
  out->category.name = Text(category, "name");
}

std::vector<Transition> ParseTransitions(const json& j) {
  const json& list = j.is_array() ? j : At(j, "transitions");
  std::vector<Transition> out;
  if (!list.is_array()) return out;
  for (const json& item : list) {
    if (!item.is_object()) continue;
    Transition t;
    t.id = Text(item, "id");
    t.name = Text(item, "name");
    ParseIssueStatus(At(item, "to"), &t.to);
    out.push_back(std::move(t));
  }
  return out;
}

void ParseComment(const json& j, Comment* out) {
  *out = Comment();
  out->id = Text(j, "id");
  // v2 bodies are wiki text; a v3 (ADF) body is kept as its JSON text.
  const json& body = At(j, "body");
  out->body = body.is_string() ? body.get<std::string>() : (body.is_null() ? "" : body.dump());
  out->author = DisplayName(At(j, "author"));
  out->created = Text(j, "created");
}

void ParseWorklog(const json& j, Worklog* out) {
  *out = Worklog();
  out->id = Text(j, "id");
  out->time_spent = Text(j, "timeSpent");
  const json& comment = At(j, "comment");
  out->comment =
      comment.is_string() ? comment.get<std::string>() : (comment.is_null() ? "" : comment.dump());
}

void ParseRemoteLink(const json& j, RemoteLink* out) {
  *out = RemoteLink();
  out->id = Integer(At(j, "id"), 0);
  out->global_id = Text(j, "globalId");
  out->relationship = Text(j, "relationship");
  const json& object = At(j, "object");
  out->url = Text(object, "url");
  out->title = Text(object, "title");
  out->resolved = Boolean(At(At(object, "status"), "resolved"), false);
}

void ParseIssueType(const json& j, IssueType* out) {
  *out = IssueType();
  out->id = Text(j, "id");
  out->name = Text(j, "name");
  out->description = Text(j, "description");
  out->subtask = Boolean(At(j, "subtask"), false);
}

void ParseIssue(const json& j, Issue* out) {
  *out = Issue();
  out->raw = j;
  out->id = Text(j, "id");
  out->key = Text(j, "key");
  const json& fields = At(j, "fields");
  out->summary = Text(fields, "summary");
  const json& description = At(fields, "description");
  out->description = description.is_string() ? description.get<std::string>()
                                             : (description.is_null() ? "" : description.dump());
  out->issue_type = Text(At(fields, "issuetype"), "name");
  ParseIssueStatus(At(fields, "status"), &out->status);
  out->resolution = Text(At(fields, "resolution"), "name");
  out->priority = Text(At(fields, "priority"), "name");
  out->reporter = DisplayName(At(fields, "reporter"));
  out->assignee = DisplayName(At(fields, "assignee"));
  const json& labels = At(fields, "labels");
  if (labels.is_array()) {
    for (const json& label : labels) {
      if (label.is_string()) out->labels.push_back(label.get<std::string>());
    }
  }
  out->created = Text(fields, "created");
  out->updated = Text(fields, "updated");
  const json& comments = At(At(fields, "comment"), "comments");
  if (comments.is_array()) {
    for (const json& c : comments) {
      Comment comment;
      ParseComment(c, &comment);
      out->comments.push_back(std::move(comment));
    }
  }
  out->transitions = ParseTransitions(At(j, "transitions"));
  out->rendered_fields = At(j, "renderedFields");
}

void ParseProject(const json& j, Project* out) {
  *out = Project();
  out->id = Text(j, "id");
  out->key = Text(j, "key");
  out->name = Text(j, "name");
  const json& types = At(j, "issueTypes");
  if (types.is_array()) {
    for (const json& t : types) {
      IssueType type;
      ParseIssueType(t, &type);
      out->issue_types.push_back(std::move(type));
    }
  }
}

void ParseSearchPage(const json& j, SearchPage* out) {
  *out = SearchPage();
  const json& issues = At(j, "issues");
  if (issues.is_array()) {
    for (const json& item : issues) {
      Issue issue;
      ParseIssue(item, &issue);
      out->issues.push_back(std::move(issue));
    }
  }
  out->start_at = static_cast<int>(Integer(At(j, "startAt"), 0));
  out->max_results = static_cast<int>(Integer(At(j, "maxResults"), 0));
  out->total = Integer(At(j, "total"), -1);
  out->next_page_token = Text(j, "nextPageToken");
  const json& is_last = At(j, "isLast");
  if (is_last.is_boolean()) {
    out->is_last = is_last.get<bool>();
  } else if (out->total >= 0) {
    out->is_last = out->issues.empty() ||
                   out->start_at + static_cast<std::int64_t>(out->issues.size()) >= out->total;
  } else {
    out->is_last = out->next_page_token.empty();
  }
  // A token-paged answer with a token is never the last page, whatever isLast says.
  if (!out->next_page_token.empty() && out->total < 0) out->is_last = false;
}

std::vector<IssueType> ParseCreateMetaIssueTypes(const json& j, bool* is_last) {
  std::vector<IssueType> out;
  const json& values = At(j, "values");
  const json& list = values.is_array() ? values : At(j, "issueTypes");
  if (list.is_array()) {
    for (const json& t : list) {
      IssueType type;
      ParseIssueType(t, &type);
      out.push_back(std::move(type));
    }
  }
  const json& last = At(j, "isLast");
  long long total = Integer(At(j, "total"), -1);
  long long start = Integer(At(j, "startAt"), 0);
  if (last.is_boolean()) {
    *is_last = last.get<bool>();
  } else if (total >= 0) {
    *is_last = out.empty() || start + static_cast<long long>(out.size()) >= total;
  } else {
    *is_last = true;
  }
  return out;
}

std::vector<IssueType> ParseOldCreateMeta(const json& j, std::string_view project_key,
                                          bool* found) {
  std::vector<IssueType> out;
  *found = false;
  const json& projects = At(j, "projects");
  if (!projects.is_array()) return out;
  for (const json& project : projects) {
    if (AsciiLowercase(Text(project, "key")) != AsciiLowercase(project_key) &&
        Text(project, "id") != project_key) {
      continue;
    }
    *found = true;
    const json& types = At(project, "issuetypes");
    if (!types.is_array()) break;
    for (const json& t : types) {
      IssueType type;
      ParseIssueType(t, &type);
      out.push_back(std::move(type));
    }
    break;
  }
  return out;
}

Deployment ResolveDeployment(const ServerInfo& info, std::string_view url) {
  if (!info.deployment_type.empty()) {
    return info.deployment_type == "Cloud" ? Deployment::kCloud : Deployment::kServer;
  }
  if (IsJiraCloudUrl(url) || IsJiraCloudUrl(info.base_url)) return Deployment::kCloud;
  if (info.version.find("-OD-") != std::string::npos || info.version.rfind("1001.", 0) == 0) {
    return Deployment::kCloud;
  }
  return Deployment::kServer;
}

nlohmann::json ParseResponseBody(std::string_view body) {
  if (!JsonNestingWithin(body, kMaxJsonDepth))
    return nlohmann::json(nlohmann::json::value_t::discarded);
  return nlohmann::json::parse(body, nullptr, false);
}

}  // namespace jiralink::jira
