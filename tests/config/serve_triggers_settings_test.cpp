// The [serve] and [triggers] tables: defaults, layering per repository,
// validation with file:line:column, and reading the webhook secret.
#include <sys/stat.h>

#include <cstdlib>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "jiralink/config/loader.h"
#include "support/test_support.h"

namespace jiralink::config {
namespace {

using jiralink::testing::TempDir;
using jiralink::testing::WriteFile;
using ::testing::HasSubstr;

constexpr char kPath[] = "/etc/jiralink/config.toml";

Status Load(const std::string& toml, Config* config, std::vector<Diagnostic>* diagnostics) {
  return Config::LoadFromString(toml, kPath, config, diagnostics);
}

std::vector<Diagnostic> Errors(const std::string& toml) {
  Config config;
  std::vector<Diagnostic> diagnostics;
  Status status = Load(toml, &config, &diagnostics);
  std::vector<Diagnostic> errors;
  for (const Diagnostic& d : diagnostics) {
    if (d.severity == Diagnostic::Severity::kError) errors.push_back(d);
  }
  EXPECT_EQ(status.ok(), errors.empty());
  return errors;
}

TEST(ServeTriggersSettings, Defaults) {
  Settings settings;
  EXPECT_EQ(settings.serve.listen, "127.0.0.1:8787");
  EXPECT_EQ(settings.serve.max_body_bytes, 1024 * 1024);
  EXPECT_EQ(settings.serve.secret_source, TokenSource::kNone);
  EXPECT_TRUE(settings.triggers.commit);
  EXPECT_TRUE(settings.triggers.merge_request);
}

TEST(ServeTriggersSettings, TriggersLayerPerRepository) {
  Config config;
  std::vector<Diagnostic> diagnostics;
  ASSERT_TRUE(Load(R"(
[triggers]
commit = false
[groups."platform".triggers]
merge_request = false
[projects."platform/api".triggers]
commit = true
)",
                   &config, &diagnostics)
                  .ok());
  EXPECT_FALSE(config.ForRepo("other/x").triggers.commit);
  EXPECT_TRUE(config.ForRepo("other/x").triggers.merge_request);
  EXPECT_FALSE(config.ForRepo("platform/web").triggers.merge_request);
  EXPECT_FALSE(config.ForRepo("platform/web").triggers.commit);
  EXPECT_TRUE(config.ForRepo("platform/api").triggers.commit);
  EXPECT_FALSE(config.ForRepo("platform/api").triggers.merge_request);
}

TEST(ServeTriggersSettings, SecretLayersAndTheOtherSourceIsDropped) {
  TempDir dir;
  WriteFile(dir.Path("instance"), "a");
  ::chmod(dir.Path("instance").c_str(), 0600);
  Config config;
  std::vector<Diagnostic> diagnostics;
  ASSERT_TRUE(Config::LoadFromString(
                  "[serve]\nlisten = \"0.0.0.0:9000\"\nsecret_file = \"" + dir.Path("instance") +
                      "\"\n[groups.\"team\".serve]\nsecret_env = \"TEAM_HOOK\"\n",
                  dir.Path("c.toml"), &config, &diagnostics)
                  .ok());
  Settings instance = config.ForRepo("x/y");
  EXPECT_EQ(instance.serve.listen, "0.0.0.0:9000");
  EXPECT_EQ(instance.serve.secret_source, TokenSource::kFile);
  Settings team = config.ForRepo("team/app");
  EXPECT_EQ(team.serve.secret_source, TokenSource::kEnv);
  EXPECT_EQ(team.serve.secret_env, "TEAM_HOOK");
  EXPECT_EQ(team.serve.secret_file, "");
  EXPECT_EQ(team.serve.listen, "0.0.0.0:9000");
}

TEST(ServeTriggersSettings, InlineSecretIsRefused) {
  std::vector<Diagnostic> errors = Errors("[serve]\nsecret = \"hunter2\"\n");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].line, 2);
  EXPECT_EQ(errors[0].column, 1);
  EXPECT_THAT(errors[0].message, HasSubstr("never written in the settings file"));
  EXPECT_THAT(errors[0].ToString(), ::testing::Not(HasSubstr("hunter2")));
}

TEST(ServeTriggersSettings, ListenAndLimitsOnlyAtTheTopLevel) {
  std::vector<Diagnostic> errors = Errors("[projects.\"a/b\".serve]\nlisten = \"127.0.0.1:1\"\n");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].line, 2);
  EXPECT_THAT(errors[0].message, HasSubstr("only be set in the top-level [serve]"));
}

