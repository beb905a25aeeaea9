// `jiralink config check`, run as a user runs it: the real binary, a settings
// file in a temporary directory, an isolated environment.
#include <sys/stat.h>

#include <filesystem>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/test_support.h"

namespace jiralink {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::ProcessOptions;
using testing::ProcessResult;
using testing::RunJiralink;
using testing::TempDir;
using testing::WriteFile;

constexpr char kSecret[] = "tok-9f8e7d6c5b4a";

class ConfigCheckCli : public ::testing::Test {
 protected:
  // No file of the host or of the user running the tests may leak in.
  ProcessOptions Isolated() const {
    ProcessOptions options;
    options.env = {{"HOME", dir_.Path("home")},
                   {"XDG_CONFIG_HOME", dir_.Path("home/.config")},
                   {"XDG_STATE_HOME", dir_.Path("home/.state")}};
    options.unset_env = {"JIRALINK_CONFIG", "JIRALINK_TEST_TOKEN"};
    return options;
  }

  std::string WriteConfig(const std::string& name, const std::string& text, mode_t mode = 0600) {
    std::string path = dir_.Path(name);
    WriteFile(path, text);
    chmod(path.c_str(), mode);
    return path;
  }

  TempDir dir_;
};

TEST_F(ConfigCheckCli, PrintsTheEffectiveSettingsOfARepositoryWithTheTokenRedacted) {
  std::string path = WriteConfig("config.toml", std::string(R"(
[jira]
web_url = "https://jira.example.com"
username = "bot@example.com"
token = ")") + kSecret + R"("

[matching]
prefix = "TOP#"

[groups."platform".transitions]
mode = "custom"
ids = "11;21"

[projects."platform/api".matching]
prefix = "API#"
)");
  ProcessResult result =
      RunJiralink({"config", "check", "--repo", "platform/api", "--config", path}, Isolated());
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("# file: " + path + "\n"));
  EXPECT_THAT(result.out, HasSubstr("# repository: platform/api\n"));
  EXPECT_THAT(result.out, HasSubstr("# Jira API: ready\n"));
  EXPECT_THAT(result.out, HasSubstr("prefix = \"API#\"\n"));
  EXPECT_THAT(result.out, HasSubstr("mode = \"custom\"\nids = \"11;21\"\n"));
  EXPECT_THAT(result.out, HasSubstr("token = \"<redacted>\"\n"));
  EXPECT_THAT(result.out + result.err, Not(HasSubstr(kSecret)));
  EXPECT_EQ(result.err, "");  // mode 0600: no warning

  // Another repository gets the top-level prefix and no group.
  result = RunJiralink({"--config", path, "config", "check", "--repo", "other/x"}, Isolated());
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("prefix = \"TOP#\"\n"));
  EXPECT_THAT(result.out, HasSubstr("mode = \"done\"\n"));
}

TEST_F(ConfigCheckCli, PrintsEveryErrorWithItsPositionAndExits2) {
  std::string path = WriteConfig("bad.toml", R"([jira]
web_ur = "https://jira.example.com"
timeout_seconds = "30"

[transitions]
ids = "eleven"

[projects."a/b".matching]
regex = "([A-Z]+"
)");
  ProcessResult result = RunJiralink({"config", "check", "--config", path}, Isolated());
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_EQ(result.out, "");
  EXPECT_THAT(result.err, HasSubstr(path + ":2:1: error: unknown key 'web_ur' in [jira]; did you "
                                           "mean 'web_url'?\n"));
  EXPECT_THAT(result.err, HasSubstr(path + ":3:19: error: [jira] timeout_seconds must be an "
                                           "integer, got string\n"));
  EXPECT_THAT(result.err, HasSubstr(path + ":6:7: error: [transitions] transition IDs must be"));
  EXPECT_THAT(result.err,
              HasSubstr(path + ":9:9: error: [projects.\"a/b\".matching] regex does not compile"));
  EXPECT_THAT(result.err, HasSubstr("jiralink config check: 4 errors in " + path));
}

TEST_F(ConfigCheckCli, MalformedTomlExits2WithThePosition) {
  std::string path = WriteConfig("broken.toml", "[jira\nweb_url = 1\n");
  ProcessResult result = RunJiralink({"config", "check", "--config", path}, Isolated());
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr(path + ":1:"));
  EXPECT_THAT(result.err, HasSubstr("error: malformed TOML: "));
}

