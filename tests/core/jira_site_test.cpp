// IsJiraCloudUrl: the one answer to "is this Jira Cloud?" for the settings
// checks, the REST client and `migrate`.
#include "jiralink/core/jira_site.h"

#include <gtest/gtest.h>

namespace jiralink {
namespace {

TEST(JiraSiteTest, AtlassianNetSubdomainsAreCloud) {
  EXPECT_TRUE(IsJiraCloudUrl("https://example.atlassian.net"));
  EXPECT_TRUE(IsJiraCloudUrl("https://Example.Atlassian.NET/jira/"));
  EXPECT_TRUE(IsJiraCloudUrl("https://user@example.atlassian.net:443/"));
  EXPECT_TRUE(IsJiraCloudUrl("https://example.atlassian.net./"));
  EXPECT_TRUE(IsJiraCloudUrl("HTTPS://example.atlassian.net"));
}

// The settings check said Cloud and the client said Server for this URL:
// the scheme does not make a Cloud site a Server.
TEST(JiraSiteTest, HttpCloudUrlIsStillCloud) {
  EXPECT_TRUE(IsJiraCloudUrl("http://example.atlassian.net"));
}

// The settings check said Cloud for these; the client did not.
TEST(JiraSiteTest, HostsWithCharactersNoHostHasAreNotCloud) {
  EXPECT_FALSE(IsJiraCloudUrl("https://ex ample.atlassian.net"));
  EXPECT_FALSE(IsJiraCloudUrl("https://.atlassian.net"));
  EXPECT_FALSE(IsJiraCloudUrl("https://..atlassian.net"));
}

TEST(JiraSiteTest, TextThatOnlyContainsTheDomainIsNotCloud) {
  EXPECT_FALSE(IsJiraCloudUrl("https://atlassian.net"));
  EXPECT_FALSE(IsJiraCloudUrl("https://example.atlassian.net.evil.com"));
  EXPECT_FALSE(IsJiraCloudUrl("https://evil.com/.atlassian.net"));
  EXPECT_FALSE(IsJiraCloudUrl("https://evil.com?x=.atlassian.net"));
  EXPECT_FALSE(IsJiraCloudUrl("https://evil.com#.atlassian.net"));
  EXPECT_FALSE(IsJiraCloudUrl("example.atlassian.net"));
  EXPECT_FALSE(IsJiraCloudUrl("ftp://example.atlassian.net"));
  EXPECT_FALSE(IsJiraCloudUrl(""));
  EXPECT_FALSE(IsJiraCloudUrl("https://jira.example.com"));
}

}  // namespace
}  // namespace jiralink
