// How an issue is presented by `jiralink issues list|show`: the table row,
// the JSON objects (the documented shape scripts rely on) and the detail text.
//
// List JSON, one object per issue:
//   {"key", "id", "url", "type", "status", "status_category", "summary",
//    "assignee" (null = unassigned), "reporter", "priority", "labels": [],
//    "created", "updated"}
// Show JSON: the same plus "resolution" (null = unresolved), "description"
// (plain text) and "comments": [{"id", "author", "created", "body"}].
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "issue_table.h"
#include "jiralink/issues/issue_scope.h"
#include "jiralink/jira/client.h"

namespace jiralink::cli {

using issues::IssueUrl;  // {web_url}/browse/KEY (jiralink/issues/issue_scope.h)

IssueRow ToIssueRow(const jira::Issue& issue, std::string_view web_url);

nlohmann::json IssueListJson(const jira::Issue& issue, std::string_view web_url);
nlohmann::json IssueDetailJson(const jira::Issue& issue, std::string_view web_url);

// The text of `issues show`: key and summary, URL, the fields, then the
// description and the comments as plain text (from the rendered HTML when
// Jira sent it, else the raw wiki text). Every string from Jira is passed
// through SafeTerminalText() (jiralink/core/terminal_text.h); the JSON
// functions above keep Jira's text exact.
std::string IssueDetailText(const jira::Issue& issue, std::string_view web_url);

}  // namespace jiralink::cli
