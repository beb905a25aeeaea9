#include "standin_model.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <functional>
#include <utility>

namespace jiralink::standin::internal {

namespace {

using nlohmann::json;

const StatusInfo kStatuses[] = {
    {"10000", "To Do", 2, "new", "To Do", "blue-gray"},
    {"3", "In Progress", 4, "indeterminate", "In Progress", "yellow"},
    {"10001", "Done", 3, "done", "Done", "green"},
};

// A seeded status outside the default workflow counts as "in progress".
const StatusInfo kOtherStatus = {"10100", "", 4, "indeterminate", "In Progress", "yellow"};

// The default simplified workflow: one global transition into each status.
struct TransitionInfo {
  const char* id;
  const char* name;
  const char* to;
};
const TransitionInfo kTransitions[] = {
    {"11", "To Do", "To Do"},
    {"21", "In Progress", "In Progress"},
    {"31", "Done", "Done"},
};

const IssueTypeSeed kDefaultIssueTypes[] = {
    {"10004", "Bug", "A problem or error.", false},
    {"10002", "Task", "A small, distinct piece of work.", false},
    {"10001", "Story", "Functionality or a feature expressed as a user goal.", false},
    {"10003", "Sub-task", "A small piece of work that's part of a larger task.", true},
};

std::string Lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

std::string HtmlEscape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// Jira's message for a required field, e.g. "Component/s is required.".
std::string DefaultRequiredMessage(const std::string& field) {
  if (field == "components") return "Component/s is required.";
  if (field == "fixVersions") return "Fix Version/s is required.";
  if (field == "summary") return "You must specify a summary of the issue.";
  std::string name = field;
  if (!name.empty()) name[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(name[0])));
  return name + " is required.";
}

std::string StringAt(const json& object, const char* name) {
  if (!object.is_object()) return "";
  auto it = object.find(name);
  if (it == object.end() || !it->is_string()) return "";
  return it->get<std::string>();
}

}  // namespace

const StatusInfo& FindStatus(const std::string& name) {
  for (const StatusInfo& status : kStatuses) {
    if (Lower(status.name) == Lower(name)) return status;
  }
  return kOtherStatus;
}

std::string FormatJiraTime(std::int64_t seconds) {
  std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buffer[64];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%S.000+0000", &tm);
  return buffer;
}

std::string NowJiraTime() {
  using namespace std::chrono;
  return FormatJiraTime(duration_cast<seconds>(system_clock::now().time_since_epoch()).count());
}

Model::Model(Personality personality) : personality_(personality) {
  using namespace std::chrono;
  // Seeds without a time get "now" minus a day, one minute apart, so they
  // sort before anything created through the API.
  seed_clock_ = duration_cast<seconds>(system_clock::now().time_since_epoch()).count() - 86400;
}

UserRecord Model::MakeUser(const std::string& display_name) {
  UserRecord user;
  user.display_name = display_name;
  for (char c : display_name) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      user.name += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else if (!user.name.empty() && user.name.back() != '.') {
      user.name += '.';
    }
  }
  if (!user.name.empty() && user.name.back() == '.') user.name.pop_back();
  char hex[32];
  std::snprintf(hex, sizeof hex, "%016zx", std::hash<std::string>{}(display_name));
  user.account_id = std::string("5b10a2844c2016") + hex;
  user.email = user.name + "@example.com";
  return user;
}

std::string Model::NextCreatedTime() {
  std::string time = FormatJiraTime(seed_clock_);
  seed_clock_ += 60;
  return time;
}

bool Model::AddProject(const std::string& key, const std::string& name, const std::string& id,
                       std::string* error) {
  if (key.empty()) {
    *error = "a project needs a key";
    return false;
  }
  if (FindProject(key) != nullptr) {
    *error = "project " + key + " already exists";
    return false;
  }
  ProjectRecord project;
  project.key = key;
  project.name = name.empty() ? key : name;
  project.id = id.empty() ? std::to_string(next_project_id_++) : id;
  project.issue_types.assign(std::begin(kDefaultIssueTypes), std::end(kDefaultIssueTypes));
  projects_.push_back(std::move(project));
  return true;
}

