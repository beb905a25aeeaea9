// Every error shape the client turns into an ApiStatus: Jira's JSON
// messages and field errors, HTML and plain-text pages, rate limits,
// server errors, dropped connections and timeouts; plus the fallbacks
// (410 search, 404 createmeta, serverInfo without deploymentType).
#include <gtest/gtest.h>

#include <chrono>
#include <ctime>

#include "jiralink/jira/client.h"
#include "standin.h"

namespace jiralink::jira {
namespace {

using standin::Fault;
using standin::JiraStandin;
using standin::Personality;

class ClientErrorsTest : public ::testing::Test {
 protected:
  void StartStandin(Personality personality, std::string context_path = "",
                    bool new_createmeta = true, bool old_createmeta = true) {
    JiraStandin::Options options;
    options.personality = personality;
    options.context_path = std::move(context_path);
    options.new_createmeta = new_createmeta;
    options.old_createmeta = old_createmeta;
    standin_ = std::make_unique<JiraStandin>(options);
    ASSERT_TRUE(standin_->Start());
    standin_->AddProject("PROJ", "Project", "10100");
    standin_->AddIssue({.key = "PROJ-1", .summary = "First"});
  }

  ClientOptions Options() const {
    ClientOptions options;
    options.api_url = standin_->base_url();
    options.username = "jiralink-bot";
    options.token = "standin-token";
    options.timeout_seconds = 10;
    return options;
  }

  Client MakeClient() const { return Client(Options()); }

  void Inject(Fault fault) { standin_->InjectFault(std::move(fault)); }

