// One page of issues over both paging styles, against the stand-in Jira.
#include "jiralink/issues/issue_paging.h"

#include <gtest/gtest.h>

#include "jiralink/issues/issue_scope.h"
#include "standin.h"

namespace jiralink::issues {
namespace {

std::unique_ptr<jira::Client> Connect(const standin::JiraStandin& jira, jira::Deployment kind) {
  jira::ClientOptions options;
  options.api_url = jira.base_url();
  options.username = "jiralink-bot";
  options.token = "standin-token";
  options.deployment = kind;
  return std::make_unique<jira::Client>(options);
}

void Seed(standin::JiraStandin& jira, int count) {
  ASSERT_TRUE(jira.Start());
  jira.AddProject("PROJ", "Project");
  jira.AddNumberedIssues("PROJ", count);
}

std::vector<std::string> Keys(const IssuePage& page) {
  std::vector<std::string> keys;
  for (const jira::Issue& issue : page.issues) keys.push_back(issue.key);
  return keys;
}

TEST(IssuePaging, CloudTokensWalkEveryIssueOnceWithOneCallPerPage) {
  standin::JiraStandin::Options options;
  options.personality = standin::Personality::kCloud;
  standin::JiraStandin jira(options);
  Seed(jira, 5);
  auto client = Connect(jira, jira::Deployment::kCloud);
  PageRequest request;
  request.jql = "project in (\"PROJ\") order by created ASC";
  request.per_page = 2;
  request.fields = ListFields();
  std::vector<std::string> seen;
  std::string token;
  int pages = 0;
  do {
    IssuePage page;
    jira::ApiStatus status = FetchIssuePageByToken(*client, request, token, &page);
    ASSERT_TRUE(status.ok()) << status.ToString();
    EXPECT_EQ(page.requests, 1);
    for (const std::string& key : Keys(page)) seen.push_back(key);
    EXPECT_EQ(page.more, !page.next_page_token.empty());
    token = page.next_page_token;
    ASSERT_LT(++pages, 10);
  } while (!token.empty());
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(seen, (std::vector<std::string>{"PROJ-1", "PROJ-2", "PROJ-3", "PROJ-4", "PROJ-5"}));
}

TEST(IssuePaging, ServerPagesByNumberWithTheTotal) {
  standin::JiraStandin jira(standin::JiraStandin::Options{});
  Seed(jira, 5);
  auto client = Connect(jira, jira::Deployment::kServer);
  PageRequest request;
  request.jql = "project in (\"PROJ\") order by created ASC";
  request.per_page = 2;
  request.page = 3;
  request.fields = ListFields();
  IssuePage page;
  ASSERT_TRUE(FetchIssuePage(*client, request, &page).ok());
  EXPECT_EQ(Keys(page), (std::vector<std::string>{"PROJ-5"}));
  EXPECT_EQ(page.total, 5);
  EXPECT_FALSE(page.more);
}

TEST(IssuePaging, AFailedCallIsReturned) {
  standin::JiraStandin jira(standin::JiraStandin::Options{});
  Seed(jira, 1);
  standin::Fault fault;
  fault.path_contains = "/search";
  fault.status = 503;
  jira.InjectFault(fault);
  auto client = Connect(jira, jira::Deployment::kServer);
  PageRequest request;
  request.jql = "order by created DESC";
  IssuePage page;
  jira::ApiStatus status = FetchIssuePage(*client, request, &page);
  EXPECT_EQ(status.http_status, 503);
}

}  // namespace
}  // namespace jiralink::issues