TEST_F(ConfigCheckCli, MissingExplicitFileExits2NamingIt) {
  ProcessResult result =
      RunJiralink({"config", "check", "--config", dir_.Path("absent.toml")}, Isolated());
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_EQ(result.err,
            dir_.Path("absent.toml") + ": error: settings file not found (named by --config)\n");
}

TEST_F(ConfigCheckCli, UsesJiralinkConfigFromTheEnvironment) {
  std::string path = WriteConfig("env.toml", "[matching]\nprefix = \"ENV#\"\n");
  ProcessOptions options = Isolated();
  options.env["JIRALINK_CONFIG"] = path;
  ProcessResult result = RunJiralink({"config", "check"}, options);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("# file: " + path + "\n"));
  EXPECT_THAT(result.out, HasSubstr("prefix = \"ENV#\"\n"));

  options.env["JIRALINK_CONFIG"] = dir_.Path("gone.toml");
  result = RunJiralink({"config", "check"}, options);
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr(dir_.Path("gone.toml")));
  EXPECT_THAT(result.err, HasSubstr("$JIRALINK_CONFIG"));
}

TEST_F(ConfigCheckCli, FindsTheFileUnderXdgConfigHome) {
  std::filesystem::create_directories(dir_.Path("home/.config/jiralink"));
  WriteConfig("home/.config/jiralink/config.toml", "[git]\ndefault_branch = \"trunk\"\n");
  ProcessResult result = RunJiralink({"config", "check"}, Isolated());
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("default_branch = \"trunk\"\n"));
}

TEST_F(ConfigCheckCli, NoFileMeansBuiltInDefaults) {
  if (std::filesystem::exists("/etc/jiralink/config.toml"))
    GTEST_SKIP() << "host has /etc/jiralink";
  ProcessResult result = RunJiralink({"config", "check"}, Isolated());
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("# no file: built-in defaults\n"));
  EXPECT_THAT(result.out, HasSubstr("# Jira API: not usable here: [jira] web_url is not set"));
  EXPECT_THAT(result.out, HasSubstr("dir = \"" + dir_.Path("home/.state") + "/jiralink\"\n"));
}

TEST_F(ConfigCheckCli, WarnsWhenOthersCanReadAFileHoldingTheToken) {
  std::string path = WriteConfig(
      "open.toml", std::string("[jira]\nusername = \"u\"\ntoken = \"") + kSecret + "\"\n", 0644);
  ProcessResult result = RunJiralink({"config", "check", "--config", path}, Isolated());
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_THAT(result.err, HasSubstr(path + ":3:1: warning: " + path +
                                    " holds a Jira token and is readable by group or others (mode "
                                    "0644); run: chmod 600 " +
                                    path));
  EXPECT_THAT(result.out + result.err, Not(HasSubstr(kSecret)));
}

TEST_F(ConfigCheckCli, ShowsTheTokenVariableNameButNeverItsValue) {
  std::string path = WriteConfig("env-token.toml", R"([jira]
web_url = "https://jira.example.com"
auth = "pat"
token_env = "JIRALINK_TEST_TOKEN"
)");
  ProcessResult result = RunJiralink({"config", "check", "--config", path}, Isolated());
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("token_env = \"JIRALINK_TEST_TOKEN\"\n"));
  EXPECT_THAT(result.out, HasSubstr("# Jira API: not usable here: environment variable "
                                    "JIRALINK_TEST_TOKEN (named by [jira] token_env) is not set"));

  ProcessOptions options = Isolated();
  options.env["JIRALINK_TEST_TOKEN"] = kSecret;
  result = RunJiralink({"config", "check", "--config", path}, options);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("# Jira API: ready\n"));
  EXPECT_THAT(result.out + result.err, Not(HasSubstr(kSecret)));
}

TEST_F(ConfigCheckCli, RepoGivenAsADirectoryUnderGitRoot) {
  std::string path = WriteConfig("root.toml", R"([git]
root = "/srv/git"
[projects."team/app".comments]
enabled = false
)");
  ProcessResult result = RunJiralink(
      {"config", "check", "--config", path, "--repo", "/srv/git/team/app.git"}, Isolated());
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("# repository: team/app\n"));
  EXPECT_THAT(result.out, HasSubstr("[comments]\nenabled = false\n"));
}

TEST_F(ConfigCheckCli, WithoutTheCheckSubcommandIsAUsageError) {
  ProcessResult result = RunJiralink({"config"}, Isolated());
  EXPECT_EQ(result.exit_code, 2);
  result = RunJiralink({"config", "chek"}, Isolated());
  EXPECT_EQ(result.exit_code, 2);
}

}  // namespace
}  // namespace jiralink