bool Model::AddIssue(const IssueSeed& seed, std::string* error) {
  size_t dash = seed.key.rfind('-');
  if (dash == std::string::npos || dash == 0 || dash + 1 == seed.key.size()) {
    *error = "issue key '" + seed.key + "' is not PROJECT-NUMBER";
    return false;
  }
  ProjectRecord* project = FindProject(seed.key.substr(0, dash));
  if (project == nullptr) {
    *error = "issue " + seed.key + ": project " + seed.key.substr(0, dash) + " does not exist";
    return false;
  }
  if (FindIssue(seed.key) != nullptr) {
    *error = "issue " + seed.key + " already exists";
    return false;
  }
  long number = std::atol(seed.key.c_str() + dash + 1);
  if (number <= 0) {
    *error = "issue key '" + seed.key + "' has no positive number";
    return false;
  }
  const IssueTypeSeed* type = nullptr;
  for (const IssueTypeSeed& t : project->issue_types) {
    if (Lower(t.name) == Lower(seed.issue_type) || t.id == seed.issue_type) type = &t;
  }
  if (type == nullptr) {
    *error = "issue " + seed.key + ": project " + project->key + " has no issue type '" +
             seed.issue_type + "'";
    return false;
  }
  IssueRecord issue;
  issue.id = std::to_string(next_issue_id_++);
  issue.key = seed.key;
  issue.project_key = project->key;
  issue.summary = seed.summary;
  issue.description = seed.description;
  issue.rendered_description = seed.rendered_description;
  issue.issue_type_id = type->id;
  issue.status = FindStatus(seed.status).name.empty() ? seed.status : FindStatus(seed.status).name;
  issue.resolution = FindStatus(issue.status).category_key == "done" ? "Done" : "";
  issue.priority = seed.priority;
  issue.reporter = seed.reporter;
  issue.assignee = seed.assignee;
  issue.labels = seed.labels;
  issue.previous_keys = seed.previous_keys;
  issue.created = seed.created.empty() ? NextCreatedTime() : seed.created;
  issue.updated = seed.updated.empty() ? issue.created : seed.updated;
  if (!issue.resolution.empty()) {
    issue.resolution_date = seed.resolution_date.empty() ? issue.updated : seed.resolution_date;
  }
  project->next_number = std::max(project->next_number, number + 1);
  issues_.push_back(std::move(issue));
  return true;
}

bool Model::SetIssueTypes(const std::string& project_key, std::vector<IssueTypeSeed> types,
                          std::string* error) {
  ProjectRecord* project = FindProject(project_key);
  if (project == nullptr) {
    *error = "project " + project_key + " does not exist";
    return false;
  }
  project->issue_types = std::move(types);
  return true;
}

bool Model::RequireField(const std::string& project_key, const std::string& field,
                         const std::string& message, std::string* error) {
  ProjectRecord* project = FindProject(project_key);
  if (project == nullptr) {
    *error = "project " + project_key + " does not exist";
    return false;
  }
  project->required_fields[field] = message.empty() ? DefaultRequiredMessage(field) : message;
  return true;
}

bool Model::HideIssue(const std::string& key, std::string* error) {
  IssueRecord* issue = FindIssue(key);
  if (issue == nullptr) {
    *error = "issue " + key + " does not exist";
    return false;
  }
  issue->hidden = true;
  return true;
}

