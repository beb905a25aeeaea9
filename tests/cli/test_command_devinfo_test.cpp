// `jiralink test` with [devinfo] enabled, end to end: the real binary
// against the stand-in's token endpoint, tenant_info and devinfo API, naming
// which of the client ID/secret, the site and the permission is wrong.
#include <sys/stat.h>
#include <unistd.h>

#include <gmock/gmock.h>
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
using standin::JiraStandin;
using standin::Personality;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kSecret[] = "standin-client-secret";

class TestCommandDevinfoTest : public ::testing::Test {
 protected:
  void Start(Personality personality) {
    JiraStandin::Options options;
    options.personality = personality;
    standin_ = std::make_unique<JiraStandin>(options);
    ASSERT_TRUE(standin_->Start());
  }

  // Settings for the stand-in with devinfo on; `devinfo_extra` goes into [devinfo].
  std::string Config(const std::string& secret = kSecret,
                     const std::string& client_id = "standin-client-id") {
    const std::string token_file = dir_.Path("token");
    WriteFile(token_file, "standin-token\n");
    chmod(token_file.c_str(), 0600);
    const std::string secret_file = dir_.Path("devinfo-secret");
    WriteFile(secret_file, secret + "\n");
    chmod(secret_file.c_str(), 0600);
    const std::string path = dir_.Path("config.toml");
    WriteFile(path, "[jira]\nweb_url = \"" + standin_->base_url() +
                        "\"\nusername = \"jiralink-bot\"\ntoken_file = \"" + token_file +
                        "\"\n[state]\ndir = \"" + dir_.Path("state") +
                        "\"\n[devinfo]\nenabled = true\nclient_id = \"" + client_id +
                        "\"\nclient_secret_file = \"" + secret_file + "\"\napi_url = \"" +
                        standin_->base_url() + "\"\n");
    chmod(path.c_str(), 0600);
    return path;
  }

  static void ExpectNoSecret(const ProcessResult& result) {
    EXPECT_THAT(result.out, Not(HasSubstr(kSecret)));
    EXPECT_THAT(result.err, Not(HasSubstr(kSecret)));
    EXPECT_THAT(result.out + result.err, Not(HasSubstr("standin-devinfo-token")));
  }

  TempDir dir_;
  std::unique_ptr<JiraStandin> standin_;
};

TEST_F(TestCommandDevinfoTest, ReadySaysTheCloudIdAndWritesNothing) {
  Start(Personality::kCloud);
  ProcessResult result = RunJiralink({"test", "--config", Config()});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("Connection successful."));
  EXPECT_THAT(result.out, HasSubstr("Development information: ready."));
  EXPECT_THAT(result.out, HasSubstr("cloud ID:    " + standin::DevinfoOptions().cloud_id));
  ExpectNoSecret(result);
  EXPECT_EQ(standin_->Requests("POST", "/oauth/token").size(), 1u);
  EXPECT_EQ(standin_->Requests("GET", "/_edge/tenant_info").size(), 1u);
  EXPECT_TRUE(standin_->Requests("POST", "/bulk").empty());
}

TEST_F(TestCommandDevinfoTest, AWrongSecretIsNamed) {
  Start(Personality::kCloud);
  ProcessResult result = RunJiralink({"test", "--json", "--config", Config("not-the-secret")});
  EXPECT_EQ(result.exit_code, 1) << result.err;
  nlohmann::json json = nlohmann::json::parse(result.out, nullptr, false);
  ASSERT_FALSE(json.is_discarded()) << result.out;
  EXPECT_EQ(json["success"], true) << "the Jira connection itself works";
  EXPECT_EQ(json["devinfo"]["success"], false);
  EXPECT_EQ(json["devinfo"]["problem"], "credentials");
  EXPECT_EQ(json["devinfo"]["http_status"], 401);
  EXPECT_THAT(json["devinfo"]["reason"].get<std::string>(), HasSubstr("client ID or secret"));
  EXPECT_THAT(result.out, Not(HasSubstr("not-the-secret")));
}

TEST_F(TestCommandDevinfoTest, AWrongClientIdIsNamed) {
  Start(Personality::kCloud);
  ProcessResult result = RunJiralink({"test", "--config", Config(kSecret, "someone-else")});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, HasSubstr("Development information failed: the OAuth client ID or "
                                    "secret is wrong"));
  ExpectNoSecret(result);
}

TEST_F(TestCommandDevinfoTest, TheMissingPermissionIsNamed) {
  Start(Personality::kCloud);
  standin_->SetDevinfoPermitted(false);
  ProcessResult result = RunJiralink({"test", "--config", Config()});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, HasSubstr("lack the \"Development information\" permission"));
  ExpectNoSecret(result);
}

TEST_F(TestCommandDevinfoTest, ASiteWithoutACloudIdIsNamed) {
  Start(Personality::kCloud);
  standin::Fault fault;
  fault.path_contains = "/_edge/tenant_info";
  fault.status = 404;
  fault.body = "<html><title>Not Found</title></html>";
  fault.content_type = "text/html";
  standin_->InjectFault(fault);
  ProcessResult result = RunJiralink({"test", "--json", "--config", Config()});
  EXPECT_EQ(result.exit_code, 1);
  nlohmann::json json = nlohmann::json::parse(result.out, nullptr, false);
  ASSERT_FALSE(json.is_discarded()) << result.out;
  EXPECT_EQ(json["devinfo"]["problem"], "site");
  EXPECT_THAT(json["devinfo"]["reason"].get<std::string>(), HasSubstr("no cloud ID"));
}

TEST_F(TestCommandDevinfoTest, OnJiraServerItSaysThereIsNoSuchApi) {
  Start(Personality::kServer);
  ProcessResult result = RunJiralink({"test", "--config", Config()});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.out, HasSubstr("Connection successful."));
  EXPECT_THAT(result.err, HasSubstr("Jira Server/Data Center, which has no Development "
                                    "Information API"));
  EXPECT_TRUE(standin_->Requests("POST", "/oauth/token").empty()) << "nothing to ask";
}

TEST_F(TestCommandDevinfoTest, WithoutAReadableSecretItStopsNamingTheSetting) {
  Start(Personality::kCloud);
  const std::string config = Config();
  ASSERT_EQ(::unlink(dir_.Path("devinfo-secret").c_str()), 0);
  ProcessResult result = RunJiralink({"test", "--config", config});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("[devinfo] client_secret_file"));
  EXPECT_TRUE(standin_->Requests().empty());
}

}  // namespace
}  // namespace jiralink::cli
