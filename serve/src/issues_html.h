// The HTML of the "View Jira issues" pages (issues_pages.h): the list, the
// detail, the error and not-found pages, and the stylesheet. Pure text: the
// callers fetch from Jira. Every string from Jira or from the request is
// escaped here (EscapeHtml) or sanitized (SanitizeHtml); nothing else is
// written raw.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "jiralink/issues/issue_paging.h"
#include "jiralink/jira/client.h"

namespace jiralink::serve::html {

// The list page's request, as the query gave it (after defaults).
struct ListState {
  std::string state = "opened";  // opened | closed | all
  std::vector<std::string> labels;
  std::string status;
  std::string author;    // author_username
  std::string assignee;  // assignee_username
  std::string project;
  std::string search;
  std::string sort = "created_desc";
  bool sort_given = false;  // sort= was in the URL (kept in the tab links)
  int page = 1;
  int per_page = 100;
  bool per_page_given = false;
  std::string token;  // next_page_token (Cloud)
};

struct ListView {
  std::string repository;                 // "platform/api"
  std::string base_path;                  // "/platform/api/-/integrations/jira/issues"
  std::string web_url;                    // Jira's, for the links to each issue
  std::vector<std::string> project_keys;  // configured; empty = any
  bool cloud = false;
  ListState state;
  const issues::IssuePage* result = nullptr;  // null when the call failed
  std::string error;                          // the forge's message when it failed
  // The tabs' counts for the same filters (All = both); -1 = not known.
  std::int64_t open_count = -1;
  std::int64_t closed_count = -1;
};

std::string ListPage(const ListView& view);

struct DetailView {
  std::string repository;
  std::string list_path;  // the list's path
  std::string web_url;
  const jira::Issue* issue = nullptr;
  std::string key;    // as asked
  std::string error;  // the forge's message when the call failed
};

std::string DetailPage(const DetailView& view);

// A page with one heading and one paragraph (404, 400).
std::string MessagePage(const std::string& title, const std::string& message);

// The stylesheet served at kStylesheetPath.
const std::string& Stylesheet();

// `text` percent-encoded for a query string (RFC 3986 unreserved kept).
std::string UrlEncode(std::string_view text);

// "?a=1&b=2" from the pairs (empty values dropped); "" when none is left.
std::string QueryString(const std::vector<std::pair<std::string, std::string>>& pairs);

}  // namespace jiralink::serve::html
