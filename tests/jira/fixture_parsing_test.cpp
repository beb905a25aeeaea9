// The client's parsers against recorded Jira answers (tests/fixtures/jira,
// see PROVENANCE.md there): old and new shapes, missing fields, numbers
// where strings are expected.
#include <gtest/gtest.h>

#include "jiralink/jira/json_parse.h"
#include "support/test_support.h"

namespace jiralink::jira {
namespace {

nlohmann::json Fixture(const std::string& name) {
  std::string text =
      jiralink::testing::ReadFile(jiralink::testing::SourceDir() + "/tests/fixtures/jira/" + name);
  EXPECT_FALSE(text.empty()) << "missing fixture " << name;
  return nlohmann::json::parse(text, nullptr, false);
}

TEST(FixtureParsingTest, CloudServerInfo) {
  ServerInfo info;
  ParseServerInfo(Fixture("serverInfo.cloud.jira-cli.json"), &info);
  EXPECT_EQ(info.base_url, "https://demo.atlassian.net");
  EXPECT_EQ(info.version, "1001.0.0-SNAPSHOT");
  EXPECT_EQ(info.version_numbers, (std::vector<int>{1001, 0, 0}));
  EXPECT_EQ(info.deployment_type, "Cloud");
  EXPECT_EQ(ResolveDeployment(info, "https://jira.example.com"), Deployment::kCloud);
}

TEST(FixtureParsingTest, Jira42ServerInfoWithoutVersionNumbersOrDeploymentType) {
  ServerInfo info;
  ParseServerInfo(Fixture("serverInfo.server-4.2-no-versionNumbers.jrjc.json"), &info);
  EXPECT_FALSE(info.version.empty());
  EXPECT_TRUE(info.version_numbers.empty());
  EXPECT_EQ(info.deployment_type, "");
  EXPECT_EQ(ResolveDeployment(info, "http://localhost:8090/jira"), Deployment::kServer);
  EXPECT_EQ(ResolveDeployment(info, "https://acme.atlassian.net"), Deployment::kCloud);
}

TEST(FixtureParsingTest, DeploymentTypeOtherThanCloudIsServer) {
  ServerInfo info;
  info.deployment_type = "DataCenter";
  EXPECT_EQ(ResolveDeployment(info, "https://acme.atlassian.net"), Deployment::kServer);
  info.deployment_type = "";
  info.version = "1001.0.0-SNAPSHOT";
  EXPECT_EQ(ResolveDeployment(info, "http://127.0.0.1"), Deployment::kCloud);
}

TEST(FixtureParsingTest, UsersOfBothDeployments) {
  User cloud;
  ParseUser(Fixture("myself.cloud.atlassian-spec.json"), &cloud);
  EXPECT_EQ(cloud.account_id, "5b10a2844c20165700ede21g");
  EXPECT_EQ(cloud.name, "");
  EXPECT_EQ(cloud.display_name, "Mia Krystof");
  EXPECT_EQ(cloud.email, "mia@example.com");
  User server;
  ParseUser(Fixture("myself.server.go-jira.json"), &server);
  EXPECT_EQ(server.name, "fred");
  EXPECT_EQ(server.key, "fred");
  EXPECT_EQ(server.display_name, "Fred F. User");
  EXPECT_TRUE(server.active);
}

TEST(FixtureParsingTest, ServerIssueWithContextPath) {
  Issue issue;
  ParseIssue(Fixture("issue-get.server.jira-ruby.json"), &issue);
  EXPECT_EQ(issue.id, "10002");
  EXPECT_EQ(issue.key, "SAMPLEPROJECT-1");
  EXPECT_EQ(issue.summary, "Sample Issue");
  EXPECT_EQ(issue.description, "");  // null in the recording
  EXPECT_EQ(issue.issue_type, "Task");
  EXPECT_EQ(issue.status.name, "Open");
  EXPECT_EQ(issue.status.category.key, "");  // Jira 5: no status categories yet
  EXPECT_EQ(issue.resolution, "");
  EXPECT_EQ(issue.priority, "Major");
  EXPECT_EQ(issue.assignee, "admin");
  EXPECT_EQ(issue.created, "2011-12-14T10:26:06.030+1300");
  EXPECT_EQ(issue.raw["key"], "SAMPLEPROJECT-1");
}

TEST(FixtureParsingTest, ServerSearchPage) {
  SearchPage page;
  ParseSearchPage(Fixture("search.server.jira-ruby.json"), &page);
  EXPECT_EQ(page.total, 11);
  EXPECT_EQ(page.start_at, 0);
  EXPECT_EQ(page.max_results, 50);
  EXPECT_EQ(page.issues.size(), 11u);
  EXPECT_TRUE(page.is_last);
  EXPECT_EQ(page.issues[0].key, "SAMPLEPROJECT-13");
}

TEST(FixtureParsingTest, CloudSearchPagesByToken) {
  SearchPage first;
  ParseSearchPage(Fixture("search-jql.page1.mattermost.json"), &first);
  EXPECT_FALSE(first.is_last);
  EXPECT_EQ(first.next_page_token, "opaque-token-page-2");
  EXPECT_EQ(first.total, -1);
  EXPECT_EQ(first.issues[0].key, "TES-41");
  SearchPage last;
  ParseSearchPage(Fixture("search-jql.last-page.mattermost.json"), &last);
  EXPECT_TRUE(last.is_last);
  EXPECT_EQ(last.next_page_token, "");
}

TEST(FixtureParsingTest, TransitionsWithAndWithoutStatusCategory) {
  std::vector<Transition> old = ParseTransitions(Fixture("transitions-get.server.jira-ruby.json"));
  ASSERT_FALSE(old.empty());
  for (const Transition& t : old) {
    EXPECT_FALSE(t.id.empty());
    EXPECT_FALSE(t.to.name.empty());
    EXPECT_EQ(t.to.category.key, "");  // the 2012 recording has none
  }
  std::vector<Transition> cloud =
      ParseTransitions(Fixture("transitions-get.cloud.atlassian-spec.json"));
  ASSERT_FALSE(cloud.empty());
  EXPECT_EQ(cloud[0].id, "2");
  EXPECT_EQ(cloud[0].name, "Close Issue");
  EXPECT_NE(cloud[0].to.category.id, 0);  // a number in the JSON
}

TEST(FixtureParsingTest, CommentsAndCreatedComment) {
  const nlohmann::json page = Fixture("comments-get.server.jira-ruby.json");
  Comment first;
  ParseComment(page["comments"][0], &first);
  EXPECT_EQ(first.id, "10000");
  EXPECT_EQ(first.body, "This is a comment. Creative.");
  EXPECT_EQ(first.author, "admin");
  EXPECT_EQ(first.created, "2012-01-11T10:02:14.430+1300");
  Comment created;
  ParseComment(Fixture("comment-post.201.server.jira-ruby.json"), &created);
  EXPECT_EQ(created.id, "10001");
  EXPECT_EQ(created.body, "new comment");
}

TEST(FixtureParsingTest, RemoteLinksHaveNumericIds) {
  const nlohmann::json links = Fixture("remotelink-get.go-jira.json");
  RemoteLink link;
  ParseRemoteLink(links[0], &link);
  EXPECT_EQ(link.id, 10000);
  EXPECT_EQ(link.global_id, "system=http://www.mycompany.com/support&id=1");
  EXPECT_EQ(link.relationship, "causes");
  EXPECT_EQ(link.url, "http://www.mycompany.com/support?id=1");
  EXPECT_EQ(link.title, "TSTSUP-111");
  EXPECT_TRUE(link.resolved);
  RemoteLink created;
  ParseRemoteLink(Fixture("remotelink-post.201.atlassian-spec.json"), &created);
  EXPECT_EQ(created.id, 10000);
}

TEST(FixtureParsingTest, NewCreateMetaInBothShapes) {
  bool is_last = false;
  std::vector<IssueType> dc =
      ParseCreateMetaIssueTypes(Fixture("createmeta-issuetypes.server9.jira-cli.json"), &is_last);
  EXPECT_TRUE(is_last);
  ASSERT_EQ(dc.size(), 3u);
  EXPECT_EQ(dc[0].name, "Epic");
  EXPECT_TRUE(dc[2].subtask);
  std::vector<IssueType> cloud = ParseCreateMetaIssueTypes(
      Fixture("createmeta-issuetypes.cloud.atlassian-spec.json"), &is_last);
  EXPECT_TRUE(is_last);  // startAt 0 + 1 item >= total 1
  ASSERT_EQ(cloud.size(), 1u);
  EXPECT_EQ(cloud[0].id, "1");
  EXPECT_EQ(cloud[0].name, "Bug");
  nlohmann::json more = {{"issueTypes", {{{"id", "1"}}}}, {"startAt", 0}, {"total", 5}};
  ParseCreateMetaIssueTypes(more, &is_last);
  EXPECT_FALSE(is_last);
}

TEST(FixtureParsingTest, OldCreateMeta) {
  bool found = false;
  std::vector<IssueType> types =
      ParseOldCreateMeta(Fixture("createmeta.server5-legacy.jrjc.json"), "ANONEDIT", &found);
  EXPECT_TRUE(found);
  EXPECT_FALSE(types.empty());
  ParseOldCreateMeta(Fixture("createmeta.server5-legacy.jrjc.json"), "NOPE", &found);
  EXPECT_FALSE(found);
}

TEST(FixtureParsingTest, ProjectWithIssueTypes) {
  Project project;
  ParseProject(Fixture("project-get.server-apache.go-jira.json"), &project);
  EXPECT_EQ(project.id, "12310505");
  EXPECT_EQ(project.key, "ABDERA");
  EXPECT_EQ(project.name, "Abdera");
  ASSERT_FALSE(project.issue_types.empty());
  EXPECT_EQ(project.issue_types[0].name, "Bug");
}

TEST(FixtureParsingTest, WrongTypesNeverThrow) {
  const nlohmann::json odd = nlohmann::json::parse(R"({"id": 10002, "key": ["x"],
      "fields": {"summary": 5, "status": "Open", "labels": "x", "comment": {"comments": 3},
                 "assignee": null}, "transitions": {"a": 1}})");
  Issue issue;
  EXPECT_NO_THROW(ParseIssue(odd, &issue));
  EXPECT_EQ(issue.id, "10002");  // a number becomes text
  EXPECT_EQ(issue.key, "");
  EXPECT_EQ(issue.status.name, "");
  EXPECT_TRUE(issue.labels.empty());
  SearchPage page;
  EXPECT_NO_THROW(ParseSearchPage(nlohmann::json("not an object"), &page));
  EXPECT_TRUE(page.issues.empty());
  RemoteLink link;
  EXPECT_NO_THROW(ParseRemoteLink(nlohmann::json::parse(R"({"id":"77","object":"x"})"), &link));
  EXPECT_EQ(link.id, 77);
}

}  // namespace
}  // namespace jiralink::jira