  std::unique_ptr<JiraStandin> standin_;
};

TEST_F(ClientErrorsTest, MissingIssueCarriesJirasMessage) {
  StartStandin(Personality::kServer);
  Client client = MakeClient();
  Issue issue;
  ApiStatus status = client.GetIssue("PROJ-404", "", "", &issue);
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(status.http_status, 404);
  EXPECT_EQ(status.method, "GET");
  EXPECT_EQ(status.path, "/rest/api/2/issue/PROJ-404");
  ASSERT_EQ(status.error_messages.size(), 1u);
  EXPECT_EQ(status.error_messages[0],
            "Issue does not exist or you do not have permission to see it.");
  EXPECT_FALSE(status.retryable);
  EXPECT_EQ(status.ToString(),
            "GET /rest/api/2/issue/PROJ-404: HTTP 404: Issue does not exist or you do not have "
            "permission to see it.");
  EXPECT_EQ(status.ToStatus().code(), Status::Code::kNotFound);
}

TEST_F(ClientErrorsTest, HiddenIssueLooksMissing) {
  StartStandin(Personality::kCloud);
  standin_->HideIssue("PROJ-1");
  Client client = MakeClient();
  std::vector<Comment> comments;
  ApiStatus status = client.GetComments("PROJ-1", &comments);
  EXPECT_EQ(status.http_status, 404);
  EXPECT_EQ(status.ToStatus().code(), Status::Code::kNotFound);
}

TEST_F(ClientErrorsTest, FieldErrorsAreKeptPerField) {
  StartStandin(Personality::kServer);
  standin_->RequireField("PROJ", "components");
  Client client = MakeClient();
  CreateIssueRequest request;
  request.project_key = "PROJ";
  request.issue_type_id = "10004";
  request.summary = "s";
  ApiStatus status = client.CreateIssue(request, nullptr);
  EXPECT_EQ(status.http_status, 400);
  EXPECT_TRUE(status.error_messages.empty());
  ASSERT_EQ(status.field_errors.size(), 1u);
  EXPECT_EQ(status.field_errors.at("components"), "Component/s is required.");
  EXPECT_EQ(status.ToString(),
            "POST /rest/api/2/issue: HTTP 400: components: Component/s is "
            "required.");
  EXPECT_EQ(status.ToStatus().code(), Status::Code::kInvalidArgument);
  EXPECT_FALSE(status.retryable);
}

TEST_F(ClientErrorsTest, BadTransitionIsABadRequest) {
  StartStandin(Personality::kServer);
  Client client = MakeClient();
  ApiStatus status = client.DoTransition("PROJ-1", "99");
  EXPECT_EQ(status.http_status, 400);
  ASSERT_EQ(status.error_messages.size(), 1u);
  EXPECT_EQ(status.error_messages[0], "Transition id '99' is not valid for this issue.");
}

TEST_F(ClientErrorsTest, ServerHtml401IsSummarisedByItsTitle) {
  StartStandin(Personality::kServer);
  ClientOptions options = Options();
  options.token = "wrong-password";
  Client client(options);
  User user;
  ApiStatus status = client.GetMyself(&user);
  EXPECT_EQ(status.http_status, 401);
  EXPECT_EQ(status.body_summary, "HTTP Status 401 \xe2\x80\x93 Unauthorized");
  EXPECT_FALSE(status.retryable);
  EXPECT_EQ(status.ToStatus().code(), Status::Code::kPermissionDenied);
  EXPECT_EQ(status.ToString().find("wrong-password"), std::string::npos);
}

TEST_F(ClientErrorsTest, CloudPlainText401IsShownAsIs) {
  StartStandin(Personality::kCloud);
  ClientOptions options = Options();
  options.auth = AuthMode::kPat;
  options.token = "not-the-token";
  Client client(options);
  ApiStatus status = client.GetMyself(nullptr);
  EXPECT_EQ(status.http_status, 401);
  EXPECT_EQ(status.body_summary, "Client must be authenticated to access this resource.");
  EXPECT_EQ(status.ToString(),
            "GET /rest/api/2/myself: HTTP 401: Client must be authenticated "
            "to access this resource.");
}

TEST_F(ClientErrorsTest, Html403WithRetryAfterIsStillNotRetryable) {
  StartStandin(Personality::kServer);
  Inject({.path_contains = "/myself",
          .status = 403,
          .body = "<html><head><title>Forbidden (403)</title></head><body>CAPTCHA</body></html>",
          .content_type = "text/html",
          .retry_after = "5",
          .headers = {{"X-Authentication-Denied-Reason",
                       "CAPTCHA_CHALLENGE; login-url=http://127.0.0.1/login.jsp"}}});
  Client client = MakeClient();
  ApiStatus status = client.GetMyself(nullptr);
  EXPECT_EQ(status.http_status, 403);
  EXPECT_FALSE(status.retryable);
  EXPECT_EQ(status.body_summary, "Forbidden (403)");
  ASSERT_FALSE(status.error_messages.empty());
  EXPECT_NE(status.error_messages[0].find("CAPTCHA"), std::string::npos);
}

TEST_F(ClientErrorsTest, BasicAuthDisabledMessageIsRead) {
  StartStandin(Personality::kServer);
  Inject({.path_contains = "/myself",
          .status = 403,
          .body = R"({"message":"Basic Authentication has been disabled on this instance."})"});
  Client client = MakeClient();
  ApiStatus status = client.GetMyself(nullptr);
  ASSERT_EQ(status.error_messages.size(), 1u);
  EXPECT_EQ(status.error_messages[0], "Basic Authentication has been disabled on this instance.");
}

TEST_F(ClientErrorsTest, RateLimitWithRetryAfterSeconds) {
  StartStandin(Personality::kCloud);
  Inject({.path_contains = "/comment", .status = 429, .body = "", .retry_after = "7", .times = 1});
  Client client = MakeClient();
  ApiStatus status = client.AddComment("PROJ-1", "hi", nullptr);
  EXPECT_EQ(status.http_status, 429);
  EXPECT_TRUE(status.retryable);
  EXPECT_EQ(status.retry_after_seconds, 7);
  EXPECT_EQ(status.ToStatus().code(), Status::Code::kUnavailable);
  // The client does not retry by itself; the fault was used once, so the next call passes.
  EXPECT_EQ(standin_->Requests("POST", "/comment").size(), 1u);
  EXPECT_TRUE(client.AddComment("PROJ-1", "hi", nullptr).ok());
}

TEST_F(ClientErrorsTest, RateLimitWithRetryAfterDate) {
  StartStandin(Personality::kCloud);
  std::time_t later = std::time(nullptr) + 120;
  std::tm tm{};
  gmtime_r(&later, &tm);
  char date[64];
  std::strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  Inject({.path_contains = "/myself", .status = 429, .retry_after = date});
  Client client = MakeClient();
  ApiStatus status = client.GetMyself(nullptr);
  EXPECT_TRUE(status.retryable);
  EXPECT_GE(status.retry_after_seconds, 110);
  EXPECT_LE(status.retry_after_seconds, 121);
}

TEST_F(ClientErrorsTest, ServiceUnavailableFromAProxyIsRetryable) {
  StartStandin(Personality::kServer);
  Inject({.path_contains = "/serverInfo",
          .status = 503,
          .body = "<html><body><h1>503 Service Unavailable</h1>\nNo server is available.</body>"
                  "</html>",
          .content_type = "text/html"});
  Client client = MakeClient();
  ApiStatus status = client.GetServerInfo(nullptr);
  EXPECT_EQ(status.http_status, 503);
  EXPECT_TRUE(status.retryable);
  EXPECT_EQ(status.retry_after_seconds, -1);
  EXPECT_EQ(status.body_summary, "503 Service Unavailable No server is available.");
}

TEST_F(ClientErrorsTest, ClosedConnectionIsARetryableNetworkError) {
  StartStandin(Personality::kServer);
  Inject({.path_contains = "/myself", .close_connection = true});
  Client client = MakeClient();
  ApiStatus status = client.GetMyself(nullptr);
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(status.http_status, 0);
  EXPECT_FALSE(status.network_error.empty());
  EXPECT_TRUE(status.retryable);
  EXPECT_EQ(status.ToStatus().code(), Status::Code::kUnavailable);
  EXPECT_EQ(status.ToString(), "GET /rest/api/2/myself: " + status.network_error);
}

TEST_F(ClientErrorsTest, SlowAnswerTimesOut) {
  StartStandin(Personality::kServer);
  Inject({.path_contains = "/myself", .status = 0, .delay_ms = 4000});
  ClientOptions options = Options();
  options.timeout_seconds = 1;
  Client client(options);
  auto started = std::chrono::steady_clock::now();
  ApiStatus status = client.GetMyself(nullptr);
  auto elapsed = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(status.http_status, 0);
  EXPECT_NE(status.network_error.find("imed out"), std::string::npos) << status.network_error;
  EXPECT_TRUE(status.retryable);
  EXPECT_LT(elapsed, std::chrono::milliseconds(3000));
}

TEST_F(ClientErrorsTest, NobodyListeningIsANetworkError) {
  StartStandin(Personality::kServer);
  ClientOptions options = Options();
  standin_->Stop();
  Client client(options);
  ApiStatus status = client.GetMyself(nullptr);
  EXPECT_EQ(status.http_status, 0);
  EXPECT_TRUE(status.retryable);
  EXPECT_FALSE(status.network_error.empty());
}

TEST_F(ClientErrorsTest, SuccessThatIsNotJsonIsAFailure) {
  StartStandin(Personality::kServer);
  Inject({.path_contains = "/myself",
          .status = 200,
          .body = "<html>login</html>",
          .content_type = "text/html"});
  Client client = MakeClient();
  User user;
  ApiStatus status = client.GetMyself(&user);
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.ToString().find("not JSON"), std::string::npos);
}

TEST_F(ClientErrorsTest, ContextPathIsKeptInEveryUrl) {
  StartStandin(Personality::kServer, "/jira");
  ClientOptions options = Options();
  options.api_url = standin_->base_url() + "/";  // a trailing slash is dropped
  Client client(options);
  ApiStatus status = client.GetMyself(nullptr);
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(status.path, "/rest/api/2/myself");
  ASSERT_EQ(standin_->Requests().size(), 1u);
  EXPECT_EQ(standin_->Requests()[0].path, "/jira/rest/api/2/myself");
}

TEST_F(ClientErrorsTest, SearchRetriesOnSearchJqlAfter410) {
  StartStandin(Personality::kCloud);
  ClientOptions options = Options();
  options.deployment = Deployment::kServer;  // configured wrongly on purpose
  Client client(options);
  SearchRequest request;
  request.jql = "project = PROJ";
  SearchPage page;
  ApiStatus status = client.Search(request, &page);
  ASSERT_TRUE(status.ok()) << status.ToString();
  ASSERT_EQ(page.issues.size(), 1u);
  auto requests = standin_->Requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].path, "/rest/api/2/search");
  EXPECT_EQ(requests[0].status, 410);
  EXPECT_EQ(requests[1].path, "/rest/api/2/search/jql");
  // Remembered: the next search goes straight to /search/jql.
  standin_->ClearRequests();
  ASSERT_TRUE(client.Search(request, &page).ok());
  ASSERT_EQ(standin_->Requests().size(), 1u);
  EXPECT_EQ(standin_->Requests()[0].path, "/rest/api/2/search/jql");
}

