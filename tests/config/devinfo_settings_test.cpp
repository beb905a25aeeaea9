// The [devinfo] table (Jira Cloud's Development panel): off by default,
// layering per repository, the client secret only from a file or the
// environment, and what `config check` says of an incomplete table or of a
// Jira Server/Data Center site.
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
using ::testing::IsEmpty;
using ::testing::Not;

constexpr char kPath[] = "/etc/jiralink/config.toml";

std::vector<Diagnostic> Diagnostics(const std::string& toml, Config* config, Status* status) {
  std::vector<Diagnostic> diagnostics;
  *status = Config::LoadFromString(toml, kPath, config, &diagnostics);
  return diagnostics;
}

std::vector<Diagnostic> OfSeverity(const std::vector<Diagnostic>& all,
                                   Diagnostic::Severity severity) {
  std::vector<Diagnostic> some;
  for (const Diagnostic& d : all) {
    if (d.severity == severity) some.push_back(d);
  }
  return some;
}

std::vector<Diagnostic> Errors(const std::string& toml, Config* config) {
  Status status;
  std::vector<Diagnostic> errors =
      OfSeverity(Diagnostics(toml, config, &status), Diagnostic::Severity::kError);
  EXPECT_EQ(status.ok(), errors.empty()) << status.ToString();
  return errors;
}

std::vector<Diagnostic> Warnings(const std::string& toml) {
  Config config;
  Status status;
  return OfSeverity(Diagnostics(toml, &config, &status), Diagnostic::Severity::kWarning);
}

constexpr char kCloud[] = "[jira]\nweb_url = \"https://acme.atlassian.net\"\n";

TEST(DevinfoSettings, OffByDefaultWithAtlassiansGateway) {
  Settings settings = Config().ForRepo("any/repo");
  EXPECT_FALSE(settings.devinfo.enabled);
  EXPECT_EQ(settings.devinfo.client_id, "");
  EXPECT_EQ(settings.devinfo.client_secret_source, TokenSource::kNone);
  EXPECT_EQ(settings.devinfo.api_url, "https://api.atlassian.com");
}

TEST(DevinfoSettings, LayerPerGroupAndProject) {
  Config config;
  ASSERT_THAT(Errors(std::string(kCloud) + R"(
[devinfo]
client_id = "top-id"
client_secret_env = "TOP_SECRET"
[groups."platform".devinfo]
enabled = true
api_url = "http://127.0.0.1:9999/"
[projects."platform/legacy".devinfo]
enabled = false
client_id = "legacy-id"
client_secret_env = "LEGACY_SECRET"
)",
                     &config),
              IsEmpty());
  Settings other = config.ForRepo("tools/cli");
  EXPECT_FALSE(other.devinfo.enabled);
  EXPECT_EQ(other.devinfo.client_id, "top-id");
  EXPECT_EQ(other.devinfo.api_url, "https://api.atlassian.com");
  Settings group = config.ForRepo("platform/api");
  EXPECT_TRUE(group.devinfo.enabled);
  EXPECT_EQ(group.devinfo.client_secret_source, TokenSource::kEnv);
  EXPECT_EQ(group.devinfo.client_secret_env, "TOP_SECRET");
  EXPECT_EQ(group.devinfo.api_url, "http://127.0.0.1:9999");  // trailing '/' dropped
  Settings project = config.ForRepo("platform/legacy");
  EXPECT_FALSE(project.devinfo.enabled);
  EXPECT_EQ(project.devinfo.client_id, "legacy-id");
  EXPECT_EQ(project.devinfo.client_secret_env, "LEGACY_SECRET");
}

TEST(DevinfoSettings, ALiteralSecretIsRefusedAndNeverEchoed) {
  Config config;
  std::vector<Diagnostic> errors = Errors("[devinfo]\nclient_secret = \"s3cr3t-value\"\n", &config);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].line, 2);
  EXPECT_EQ(errors[0].column, 1);
  EXPECT_THAT(errors[0].message, HasSubstr("client_secret_file"));
  EXPECT_THAT(errors[0].message, HasSubstr("client_secret_env"));
  EXPECT_THAT(errors[0].message, Not(HasSubstr("s3cr3t-value")));
  for (const auto& [table, key] : Config::Keys()) {
    EXPECT_FALSE(table == "devinfo" && key == "client_secret") << "a key one may not set";
  }
}

TEST(DevinfoSettings, BothSecretSourcesAreAnError) {
  Config config;
  std::vector<Diagnostic> errors =
      Errors("[devinfo]\nclient_secret_env = \"A\"\nclient_secret_file = \"/x\"\n", &config);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors[0].message, HasSubstr("sets both"));
}

TEST(DevinfoSettings, EnabledWithoutClientIdOrSecretNamesTheMissingKey) {
  Config config;
  std::vector<Diagnostic> errors = Errors(
      std::string(kCloud) + "[devinfo]\nenabled = true\nclient_secret_env = \"S\"\n", &config);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].line, 4);
  EXPECT_THAT(errors[0].message, HasSubstr("[devinfo] enabled = true needs client_id"));

  errors =
      Errors(std::string(kCloud) + "[devinfo]\nenabled = true\nclient_id = \"abc\"\n", &config);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors[0].message,
              HasSubstr("[devinfo] enabled = true needs client_secret_file or client_secret_env"));

  // Completed in a project: only the scope that turns it on is at fault.
  errors = Errors(std::string(kCloud) +
                      "[devinfo]\nclient_id = \"abc\"\n[projects.\"a/b\".devinfo]\nenabled = "
                      "true\n",
                  &config);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].line, 6);
  EXPECT_THAT(errors[0].message, HasSubstr("[projects.\"a/b\".devinfo] enabled = true needs "
                                           "client_secret_file"));
}

