// Layering: built-in defaults, then the top-level tables, then every
// matching [groups."prefix"], outermost first, then [projects."path"], field
// by field.
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "jiralink/config/loader.h"

namespace jiralink::config {
namespace {

Config MustLoad(const std::string& toml) {
  Config config;
  std::vector<Diagnostic> diagnostics;
  Status status = Config::LoadFromString(toml, "/srv/jiralink/config.toml", &config, &diagnostics);
  EXPECT_TRUE(status.ok()) << status.ToString();
  for (const Diagnostic& d : diagnostics) ADD_FAILURE() << d.ToString();
  return config;
}

constexpr char kLayered[] = R"(
[jira]
web_url = "https://jira.example.com"
username = "bot"
timeout_seconds = 20

[matching]
prefix = "TOP#"

[transitions]
mode = "custom"
ids = "1"

[groups."platform".matching]
prefix = "GROUP#"
[groups."platform".transitions]
ids = "2"

[groups."platform/backend".matching]
prefix = "LONGER#"

[projects."platform/backend/api".matching]
regex = "[A-Z]+-[0-9]+"
[projects."platform/backend/api".jira]
timeout_seconds = 5

[projects."platformx/y".comments]
enabled = false
)";

TEST(ConfigLayering, TriggersDefaultToTrueAndLayerPerProject) {
  Config config = MustLoad(R"(
[triggers]
merge_request = false
[groups."platform".triggers]
commit = false
[projects."platform/api".triggers]
merge_request = true
)");
  Settings defaults = Config().ForRepo("any/repo");
  EXPECT_TRUE(defaults.triggers.commit);
  EXPECT_TRUE(defaults.triggers.merge_request);
  Settings other = config.ForRepo("tools/cli");
  EXPECT_TRUE(other.triggers.commit);
  EXPECT_FALSE(other.triggers.merge_request);
  Settings group = config.ForRepo("platform/web");
  EXPECT_FALSE(group.triggers.commit);
  EXPECT_FALSE(group.triggers.merge_request);
  Settings project = config.ForRepo("platform/api");
  EXPECT_FALSE(project.triggers.commit);
  EXPECT_TRUE(project.triggers.merge_request);
}

TEST(ConfigLayering, NoFileGivesBuiltInDefaults) {
  Config config;
  Settings settings = config.ForRepo("any/repo");
  EXPECT_EQ(settings.jira.timeout_seconds, 30);
  EXPECT_EQ(settings.jira.connect_timeout_seconds, 10);
  EXPECT_EQ(settings.jira.auth, AuthMode::kBasic);
  EXPECT_TRUE(settings.jira.verify_tls);
  EXPECT_TRUE(settings.comments.enabled);
  EXPECT_TRUE(settings.transitions.enabled);
  EXPECT_EQ(settings.transitions.mode, TransitionMode::kDone);
  EXPECT_EQ(settings.git.max_commits_per_push, 100);
  EXPECT_EQ(settings.render.max_bytes, 1024 * 1024);
  EXPECT_EQ(settings.delivery.max_attempts, 20);
  EXPECT_EQ(settings.delivery.pause_seconds, 300);
  EXPECT_EQ(settings.delivery.keep_done_days, 30);
  EXPECT_FALSE(settings.render.hardbreaks);
  EXPECT_FALSE(settings.vulnerabilities.enabled);
  EXPECT_EQ(settings.state.dir, DefaultStateDir());
}

TEST(ConfigLayering, HardbreaksAndPauseSecondsAreReadAndLayered) {
  Config config = MustLoad(
      "[render]\nhardbreaks = true\n[delivery]\npause_seconds = 60\n"
      "[groups.\"docs\".render]\nhardbreaks = false\n");
  EXPECT_TRUE(config.ForRepo("platform/api").render.hardbreaks);
  EXPECT_FALSE(config.ForRepo("docs/site").render.hardbreaks);
  EXPECT_EQ(config.ForRepo("").delivery.pause_seconds, 60);
}

TEST(ConfigLayering, TopLevelAppliesToEveryRepository) {
  Config config = MustLoad(kLayered);
  Settings settings = config.ForRepo("other/repo");
  EXPECT_EQ(settings.matching.prefix, "TOP#");
  EXPECT_EQ(settings.transitions.id_list, std::vector<std::string>{"1"});
  EXPECT_EQ(settings.jira.timeout_seconds, 20);
  EXPECT_EQ(settings.jira.api_url, "https://jira.example.com");  // defaults to web_url
}

TEST(ConfigLayering, GroupOverridesOnlyTheFieldsItSets) {
  Config config = MustLoad(kLayered);
  Settings settings = config.ForRepo("platform/web");
  EXPECT_EQ(settings.matching.prefix, "GROUP#");
  EXPECT_EQ(settings.transitions.ids, "2");
  EXPECT_EQ(settings.transitions.mode, TransitionMode::kCustom);  // from the top level
  EXPECT_EQ(settings.jira.username, "bot");
}

TEST(ConfigLayering, NestedGroupsApplyOutermostFirst) {
  Config config = MustLoad(kLayered);
  Settings settings = config.ForRepo("platform/backend/worker");
  EXPECT_EQ(settings.matching.prefix, "LONGER#");  // the inner group overrides the outer one
  // The outer group applies too: its ids are inherited.
  EXPECT_EQ(settings.transitions.ids, "2");
  EXPECT_EQ(settings.transitions.id_list, std::vector<std::string>{"2"});
}

// The case of issue #12: a repository in a nested group must reach the Jira
// site and credentials of the outer group.
TEST(ConfigLayering, NestedGroupInheritsTheOuterGroupsSiteAndCredentials) {
  Config config = MustLoad(R"(
[jira]
web_url = "https://jira.example.com"
username = "bot"
token_env = "TOP_TOKEN"

[groups."ops".jira]
web_url = "https://ops.atlassian.net"
username = "ops-bot@example.com"
token_env = "OPS_TOKEN"

[groups."ops/deep".matching]
prefix = "DEEP#"
)");
  Settings settings = config.ForRepo("ops/deep/x");
  EXPECT_EQ(settings.jira.web_url, "https://ops.atlassian.net");
  EXPECT_EQ(settings.jira.api_url, "https://ops.atlassian.net");
  EXPECT_EQ(settings.jira.username, "ops-bot@example.com");
  EXPECT_EQ(settings.jira.token_env, "OPS_TOKEN");
  EXPECT_TRUE(settings.jira.cloud);
  EXPECT_EQ(settings.matching.prefix, "DEEP#");
  EXPECT_EQ(config.ForRepo("other/x").jira.web_url, "https://jira.example.com");
  EXPECT_FALSE(config.ForRepo("other/x").jira.cloud);
}

TEST(ConfigLayering, SourcesNameTheLayerOfEachValue) {
  Config config = MustLoad(kLayered);
  ValueSources sources;
  Settings settings = config.ForRepo("platform/backend/api", &sources);
  EXPECT_EQ(settings.jira.timeout_seconds, 5);
  EXPECT_EQ(sources["jira.timeout_seconds"], "projects.\"platform/backend/api\" (line 25)");
  EXPECT_EQ(sources["matching.prefix"], "groups.\"platform/backend\" (line 20)");
  EXPECT_EQ(sources["transitions.ids"], "groups.\"platform\" (line 17)");
  EXPECT_EQ(sources["transitions.mode"], "top level (line 11)");
  EXPECT_EQ(sources["jira.web_url"], "top level (line 3)");
  EXPECT_EQ(sources.count("jira.api_url"), 0u);      // derived from web_url
  EXPECT_EQ(sources.count("render.max_bytes"), 0u);  // built-in default

  std::string text = Config::Describe(settings, &sources);
  EXPECT_NE(text.find("timeout_seconds = 5  # projects.\"platform/backend/api\" (line 25)\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("api_url = \"https://jira.example.com\"  # follows web_url\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("max_bytes = 1048576  # default\n"), std::string::npos) << text;
}

TEST(ConfigLayering, ProjectOverridesGroupFieldByField) {
  Config config = MustLoad(kLayered);
  Settings settings = config.ForRepo("platform/backend/api");
  EXPECT_EQ(settings.matching.regex, "[A-Z]+-[0-9]+");
  EXPECT_EQ(settings.matching.prefix, "LONGER#");  // from the longest group
  EXPECT_EQ(settings.jira.timeout_seconds, 5);
  EXPECT_EQ(settings.jira.web_url, "https://jira.example.com");  // from the top level
}

TEST(ConfigLayering, GroupPrefixMatchesWholePathComponentsOnly) {
  Config config = MustLoad(kLayered);
  Settings settings = config.ForRepo("platformx/y");
  EXPECT_EQ(settings.matching.prefix, "TOP#");  // "platform" does not match "platformx"
  EXPECT_FALSE(settings.comments.enabled);
  EXPECT_EQ(config.ForRepo("platform").matching.prefix, "GROUP#");
}

TEST(ConfigLayering, RepositoryPathsAreNormalized) {
  Config config = MustLoad(kLayered);
  EXPECT_EQ(config.ForRepo("platform/backend/api.git/").jira.timeout_seconds, 5);
  EXPECT_EQ(config.ForRepo("platform/backend/api/.git").jira.timeout_seconds, 5);
  EXPECT_EQ(config.ForRepo("platform//backend/./api").jira.timeout_seconds, 5);
}

TEST(ConfigLayering, AbsoluteRepositoryDirectoryUnderGitRoot) {
  Config config = MustLoad(R"(
[git]
root = "/srv/git"
[projects."team/app".comments]
enabled = false
)");
  EXPECT_FALSE(config.ForRepo("/srv/git/team/app.git").comments.enabled);
  EXPECT_TRUE(config.ForRepo("/srv/git/team/other.git").comments.enabled);
}

TEST(ConfigLayering, CommentDetailIsSetAtEveryLevel) {
  Config config = MustLoad(R"(
[comments]
detail = "all_details"
[groups."quiet".comments]
detail = "standard"
[projects."quiet/loud".comments]
detail = "all_details"
)");
  EXPECT_EQ(config.ForRepo("a/b").comments.detail, CommentDetailLevel::kAllDetails);
  EXPECT_EQ(config.ForRepo("quiet/x").comments.detail, CommentDetailLevel::kStandard);
  EXPECT_EQ(config.ForRepo("quiet/loud").comments.detail, CommentDetailLevel::kAllDetails);
  EXPECT_EQ(MustLoad("").ForRepo("a/b").comments.detail, CommentDetailLevel::kStandard);
}

TEST(ConfigLayering, ProjectTokenSourceReplacesTheTopLevelOne) {
  Config config = MustLoad(R"(
[jira]
token_env = "JIRA_TOKEN"
[projects."a/b".jira]
token = "project-secret"
)");
  Settings top = config.ForRepo("");
  EXPECT_EQ(top.jira.token_source, TokenSource::kEnv);
  Settings project = config.ForRepo("a/b");
  EXPECT_EQ(project.jira.token_source, TokenSource::kInline);
  EXPECT_EQ(project.jira.token, "project-secret");
  EXPECT_TRUE(project.jira.token_env.empty());
}

TEST(ConfigLayering, ApiUrlFollowsAProjectsWebUrlWhenNotSetExplicitly) {
  Config config = MustLoad(R"(
[jira]
web_url = "https://old.example.com"
[projects."a/b".jira]
web_url = "https://new.example.com/"
)");
  EXPECT_EQ(config.ForRepo("a/b").jira.api_url, "https://new.example.com");
  EXPECT_EQ(config.ForRepo("c/d").jira.api_url, "https://old.example.com");
}

TEST(ConfigLayering, RelativePathsAreRelativeToTheSettingsFile) {
  Config config = MustLoad(R"(
[state]
dir = "state"
[git]
root = "/abs/repos"
)");
  Settings settings = config.ForRepo("");
  EXPECT_EQ(settings.state.dir, "/srv/jiralink/state");
  EXPECT_EQ(settings.git.root, "/abs/repos");
}

TEST(ConfigLayering, DuplicateProjectAfterNormalizationIsAnError) {
  Config config;
  std::vector<Diagnostic> diagnostics;
  Status status = Config::LoadFromString(
      "[projects.\"a/b\".comments]\nenabled = false\n[projects.\"a/b.git\".comments]\n"
      "enabled = true\n",
      "c.toml", &config, &diagnostics);
  EXPECT_FALSE(status.ok());
  ASSERT_EQ(diagnostics.size(), 1u);
  EXPECT_EQ(diagnostics[0].line, 3);
  EXPECT_EQ(diagnostics[0].message,
            "[projects.\"a/b.git\"] names the same repository path as [projects.\"a/b\"]");
}

}  // namespace
}  // namespace jiralink::config
