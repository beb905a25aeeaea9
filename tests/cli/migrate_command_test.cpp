// `jiralink migrate` end to end: the new site is tested first; only the
// [jira] table changes (every other byte survives), the mode is kept, the
// render cache is invalidated; on refusal nothing changes.
#include <sys/stat.h>

#include <gtest/gtest.h>

#include "jiralink/renderer/render_cache.h"
#include "standin.h"
#include "support/test_support.h"

namespace jiralink::cli {
namespace {

using jiralink::testing::ProcessResult;
using jiralink::testing::ReadFile;
using jiralink::testing::RunJiralink;
using jiralink::testing::TempDir;
using jiralink::testing::WriteFile;
using standin::JiraStandin;
using standin::Personality;

class MigrateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    JiraStandin::Options old_options;  // the Server being left
    old_options.personality = Personality::kServer;
    old_site_ = std::make_unique<JiraStandin>(old_options);
    ASSERT_TRUE(old_site_->Start());
    JiraStandin::Options new_options;  // the Cloud site moved to
    new_options.personality = Personality::kCloud;
    new_options.username = "bot@acme.example";
    new_options.token = "cloud-api-token";
    new_site_ = std::make_unique<JiraStandin>(new_options);
    ASSERT_TRUE(new_site_->Start());

    WriteFile(dir_.Path("cloud-token"), "cloud-api-token\n");
    chmod(dir_.Path("cloud-token").c_str(), 0600);
    config_ = dir_.Path("config.toml");
    WriteFile(config_, Before());
    ASSERT_EQ(chmod(config_.c_str(), 0640), 0);
  }

  // Comments, odd spacing, other tables before and after [jira], a
  // project table with its own jira settings, CRLF on one line.
  std::string Before() const {
    return "# jiralink settings for git.example.com\n"
           "\n"
           "[matching]   # keys\n"
           "prefix = \"\"\n"
           "\n"
           "[jira]\n"
           "# The old Server, retired in May.\n"
           "web_url  =  \"" +
           old_site_->base_url() +
           "\"  # keep this comment\n"
           "api_url = \"" +
           old_site_->base_url() +
           "\"\n"
           "username = \"jiralink-bot\"\n"
           "token = \"standin-token\"\n"
           "timeout_seconds = 20\r\n"
           "\n"
           "[state]\n"
           "dir = \"" +
           dir_.Path("state") +
           "\"\n"
           "\n"
           "# per-project\n"
           "[projects.\"team/app\".comments]\n"
           "enabled = false\n";
  }

  std::string After() const {
    return "# jiralink settings for git.example.com\n"
           "\n"
           "[matching]   # keys\n"
           "prefix = \"\"\n"
           "\n"
           "[jira]\n"
           "# The old Server, retired in May.\n"
           "web_url  =  \"" +
           new_site_->base_url() +
           "\"  # keep this comment\n"
           "username = \"bot@acme.example\"\n"
           "timeout_seconds = 20\r\n"
           "auth = \"basic\"\n"
           "token_file = \"" +
           dir_.Path("cloud-token") +
           "\"\n"
           "\n"
           "[state]\n"
           "dir = \"" +
           dir_.Path("state") +
           "\"\n"
           "\n"
           "# per-project\n"
           "[projects.\"team/app\".comments]\n"
           "enabled = false\n";
  }

  std::vector<std::string> MigrateArgs(const std::string& token_file) const {
    return {"migrate", "--config", config_,      "--web-url",        new_site_->base_url() + "/",
            "--auth",  "basic",    "--username", "bot@acme.example", "--token-file",
            token_file};
  }

  TempDir dir_;
  std::string config_;
  std::unique_ptr<JiraStandin> old_site_;
  std::unique_ptr<JiraStandin> new_site_;
};

