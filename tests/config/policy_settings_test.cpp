// The [policy] table (the pre-receive push policy): defaults, layering per
// repository, and validation with file:line:column.
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "jiralink/config/loader.h"

namespace jiralink::config {
namespace {

using ::testing::HasSubstr;

constexpr char kPath[] = "/etc/jiralink/config.toml";

std::vector<Diagnostic> Load(const std::string& toml, Config* config) {
  std::vector<Diagnostic> diagnostics;
  Status status = Config::LoadFromString(toml, kPath, config, &diagnostics);
  bool has_error = false;
  for (const Diagnostic& d : diagnostics) has_error |= d.severity == Diagnostic::Severity::kError;
  EXPECT_EQ(status.ok(), !has_error);
  return diagnostics;
}

std::vector<std::string> Texts(const std::vector<Diagnostic>& diagnostics) {
  std::vector<std::string> texts;
  for (const Diagnostic& d : diagnostics) texts.push_back(d.ToString());
  return texts;
}

TEST(PolicySettings, DefaultsCheckNothing) {
  PolicySettings policy;
  EXPECT_TRUE(policy.require_key.empty());
  EXPECT_TRUE(policy.allowed_states.empty());
  EXPECT_TRUE(policy.exempt_authors.empty());
  EXPECT_EQ(policy.exempt_message, "");
  EXPECT_EQ(policy.on_jira_unreachable, JiraUnreachable::kAllow);
  EXPECT_EQ(policy.timeout_ms, 3000);
}

TEST(PolicySettings, LayersPerRepositoryWholeArraysReplaced) {
  Config config;
  std::vector<Diagnostic> diagnostics = Load(R"(
[policy]
require_key = ["main"]
allowed_states = ["To Do", "In Progress"]
[groups."platform".policy]
require_key = ["main", "release/*"]
on_jira_unreachable = "reject"
[projects."platform/api".policy]
allowed_states = []
exempt_authors = ["ci@example.com", "Release Bot"]
exempt_message = "^Merge "
timeout_ms = 1500
)",
                                             &config);
  EXPECT_TRUE(diagnostics.empty()) << ::testing::PrintToString(Texts(diagnostics));
  Settings top = config.ForRepo("other/repo");
  EXPECT_EQ(top.policy.require_key, (std::vector<std::string>{"main"}));
  EXPECT_EQ(top.policy.on_jira_unreachable, JiraUnreachable::kAllow);
  Settings group = config.ForRepo("platform/web");
  EXPECT_EQ(group.policy.require_key, (std::vector<std::string>{"main", "release/*"}));
  EXPECT_EQ(group.policy.allowed_states, (std::vector<std::string>{"To Do", "In Progress"}));
  EXPECT_EQ(group.policy.on_jira_unreachable, JiraUnreachable::kReject);
  Settings project = config.ForRepo("platform/api");
  EXPECT_EQ(project.policy.require_key, (std::vector<std::string>{"main", "release/*"}));
  EXPECT_TRUE(project.policy.allowed_states.empty()) << "an empty array switches the check off";
  EXPECT_EQ(project.policy.exempt_authors,
            (std::vector<std::string>{"ci@example.com", "Release Bot"}));
  EXPECT_EQ(project.policy.exempt_message, "^Merge ");
  EXPECT_EQ(project.policy.timeout_ms, 1500);

  ValueSources sources;
  config.ForRepo("platform/api", &sources);
  EXPECT_THAT(sources["policy.timeout_ms"], HasSubstr("projects.\"platform/api\""));
  EXPECT_THAT(Config::Describe(project), HasSubstr("require_key = [\"main\", \"release/*\"]"));
  EXPECT_THAT(Config::Describe(project), HasSubstr("on_jira_unreachable = \"reject\""));
}

TEST(PolicySettings, BadValuesAreReportedWhereTheyStand) {
  Config config;
  std::vector<std::string> texts = Texts(Load(R"([policy]
require_key = ["main", "", "refs/heads/dev", "v[0-9"]
allowed_states = ["To Do", "Closed"]
exempt_message = "a)b"
on_jira_unreachable = "Allow"
timeout_ms = -5
exempt_authors = "bot"
[projects."x".policy]
requre_key = ["main"]
)",
                                              &config));
  auto has = [&](const std::string& text) {
    for (const std::string& t : texts) {
      if (t.find(text) != std::string::npos) return true;
    }
    return false;
  };
  const std::string file = std::string(kPath) + ":";
  EXPECT_TRUE(has(file + "2:24: error: [policy] require_key[1] must not be empty"));
  EXPECT_TRUE(has(file + "2:28: error: [policy] require_key[2] names branches, not refs: write "
                         "\"dev\""));
  EXPECT_TRUE(has(file + "2:46: error: [policy] require_key[3] has a '[' at character 2 that no "
                         "']' closes"));
  EXPECT_TRUE(has(file + "3:28: warning: [policy] allowed_states[1] is \"Closed\", which is not "
                         "a status category"));
  EXPECT_TRUE(has(file + "4:18: error: [policy] exempt_message does not compile in RE2"));
  EXPECT_TRUE(has(file + "5:23: error: [policy] on_jira_unreachable must be \"allow\" or "
                         "\"reject\", got \"Allow\""));
  EXPECT_TRUE(has(file + "6:"));
  EXPECT_TRUE(has(file + "7:18: error: [policy] exempt_authors must be an array of strings"));
  EXPECT_TRUE(has(file + "9:1: error: unknown key 'requre_key' in [projects.\"x\".policy]; did "
                         "you mean 'require_key'?"));
  EXPECT_EQ(texts.size(), 9u) << ::testing::PrintToString(texts);
}

}  // namespace
}  // namespace jiralink::config
