// The settings of the "View Jira issues" web pages: [serve] web (top level
// only), [issues] enabled as written (enabled_set) and [issues] cache_seconds,
// with file:line:column errors.
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "jiralink/config/loader.h"

namespace jiralink::config {
namespace {

using ::testing::HasSubstr;

std::vector<Diagnostic> Errors(const std::string& toml, Config* config) {
  std::vector<Diagnostic> diagnostics;
  Status status = Config::LoadFromString(toml, "/etc/jiralink/config.toml", config, &diagnostics);
  std::vector<Diagnostic> errors;
  for (const Diagnostic& d : diagnostics) {
    if (d.severity == Diagnostic::Severity::kError) errors.push_back(d);
  }
  EXPECT_EQ(status.ok(), errors.empty());
  return errors;
}

TEST(IssuesWebSettings, OffByDefaultWhileTheCommandLineStaysOn) {
  Settings settings;
  EXPECT_FALSE(settings.serve.web);
  EXPECT_TRUE(settings.issues.enabled);
  EXPECT_FALSE(settings.issues.enabled_set);
  EXPECT_EQ(settings.issues.cache_seconds, 60);
}

TEST(IssuesWebSettings, EnabledIsMarkedWhereALayerWritesIt) {
  Config config;
  ASSERT_TRUE(Errors(R"([serve]
web = true
[groups."platform".issues]
enabled = true
cache_seconds = 0
[projects."platform/legacy".issues]
enabled = false
)",
                     &config)
                  .empty());
  EXPECT_TRUE(config.ForRepo("").serve.web);
  EXPECT_FALSE(config.ForRepo("").issues.enabled_set);
  EXPECT_FALSE(config.ForRepo("other/repo").issues.enabled_set);
  Settings api = config.ForRepo("platform/api");
  EXPECT_TRUE(api.issues.enabled);
  EXPECT_TRUE(api.issues.enabled_set);
  EXPECT_EQ(api.issues.cache_seconds, 0);
  Settings legacy = config.ForRepo("platform/legacy");
  EXPECT_FALSE(legacy.issues.enabled);
  EXPECT_TRUE(legacy.issues.enabled_set);
}

TEST(IssuesWebSettings, WebIsTopLevelOnly) {
  Config config;
  std::vector<Diagnostic> errors = Errors("[projects.\"a/b\".serve]\nweb = true\n", &config);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].line, 2);
  EXPECT_EQ(errors[0].column, 1);
  EXPECT_THAT(errors[0].message, HasSubstr("top-level [serve]"));
}

TEST(IssuesWebSettings, BadValuesAreReportedWhereTheyAre) {
  Config config;
  std::vector<Diagnostic> errors = Errors("[issues]\ncache_seconds = -1\n", &config);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].line, 2);
  EXPECT_EQ(errors[0].column, 17);
  EXPECT_THAT(errors[0].message, HasSubstr("cache_seconds must be 0 or more"));
  errors = Errors("[serve]\nweb = \"yes\"\n", &config);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors[0].message, HasSubstr("web must be true or false"));
  errors = Errors("[issues]\ncache_second = 5\n", &config);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors[0].message, HasSubstr("cache_seconds"));
}

}  // namespace
}  // namespace jiralink::config
