// `jiralink config check` on the pages' login settings ([serve] auth_header,
// auth_proxies, auth_groups_header; [issues] viewers): the real binary, a
// settings file in a temporary directory, an isolated environment.
#include <sys/stat.h>

#include <string>

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

class ServeLoginCheck : public ::testing::Test {
 protected:
  ProcessResult Check(const std::string& text, const std::string& repo = "") {
    std::string path = dir_.Path("config.toml");
    WriteFile(path, "[jira]\nweb_url = \"https://jira.example.com\"\n" + text);
    chmod(path.c_str(), 0600);
    ProcessOptions options;
    options.env = {{"HOME", dir_.Path("home")}, {"XDG_CONFIG_HOME", dir_.Path("home/.config")}};
    options.unset_env = {"JIRALINK_CONFIG", "JIRALINK_TEST_TOKEN"};
    std::vector<std::string> args = {"config", "check", "--config", path};
    if (!repo.empty()) args.insert(args.end(), {"--repo", repo});
    return RunJiralink(args, options);
  }

  TempDir dir_;
};

TEST_F(ServeLoginCheck, PagesWithoutALoginOnANonLoopbackAddressAreWarnedAbout) {
  ProcessResult result = Check("[serve]\nweb = true\nlisten = \"0.0.0.0:8787\"\n");
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.err, HasSubstr("config.toml:5:1: warning:"));
  EXPECT_THAT(result.err, HasSubstr("will not serve the Jira issue pages there"));
  EXPECT_THAT(result.err, HasSubstr("auth_header and auth_proxies"));
}

TEST_F(ServeLoginCheck, LoopbackOrALoginNeedsNoWarning) {
  for (const std::string& serve :
       {std::string("web = true\n"), std::string("web = true\nlisten = \"[::1]:8787\"\n"),
        std::string("web = true\nlisten = \"localhost:8787\"\n"),
        std::string("web = true\nlisten = \"0.0.0.0:8787\"\nauth_header = \"X-Forwarded-User\"\n"
                    "auth_proxies = [\"10.0.0.0/8\", \"::1\"]\n"),
        std::string("listen = \"0.0.0.0:8787\"\n")}) {
    ProcessResult result = Check("[serve]\n" + serve);
    EXPECT_EQ(result.exit_code, 0) << serve << result.err;
    EXPECT_THAT(result.err, Not(HasSubstr("warning"))) << serve;
  }
}

TEST_F(ServeLoginCheck, TheLoginSettingsAreShownAndLayeredViewersToo) {
  ProcessResult result = Check(
      "[serve]\nweb = true\nauth_header = \"X-Forwarded-User\"\n"
      "auth_groups_header = \"X-Forwarded-Groups\"\nauth_proxies = [\"127.0.0.1\"]\n"
      "[groups.\"team\".issues]\nenabled = true\nviewers = [\"alice\", \"@backend\"]\n",
      "team/api");
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("auth_header = \"X-Forwarded-User\""));
  EXPECT_THAT(result.out, HasSubstr("auth_proxies = [\"127.0.0.1\"]"));
  EXPECT_THAT(result.out, HasSubstr("viewers = [\"alice\", \"@backend\"]"));
  ProcessResult other = Check(
      "[serve]\nweb = true\nauth_header = \"X-Forwarded-User\"\nauth_proxies = [\"::1\"]\n"
      "[groups.\"team\".issues]\nviewers = [\"alice\"]\n",
      "ops/api");
  EXPECT_THAT(other.out, HasSubstr("viewers = []"));
}

TEST_F(ServeLoginCheck, BadLoginSettingsSayWhatAndWhere) {
  ProcessResult result = Check("[serve]\nauth_header = \"X-Forwarded-User\"\n");
  EXPECT_NE(result.exit_code, 0);
  EXPECT_THAT(result.err,
              HasSubstr("config.toml:4:1: error: [serve] auth_header needs auth_proxies"));

  result = Check(
      "[serve]\nauth_header = \"X-Forwarded-User\"\nauth_proxies = [\"127.0.0.1\", "
      "\"10.0.0.0/33\"]\n");
  EXPECT_NE(result.exit_code, 0);
  EXPECT_THAT(result.err, HasSubstr("auth_proxies[1] must be an IP address or a CIDR range"));
  EXPECT_THAT(result.err, HasSubstr("\"10.0.0.0/33\""));

  result = Check("[serve]\nauth_header = \"X Forwarded\"\nauth_proxies = [\"::1\"]\n");
  EXPECT_NE(result.exit_code, 0);
  EXPECT_THAT(result.err, HasSubstr("auth_header must be an HTTP header name"));

  result = Check("[projects.\"a/b\".serve]\nauth_header = \"X-User\"\n");
  EXPECT_NE(result.exit_code, 0);
  EXPECT_THAT(result.err, HasSubstr("auth_header can only be set in the top-level [serve] table"));

  result = Check("[issues]\nviewers = [\"alice\", \"@\"]\n");
  EXPECT_NE(result.exit_code, 0);
  EXPECT_THAT(result.err, HasSubstr("viewers[1] must be a user name or \"@group\""));
}

TEST_F(ServeLoginCheck, ViewersWithoutALoginAreWarnedAbout) {
  ProcessResult result =
      Check("[serve]\nweb = true\n[projects.\"a/b\".issues]\nviewers = [\"alice\"]\n", "a/b");
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.err, HasSubstr("viewers is set but [serve] auth_header is not"));
}

}  // namespace
}  // namespace jiralink