bool Model::Seed(const json& seed, std::string* error) {
  if (!seed.is_object()) {
    *error = "seed: expected a JSON object";
    return false;
  }
  try {
    for (const json& p : seed.value("projects", json::array())) {
      std::string key = p.value("key", "");
      if (!AddProject(key, p.value("name", ""), p.value("id", ""), error)) return false;
      if (p.contains("issueTypes")) {
        std::vector<IssueTypeSeed> types;
        for (const json& t : p["issueTypes"]) {
          types.push_back({t.value("id", ""), t.value("name", ""), t.value("description", ""),
                           t.value("subtask", false)});
        }
        if (!SetIssueTypes(key, std::move(types), error)) return false;
      }
      const json required = p.value("requiredFields", json::object());
      if (required.is_array()) {
        for (const json& f : required) {
          if (!RequireField(key, f.get<std::string>(), "", error)) return false;
        }
      } else {
        for (const auto& [field, message] : required.items()) {
          if (!RequireField(key, field, message.get<std::string>(), error)) return false;
        }
      }
    }
    for (const json& i : seed.value("issues", json::array())) {
      IssueSeed s;
      s.key = i.value("key", "");
      s.summary = i.value("summary", "");
      s.description = i.value("description", "");
      s.rendered_description = i.value("renderedDescription", "");
      s.issue_type = i.value("issueType", s.issue_type);
      s.status = i.value("status", s.status);
      s.reporter = i.value("reporter", s.reporter);
      s.assignee = i.value("assignee", "");
      s.labels = i.value("labels", std::vector<std::string>{});
      s.previous_keys = i.value("previousKeys", std::vector<std::string>{});
      s.priority = i.value("priority", s.priority);
      s.created = i.value("created", "");
      s.updated = i.value("updated", "");
      s.resolution_date = i.value("resolutiondate", "");
      if (!AddIssue(s, error)) return false;
      IssueRecord* issue = FindIssue(s.key);
      for (const json& c : i.value("comments", json::array())) {
        AddComment(issue, c.get<std::string>(), s.reporter);
      }
    }
    for (const json& key : seed.value("hidden", json::array())) {
      if (!HideIssue(key.get<std::string>(), error)) return false;
    }
    if (seed.contains("serverInfo")) SetServerInfo(seed["serverInfo"]);
  } catch (const json::exception& e) {
    *error = std::string("seed: ") + e.what();
    return false;
  }
  return true;
}

IssueRecord* Model::FindIssue(const std::string& key_or_id) {
  return const_cast<IssueRecord*>(std::as_const(*this).FindIssue(key_or_id));
}

const IssueRecord* Model::FindIssue(const std::string& key_or_id) const {
  for (const IssueRecord& issue : issues_) {
    if (issue.id == key_or_id || Lower(issue.key) == Lower(key_or_id)) return &issue;
  }
  // A moved issue, by a key it had before (after every current key).
  for (const IssueRecord& issue : issues_) {
    for (const std::string& old : issue.previous_keys) {
      if (Lower(old) == Lower(key_or_id)) return &issue;
    }
  }
  return nullptr;
}

ProjectRecord* Model::FindProject(const std::string& key_or_id) {
  return const_cast<ProjectRecord*>(std::as_const(*this).FindProject(key_or_id));
}

const ProjectRecord* Model::FindProject(const std::string& key_or_id) const {
  for (const ProjectRecord& project : projects_) {
    if (project.id == key_or_id || Lower(project.key) == Lower(key_or_id)) return &project;
  }
  return nullptr;
}

std::vector<IssueRecord*> Model::AllIssues() {
  std::vector<IssueRecord*> out;
  for (IssueRecord& issue : issues_) out.push_back(&issue);
  return out;
}

CommentRecord* Model::AddComment(IssueRecord* issue, const std::string& body,
                                 const std::string& author) {
  CommentRecord comment;
  comment.id = std::to_string(next_comment_id_++);
  comment.body = body;
  comment.author = author;
  comment.created = NowJiraTime();
  comment.updated = comment.created;
  issue->comments.push_back(std::move(comment));
  issue->updated = NowJiraTime();
  return &issue->comments.back();
}

RemoteLinkRecord* Model::UpsertRemoteLink(IssueRecord* issue, const json& body, bool* created) {
  std::string global_id = StringAt(body, "globalId");
  json stored = json::object();
  // Jira sets every field the request leaves out to null on update.
  for (const char* name : {"globalId", "application", "relationship", "object"}) {
    stored[name] = body.contains(name) ? body[name] : json(nullptr);
  }
  if (!global_id.empty()) {
    for (RemoteLinkRecord& link : issue->links) {
      if (StringAt(link.body, "globalId") == global_id) {
        link.body = stored;
        *created = false;
        return &link;
      }
    }
  }
  issue->links.push_back({next_link_id_++, stored});
  *created = true;
  return &issue->links.back();
}

std::vector<TransitionRecord> Model::Transitions() const {
  std::vector<TransitionRecord> all;
  for (const TransitionInfo& t : kTransitions) all.push_back({t.id, t.name, t.to});
  all.insert(all.end(), extra_transitions_.begin(), extra_transitions_.end());
  return all;
}