TEST_F(MigrateTest, RewritesOnlyTheJiraTable) {
  ProcessResult result = RunJiralink(MigrateArgs(dir_.Path("cloud-token")));
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_EQ(ReadFile(config_), After());
  struct stat info {};
  ASSERT_EQ(stat(config_.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0640u);

  // The new site was tested with the new credentials; the old one not at all.
  auto requests = new_site_->Requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].path, "/rest/api/2/serverInfo");
  EXPECT_EQ(requests[1].path, "/rest/api/2/myself");
  EXPECT_EQ(requests[1].headers["authorization"],
            "Basic Ym90QGFjbWUuZXhhbXBsZTpjbG91ZC1hcGktdG9rZW4=");
  EXPECT_TRUE(old_site_->Requests().empty());

  // What changed is printed; no token ever is.
  EXPECT_NE(result.out.find("Connection successful."), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("web_url: \"" + old_site_->base_url() + "\" -> \"" +
                            new_site_->base_url() + "\""),
            std::string::npos)
      << result.out;
  EXPECT_NE(result.out.find("token: removed (was <redacted>)"), std::string::npos) << result.out;
  EXPECT_EQ(result.out.find("standin-token"), std::string::npos) << result.out;
  EXPECT_EQ(result.out.find("cloud-api-token"), std::string::npos) << result.out;

  // The render cache was invalidated: its version moved on.
  size_t at = result.out.find("local version is now ");
  ASSERT_NE(at, std::string::npos) << result.out;
  long long printed = std::atoll(result.out.c_str() + at + 21);
  std::int64_t next = 0;
  ASSERT_TRUE(renderer::InvalidateRenderCache(dir_.Path("state"), &next).ok());
  EXPECT_EQ(next, printed + 1);

  // The result loads, and `jiralink test` now talks to the new site.
  ProcessResult test = RunJiralink({"test", "--config", config_});
  EXPECT_EQ(test.exit_code, 0) << test.err;
  EXPECT_NE(test.out.find("deployment:  Cloud"), std::string::npos) << test.out;
}

TEST_F(MigrateTest, FailedTestChangesNothing) {
  WriteFile(dir_.Path("bad-token"), "not-the-token\n");
  chmod(dir_.Path("bad-token").c_str(), 0600);
  ProcessResult result = RunJiralink(MigrateArgs(dir_.Path("bad-token")));
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("Connection failed. Check your integration settings."),
            std::string::npos)
      << result.err;
  EXPECT_NE(result.err.find("was not changed"), std::string::npos) << result.err;
  EXPECT_EQ(ReadFile(config_), Before());
  EXPECT_EQ(result.err.find("not-the-token"), std::string::npos) << result.err;
}

TEST_F(MigrateTest, UnreachableSiteChangesNothingUnlessNoTest) {
  new_site_->Stop();
  ProcessResult result = RunJiralink(MigrateArgs(dir_.Path("cloud-token")));
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(ReadFile(config_), Before());

  std::vector<std::string> args = MigrateArgs(dir_.Path("cloud-token"));
  args.push_back("--no-test");
  result = RunJiralink(args);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(ReadFile(config_), After());
}

TEST_F(MigrateTest, PatOnCloudIsRefused) {
  ProcessResult result =
      RunJiralink({"migrate", "--config", config_, "--web-url", "https://acme.atlassian.net",
                   "--auth", "pat", "--token-env", "JIRA_PAT"},
                  {.env = {{"JIRA_PAT", "x"}}});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("cannot be used with Jira Cloud"), std::string::npos) << result.err;
  EXPECT_EQ(ReadFile(config_), Before());
}

