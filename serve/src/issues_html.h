// The HTML of the "View Jira issues" pages (issues_pages.h): the list, the
// detail, the error and not-found pages, and the stylesheet. Pure text: the
// callers fetch from Jira. Every string from Jira or from the request is
// escaped here (HtmlEscape, core/text.h) or sanitized (SanitizeHtml); nothing else is
// written raw.
//
// Times: Jira's timestamps carry their own offset ("+0530", "-0800"); every
// time is shown in UTC, as a relative time ("3 days ago", from `now`) in a
// <time> whose datetime and title hold the absolute UTC time, as the forge
// does. One zone for every visitor keeps the pages cacheable and needs no
// script (the pages have none).
//
// Links to Jira open in a new tab with the external-link mark
// (ExternalLinkHtml). Labels, reporters and assignees link to the list
// filtered by them. Jira's HTML goes through SanitizeHtml with its headings
// shifted below the page's h1/h2 and its tables and code blocks in labelled,
// keyboard-scrollable regions.
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
  std::int64_t now = 0;  // seconds since the epoch, for relative times; 0 = the clock's
};

std::string ListPage(const ListView& view);

struct DetailView {
  std::string repository;
  std::string list_path;  // the list's path
  std::string web_url;
  const jira::Issue* issue = nullptr;
  std::string key;       // as asked
  std::string error;     // the forge's message when the call failed
  std::int64_t now = 0;  // as in ListView
};

std::string DetailPage(const DetailView& view);

// A page with one heading and one paragraph (404, 400), and a link back to
// the list at `list_path` when it is not empty.
std::string MessagePage(const std::string& title, const std::string& message,
                        const std::string& list_path = {});

// Jira's timestamp ("2026-01-05T23:30:00.000+0530"; also "Z", "+05:30",
// "+05", no seconds, no fraction) as seconds since the epoch. False, and
// *seconds untouched, for anything else.
bool ParseJiraTime(std::string_view text, std::int64_t* seconds);

// `then` relative to `now`: "just now" (under a minute either way),
// "5 minutes ago", "1 hour ago", "3 days ago", "2 weeks ago", "4 months ago",
// "2 years ago"; a future time as "in 3 hours".
std::string RelativeTime(std::int64_t then, std::int64_t now);

// <time datetime="2026-01-05T18:00:00Z" title="2026-01-05 18:00 UTC">3 days
// ago</time>; `jira_time` escaped as given when it does not parse.
std::string TimeHtml(std::string_view jira_time, std::int64_t now);

// The stylesheet served at kStylesheetPath.
const std::string& Stylesheet();

// `text` percent-encoded for a query string (RFC 3986 unreserved kept).
std::string UrlEncode(std::string_view text);

// "?a=1&b=2" from the pairs (empty values dropped); "" when none is left.
std::string QueryString(const std::vector<std::pair<std::string, std::string>>& pairs);

}  // namespace jiralink::serve::html