bool Model::AddTransition(const std::string& id, const std::string& name, const std::string& to,
                          std::string* error) {
  bool known = false;
  for (const TransitionInfo& t : kTransitions) known = known || to == t.to;
  if (!known || id.empty() || id.find_first_not_of("0123456789") != std::string::npos) {
    *error = "AddTransition: needs a numeric id and a default status, got " + id + " -> " + to;
    return false;
  }
  extra_transitions_.push_back({id, name, to});
  return true;
}

void Model::AddUser(const std::string& display_name, const std::string& email) {
  users_.emplace_back(display_name, email);
}

std::vector<json> Model::SearchUsers(const std::string& query) const {
  auto lower = [](std::string text) {
    for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
  };
  std::string wanted = lower(query);
  std::vector<json> out;
  if (wanted.empty()) return out;
  for (const auto& [display_name, email] : users_) {
    UserRecord user = MakeUser(display_name);
    if (lower(email).rfind(wanted, 0) != 0 && lower(user.name).rfind(wanted, 0) != 0) continue;
    json found = UserJson(display_name);
    found["emailAddress"] = email;
    out.push_back(std::move(found));
  }
  return out;
}

WorklogRecord* Model::AddWorklog(IssueRecord* issue, const std::string& time_spent,
                                 std::int64_t seconds, const std::string& comment,
                                 const std::string& author) {
  WorklogRecord worklog;
  worklog.id = std::to_string(next_worklog_id_++);
  worklog.time_spent = time_spent;
  worklog.time_spent_seconds = seconds;
  worklog.comment = comment;
  worklog.author = author;
  worklog.started = NowJiraTime();
  issue->worklogs.push_back(std::move(worklog));
  issue->updated = NowJiraTime();
  return &issue->worklogs.back();
}

json Model::WorklogJson(const IssueRecord& issue, const WorklogRecord& worklog) const {
  return {{"self", base_url_ + "/rest/api/2/issue/" + issue.id + "/worklog/" + worklog.id},
          {"author", UserJson(worklog.author)},
          {"updateAuthor", UserJson(worklog.author)},
          {"comment", worklog.comment},
          {"created", worklog.started},
          {"updated", worklog.started},
          {"started", worklog.started},
          {"timeSpent", worklog.time_spent},
          {"timeSpentSeconds", worklog.time_spent_seconds},
          {"id", worklog.id},
          {"issueId", issue.id}};
}

bool Model::ApplyTransition(IssueRecord* issue, const std::string& transition_id,
                            const std::string& resolution_name) {
  for (const TransitionRecord& t : Transitions()) {
    if (transition_id != t.id || issue->status == t.to) continue;
    issue->status = t.to;
    if (FindStatus(t.to).category_key == "done") {
      issue->resolution = resolution_name.empty() ? "Done" : resolution_name;
      issue->resolution_date = NowJiraTime();
    } else {
      issue->resolution.clear();
      issue->resolution_date.clear();
    }
    issue->updated = NowJiraTime();
    return true;
  }
  return false;
}

IssueRecord* Model::CreateIssue(ProjectRecord* project, const IssueTypeSeed& type,
                                const json& fields, const std::string& reporter) {
  IssueRecord issue;
  issue.id = std::to_string(next_issue_id_++);
  issue.key = project->key + "-" + std::to_string(project->next_number++);
  issue.project_key = project->key;
  issue.summary = StringAt(fields, "summary");
  issue.description = StringAt(fields, "description");
  issue.issue_type_id = type.id;
  issue.status = "To Do";
  issue.priority = fields.contains("priority") ? StringAt(fields["priority"], "name") : "";
  if (issue.priority.empty()) issue.priority = "Medium";
  issue.reporter = reporter;
  if (fields.contains("labels") && fields["labels"].is_array()) {
    for (const json& label : fields["labels"]) {
      if (label.is_string()) issue.labels.push_back(label.get<std::string>());
    }
  }
  issue.created = NowJiraTime();
  issue.updated = issue.created;
  issues_.push_back(std::move(issue));
  return &issues_.back();
}

