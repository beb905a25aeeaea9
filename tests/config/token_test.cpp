// Secrets: reading the token from each source, naming what is missing, and
// warning about files others can read. A token never appears in a message.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
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
using ::testing::Not;

constexpr char kSecret[] = "s3cr3t-T0KEN";

JiraSettings Basic() {
  JiraSettings jira;
  jira.web_url = "https://jira.example.com";
  jira.username = "bot@example.com";
  return jira;
}

TEST(ResolveToken, Inline) {
  JiraSettings jira = Basic();
  jira.token_source = TokenSource::kInline;
  jira.token = kSecret;
  std::string token;
  ASSERT_TRUE(ResolveToken(jira, &token).ok());
  EXPECT_EQ(token, kSecret);
}

TEST(ResolveToken, FileDropsTheTrailingNewline) {
  TempDir dir;
  WriteFile(dir.Path("token"), std::string(kSecret) + "\r\n");
  JiraSettings jira = Basic();
  jira.token_source = TokenSource::kFile;
  jira.token_file = dir.Path("token");
  std::string token;
  ASSERT_TRUE(ResolveToken(jira, &token).ok());
  EXPECT_EQ(token, kSecret);
}

TEST(ResolveToken, RelativeTokenFileIsRelativeToTheSettingsFile) {
  TempDir dir;
  WriteFile(dir.Path("token"), std::string(kSecret) + "\n");
  chmod(dir.Path("token").c_str(), 0600);
  Config config;
  std::vector<Diagnostic> diagnostics;
  ASSERT_TRUE(Config::LoadFromString("[jira]\nusername = \"u\"\ntoken_file = \"token\"\n",
                                     dir.Path("config.toml"), &config, &diagnostics)
                  .ok());
  EXPECT_TRUE(diagnostics.empty());
  Settings settings = config.ForRepo("");
  EXPECT_EQ(settings.jira.token_file, dir.Path("token"));
  std::string token;
  ASSERT_TRUE(ResolveToken(settings.jira, &token).ok());
  EXPECT_EQ(token, kSecret);
}

TEST(ResolveToken, MissingOrEmptyFileNamesThePath) {
  TempDir dir;
  JiraSettings jira = Basic();
  jira.token_source = TokenSource::kFile;
  jira.token_file = dir.Path("absent");
  std::string token;
  Status status = ResolveToken(jira, &token);
  EXPECT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr(dir.Path("absent")));
  WriteFile(dir.Path("empty"), "\n");
  jira.token_file = dir.Path("empty");
  status = ResolveToken(jira, &token);
  EXPECT_EQ(status.message(), "[jira] token_file \"" + dir.Path("empty") + "\" is empty");
}

TEST(ResolveToken, EnvironmentVariable) {
  setenv("JIRALINK_TEST_TOKEN", kSecret, 1);
  JiraSettings jira = Basic();
  jira.token_source = TokenSource::kEnv;
  jira.token_env = "JIRALINK_TEST_TOKEN";
  std::string token;
  ASSERT_TRUE(ResolveToken(jira, &token).ok());
  EXPECT_EQ(token, kSecret);
  unsetenv("JIRALINK_TEST_TOKEN");
}

TEST(ResolveToken, MissingOrEmptyEnvironmentVariableIsNamed) {
  unsetenv("JIRALINK_TEST_ABSENT");
  JiraSettings jira = Basic();
  jira.token_source = TokenSource::kEnv;
  jira.token_env = "JIRALINK_TEST_ABSENT";
  std::string token;
  Status status = ResolveToken(jira, &token);
  EXPECT_EQ(status.message(),
            "environment variable JIRALINK_TEST_ABSENT (named by [jira] token_env) is not set");
  setenv("JIRALINK_TEST_ABSENT", "", 1);
  status = ResolveToken(jira, &token);
  EXPECT_EQ(status.message(),
            "environment variable JIRALINK_TEST_ABSENT (named by [jira] token_env) is empty");
  unsetenv("JIRALINK_TEST_ABSENT");
}

