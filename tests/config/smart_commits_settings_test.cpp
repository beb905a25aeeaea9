// The [smart_commits] table: off by default at every level, layering per
// repository, and errors at file:line:column.
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "jiralink/config/loader.h"

namespace jiralink::config {
namespace {

using ::testing::HasSubstr;

constexpr char kPath[] = "/etc/jiralink/config.toml";

std::vector<Diagnostic> Errors(const std::string& toml, Config* config) {
  std::vector<Diagnostic> diagnostics;
  Status status = Config::LoadFromString(toml, kPath, config, &diagnostics);
  std::vector<Diagnostic> errors;
  for (const Diagnostic& d : diagnostics) {
    if (d.severity == Diagnostic::Severity::kError) errors.push_back(d);
  }
  EXPECT_EQ(status.ok(), errors.empty()) << status.ToString();
  return errors;
}

TEST(SmartCommitsSettings, OffByDefault) {
  Settings settings = Config().ForRepo("any/repo");
  EXPECT_FALSE(settings.smart_commits.enabled);
  EXPECT_FALSE(settings.smart_commits.map_authors);
}

TEST(SmartCommitsSettings, LayerPerGroupAndProject) {
  Config config;
  ASSERT_THAT(Errors(R"(
[smart_commits]
map_authors = true
[groups."platform".smart_commits]
enabled = true
[projects."platform/legacy".smart_commits]
enabled = false
map_authors = false
)",
                     &config),
              ::testing::IsEmpty());
  Settings other = config.ForRepo("tools/cli");
  EXPECT_FALSE(other.smart_commits.enabled);
  EXPECT_TRUE(other.smart_commits.map_authors);
  Settings group = config.ForRepo("platform/api");
  EXPECT_TRUE(group.smart_commits.enabled);
  EXPECT_TRUE(group.smart_commits.map_authors);
  Settings project = config.ForRepo("platform/legacy");
  EXPECT_FALSE(project.smart_commits.enabled);
  EXPECT_FALSE(project.smart_commits.map_authors);
}

TEST(SmartCommitsSettings, AWrongTypeIsAnErrorAtItsValue) {
  Config config;
  std::vector<Diagnostic> errors = Errors("[smart_commits]\nenabled = \"yes\"\n", &config);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].file, kPath);
  EXPECT_EQ(errors[0].line, 2);
  EXPECT_EQ(errors[0].column, 11);
  EXPECT_THAT(errors[0].message, HasSubstr("true or false"));
}

TEST(SmartCommitsSettings, AnUnknownKeyIsNamedWithItsPlace) {
  Config config;
  std::vector<Diagnostic> errors = Errors("[smart_commits]\nenable = true\n", &config);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].line, 2);
  EXPECT_EQ(errors[0].column, 1);
  EXPECT_THAT(errors[0].message, HasSubstr("unknown key 'enable' in [smart_commits]"));
}

TEST(SmartCommitsSettings, DescribedByConfigShow) {
  Config config;
  ASSERT_THAT(Errors("[smart_commits]\nenabled = true\n", &config), ::testing::IsEmpty());
  std::string text = Config::Describe(config.ForRepo("a/b"));
  EXPECT_THAT(text, HasSubstr("[smart_commits]\nenabled = true\nmap_authors = false\n"));
}

}  // namespace
}  // namespace jiralink::config