json Model::ServerInfoJson() const {
  if (server_info_override_) return *server_info_override_;
  std::string now = NowJiraTime();
  if (personality_ == Personality::kCloud) {
    // Shaped like serverInfo.cloud.jira-cli.json (a real Cloud answer).
    return {{"baseUrl", base_url_},
            {"version", "1001.0.0-SNAPSHOT"},
            {"versionNumbers", {1001, 0, 0}},
            {"deploymentType", "Cloud"},
            {"buildNumber", 100204},
            {"buildDate", "2022-08-12T12:59:12.000+0200"},
            {"serverTime", now},
            {"scmInfo", "948b370c557f4bbf768b92203f3aca5d86ee9758"},
            {"serverTitle", "Jira"},
            {"defaultLocale", {{"locale", "en_US"}}}};
  }
  // A Jira Data Center 9.x node (DC reports "Server").
  return {{"baseUrl", base_url_},
          {"version", "9.12.2"},
          {"versionNumbers", {9, 12, 2}},
          {"deploymentType", "Server"},
          {"buildNumber", 912002},
          {"buildDate", "2023-11-27T00:00:00.000+0000"},
          {"databaseBuildNumber", 912002},
          {"serverTime", now},
          {"scmInfo", "7b6e9d4d5c8a0d3b8f6e4b9b3f1f0c0d8c6a5e21"},
          {"serverTitle", "Jira Stand-in"}};
}

json Model::UserJson(const std::string& display_name) const {
  if (display_name.empty()) return nullptr;
  UserRecord user = MakeUser(display_name);
  json avatars = {{"48x48", base_url_ + "/secure/useravatar?avatarId=10122"},
                  {"16x16", base_url_ + "/secure/useravatar?size=xsmall&avatarId=10122"}};
  if (personality_ == Personality::kCloud) {
    return {{"self", base_url_ + "/rest/api/2/user?accountId=" + user.account_id},
            {"accountId", user.account_id},
            {"emailAddress", user.email},
            {"avatarUrls", avatars},
            {"displayName", user.display_name},
            {"active", true},
            {"timeZone", "Etc/UTC"},
            {"accountType", "atlassian"}};
  }
  return {{"self", base_url_ + "/rest/api/2/user?username=" + user.name},
          {"name", user.name},
          {"key", user.name},
          {"emailAddress", user.email},
          {"avatarUrls", avatars},
          {"displayName", user.display_name},
          {"active", true},
          {"timeZone", "Etc/UTC"}};
}

json Model::MyselfJson(const std::string& username, const std::string& display_name) const {
  json me = UserJson(display_name);
  if (personality_ == Personality::kCloud) {
    // Cloud leaves name and key empty (myself.cloud.atlassian-spec.json).
    me["key"] = "";
    me["name"] = "";
    if (username.find('@') != std::string::npos) me["emailAddress"] = username;
  } else {
    me["name"] = username;
    me["key"] = username;
    me["self"] = base_url_ + "/rest/api/2/user?username=" + username;
  }
  me["locale"] = "en_US";
  me["groups"] = {{"size", 1}, {"items", json::array()}};
  me["applicationRoles"] = {{"size", 1}, {"items", json::array()}};
  me["expand"] = "groups,applicationRoles";
  return me;
}

json Model::StatusJson(const std::string& status_name) const {
  const StatusInfo& info = FindStatus(status_name);
  std::string name = info.name.empty() ? status_name : info.name;
  return {{"self", base_url_ + "/rest/api/2/status/" + info.id},
          {"description", ""},
          {"iconUrl", base_url_ + "/images/icons/statuses/generic.png"},
          {"name", name},
          {"id", info.id},
          {"statusCategory",
           {{"self", base_url_ + "/rest/api/2/statuscategory/" + std::to_string(info.category_id)},
            {"id", info.category_id},
            {"key", info.category_key},
            {"colorName", info.color},
            {"name", info.category_name}}}};
}

json Model::IssueTypeJson(const IssueTypeSeed& type) const {
  return {{"self", base_url_ + "/rest/api/2/issuetype/" + type.id},
          {"id", type.id},
          {"description", type.description},
          {"iconUrl", base_url_ + "/images/icons/issuetypes/generic.svg"},
          {"name", type.name},
          {"subtask", type.subtask}};
}

json Model::CommentJson(const IssueRecord& issue, const CommentRecord& comment) const {
  json author = UserJson(comment.author);
  return {{"self", base_url_ + "/rest/api/2/issue/" + issue.id + "/comment/" + comment.id},
          {"id", comment.id},
          {"author", author},
          {"body", comment.body},
          {"updateAuthor", author},
          {"created", comment.created},
          {"updated", comment.updated}};
}

