// Config::Describe: what `jiralink config check` prints.
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "jiralink/config/loader.h"

namespace jiralink::config {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(ConfigDescribe, InlineTokenIsRedacted) {
  Settings settings;
  settings.jira.token_source = TokenSource::kInline;
  settings.jira.token = "very-secret-value";
  std::string text = Config::Describe(settings);
  EXPECT_THAT(text, HasSubstr("token = \"<redacted>\"\n"));
  EXPECT_THAT(text, Not(HasSubstr("very-secret-value")));
}

TEST(ConfigDescribe, ShowsWhereTheTokenComesFrom) {
  Settings settings;
  settings.jira.token_source = TokenSource::kEnv;
  settings.jira.token_env = "JIRA_TOKEN";
  EXPECT_THAT(Config::Describe(settings), HasSubstr("token_env = \"JIRA_TOKEN\"\n"));
  settings.jira.token_source = TokenSource::kFile;
  settings.jira.token_file = "/etc/jiralink/token";
  EXPECT_THAT(Config::Describe(settings), HasSubstr("token_file = \"/etc/jiralink/token\"\n"));
  settings.jira.token_source = TokenSource::kNone;
  EXPECT_THAT(Config::Describe(settings), HasSubstr("# no token source"));
}

TEST(ConfigDescribe, IsValidTomlThatLoadsBackToTheSameSettings) {
  Config config;
  std::vector<Diagnostic> diagnostics;
  ASSERT_TRUE(Config::LoadFromString(R"(
[jira]
web_url = "https://jira.example.com"
auth = "pat"
token_env = "T"
[matching]
prefix = "JIRA\"\\#"
[transitions]
mode = "custom"
ids = "11, 21"
[issues]
project_keys = ["A", "B"]
[state]
dir = "/var/lib/jiralink"
)",
                                     "/c.toml", &config, &diagnostics)
                  .ok());
  std::string text = Config::Describe(config.ForRepo(""));
  Config again;
  Status status = Config::LoadFromString(text, "/again.toml", &again, &diagnostics);
  ASSERT_TRUE(status.ok()) << text;
  Settings settings = again.ForRepo("");
  EXPECT_EQ(settings.matching.prefix, "JIRA\"\\#");
  EXPECT_EQ(settings.transitions.id_list, (std::vector<std::string>{"11", "21"}));
  EXPECT_EQ(settings.issues.project_keys, (std::vector<std::string>{"A", "B"}));
  EXPECT_EQ(settings.jira.auth, AuthMode::kPat);
  EXPECT_EQ(settings.state.dir, "/var/lib/jiralink");
}

}  // namespace
}  // namespace jiralink::config
