// `jiralink test` end to end: the real binary against the stand-in, on
// success and on each kind of failure.
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "standin.h"
#include "support/test_support.h"

namespace jiralink::cli {
namespace {

using jiralink::testing::ProcessResult;
using jiralink::testing::RunJiralink;
using jiralink::testing::TempDir;
using jiralink::testing::WriteFile;
using standin::Fault;
using standin::JiraStandin;
using standin::Personality;

constexpr char kFailed[] = "Connection failed. Check your integration settings.";
constexpr char kToken[] = "standin-token";

class TestCommandTest : public ::testing::Test {
 protected:
  void Start(Personality personality, std::string context_path = "") {
    JiraStandin::Options options;
    options.personality = personality;
    options.context_path = std::move(context_path);
    standin_ = std::make_unique<JiraStandin>(options);
    ASSERT_TRUE(standin_->Start());
  }

  // A settings file for the stand-in; `jira_extra` lines go into [jira].
  std::string WriteConfig(const std::string& jira_table) {
    std::string token_file = dir_.Path("token");
    WriteFile(token_file, std::string(kToken) + "\n");
    chmod(token_file.c_str(), 0600);
    std::string path = dir_.Path("config.toml");
    WriteFile(path, "[jira]\n" + jira_table + "\n[state]\ndir = \"" + dir_.Path("state") + "\"\n");
    chmod(path.c_str(), 0600);
    return path;
  }

  std::string BasicConfig(const std::string& token_line = "") {
    return WriteConfig(
        "web_url = \"" + standin_->base_url() + "\"\nusername = \"jiralink-bot\"\n" +
        (token_line.empty() ? "token_file = \"" + dir_.Path("token") + "\"\n" : token_line + "\n"));
  }

  static void ExpectNoToken(const ProcessResult& result) {
    EXPECT_EQ(result.out.find(kToken), std::string::npos) << result.out;
    EXPECT_EQ(result.err.find(kToken), std::string::npos) << result.err;
  }

  TempDir dir_;
  std::unique_ptr<JiraStandin> standin_;
};

TEST_F(TestCommandTest, ServerSuccessPrintsWhatAnswered) {
  Start(Personality::kServer);
  ProcessResult result = RunJiralink({"test", "--config", BasicConfig()});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("Connection successful."), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("deployment:  Server"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("version:     9.12.2"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("user:        Jiralink Bot (jiralink-bot)"), std::string::npos)
      << result.out;
  EXPECT_NE(result.out.find("API base:    " + standin_->base_url() + "/rest/api/2"),
            std::string::npos)
      << result.out;
  ExpectNoToken(result);
  // Exactly the forge's two calls, authenticated.
  auto requests = standin_->Requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].method + " " + requests[0].path, "GET /rest/api/2/serverInfo");
  EXPECT_EQ(requests[1].method + " " + requests[1].path, "GET /rest/api/2/myself");
  EXPECT_EQ(requests[1].headers["authorization"], "Basic amlyYWxpbmstYm90OnN0YW5kaW4tdG9rZW4=");
}

TEST_F(TestCommandTest, CloudJsonForScripts) {
  Start(Personality::kCloud);
  ProcessResult result = RunJiralink({"test", "--json", "--config", BasicConfig()});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  nlohmann::json json = nlohmann::json::parse(result.out, nullptr, false);
  ASSERT_FALSE(json.is_discarded()) << result.out;
  EXPECT_EQ(json["success"], true);
  EXPECT_EQ(json["deployment"], "Cloud");
  EXPECT_EQ(json["version"], "1001.0.0-SNAPSHOT");
  EXPECT_EQ(json["api_base"], standin_->base_url() + "/rest/api/2");
  EXPECT_EQ(json["user"]["display_name"], "Jiralink Bot");
  EXPECT_FALSE(json["user"]["account_id"].get<std::string>().empty());
}

TEST_F(TestCommandTest, PatSendsBearerAndContextPathIsKept) {
  Start(Personality::kServer, "/jira");
  std::string config = WriteConfig("web_url = \"" + standin_->base_url() +
                                   "\"\nauth = \"pat\"\ntoken_env = \"JIRALINK_TEST_PAT\"\n");
  ProcessResult result =
      RunJiralink({"test", "--config", config}, {.env = {{"JIRALINK_TEST_PAT", kToken}}});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  auto requests = standin_->Requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[1].path, "/jira/rest/api/2/myself");
  EXPECT_EQ(requests[1].headers["authorization"], std::string("Bearer ") + kToken);
}