json Model::RemoteLinkJson(const IssueRecord& issue, const RemoteLinkRecord& link) const {
  json out = {{"id", link.id},
              {"self", base_url_ + "/rest/api/2/issue/" + issue.key + "/remotelink/" +
                           std::to_string(link.id)}};
  for (const auto& [name, value] : link.body.items()) {
    if (!value.is_null()) out[name] = value;
  }
  return out;
}

json Model::TransitionsJson(const IssueRecord& issue, bool with_fields,
                            const std::string& only_id) const {
  json list = json::array();
  for (const TransitionRecord& t : Transitions()) {
    if (issue.status == t.to) continue;  // no transition into the current status
    if (!only_id.empty() && only_id != t.id) continue;
    json transition = {{"id", t.id},          {"name", t.name},         {"to", StatusJson(t.to)},
                       {"hasScreen", false},  {"isGlobal", true},       {"isInitial", false},
                       {"isAvailable", true}, {"isConditional", false}, {"isLooped", false}};
    if (with_fields) transition["fields"] = json::object();
    list.push_back(std::move(transition));
  }
  return {{"expand", "transitions"}, {"transitions", list}};
}

json Model::ProjectJson(const ProjectRecord& project) const {
  json types = json::array();
  for (const IssueTypeSeed& type : project.issue_types) types.push_back(IssueTypeJson(type));
  return {{"expand", "description,lead,issueTypes,url,projectKeys,permissions,insight"},
          {"self", base_url_ + "/rest/api/2/project/" + project.id},
          {"id", project.id},
          {"key", project.key},
          {"name", project.name},
          {"description", ""},
          {"lead", UserJson("Ada Lovelace")},
          {"components", json::array()},
          {"issueTypes", types},
          {"assigneeType", "UNASSIGNED"},
          {"versions", json::array()},
          {"projectTypeKey", "software"},
          {"avatarUrls", {{"48x48", base_url_ + "/secure/projectavatar?pid=" + project.id}}}};
}