TEST_F(MigrateTest, BadUsage) {
  EXPECT_EQ(RunJiralink({"migrate", "--config", config_}).exit_code, 2);  // no --web-url
  EXPECT_EQ(RunJiralink({"migrate", "--config", config_, "--web-url", "https://x.example",
                         "--token-file", "a", "--token-env", "B"})
                .exit_code,
            2);
  ProcessResult result =
      RunJiralink({"migrate", "--config", config_, "--web-url", "ftp://x.example"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("--web-url must be an absolute http(s) URL such as "
                            "\"https://jira.example.com\", got \"ftp://x.example\""),
            std::string::npos)
      << result.err;
  EXPECT_EQ(ReadFile(config_), Before());
}

TEST_F(MigrateTest, TokenEnvReplacesOtherTokenSources) {
  ProcessResult result = RunJiralink(
      {"migrate", "--config", config_, "--web-url", new_site_->base_url(), "--api-url",
       new_site_->base_url(), "--username", "bot@acme.example", "--token-env", "CLOUD_TOKEN"},
      {.env = {{"CLOUD_TOKEN", "cloud-api-token"}}});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  std::string text = ReadFile(config_);
  EXPECT_NE(text.find("api_url = \"" + new_site_->base_url() + "\"\n"), std::string::npos) << text;
  EXPECT_NE(text.find("token_env = \"CLOUD_TOKEN\"\n"), std::string::npos) << text;
  EXPECT_EQ(text.find("token = "), std::string::npos) << text;
}

// Issue #12: every level on the old site moves (groups and projects too);
// each level left alone is listed with the reason.
TEST_F(MigrateTest, MovesEveryLevelOnTheOldSiteAndListsTheOthers) {
  const std::string old_url = old_site_->base_url();
  WriteFile(config_,
            "[jira]\n"
            "web_url = \"" +
                old_url +
                "\"\n"
                "username = \"jiralink-bot\"\n"
                "token = \"standin-token\"\n"
                "\n"
                "[groups.\"ops\".jira]\n"
                "web_url = \"" +
                old_url +
                "/\"\n"
                "username = \"ops-bot\"\n"
                "\n"
                "[groups.\"ops/deep\".jira]\n"
                "username = \"deep-bot\"\n"
                "\n"
                "[projects.\"team/app\".jira]\n"
                "web_url = \"https://other.example.com\"\n"
                "\n"
                "[projects.\"team/lib\"]\n"
                "jira.web_url = \"" +
                old_url + "\"\n");
  ProcessResult result = RunJiralink(MigrateArgs(dir_.Path("cloud-token")));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("Updated [jira] in " + config_ + ":\n"), std::string::npos)
      << result.out;
  EXPECT_NE(result.out.find("Updated the [jira] settings of [groups.\"ops\"] (line 6):\n"
                            "  web_url: \"" +
                            old_url + "/\" -> \"" + new_site_->base_url() +
                            "\"\n  auth: added \"basic\"\n"
                            "  username: \"ops-bot\" -> \"bot@acme.example\"\n"),
            std::string::npos)
      << result.out;
  EXPECT_NE(result.out.find("Left as they were:\n"
                            "  [groups.\"ops/deep\"] (line 10): it sets its own [jira] "
                            "credentials (auth, username or token) and inherits the site, which "
                            "moves to " +
                            new_site_->base_url() +
                            ": check that they work there\n"
                            "  [projects.\"team/app\"] (line 13): its Jira site is "
                            "https://other.example.com, not the old site " +
                            old_url +
                            "\n"
                            "  [projects.\"team/lib\"] (line 16): " +
                            config_ +
                            ":17: the jira "
                            "settings of projects.\"team/lib\" are not written as a "
                            "[projects.\"team/lib\".jira] table; migrate only edits a "
                            "[projects.\"team/lib\".jira] table, change this by hand\n"),
            std::string::npos)
      << result.out;

  std::string text = ReadFile(config_);
  EXPECT_NE(text.find("[groups.\"ops\".jira]\nweb_url = \"" + new_site_->base_url() +
                      "\"\nusername = \"bot@acme.example\"\nauth = \"basic\"\ntoken_file = \"" +
                      dir_.Path("cloud-token") + "\"\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("[groups.\"ops/deep\".jira]\nusername = \"deep-bot\"\n"), std::string::npos);
  EXPECT_NE(text.find("web_url = \"https://other.example.com\"\n"), std::string::npos);
  EXPECT_NE(text.find("jira.web_url = \"" + old_url + "\"\n"), std::string::npos);

  // The repositories of the moved group now reach the new site.
  ProcessResult test = RunJiralink({"test", "--config", config_, "--repo", "ops/x"});
  EXPECT_EQ(test.exit_code, 0) << test.err;
  EXPECT_NE(test.out.find("deployment:  Cloud"), std::string::npos) << test.out;
}

}  // namespace
}  // namespace jiralink::cli
