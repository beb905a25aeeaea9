// Moving the settings to a new Jira site (config/site_move.h): checked by the
// settings' own rules, and planned level by level.
#include "jiralink/config/site_move.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace jiralink::config {
namespace {

Config Load(const std::string& text) {
  Config config;
  std::vector<Diagnostic> diagnostics;
  Status status = Config::LoadFromString(text, "/etc/jiralink/config.toml", &config, &diagnostics);
  EXPECT_TRUE(status.ok()) << status.message();
  return config;
}

TEST(SiteMove, UrlsAreCheckedAsTheSettingsCheckThem) {
  JiraSettings current;
  SiteMove move;
  move.web_url = "HTTPS://acme.atlassian.net//";  // a scheme is case-insensitive
  ASSERT_TRUE(CheckSiteMove(current, &move).ok());
  EXPECT_EQ(move.web_url, "HTTPS://acme.atlassian.net");

  move.web_url = "https://bot:secret@acme.atlassian.net";
  Status status = CheckSiteMove(current, &move);
  EXPECT_EQ(status.message(),
            "--web-url must not contain a user name or password; use [jira] username and a token "
            "setting");
  EXPECT_EQ(status.message().find("secret"), std::string::npos);

  move.web_url = "https://jira.example.com";
  move.api_url = "https://jira.example.com/jira?x=1";
  status = CheckSiteMove(current, &move);
  EXPECT_EQ(status.message().rfind("--api-url must not have a query string", 0), 0u)
      << status.message();
}

TEST(SiteMove, APersonalAccessTokenOnCloudIsRefusedInConfigChecksWords) {
  JiraSettings current;
  current.auth = AuthMode::kPat;  // from the Server site; not changed by the move
  SiteMove move;
  move.web_url = "https://acme.atlassian.net";
  Status status = CheckSiteMove(current, &move);
  EXPECT_EQ(status.message(),
            "--auth: auth = \"pat\" cannot be used with Jira Cloud (https://acme.atlassian.net): "
            "Cloud has no personal access tokens; use auth = \"basic\" with the account's email "
            "as username and an API token");
  move.auth = "basic";
  EXPECT_TRUE(CheckSiteMove(current, &move).ok());
}

TEST(SiteMove, ANewTokenSourceReplacesTheOld) {
  JiraSettings current;
  current.token_source = TokenSource::kInline;
  current.token = "old";
  current.api_url = "https://old.example.com/api";
  SiteMove move;
  move.web_url = "https://acme.atlassian.net";
  move.token_env = "JIRA_TOKEN";
  JiraSettings next = MovedJiraSettings(current, move);
  EXPECT_EQ(next.token_source, TokenSource::kEnv);
  EXPECT_EQ(next.token_env, "JIRA_TOKEN");
  EXPECT_TRUE(next.token.empty());
  EXPECT_TRUE(next.api_url.empty());  // the old API URL went with the old site
  EXPECT_TRUE(next.cloud);
}

TEST(SiteMove, PlansEveryLevelOnTheOldSiteAndSaysWhyOthersStay) {
  const std::string text =
      "[jira]\n"
      "web_url = \"https://old.example.com\"\n"
      "\n"
      "[groups.\"ops\".jira]\n"
      "web_url = \"https://old.example.com\"\n"
      "\n"
      "[groups.\"lab\".jira]\n"
      "web_url = \"https://lab.example.com\"\n";
  Config config = Load(text);
  SiteMove move;
  move.web_url = "https://acme.atlassian.net";
  SiteMovePlan plan;
  ASSERT_TRUE(PlanSiteMove(config, text, move, &plan).ok());
  ASSERT_EQ(plan.levels.size(), 3u);
  auto level = [&plan](const std::string& display) -> const LevelMove& {
    for (const LevelMove& one : plan.levels) {
      if (one.level.display == display) return one;
    }
    ADD_FAILURE() << "no level " << display;
    return plan.levels[0];
  };
  EXPECT_TRUE(level("the top level").edit);
  EXPECT_FALSE(level("the top level").changes.empty());
  EXPECT_TRUE(level("[groups.\"ops\"]").edit);
  const LevelMove& lab = level("[groups.\"lab\"]");
  EXPECT_FALSE(lab.edit);
  EXPECT_EQ(lab.left_because.rfind("its Jira site is https://lab.example.com", 0), 0u)
      << lab.left_because;
  EXPECT_EQ(plan.edited.find("old.example.com"), std::string::npos) << plan.edited;
  EXPECT_NE(plan.edited.find("https://lab.example.com"), std::string::npos);
}

}  // namespace
}  // namespace jiralink::config