TEST_F(ClientErrorsTest, CloudSearch410MessageIsKept) {
  StartStandin(Personality::kCloud);
  Inject({.path_contains = "/search/jql",
          .status = 410,
          .body = R"({"errorMessages":["The requested API has been removed."],"errors":{}})"});
  ClientOptions options = Options();
  options.deployment = Deployment::kCloud;
  Client client(options);
  SearchRequest request;
  request.jql = "project = PROJ";
  ApiStatus status = client.Search(request, nullptr);
  EXPECT_EQ(status.http_status, 410);
  EXPECT_FALSE(status.retryable);
  EXPECT_EQ(status.error_messages, std::vector<std::string>{"The requested API has been removed."});
}

TEST_F(ClientErrorsTest, BadJqlIsReported) {
  StartStandin(Personality::kServer);
  Client client = MakeClient();
  SearchRequest request;
  request.jql = "nosuchfield = 1";
  ApiStatus status = client.Search(request, nullptr);
  EXPECT_EQ(status.http_status, 400);
  ASSERT_EQ(status.error_messages.size(), 1u);
  EXPECT_EQ(status.error_messages[0],
            "Field 'nosuchfield' does not exist or you do not have permission to view it.");
}

TEST_F(ClientErrorsTest, CreateMetaFallsBackToTheOldEndpointOn404) {
  StartStandin(Personality::kServer, "", /*new_createmeta=*/false);
  Client client = MakeClient();
  std::vector<IssueType> types;
  ApiStatus status = client.GetCreateIssueTypes("PROJ", &types);
  ASSERT_TRUE(status.ok()) << status.ToString();
  ASSERT_EQ(types.size(), 4u);
  EXPECT_EQ(types[0].name, "Bug");
  auto requests = standin_->Requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].path, "/rest/api/2/issue/createmeta/PROJ/issuetypes");
  EXPECT_EQ(requests[0].status, 404);
  EXPECT_EQ(requests[1].path, "/rest/api/2/issue/createmeta");
  EXPECT_EQ(requests[1].query, "projectKeys=PROJ&expand=projects.issuetypes");
}

