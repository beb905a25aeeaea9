// Reading Jira's JSON into the client's structs, leniently.
//
// Jira's answers differ by version and deployment (Cloud users have
// accountId, Server users name/key; Jira 5 transitions have no
// statusCategory; Jira 4.2 has no versionNumbers; IDs are strings but some
// are numbers). Every function here accepts whatever arrives: a missing or
// mistyped field leaves the default, and nothing throws.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "jiralink/jira/client.h"

namespace jiralink::jira {

// Jira's answers nest a handful of levels. A body nested deeper is refused
// as not JSON: copying or printing a deeper nlohmann::json recurses once per
// level, and 5,000 levels (10 KB of "[") overflow the stack.
inline constexpr int kMaxJsonDepth = 256;

// Parses a response body. A body that is not JSON, or nests arrays and
// objects deeper than kMaxJsonDepth, gives a discarded value
// (is_discarded()). Never throws. Every Jira answer is parsed through it.
nlohmann::json ParseResponseBody(std::string_view body);

void ParseServerInfo(const nlohmann::json& json, ServerInfo* out);
void ParseUser(const nlohmann::json& json, User* out);
void ParseIssueStatus(const nlohmann::json& json, IssueStatus* out);
// {"transitions":[...]} (or the array itself).
std::vector<Transition> ParseTransitions(const nlohmann::json& json);
void ParseComment(const nlohmann::json& json, Comment* out);
void ParseWorklog(const nlohmann::json& json, Worklog* out);
void ParseRemoteLink(const nlohmann::json& json, RemoteLink* out);
void ParseIssue(const nlohmann::json& json, Issue* out);
void ParseIssueType(const nlohmann::json& json, IssueType* out);
void ParseProject(const nlohmann::json& json, Project* out);

// One search page: Server's {startAt,maxResults,total,issues} or Cloud's
// {issues,nextPageToken,isLast}.
void ParseSearchPage(const nlohmann::json& json, SearchPage* out);

// One page of the new createmeta endpoint: Cloud's {"issueTypes":[...],
// startAt,maxResults,total} or DC's {"values":[...],isLast,...}. Sets
// *is_last from isLast, else from startAt + count >= total (true when unknown).
std::vector<IssueType> ParseCreateMetaIssueTypes(const nlohmann::json& json, bool* is_last);

// The old createmeta answer {"projects":[{"key":..,"issuetypes":[...]}]}:
// the issue types of `project_key`; *found is false when the project is absent.
std::vector<IssueType> ParseOldCreateMeta(const nlohmann::json& json, std::string_view project_key,
                                          bool* found);

// Cloud or Server from a parsed serverInfo: deploymentType "Cloud" is Cloud,
// any other value Server; without the field (Jira 6 and older) the URL's host
// (*.atlassian.net) or an OnDemand version ("-OD-", "1001.") means Cloud.
Deployment ResolveDeployment(const ServerInfo& info, std::string_view url);

}  // namespace jiralink::jira
