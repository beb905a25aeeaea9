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
  EXPECT_THAT(result.out, HasSubstr("prefix = \"API#\"  # projects.\"platform/api\" (line 15)\n"));
  EXPECT_THAT(result.out, HasSubstr("mode = \"custom\"  # groups.\"platform\" (line 11)\n"
                                    "ids = \"11;21\"  # groups.\"platform\" (line 12)\n"));
  EXPECT_THAT(result.out, HasSubstr("token = \"<redacted>\"  # top level (line 5)\n"));
  EXPECT_THAT(result.out + result.err, Not(HasSubstr(kSecret)));
  EXPECT_EQ(result.err, "");  // mode 0600: no warning

  // Another repository gets the top-level prefix and no group.
  result = RunJiralink({"--config", path, "config", "check", "--repo", "other/x"}, Isolated());
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("prefix = \"TOP#\"  # top level (line 8)\n"));
  EXPECT_THAT(result.out, HasSubstr("mode = \"done\"  # default\n"));
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
  EXPECT_THAT(result.out, HasSubstr("prefix = \"ENV#\"  # top level (line 2)\n"));

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
  EXPECT_THAT(result.out, HasSubstr("default_branch = \"trunk\"  # top level (line 2)\n"));
}

TEST_F(ConfigCheckCli, NoFileMeansBuiltInDefaults) {
  if (std::filesystem::exists("/etc/jiralink/config.toml"))
    GTEST_SKIP() << "host has /etc/jiralink";
  ProcessResult result = RunJiralink({"config", "check"}, Isolated());
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("# no file: built-in defaults\n"));
  EXPECT_THAT(result.out, HasSubstr("# Jira API: not usable here: [jira] web_url is not set"));
  EXPECT_THAT(
      result.out,
      HasSubstr("dir = \"" + dir_.Path("home/.state") +
                "/jiralink\"  # default (/var/lib/jiralink when it exists, else $XDG_STATE_HOME or "
                "~/.local/state)\n"));
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
  EXPECT_THAT(result.out, HasSubstr("token_env = \"JIRALINK_TEST_TOKEN\"  # top level (line 4)\n"));
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
  EXPECT_THAT(result.out,
              HasSubstr("[comments]\nenabled = false  # projects.\"team/app\" (line 4)\n"));
}

TEST_F(ConfigCheckCli, WithoutTheCheckSubcommandIsAUsageError) {
  ProcessResult result = RunJiralink({"config"}, Isolated());
  EXPECT_EQ(result.exit_code, 2);
  result = RunJiralink({"config", "chek"}, Isolated());
  EXPECT_EQ(result.exit_code, 2);
}

// Issue #12: [groups."ops"] and [groups."ops/deep"] both apply to
// ops/deep/x, outermost first, and each value says where it came from.
TEST_F(ConfigCheckCli, NestedGroupsBothApplyAndEachValueNamesItsLayer) {
  std::string path = WriteConfig("nested.toml", R"([jira]
web_url = "https://jira.example.com"
username = "bot"
token_env = "TOP_TOKEN"

[groups."ops".jira]
web_url = "https://ops.atlassian.net"
username = "ops@example.com"

[groups."ops/deep".jira]
timeout_seconds = 5
)");
  ProcessResult result =
      RunJiralink({"config", "check", "--config", path, "--repo", "ops/deep/x"}, Isolated());
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("# repository: ops/deep/x\n"));
  EXPECT_THAT(result.out,
              HasSubstr("web_url = \"https://ops.atlassian.net\"  # groups.\"ops\" (line 7)\n"));
  EXPECT_THAT(result.out,
              HasSubstr("api_url = \"https://ops.atlassian.net\"  # follows web_url\n"));
  EXPECT_THAT(result.out, HasSubstr("username = \"ops@example.com\"  # groups.\"ops\" (line 8)\n"));
  EXPECT_THAT(result.out, HasSubstr("token_env = \"TOP_TOKEN\"  # top level (line 4)\n"));
  EXPECT_THAT(result.out, HasSubstr("timeout_seconds = 5  # groups.\"ops/deep\" (line 11)\n"));
  EXPECT_THAT(result.out, HasSubstr("# Jira Cloud (derived from the URLs)\n"));
}

// Issue #11: cleartext credentials and verify_tls = false are said with
// their positions by `config check`, in one line by commands that use the
// site, and not at all by commands that do not.
TEST_F(ConfigCheckCli, WarnsAboutCleartextCredentialsAndUnverifiedTls) {
  std::string path = WriteConfig("unsafe.toml", R"([jira]
web_url = "http://127.0.0.1:1"
username = "bot"
token_env = "JIRALINK_TEST_TOKEN"
verify_tls = false
)");
  ProcessResult check = RunJiralink({"config", "check", "--config", path}, Isolated());
  EXPECT_EQ(check.exit_code, 0) << check.err;
  EXPECT_THAT(check.err, HasSubstr(path + ":2:1: warning: [jira] api_url \"http://127.0.0.1:1\" "
                                          "is plain http:// and a token or password is set: the "
                                          "credentials travel in cleartext; use https://\n"));
  EXPECT_THAT(check.err, HasSubstr(path + ":5:1: warning: [jira] verify_tls = false: any TLS "
                                          "certificate is accepted"));

  ProcessOptions options = Isolated();
  options.env["JIRALINK_TEST_TOKEN"] = kSecret;
  options.unset_env = {"JIRALINK_CONFIG"};
  ProcessResult keys = RunJiralink({"keys", "--config", path}, options);
  EXPECT_THAT(keys.err, Not(HasSubstr("warning")));

  ProcessResult test = RunJiralink({"test", "--config", path}, options);
  EXPECT_NE(test.exit_code, 0);  // nothing listens there
  EXPECT_THAT(test.err, HasSubstr("jiralink: warning: [jira] api_url \"http://127.0.0.1:1\" is "
                                  "plain http:// and a token or password is set: the credentials "
                                  "travel in cleartext; use https://; [jira] verify_tls = false: "
                                  "any TLS certificate is accepted"));
  EXPECT_THAT(test.out + test.err, Not(HasSubstr(kSecret)));
}

// Issue #7: a file that would crash or stall the parser is refused at once,
// with the position of the offence.
TEST_F(ConfigCheckCli, FilesBeyondTheLimitsAreRefusedWithThePosition) {
  std::string header = "[";
  for (int i = 0; i < 100000; ++i) header += "a.";
  std::string path = WriteConfig("deep.toml", "# deep\n" + header + "a]\n");
  ProcessResult result = RunJiralink({"config", "check", "--config", path}, Isolated());
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr(path + ":2:1: error: a key or table name has more than 8 "
                                           "dotted parts; at most 8 are allowed\n"));

  std::string big(2 * 1024 * 1024, '#');
  path = WriteConfig("big.toml", big + "\n");
  result = RunJiralink({"config", "check", "--config", path}, Isolated());
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err,
              HasSubstr(path + ": error: cannot read the settings file: the file is " +
                        std::to_string(big.size() + 1) + " bytes; at most 1048576 are allowed\n"));
}

}  // namespace
}  // namespace jiralink