TEST_F(ClientErrorsTest, CreateMetaForAnUnknownProjectIsNotFound) {
  StartStandin(Personality::kServer, "", /*new_createmeta=*/false);
  Client client = MakeClient();
  std::vector<IssueType> types;
  ApiStatus status = client.GetCreateIssueTypes("NOPE", &types);
  EXPECT_EQ(status.http_status, 404);
  ASSERT_FALSE(status.error_messages.empty());
  EXPECT_NE(status.error_messages[0].find("NOPE"), std::string::npos);
}

TEST_F(ClientErrorsTest, Jira9WithoutOldCreateMetaUsesTheNewOne) {
  StartStandin(Personality::kServer, "", true, /*old_createmeta=*/false);
  Client client = MakeClient();
  std::vector<IssueType> types;
  ASSERT_TRUE(client.GetCreateIssueTypes("PROJ", &types).ok());
  EXPECT_EQ(types.size(), 4u);
  EXPECT_EQ(standin_->Requests().size(), 1u);
}

TEST_F(ClientErrorsTest, Jira6WithoutDeploymentTypeFallsBackToHostAndVersion) {
  StartStandin(Personality::kServer);
  // A Jira 6.x on-premises answer: no deploymentType.
  standin_->SetServerInfo({{"baseUrl", "http://jira.example.com"},
                           {"version", "6.3.15"},
                           {"versionNumbers", {6, 3, 15}},
                           {"buildNumber", 6346},
                           {"serverTitle", "JIRA"}});
  ServerInfo info;
  {
    Client client = MakeClient();
    ASSERT_TRUE(client.GetServerInfo(&info).ok());
    EXPECT_EQ(info.deployment_type, "");
    EXPECT_EQ(info.deployment, Deployment::kServer);
  }
  {
    // The same answer for a site whose web URL is on atlassian.net: Cloud.
    ClientOptions options = Options();
    options.web_url = "https://example.atlassian.net";
    Client client(options);
    EXPECT_EQ(client.deployment(), Deployment::kCloud);
  }
  // An OnDemand (old Cloud) version string: Cloud.
  standin_->SetServerInfo({{"baseUrl", "https://x.example"}, {"version", "6.4-OD-11-012"}});
  Client client = MakeClient();
  EXPECT_EQ(client.deployment(), Deployment::kCloud);
}