TEST(ServeTriggersSettings, BadValuesPointAtTheValue) {
  std::vector<Diagnostic> errors = Errors("[serve]\nlisten = \"8787\"\n");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].line, 2);
  EXPECT_EQ(errors[0].column, 10);
  EXPECT_THAT(errors[0].message, HasSubstr("host:port"));
  EXPECT_EQ(Errors("[serve]\nlisten = \"[::1]:8787\"\n").size(), 0u);
  EXPECT_EQ(Errors("[serve]\nlisten = \"localhost:70000\"\n").size(), 1u);
  EXPECT_EQ(Errors("[serve]\nmax_body_bytes = 0\n").size(), 1u);
  EXPECT_EQ(Errors("[triggers]\ncommit = \"no\"\n").size(), 1u);
  EXPECT_EQ(Errors("[triggers]\nmerge_requests = false\n").size(), 1u);
  EXPECT_EQ(Errors("[serve]\nsecret_file = \"/nonexistent/secret\"\n").size(), 1u);
  EXPECT_EQ(Errors("[serve]\nsecret_env = \"A\"\nsecret_file = \"/x\"\n").size(), 1u);
}

TEST(ServeTriggersSettings, ASecretFileOfNothingButWhitespaceIsRefusedWhereItIsNamed) {
  TempDir dir;
  const std::string path = dir.Path("secret");
  const std::string toml = "[serve]\nsecret_file = \"" + path + "\"\n";
  for (const char* blank : {"\n", "\r\n", "  \t\n\n"}) {
    WriteFile(path, blank);
    ::chmod(path.c_str(), 0600);
    std::vector<Diagnostic> errors = Errors(toml);
    ASSERT_EQ(errors.size(), 1u) << "content of " << std::string(blank).size() << " bytes";
    EXPECT_EQ(errors[0].line, 2);
    EXPECT_THAT(errors[0].message, HasSubstr("holds only whitespace"));
    EXPECT_THAT(errors[0].message, HasSubstr(path));
  }
  WriteFile(path, "");
  ASSERT_EQ(Errors(toml).size(), 1u);
  EXPECT_THAT(Errors(toml)[0].message, HasSubstr("is empty"));
  WriteFile(path, "\n s3cret \n");
  EXPECT_EQ(Errors(toml).size(), 0u);
}

TEST(ServeTriggersSettings, ResolveWebhookSecret) {
  TempDir dir;
  ServeSettings serve;
  std::string secret;
  EXPECT_EQ(ResolveWebhookSecret(serve, &secret).code(), Status::Code::kNotFound);

  WriteFile(dir.Path("s"), "from-file\n");
  serve.secret_source = TokenSource::kFile;
  serve.secret_file = dir.Path("s");
  ASSERT_TRUE(ResolveWebhookSecret(serve, &secret).ok());
  EXPECT_EQ(secret, "from-file");
  WriteFile(dir.Path("s"), "\n");
  EXPECT_FALSE(ResolveWebhookSecret(serve, &secret).ok());
  WriteFile(dir.Path("s"), " \t \n");
  Status blank = ResolveWebhookSecret(serve, &secret);
  EXPECT_THAT(blank.message(), HasSubstr("holds only whitespace"));

  serve.secret_source = TokenSource::kEnv;
  serve.secret_env = "JIRALINK_TEST_HOOK_SECRET";
  ::unsetenv("JIRALINK_TEST_HOOK_SECRET");
  Status unset = ResolveWebhookSecret(serve, &secret);
  EXPECT_THAT(unset.message(), HasSubstr("JIRALINK_TEST_HOOK_SECRET"));
  ::setenv("JIRALINK_TEST_HOOK_SECRET", "from-env", 1);
  ASSERT_TRUE(ResolveWebhookSecret(serve, &secret).ok());
  EXPECT_EQ(secret, "from-env");
  ::unsetenv("JIRALINK_TEST_HOOK_SECRET");
}

TEST(ServeTriggersSettings, DescribeShowsBothTablesWithoutSecrets) {
  Settings settings;
  settings.serve.secret_source = TokenSource::kEnv;
  settings.serve.secret_env = "HOOK_SECRET";
  settings.triggers.commit = false;
  std::string text = Config::Describe(settings);
  EXPECT_THAT(text, HasSubstr("[serve]\nlisten = \"127.0.0.1:8787\"\n"));
  EXPECT_THAT(text, HasSubstr("secret_env = \"HOOK_SECRET\"\n"));
  EXPECT_THAT(text, HasSubstr("[triggers]\ncommit = false\nmerge_request = true\n"));
}

}  // namespace
}  // namespace jiralink::config
