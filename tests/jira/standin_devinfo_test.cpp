// The stand-in's Development Information API (tests/standin/standin_devinfo.h)
// over raw HTTP: the checks Jira makes of a bulk body, the token endpoint,
// and the admin routes the end-to-end tests of other processes use.
#include <httplib.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include <nlohmann/json.hpp>

#include "standin.h"

namespace jiralink::standin {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

json Commit(const std::string& id) {
  return {{"id", id},
          {"hash", id},
          {"displayId", id.substr(0, 7)},
          {"message", "PROJ-1 change"},
          {"author", {{"name", "Ada"}, {"email", "ada@example.com"}}},
          {"authorTimestamp", "2026-12-08T00:00:00Z"},
          {"url", "https://git.example.com/c/" + id},
          {"fileCount", 1},
          {"issueKeys", {"PROJ-1"}},
          {"updateSequenceId", 5}};
}

json Body(json commits) {
  return {{"repositories",
           {{{"id", "repo"},
             {"name", "repo"},
             {"url", "https://git.example.com/repo"},
             {"updateSequenceId", 1},
             {"commits", std::move(commits)}}}}};
}

class StandinDevinfoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    JiraStandin::Options options;
    options.personality = Personality::kCloud;
    standin_ = std::make_unique<JiraStandin>(options);
    ASSERT_TRUE(standin_->Start());
    standin_->AddProject("PROJ", "Project");
    standin_->AddNumberedIssues("PROJ", 1);
    http_ = std::make_unique<httplib::Client>("127.0.0.1", standin_->port());
  }

  std::string TakeToken() {
    auto res = http_->Post("/oauth/token",
                           json({{"grant_type", "client_credentials"},
                                 {"audience", "api.atlassian.com"},
                                 {"client_id", "standin-client-id"},
                                 {"client_secret", "standin-client-secret"}})
                               .dump(),
                           "application/json");
    EXPECT_TRUE(res);
    EXPECT_EQ(res->status, 200);
    return json::parse(res->body)["access_token"].get<std::string>();
  }

  httplib::Result Bulk(const json& body, const std::string& token) {
    return http_->Post("/jira/devinfo/0.1/cloud/" + DevinfoOptions().cloud_id + "/bulk",
                       httplib::Headers{{"Authorization", "Bearer " + token}}, body.dump(),
                       "application/json");
  }

  // The message of a 400.
  std::string Refusal(const json& body) {
    auto res = Bulk(body, TakeToken());
    EXPECT_TRUE(res);
    EXPECT_EQ(res->status, 400) << res->body;
    json parsed = json::parse(res->body, nullptr, false);
    if (parsed.is_discarded() || !parsed.contains("errorMessages")) return "";
    return parsed["errorMessages"][0]["message"].get<std::string>();
  }

  std::unique_ptr<JiraStandin> standin_;
  std::unique_ptr<httplib::Client> http_;
};

TEST_F(StandinDevinfoTest, TheTokenEndpointChecksTheCredentials) {
  auto res = http_->Post("/oauth/token",
                         json({{"grant_type", "client_credentials"},
                               {"client_id", "standin-client-id"},
                               {"client_secret", "wrong"}})
                             .dump(),
                         "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 401);
  EXPECT_EQ(json::parse(res->body)["error"], "access_denied");
  res = http_->Post("/oauth/token", json({{"grant_type", "password"}}).dump(), "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  auto token = json::parse(http_
                               ->Post("/oauth/token",
                                      json({{"grant_type", "client_credentials"},
                                            {"client_id", "standin-client-id"},
                                            {"client_secret", "standin-client-secret"}})
                                          .dump(),
                                      "application/json")
                               ->body);
  EXPECT_EQ(token["expires_in"], 3600);
  EXPECT_EQ(token["token_type"], "Bearer");
}

TEST_F(StandinDevinfoTest, BulkNeedsAnIssuedUnexpiredToken) {
  auto res = Bulk(Body({Commit("a1")}), "made-up");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 401);
  const std::string token = TakeToken();
  res = Bulk(Body({Commit("a1")}), token);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 202) << res->body;
  ASSERT_TRUE(http_->Post("/_standin/devinfo/expire_tokens", "", "application/json"));
  res = Bulk(Body({Commit("a1")}), token);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 401);
}