TEST_F(ClientErrorsTest, DeploymentFallsBackToTheHostWhenServerInfoFails) {
  StartStandin(Personality::kServer);
  Inject({.path_contains = "/serverInfo", .status = 503});
  ClientOptions options = Options();
  options.web_url = "https://acme.atlassian.net";
  Client client(options);
  EXPECT_EQ(client.deployment(), Deployment::kCloud);
  // Not remembered: the next call asks again.
  standin_->ClearFaults();
  EXPECT_EQ(client.deployment(), Deployment::kServer);
}

TEST_F(ClientErrorsTest, CloudTreatsAWrongBasicCredentialAsAnonymous) {
  JiraStandin::Options standin_options;
  standin_options.personality = Personality::kCloud;
  standin_options.cloud_bad_basic_is_anonymous = true;
  standin_ = std::make_unique<JiraStandin>(standin_options);
  ASSERT_TRUE(standin_->Start());
  standin_->AddProject("PROJ", "Project");
  standin_->AddIssue({.key = "PROJ-1", .summary = "First"});
  ClientOptions options = Options();
  options.token = "wrong";
  Client client(options);
  SearchRequest request;
  request.jql = "project = PROJ";
  SearchPage page;
  ApiStatus status = client.Search(request, &page);
  EXPECT_TRUE(status.ok()) << status.ToString();  // 200, but nothing visible
  EXPECT_TRUE(page.issues.empty());
  EXPECT_EQ(status.login_reason, "AUTHENTICATED_FAILED");
  EXPECT_EQ(client.GetIssue("PROJ-1", "", "", nullptr).http_status, 404);
  EXPECT_EQ(client.GetMyself(nullptr).http_status, 401);
}

TEST_F(ClientErrorsTest, DebugLogRedactsTheToken) {
  StartStandin(Personality::kServer);
  ClientOptions options = Options();
  options.debug = true;
  options.auth = AuthMode::kPat;
  Client client(options);
  ::testing::internal::CaptureStderr();
  ApiStatus status = client.GetMyself(nullptr);
  std::string log = ::testing::internal::GetCapturedStderr();
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_NE(log.find("GET " + standin_->base_url() + "/rest/api/2/myself"), std::string::npos)
      << log;
  EXPECT_NE(log.find("Authorization: <redacted>"), std::string::npos) << log;
  EXPECT_NE(log.find("HTTP 200"), std::string::npos) << log;
  EXPECT_NE(log.find("x-seraph-loginreason: OK"), std::string::npos) << log;
  EXPECT_EQ(log.find("standin-token"), std::string::npos) << log;
}

TEST(RetryAfterTest, SecondsAndDates) {
  EXPECT_EQ(ParseRetryAfter("120", 0), 120);
  EXPECT_EQ(ParseRetryAfter(" 3 ", 0), 3);
  // 1445412480 = Wed, 21 Oct 2015 07:28:00 GMT.
  EXPECT_EQ(ParseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT", 1445412480 - 30), 30);
  EXPECT_EQ(ParseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT", 1445412480 + 30), 0);
  // HTTP's two obsolete date forms (RFC 9110 5.6.7), which a recipient must read.
  EXPECT_EQ(ParseRetryAfter("Wednesday, 21-Oct-15 07:28:00 GMT", 1445412480 - 30), 30);
  EXPECT_EQ(ParseRetryAfter("Wed Oct 21 07:28:00 2015", 1445412480 - 30), 30);
  EXPECT_EQ(ParseRetryAfter("soon", 0), -1);
  EXPECT_EQ(ParseRetryAfter("", 0), -1);
  EXPECT_EQ(ParseRetryAfter("-5", 0), -1);
}

// Whether a URL is Cloud is asked of IsJiraCloudUrl: tests/core/jira_site_test.cpp.
TEST(DeploymentTest, Names) {
  EXPECT_STREQ(DeploymentName(Deployment::kCloud), "Cloud");
  EXPECT_STREQ(DeploymentName(Deployment::kServer), "Server");
  EXPECT_STREQ(DeploymentName(Deployment::kUnknown), "unknown");
}

}  // namespace
}  // namespace jiralink::jira