json Model::IssueJson(const IssueRecord& issue, const std::vector<std::string>& fields,
                      bool rendered, bool transitions) const {
  const ProjectRecord* project = FindProject(issue.project_key);
  json type = nullptr;
  for (const IssueTypeSeed& t : project->issue_types) {
    if (t.id == issue.issue_type_id) type = IssueTypeJson(t);
  }
  json comments = json::array();
  for (const CommentRecord& c : issue.comments) comments.push_back(CommentJson(issue, c));
  json resolution = nullptr;
  if (!issue.resolution.empty()) {
    resolution = {{"self", base_url_ + "/rest/api/2/resolution/10000"},
                  {"id", "10000"},
                  {"description", "Work has been completed on this issue."},
                  {"name", issue.resolution}};
  }
  json all = {
      {"summary", issue.summary},
      {"description", issue.description.empty() ? json(nullptr) : json(issue.description)},
      {"issuetype", type},
      {"project",
       {{"self", base_url_ + "/rest/api/2/project/" + project->id},
        {"id", project->id},
        {"key", project->key},
        {"name", project->name},
        {"projectTypeKey", "software"}}},
      {"status", StatusJson(issue.status)},
      {"resolution", resolution},
      {"resolutiondate",
       issue.resolution_date.empty() ? json(nullptr) : json(issue.resolution_date)},
      {"priority",
       {{"self", base_url_ + "/rest/api/2/priority/3"}, {"name", issue.priority}, {"id", "3"}}},
      {"reporter", UserJson(issue.reporter)},
      {"creator", UserJson(issue.reporter)},
      {"assignee", UserJson(issue.assignee)},
      {"labels", issue.labels},
      {"created", issue.created},
      {"updated", issue.updated},
      {"comment",
       {{"comments", comments},
        {"maxResults", comments.size()},
        {"total", comments.size()},
        {"startAt", 0}}},
  };
  // fields: empty or "*all" = everything; "*navigable" = all but comments;
  // "-name" drops a field; otherwise only the named fields.
  json selected = json::object();
  bool everything = fields.empty();
  bool navigable = false;
  std::vector<std::string> wanted, dropped;
  for (const std::string& f : fields) {
    if (f == "*all") {
      everything = true;
    } else if (f == "*navigable") {
      navigable = true;
    } else if (!f.empty() && f[0] == '-') {
      dropped.push_back(f.substr(1));
    } else if (!f.empty()) {
      wanted.push_back(f);
    }
  }
  if (wanted.empty() && !navigable && !dropped.empty()) everything = true;
  for (const auto& [name, value] : all.items()) {
    bool take = everything || (navigable && name != "comment") ||
                std::find(wanted.begin(), wanted.end(), name) != wanted.end();
    if (std::find(dropped.begin(), dropped.end(), name) != dropped.end()) take = false;
    if (take) selected[name] = value;
  }
  json out = {{"expand",
               "renderedFields,names,schema,operations,editmeta,changelog,"
               "versionedRepresentations"},
              {"id", issue.id},
              {"self", base_url_ + "/rest/api/2/issue/" + issue.id},
              {"key", issue.key},
              {"fields", selected}};
  if (rendered) {
    json rendered_fields = json::object();
    for (const auto& [name, value] : selected.items()) {
      rendered_fields[name] = nullptr;
    }
    if (selected.contains("description")) {
      rendered_fields["description"] =
          !issue.rendered_description.empty() ? json(issue.rendered_description)
          : issue.description.empty()         ? json(nullptr)
                                      : json("<p>" + HtmlEscape(issue.description) + "</p>");
    }
    if (selected.contains("comment")) {
      json rendered_comments = json::array();
      for (const CommentRecord& c : issue.comments) {
        json rc = CommentJson(issue, c);
        rc["body"] = "<p>" + HtmlEscape(c.body) + "</p>";
        rendered_comments.push_back(rc);
      }
      rendered_fields["comment"] = {{"comments", rendered_comments},
                                    {"maxResults", rendered_comments.size()},
                                    {"total", rendered_comments.size()},
                                    {"startAt", 0}};
    }
    if (selected.contains("created")) rendered_fields["created"] = "1 minute ago";
    if (selected.contains("updated")) rendered_fields["updated"] = "1 minute ago";
    out["renderedFields"] = rendered_fields;
  }
  if (transitions) out["transitions"] = TransitionsJson(issue, false, "")["transitions"];
  return out;
}

JqlFields Model::ToJqlFields(const IssueRecord& issue) const {
  JqlFields f;
  f.id = issue.id;
  f.key = issue.key;
  f.previous_keys = issue.previous_keys;
  f.project = issue.project_key;
  const ProjectRecord* project = FindProject(issue.project_key);
  for (const IssueTypeSeed& t : project->issue_types) {
    if (t.id == issue.issue_type_id) f.issue_type = t.name;
  }
  f.summary = issue.summary;
  f.description = issue.description;
  f.status = issue.status;
  const StatusInfo& status = FindStatus(issue.status);
  f.category_key = status.category_key;
  f.category_name = status.category_name;
  f.resolution = issue.resolution;
  f.priority = issue.priority;
  f.created = issue.created;
  f.updated = issue.updated;
  f.labels = issue.labels;
  auto names = [](const std::string& display_name) {
    if (display_name.empty()) return std::vector<std::string>{};
    UserRecord user = MakeUser(display_name);
    return std::vector<std::string>{user.display_name, user.name, user.account_id, user.email};
  };
  f.reporter = names(issue.reporter);
  f.assignee = names(issue.assignee);
  return f;
}

json Model::AdminIssueJson(const IssueRecord& issue) const {
  json out = IssueJson(issue, {}, false, false);
  json comments = json::array();
  for (const CommentRecord& c : issue.comments) comments.push_back(CommentJson(issue, c));
  json links = json::array();
  for (const RemoteLinkRecord& l : issue.links) links.push_back(RemoteLinkJson(issue, l));
  out["comments"] = comments;
  out["remoteLinks"] = links;
  json worklogs = json::array();
  for (const WorklogRecord& w : issue.worklogs) worklogs.push_back(WorklogJson(issue, w));
  out["worklogs"] = worklogs;
  out["status"] = issue.status;
  out["resolution"] = issue.resolution;
  out["hidden"] = issue.hidden;
  return out;
}

}  // namespace jiralink::standin::internal
