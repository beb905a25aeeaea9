// The state the stand-in keeps (projects, issues, comments, remote links)
// and the JSON shapes it serves them in.
//
// Shapes follow the recorded responses in tests/fixtures/jira: users differ
// between Cloud (accountId, empty name/key) and Server (name/key), statuses
// carry a statusCategory with the real keys (new/indeterminate/done), IDs are
// strings except the remote link id and statusCategory id (numbers).
// Not thread-safe: JiraStandin serialises access with its mutex.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "standin.h"
#include "standin_jql.h"

namespace jiralink::standin::internal {

struct UserRecord {
  std::string display_name;
  std::string name;        // Server user name, derived from the display name
  std::string account_id;  // Cloud account id, derived from the display name
  std::string email;
};

struct CommentRecord {
  std::string id;
  std::string body;
  std::string author;  // display name
  std::string created;
  std::string updated;
};

struct WorklogRecord {
  std::string id;
  std::string time_spent;  // as sent, e.g. "1w 2d"
  std::int64_t time_spent_seconds = 0;
  std::string comment;
  std::string author;  // display name
  std::string started;
};

struct RemoteLinkRecord {
  std::int64_t id = 0;
  nlohmann::json body;  // globalId, application, relationship, object as last sent
};

struct IssueRecord {
  std::string id;
  std::string key;
  std::string project_key;
  std::string summary;
  std::string description;
  std::string rendered_description;  // raw HTML; empty = derived from description
  std::string issue_type_id;
  std::string status;
  std::string resolution;
  std::string resolution_date;  // fields.resolutiondate; empty (null) when unresolved
  std::string priority;
  std::string reporter;
  std::string assignee;
  std::vector<std::string> labels;
  std::string created;
  std::string updated;
  bool hidden = false;
  // Keys the issue had before it was moved to another project; Jira still
  // finds it by them (GET /issue/{old key}, JQL `key = OLD-1`).
  std::vector<std::string> previous_keys;
  std::vector<CommentRecord> comments;
  std::vector<RemoteLinkRecord> links;
  std::vector<WorklogRecord> worklogs;
};

// A workflow transition (the default ones, and those added with
// JiraStandin::AddTransition).
struct TransitionRecord {
  std::string id;
  std::string name;
  std::string to;  // a default status name
};

struct ProjectRecord {
  std::string id;
  std::string key;
  std::string name;
  std::vector<IssueTypeSeed> issue_types;
  std::map<std::string, std::string> required_fields;  // field -> message
  long next_number = 1;
};

// The default workflow's statuses.
struct StatusInfo {
  std::string id;
  std::string name;
  int category_id;
  std::string category_key;
  std::string category_name;
  std::string color;
};
const StatusInfo& FindStatus(const std::string& name);

// "2026-11-25T14:41:45.000+0000" for `seconds` since the epoch.
std::string FormatJiraTime(std::int64_t seconds);
std::string NowJiraTime();

class Model {
 public:
  explicit Model(Personality personality);

  Personality personality() const { return personality_; }
  void set_base_url(std::string base_url) { base_url_ = std::move(base_url); }
  const std::string& base_url() const { return base_url_; }

  // State changes; return false with *error on bad input.
  bool AddProject(const std::string& key, const std::string& name, const std::string& id,
                  std::string* error);
  bool AddIssue(const IssueSeed& seed, std::string* error);
  bool SetIssueTypes(const std::string& project_key, std::vector<IssueTypeSeed> types,
                     std::string* error);
  bool RequireField(const std::string& project_key, const std::string& field,
                    const std::string& message, std::string* error);
  bool HideIssue(const std::string& key, std::string* error);
  void SetServerInfo(nlohmann::json info) { server_info_override_ = std::move(info); }
  bool Seed(const nlohmann::json& seed, std::string* error);

  // Lookups: by key (case-insensitive) or id; null when missing.
  IssueRecord* FindIssue(const std::string& key_or_id);
  const IssueRecord* FindIssue(const std::string& key_or_id) const;
  ProjectRecord* FindProject(const std::string& key_or_id);
  const ProjectRecord* FindProject(const std::string& key_or_id) const;
  std::vector<IssueRecord*> AllIssues();

  CommentRecord* AddComment(IssueRecord* issue, const std::string& body, const std::string& author);
  WorklogRecord* AddWorklog(IssueRecord* issue, const std::string& time_spent, std::int64_t seconds,
                            const std::string& comment, const std::string& author);
  // An extra transition offered from every status but its target.
  bool AddTransition(const std::string& id, const std::string& name, const std::string& to,
                     std::string* error);
  // Users that /user/search finds, by display name, with their email.
  void AddUser(const std::string& display_name, const std::string& email);
  // The users whose email or name starts with `query` (case-insensitive).
  std::vector<nlohmann::json> SearchUsers(const std::string& query) const;
  // Creates or replaces (by globalId) a link; *created tells which.
  RemoteLinkRecord* UpsertRemoteLink(IssueRecord* issue, const nlohmann::json& body, bool* created);
  // Moves the issue to the transition's status; false when the id is unknown.
  bool ApplyTransition(IssueRecord* issue, const std::string& transition_id,
                       const std::string& resolution_name);
  IssueRecord* CreateIssue(ProjectRecord* project, const IssueTypeSeed& type,
                           const nlohmann::json& fields, const std::string& reporter);

  // JSON as served.
  nlohmann::json ServerInfoJson() const;
  nlohmann::json UserJson(const std::string& display_name) const;
  nlohmann::json MyselfJson(const std::string& username, const std::string& display_name) const;
  nlohmann::json IssueJson(const IssueRecord& issue, const std::vector<std::string>& fields,
                           bool rendered, bool transitions) const;
  nlohmann::json CommentJson(const IssueRecord& issue, const CommentRecord& comment) const;
  nlohmann::json RemoteLinkJson(const IssueRecord& issue, const RemoteLinkRecord& link) const;
  nlohmann::json WorklogJson(const IssueRecord& issue, const WorklogRecord& worklog) const;
  nlohmann::json TransitionsJson(const IssueRecord& issue, bool with_fields,
                                 const std::string& only_id) const;
  nlohmann::json IssueTypeJson(const IssueTypeSeed& type) const;
  nlohmann::json ProjectJson(const ProjectRecord& project) const;
  nlohmann::json StatusJson(const std::string& status_name) const;
  JqlFields ToJqlFields(const IssueRecord& issue) const;
  // Stand-in view for /_standin/issues/{key}: the issue plus comments and links.
  nlohmann::json AdminIssueJson(const IssueRecord& issue) const;

  static UserRecord MakeUser(const std::string& display_name);

 private:
  std::string NextCreatedTime();
  // The default transitions, then the added ones.
  std::vector<TransitionRecord> Transitions() const;

  Personality personality_;
  std::string base_url_;
  std::deque<ProjectRecord> projects_;  // deque: pointers stay valid as it grows
  std::deque<IssueRecord> issues_;
  std::optional<nlohmann::json> server_info_override_;
  long next_issue_id_ = 10001;
  long next_comment_id_ = 10000;
  long next_worklog_id_ = 20000;
  std::vector<TransitionRecord> extra_transitions_;
  std::vector<std::pair<std::string, std::string>> users_;  // display name, email
  std::int64_t next_link_id_ = 10000;
  long next_project_id_ = 10000;
  std::int64_t seed_clock_;  // created time of the next seed without one
};

}  // namespace jiralink::standin::internal