TEST(ResolveToken, NoSourceNamesTheSettings) {
  JiraSettings jira = Basic();
  std::string token;
  EXPECT_EQ(ResolveToken(jira, &token).message(),
            "no token: set one of [jira] token, token_file or token_env");
}

TEST(RequireApiSettings, NamesTheMissingSetting) {
  JiraSettings jira;
  EXPECT_THAT(RequireApiSettings(jira).message(),
              ::testing::StartsWith("[jira] web_url is not set"));
  jira.web_url = "https://jira.example.com";
  EXPECT_EQ(RequireApiSettings(jira).message(),
            "no token: set one of [jira] token, token_file or token_env");
  jira.token_source = TokenSource::kEnv;
  jira.token_env = "JIRA_TOKEN";
  EXPECT_THAT(RequireApiSettings(jira).message(),
              ::testing::StartsWith("[jira] username is not set"));
  jira.auth = AuthMode::kPat;  // a personal access token needs no user name
  EXPECT_TRUE(RequireApiSettings(jira).ok());
  jira.auth = AuthMode::kBasic;
  jira.username = "bot";
  EXPECT_TRUE(RequireApiSettings(jira).ok());
}

std::vector<Diagnostic> Warnings(const std::vector<Diagnostic>& diagnostics) {
  std::vector<Diagnostic> warnings;
  for (const Diagnostic& d : diagnostics) {
    if (d.severity == Diagnostic::Severity::kWarning) warnings.push_back(d);
  }
  return warnings;
}

std::vector<Diagnostic> LoadFile(const std::string& path, Status* status) {
  Config config;
  std::vector<Diagnostic> diagnostics;
  LoadOptions options;
  options.explicit_path = path;
  *status = Config::Load(options, &config, &diagnostics);
  return diagnostics;
}

TEST(SecretPermissions, InlineTokenInAFileOthersCanReadIsWarned) {
  TempDir dir;
  std::string path = dir.Path("config.toml");
  WriteFile(path, std::string("[jira]\nusername = \"u\"\ntoken = \"") + kSecret + "\"\n");
  chmod(path.c_str(), 0644);
  Status status;
  std::vector<Diagnostic> warnings = Warnings(LoadFile(path, &status));
  EXPECT_TRUE(status.ok());  // a warning, not an error
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0].line, 3);
  EXPECT_EQ(warnings[0].ToString(),
            path + ":3:1: warning: " + path +
                " holds a Jira token and is readable by group or others (mode 0644); run: chmod "
                "600 " +
                path);
  EXPECT_THAT(warnings[0].message, Not(HasSubstr(kSecret)));

  chmod(path.c_str(), 0600);
  EXPECT_TRUE(Warnings(LoadFile(path, &status)).empty());
}

TEST(SecretPermissions, InlineTokenInAProjectTableIsWarnedToo) {
  TempDir dir;
  std::string path = dir.Path("config.toml");
  WriteFile(path, "[projects.\"a/b\".jira]\ntoken = \"x\"\n");
  chmod(path.c_str(), 0640);
  Status status;
  std::vector<Diagnostic> warnings = Warnings(LoadFile(path, &status));
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_THAT(warnings[0].message, HasSubstr("(mode 0640)"));
}

TEST(SecretPermissions, NoTokenInTheFileNoWarning) {
  TempDir dir;
  std::string path = dir.Path("config.toml");
  WriteFile(path, "[jira]\ntoken_env = \"JIRA_TOKEN\"\n");
  chmod(path.c_str(), 0644);
  Status status;
  EXPECT_TRUE(Warnings(LoadFile(path, &status)).empty());
}

TEST(SecretPermissions, TokenFileOthersCanReadIsWarned) {
  TempDir dir;
  WriteFile(dir.Path("token"), kSecret);
  chmod(dir.Path("token").c_str(), 0604);
  std::string path = dir.Path("config.toml");
  WriteFile(path, "[jira]\ntoken_file = \"token\"\n");
  chmod(path.c_str(), 0644);
  Status status;
  std::vector<Diagnostic> warnings = Warnings(LoadFile(path, &status));
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0].line, 2);
  EXPECT_EQ(warnings[0].column, 14);
  EXPECT_EQ(warnings[0].message, "[jira] token_file \"" + dir.Path("token") +
                                     "\" is readable by group or others (mode 0604); run: chmod "
                                     "600 " +
                                     dir.Path("token"));
}

