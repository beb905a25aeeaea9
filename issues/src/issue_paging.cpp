#include "jiralink/issues/issue_paging.h"

namespace jiralink::issues {
namespace {

jira::ApiStatus FetchServerPage(jira::Client& client, const PageRequest& request, IssuePage* out) {
  jira::SearchRequest search;
  search.jql = request.jql;
  search.fields = request.fields;
  std::int64_t start = static_cast<std::int64_t>(request.page - 1) * request.per_page;
  while (true) {
    search.start_at = static_cast<int>(start);
    search.max_results = request.per_page - static_cast<int>(out->issues.size());
    jira::SearchPage answer;
    jira::ApiStatus status = client.Search(search, &answer);
    ++out->requests;
    if (!status.ok()) return status;
    out->total = answer.total;
    start += static_cast<std::int64_t>(answer.issues.size());
    for (jira::Issue& issue : answer.issues) out->issues.push_back(std::move(issue));
    bool end =
        answer.issues.empty() || (answer.total >= 0 ? start >= answer.total : answer.is_last);
    if (end) {
      out->more = false;
      return status;
    }
    if (static_cast<int>(out->issues.size()) >= request.per_page) {
      out->more = true;
      return status;
    }
  }
}

jira::ApiStatus FetchCloudPage(jira::Client& client, const PageRequest& request, IssuePage* out) {
  jira::SearchRequest search;
  search.jql = request.jql;
  search.fields = request.fields;
  search.max_results = request.per_page;  // the same on every call: tokens belong to the query
  std::int64_t skip = static_cast<std::int64_t>(request.page - 1) * request.per_page;
  while (true) {
    jira::SearchPage answer;
    jira::ApiStatus status = client.Search(search, &answer);
    ++out->requests;
    if (!status.ok()) return status;
    std::size_t used = 0;
    for (; used < answer.issues.size(); ++used) {
      if (skip > 0) {
        --skip;
        continue;
      }
      if (static_cast<int>(out->issues.size()) == request.per_page) break;
      out->issues.push_back(std::move(answer.issues[used]));
    }
    bool last = answer.is_last || answer.next_page_token.empty() || answer.issues.empty();
    if (static_cast<int>(out->issues.size()) == request.per_page) {
      out->more = used < answer.issues.size() || !last;
      return status;
    }
    if (last) {
      out->more = false;
      return status;
    }
    search.next_page_token = answer.next_page_token;
  }
}

}  // namespace

jira::ApiStatus FetchIssuePage(jira::Client& client, const PageRequest& request, IssuePage* out) {
  *out = IssuePage();
  return request.cloud ? FetchCloudPage(client, request, out)
                       : FetchServerPage(client, request, out);
}

jira::ApiStatus FetchIssuePageByToken(jira::Client& client, const PageRequest& request,
                                      const std::string& token, IssuePage* out) {
  *out = IssuePage();
  jira::SearchRequest search;
  search.jql = request.jql;
  search.fields = request.fields;
  search.max_results = request.per_page;
  search.next_page_token = token;
  jira::SearchPage answer;
  jira::ApiStatus status = client.Search(search, &answer);
  ++out->requests;
  if (!status.ok()) return status;
  out->issues = std::move(answer.issues);
  bool last = answer.is_last || answer.next_page_token.empty() || out->issues.empty();
  out->more = !last;
  if (!last) out->next_page_token = answer.next_page_token;
  return status;
}

}  // namespace jiralink::issues