TEST_F(StandinDevinfoTest, RefusesWhatJiraRefuses) {
  EXPECT_THAT(Refusal(json::object()), HasSubstr("repositories is required"));
  json no_keys = Commit("a1");
  no_keys["issueKeys"] = json::array();
  EXPECT_THAT(Refusal(Body({no_keys})), HasSubstr("issueKeys must hold at least 1"));
  json bad_id = Commit("a/1");
  EXPECT_THAT(Refusal(Body({bad_id})), HasSubstr("alphanumerics"));
  json long_message = Commit("a1");
  long_message["message"] = std::string(1025, 'x');
  EXPECT_THAT(Refusal(Body({long_message})),
              HasSubstr("repositories[0].commits[0].message is longer than 1024"));
  json no_email = Commit("a1");
  no_email["author"].erase("email");
  EXPECT_THAT(Refusal(Body({no_email})), HasSubstr("author.email is required"));
  EXPECT_THAT(Refusal(Body({Commit("a1"), Commit("a1")})), HasSubstr("appears twice"));
  json many = json::array();
  for (int i = 0; i < 401; ++i) many.push_back(Commit("c" + std::to_string(i)));
  EXPECT_THAT(Refusal(Body(many)), HasSubstr("at most 400"));
  // 1001 entities over three repositories of at most 400 each.
  json body = {{"repositories", json::array()}};
  for (int r = 0; r < 3; ++r) {
    json repository = Body(json::array())["repositories"][0];
    repository["id"] = "repo" + std::to_string(r);
    for (int i = 0; i < (r < 2 ? 400 : 201); ++i) {
      repository["commits"].push_back(Commit("c" + std::to_string(i)));
    }
    body["repositories"].push_back(repository);
  }
  EXPECT_THAT(Refusal(body), HasSubstr("at most 1000"));
  json wrong_operation = Body({Commit("a1")});
  wrong_operation["operationType"] = "LATER";
  EXPECT_THAT(Refusal(wrong_operation), HasSubstr("operationType"));
}

TEST_F(StandinDevinfoTest, AdminRoutesShowClearAndConfigure) {
  ASSERT_EQ(Bulk(Body({Commit("a1")}), TakeToken())->status, 202);
  json state = json::parse(http_->Get("/_standin/devinfo")->body);
  EXPECT_EQ(state["cloudId"], DevinfoOptions().cloud_id);
  EXPECT_EQ(state["tokensIssued"], 1);
  EXPECT_EQ(state["repositories"]["repo"]["commits"]["a1"]["message"], "PROJ-1 change");
  EXPECT_EQ(state["repositories"]["repo"]["updateSequenceId"], 1);

  ASSERT_EQ(http_->Delete("/_standin/devinfo")->status, 200);
  EXPECT_TRUE(json::parse(http_->Get("/_standin/devinfo")->body)["repositories"].empty());

  ASSERT_EQ(http_
                ->Post("/_standin/devinfo/options",
                       json({{"permitted", false}, {"token_lifetime_seconds", 5}}).dump(),
                       "application/json")
                ->status,
            200);
  const std::string token = TakeToken();
  EXPECT_EQ(Bulk(Body({Commit("a1")}), token)->status, 403);
  EXPECT_EQ(http_->Post("/_standin/devinfo/options", "[1]", "application/json")->status, 400);
}

TEST_F(StandinDevinfoTest, TheExpireTokenFaultComesFromJson) {
  Fault fault;
  std::string error;
  ASSERT_TRUE(FaultFromJson({{"path_contains", "/bulk"}, {"expire_token", true}, {"times", 1}},
                            &fault, &error))
      << error;
  EXPECT_TRUE(fault.expire_token);
  ASSERT_EQ(
      http_
          ->Post("/_standin/faults",
                 json({{"path_contains", "/bulk"}, {"expire_token", true}, {"times", 1}}).dump(),
                 "application/json")
          ->status,
      200);
  const std::string token = TakeToken();
  EXPECT_EQ(Bulk(Body({Commit("a1")}), token)->status, 401);
  EXPECT_EQ(Bulk(Body({Commit("a1")}), TakeToken())->status, 202) << "only once";
}

TEST_F(StandinDevinfoTest, TenantInfoOnlyOnCloud) {
  auto res = http_->Get("/_edge/tenant_info");
  ASSERT_TRUE(res);
  EXPECT_EQ(json::parse(res->body)["cloudId"], DevinfoOptions().cloud_id);
  JiraStandin::Options options;
  options.personality = Personality::kServer;
  JiraStandin server(options);
  ASSERT_TRUE(server.Start());
  httplib::Client client("127.0.0.1", server.port());
  res = client.Get("/_edge/tenant_info");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
}

}  // namespace
}  // namespace jiralink::standin