TEST_F(TestCommandTest, WrongTokenFailsWithJirasAnswer) {
  Start(Personality::kServer);
  ProcessResult result =
      RunJiralink({"test", "--config", BasicConfig("token = \"wrong-password\"")});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find(kFailed), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("GET /rest/api/2/myself: HTTP 401"), std::string::npos) << result.err;
  EXPECT_EQ(result.err.find("wrong-password"), std::string::npos) << result.err;
  EXPECT_EQ(result.out.find("wrong-password"), std::string::npos) << result.out;
}

TEST_F(TestCommandTest, WrongTokenOnCloudAsJson) {
  Start(Personality::kCloud);
  ProcessResult result =
      RunJiralink({"test", "--json", "--config", BasicConfig("token = \"wrong-token\"")});
  EXPECT_EQ(result.exit_code, 1);
  nlohmann::json json = nlohmann::json::parse(result.out, nullptr, false);
  ASSERT_FALSE(json.is_discarded()) << result.out;
  EXPECT_EQ(json["success"], false);
  EXPECT_EQ(json["message"], kFailed);
  EXPECT_EQ(json["http_status"], 401);
  EXPECT_NE(json["reason"].get<std::string>().find(
                "Client must be authenticated to access this resource."),
            std::string::npos);
}

TEST_F(TestCommandTest, AnonymousAnswerToMyselfIsAFailure) {
  Start(Personality::kCloud);
  // Jira answered, but did not accept the credentials.
  standin_->InjectFault({.path_contains = "/myself",
                         .status = 200,
                         .body = R"({"displayName":"Anonymous"})",
                         .headers = {{"X-Seraph-LoginReason", "AUTHENTICATED_FAILED"}}});
  ProcessResult result = RunJiralink({"test", "--config", BasicConfig()});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find(kFailed), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("AUTHENTICATED_FAILED"), std::string::npos) << result.err;
}

TEST_F(TestCommandTest, ServerErrorAndUnreachableSite) {
  Start(Personality::kServer);
  standin_->InjectFault({.path_contains = "/serverInfo", .status = 503, .times = 1});
  std::string config = BasicConfig();
  ProcessResult result = RunJiralink({"test", "--config", config});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("GET /rest/api/2/serverInfo: HTTP 503"), std::string::npos)
      << result.err;
  standin_->Stop();
  result = RunJiralink({"test", "--config", config});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find(kFailed), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("reason: GET /rest/api/2/serverInfo: "), std::string::npos)
      << result.err;
}

TEST_F(TestCommandTest, MissingSettingsAreBadUsage) {
  Start(Personality::kServer);
  ProcessResult result =
      RunJiralink({"test", "--config", WriteConfig("username = \"jiralink-bot\"\n")});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("web_url"), std::string::npos) << result.err;
  result = RunJiralink(
      {"test", "--config",
       WriteConfig("web_url = \"" + standin_->base_url() + "\"\nusername = \"jiralink-bot\"\n")});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("token"), std::string::npos) << result.err;
  EXPECT_TRUE(standin_->Requests().empty());
}

TEST_F(TestCommandTest, RepoSettingsApply) {
  Start(Personality::kServer);
  std::string config = BasicConfig("token = \"wrong\"");
  // The repository's own table names a working token source.
  WriteFile(config, jiralink::testing::ReadFile(config) + "\n[projects.\"team/app\".jira]\n" +
                        "token_file = \"" + dir_.Path("token") + "\"\n");
  EXPECT_EQ(RunJiralink({"test", "--config", config}).exit_code, 1);
  ProcessResult result = RunJiralink({"test", "--config", config, "--repo", "team/app"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
}

}  // namespace
}  // namespace jiralink::cli