TEST(SecretPermissions, UnreadableTokenFileIsAnError) {
  // A directory cannot be read as a file, even by root (CI runs as root,
  // where a mode-0000 file would still be readable).
  TempDir dir;
  std::filesystem::create_directory(dir.Path("token"));
  std::string path = dir.Path("config.toml");
  WriteFile(path, "[jira]\ntoken_file = \"token\"\n");
  Status status;
  std::vector<Diagnostic> diagnostics = LoadFile(path, &status);
  EXPECT_FALSE(status.ok());
  ASSERT_EQ(diagnostics.size(), 1u);
  EXPECT_EQ(diagnostics[0].line, 2);
  EXPECT_THAT(diagnostics[0].message, HasSubstr("cannot be read"));
}

// Issue #26: every secret file is read by one reader with one set of checks.
// outbox_password_file used to get none: a directory, an empty file or a
// world-readable one passed `config check`.
struct SecretFileSetting {
  const char* table;
  const char* key;
  const char* context;  // the other settings the key needs, if any
};

class EverySecretFile : public ::testing::TestWithParam<SecretFileSetting> {
 protected:
  std::vector<Diagnostic> Load(const std::string& secret_path_in_dir, mode_t mode, Status* status) {
    const SecretFileSetting& setting = GetParam();
    if (mode != 0) chmod(dir_.Path("secret").c_str(), mode);
    std::string path = dir_.Path("config.toml");
    WriteFile(path, std::string("[") + setting.table + "]\n" + setting.context + setting.key +
                        " = \"" + secret_path_in_dir + "\"\n");
    chmod(path.c_str(), 0600);
    return LoadFile(path, status);
  }
  TempDir dir_;
};

TEST_P(EverySecretFile, ADirectoryAnEmptyFileAndAReadableFileAreToldAlike) {
  const std::string key = std::string("[") + GetParam().table + "] " + GetParam().key;
  std::filesystem::create_directory(dir_.Path("secret"));
  Status status;
  std::vector<Diagnostic> diagnostics = Load("secret", 0, &status);
  EXPECT_FALSE(status.ok()) << key;
  ASSERT_EQ(diagnostics.size(), 1u) << key;
  EXPECT_THAT(diagnostics[0].message,
              HasSubstr(key + " \"" + dir_.Path("secret") + "\" cannot be read"));

  std::filesystem::remove(dir_.Path("secret"));
  WriteFile(dir_.Path("secret"), "\n");
  diagnostics = Load("secret", 0600, &status);
  EXPECT_FALSE(status.ok()) << key;
  ASSERT_EQ(diagnostics.size(), 1u) << key;
  EXPECT_THAT(diagnostics[0].message, HasSubstr("the file holds only whitespace"));

  WriteFile(dir_.Path("secret"), kSecret);
  diagnostics = Load("secret", 0640, &status);
  EXPECT_TRUE(status.ok()) << key << ": " << status.message();
  std::vector<Diagnostic> warnings = Warnings(diagnostics);
  ASSERT_EQ(warnings.size(), 1u) << key;
  EXPECT_EQ(warnings[0].message, key + " \"" + dir_.Path("secret") +
                                     "\" is readable by group or others (mode 0640); run: chmod "
                                     "600 " +
                                     dir_.Path("secret"));
}

INSTANTIATE_TEST_SUITE_P(
    Secrets, EverySecretFile,
    ::testing::Values(SecretFileSetting{"jira", "token_file", ""},
                      SecretFileSetting{"serve", "secret_file", ""},
                      SecretFileSetting{"state", "outbox_password_file",
                                        "outbox = \"postgresql://jiralink@127.0.0.1/jiralink\"\n"},
                      SecretFileSetting{"render", "cache_password_file",
                                        "cache = \"redis://127.0.0.1:6379/0\"\n"}),
    [](const ::testing::TestParamInfo<SecretFileSetting>& param) {
      return std::string(param.param.key);
    });

}  // namespace
}  // namespace jiralink::config
