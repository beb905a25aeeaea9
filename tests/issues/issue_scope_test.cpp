// Which projects and which site a repository's issue views use.
#include "jiralink/issues/issue_scope.h"

#include <gtest/gtest.h>

namespace jiralink::issues {
namespace {

TEST(IssueScope, ProjectKeysAreStrippedAndDeduplicated) {
  config::IssuesSettings settings;
  settings.project_keys = {" PROJ", "OPS ", "", "PROJ"};
  EXPECT_EQ(ConfiguredProjectKeys(settings), (std::vector<std::string>{"PROJ", "OPS"}));
  EXPECT_TRUE(ProjectKeyAllowed(settings, "OPS"));
  EXPECT_FALSE(ProjectKeyAllowed(settings, "OTHER"));
  settings.project_keys.clear();
  EXPECT_TRUE(ProjectKeyAllowed(settings, "ANY"));
  EXPECT_EQ(JoinKeys({"A", "B"}), "A, B");
}

TEST(IssueScope, ProjectOfIssueKey) {
  EXPECT_EQ(ProjectOfIssueKey("PROJ-12"), "PROJ");
  EXPECT_EQ(ProjectOfIssueKey("MY-PROJ-3"), "MY-PROJ");
  EXPECT_EQ(ProjectOfIssueKey("PROJ-"), "");
  EXPECT_EQ(ProjectOfIssueKey("-1"), "");
  EXPECT_EQ(ProjectOfIssueKey("PROJ-1a"), "");
}

TEST(IssueScope, UrlsOfTheSite) {
  config::JiraSettings jira;
  jira.api_url = "https://api.example.com/jira/";
  EXPECT_EQ(JiraWebUrl(jira), "https://api.example.com/jira");
  jira.web_url = "https://jira.example.com/";
  EXPECT_EQ(JiraWebUrl(jira), "https://jira.example.com");
  EXPECT_EQ(IssueUrl("https://jira.example.com/", "PROJ-1"),
            "https://jira.example.com/browse/PROJ-1");
}

TEST(IssueScope, MakeClientNamesTheMissingSettingAndNeverTheToken) {
  config::Settings settings;
  std::unique_ptr<jira::Client> client;
  Status status = MakeClient(settings, &client);
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(client, nullptr);
  EXPECT_NE(status.message().find("web_url"), std::string::npos) << status.message();

  settings.jira.api_url = "https://jira.example.com";
  settings.jira.web_url = "https://jira.example.com";
  settings.jira.username = "bot";
  settings.jira.token_source = config::TokenSource::kInline;
  settings.jira.token = "s3cret";
  ASSERT_TRUE(MakeClient(settings, &client).ok());
  EXPECT_EQ(client->options().token, "s3cret");
  EXPECT_EQ(client->options().username, "bot");
}

}  // namespace
}  // namespace jiralink::issues