TEST(DevinfoSettings, OnJiraServerConfigCheckSaysItDoesNothing) {
  std::vector<Diagnostic> warnings = Warnings(
      "[jira]\nweb_url = \"https://jira.example.com\"\n[devinfo]\nenabled = true\n"
      "client_id = \"abc\"\nclient_secret_env = \"S\"\n");
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_THAT(warnings[0].message, HasSubstr("Jira Server/Data Center"));
  EXPECT_THAT(warnings[0].message, HasSubstr("no Development Information API"));
  EXPECT_THAT(warnings[0].message, HasSubstr("DVCS connector"));

  EXPECT_THAT(Warnings(std::string(kCloud) +
                       "[devinfo]\nenabled = true\nclient_id = \"abc\"\nclient_secret_env = "
                       "\"S\"\n"),
              IsEmpty());
  // Off: nothing to say.
  EXPECT_THAT(Warnings("[jira]\nweb_url = \"https://jira.example.com\"\n[devinfo]\nclient_id = "
                       "\"abc\"\n"),
              IsEmpty());
}

TEST(DevinfoSettings, ABadApiUrlIsAnErrorAtItsValue) {
  Config config;
  std::vector<Diagnostic> errors = Errors("[devinfo]\napi_url = \"api.atlassian.com\"\n", &config);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].line, 2);
  EXPECT_EQ(errors[0].column, 11);
  EXPECT_THAT(errors[0].message, HasSubstr("api_url"));
  errors = Errors("[devinfo]\napi_url = \"\"\n", &config);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors[0].message, HasSubstr("api_url is empty"));
}

TEST(DevinfoSettings, AnUnknownKeyIsNamedWithItsPlace) {
  Config config;
  std::vector<Diagnostic> errors = Errors("[devinfo]\nclientid = \"x\"\n", &config);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors[0].message, HasSubstr("unknown key 'clientid' in [devinfo]"));
}

TEST(DevinfoSettings, SecretFromFileOrEnvironmentNeverInMessages) {
  TempDir dir;
  const std::string file = dir.path() + "/secret";
  WriteFile(file, "file-secret\n");
  ::chmod(file.c_str(), 0600);
  Config config;
  ASSERT_THAT(Errors("[devinfo]\nclient_secret_file = \"" + file + "\"\n", &config), IsEmpty());
  std::string secret;
  ASSERT_TRUE(ResolveDevinfoClientSecret(config.ForRepo("a").devinfo, &secret).ok());
  EXPECT_EQ(secret, "file-secret");

  DevinfoSettings env;
  env.client_secret_source = TokenSource::kEnv;
  env.client_secret_env = "JIRALINK_TEST_DEVINFO_SECRET";
  ::setenv("JIRALINK_TEST_DEVINFO_SECRET", "env-secret", 1);
  ASSERT_TRUE(ResolveDevinfoClientSecret(env, &secret).ok());
  EXPECT_EQ(secret, "env-secret");
  ::unsetenv("JIRALINK_TEST_DEVINFO_SECRET");
  Status unset = ResolveDevinfoClientSecret(env, &secret);
  EXPECT_FALSE(unset.ok());
  EXPECT_THAT(unset.message(), HasSubstr("[devinfo] client_secret_env"));

  Status none = ResolveDevinfoClientSecret(DevinfoSettings{}, &secret);
  EXPECT_EQ(none.code(), Status::Code::kNotFound);
  EXPECT_THAT(none.message(), HasSubstr("client_secret_file or client_secret_env"));
}

TEST(DevinfoSettings, AGroupReadableSecretFileIsWarnedAbout) {
  TempDir dir;
  const std::string file = dir.path() + "/secret";
  WriteFile(file, "file-secret\n");
  ::chmod(file.c_str(), 0644);
  std::vector<Diagnostic> warnings = Warnings("[devinfo]\nclient_secret_file = \"" + file + "\"\n");
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_THAT(warnings[0].message, HasSubstr("chmod 600"));
}

TEST(DevinfoSettings, DescribedWithoutTheSecret) {
  Config config;
  ASSERT_THAT(Errors(std::string(kCloud) +
                         "[devinfo]\nenabled = true\nclient_id = \"abc\"\nclient_secret_env = "
                         "\"DEVINFO_SECRET\"\n",
                     &config),
              IsEmpty());
  std::string text = Config::Describe(config.ForRepo("a/b"));
  EXPECT_THAT(text, HasSubstr("[devinfo]\nenabled = true\nclient_id = \"abc\"\n"
                              "client_secret_env = \"DEVINFO_SECRET\"\n"
                              "api_url = \"https://api.atlassian.com\"\n"));
}

}  // namespace
}  // namespace jiralink::config
