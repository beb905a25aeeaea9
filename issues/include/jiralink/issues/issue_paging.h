// One page of Jira issues over both of Jira's paging styles, for
// `jiralink issues list` and the "View Jira issues" web page.
//
// By number (FetchIssuePage): a page is issues [(page-1)*per_page,
// page*per_page) of the search result. Server/DC pages by startAt/total, so
// the page is fetched directly; Cloud pages by nextPageToken only, so the
// tokens are walked from page 1. Jira may answer fewer issues than asked (it
// caps maxResults); the missing ones are fetched with further requests, so no
// issue falls between two pages.
//
// By token (FetchIssuePageByToken, Cloud only): what the forge's page does:
// one /search/jql call from `token` ("" = the first page), Jira's page as it
// answered, and its nextPageToken for the link to the next page.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "jiralink/jira/client.h"

namespace jiralink::issues {

struct PageRequest {
  std::string jql;
  int page = 1;  // 1-based
  int per_page = 100;
  std::vector<std::string> fields;
  bool cloud = false;  // page by nextPageToken
};

struct IssuePage {
  std::vector<jira::Issue> issues;
  bool more = false;            // issues exist after this page
  std::int64_t total = -1;      // Server/DC only; -1 on Cloud
  int requests = 0;             // search calls made
  std::string next_page_token;  // by token: Jira's token for the next page ("" = none)
};

// Fetches one page. On a failed call returns its ApiStatus (and *out holds
// what was fetched so far).
jira::ApiStatus FetchIssuePage(jira::Client& client, const PageRequest& request, IssuePage* out);

// One Cloud page from `token` (one request; request.page and request.cloud
// are not used). out->more is true when Jira gave a token for a next page.
jira::ApiStatus FetchIssuePageByToken(jira::Client& client, const PageRequest& request,
                                      const std::string& token, IssuePage* out);

}  // namespace jiralink::issues
