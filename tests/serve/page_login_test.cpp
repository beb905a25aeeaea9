// serve/page_login.h: the pages' login behind an authenticating reverse
// proxy, through real loopback connections to HttpServer (IssuesPages, a
// SQLite outbox, the stand-in Jira). A "proxy" is whatever connects from an
// address in [serve] auth_proxies: here 127.0.0.1, while 127.0.0.2 (also
// loopback on Linux) plays a stranger.
#include "jiralink/serve/page_login.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "jiralink/outbox/sqlite_outbox.h"
#include "jiralink/serve/http_server.h"
#include "jiralink/serve/issues_pages.h"
#include "standin.h"
#include "webhook_fixtures.h"

namespace jiralink::serve {
namespace {

using testing::GitLabEvent;
using testing::TempDir;
using testing::WriteFile;

constexpr char kOpenList[] = "/open/repo/-/integrations/jira/issues";
constexpr char kTeamList[] = "/team/repo/-/integrations/jira/issues";
constexpr char kUnknownList[] = "/no/such/-/integrations/jira/issues";

struct Answer {
  int status = 0;
  std::string body;  // headers and body, as sent
};

// One HTTP/1.1 request from `source` (a loopback address) to 127.0.0.1:port.
Answer Send(const char* source, int port, const std::string& method, const std::string& path,
            const std::vector<std::pair<std::string, std::string>>& headers,
            const std::string& body = "") {
  Answer answer;
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in from{};
  from.sin_family = AF_INET;
  inet_pton(AF_INET, source, &from.sin_addr);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(static_cast<std::uint16_t>(port));
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval timeout{60, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&from), sizeof from) != 0 ||
      ::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0) {
    ::close(fd);
    return answer;
  }
  std::string request =
      method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
  for (const auto& [name, value] : headers) request += name + ": " + value + "\r\n";
  if (!body.empty()) request += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  request += "\r\n" + body;
  ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  char buffer[8192];
  for (ssize_t n; (n = ::recv(fd, buffer, sizeof buffer, 0)) > 0;) answer.body.append(buffer, n);
  ::close(fd);
  if (answer.body.starts_with("HTTP/1.1 ")) answer.status = std::atoi(answer.body.c_str() + 9);
  return answer;
}

class PageLoginTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(jira_.Start());
    jira_.AddProject("PROJ", "Project");
    standin::IssueSeed seed;
    seed.key = "PROJ-1";
    seed.summary = "Secret roadmap";
    seed.status = "To Do";
    seed.created = seed.updated = "2026-01-01T10:00:00.000+0000";
    jira_.AddIssue(seed);
    ::setenv("JIRALINK_TEST_TOKEN", "standin-token", 1);
    WriteFile(dir_.Path("secret"), "s3cret");
  }

  // The settings below plus `serve` in [serve], then the server.
  void Start(const std::string& serve, const std::string& listen = "127.0.0.1:0") {
    std::vector<config::Diagnostic> diagnostics;
    Status loaded = config::Config::LoadFromString(
        "[jira]\nweb_url = \"" + jira_.base_url() +
            "\"\nusername = \"jiralink-bot\"\ntoken_env = \"JIRALINK_TEST_TOKEN\"\n"
            "[serve]\nweb = true\nsecret_file = \"" +
            dir_.Path("secret") + "\"\n" + serve +
            "\n[issues]\nenabled = true\nproject_keys = [\"PROJ\"]\ncache_seconds = 0\n"
            "[projects.\"open/repo\".comments]\nenabled = true\n"
            "[projects.\"team/repo\".issues]\nviewers = [\"alice\", \"@backend\"]\n",
        dir_.Path("c.toml"), &config_, &diagnostics);
    ASSERT_TRUE(loaded.ok()) << loaded.message();
    for (const config::Diagnostic& d : diagnostics) {
      ASSERT_NE(d.severity, config::Diagnostic::Severity::kError) << d.message;
    }
    std::unique_ptr<outbox::Outbox> outbox;
    ASSERT_TRUE(outbox::OpenSqliteOutbox(dir_.Path("outbox.sqlite3"), &outbox).ok());
    handler_ =
        std::make_unique<WebhookHandler>(config_, std::move(outbox), WebhookHandlerOptions{});
    pages_ = std::make_unique<IssuesPages>(config_);
    login_ = std::make_unique<PageLogin>(config_.ForRepo("").serve);
    ServerOptions options;
    options.listen = listen;
    options.listen_fd = listen_fd_;
    options.issues_pages = pages_.get();
    options.login = login_.get();
    Status status = HttpServer::Start(options, handler_.get(), &server_);
    ASSERT_TRUE(status.ok()) << status.message();
  }

  void StartWithLogin() {
    Start(
        "auth_header = \"X-Forwarded-User\"\nauth_groups_header = \"X-Forwarded-Groups\"\n"
        "auth_proxies = [\"127.0.0.1\", \"::1\"]");
  }

  Answer Get(const char* source, const std::string& path,
             const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    return Send(source, server_->port(), "GET", path, headers);
  }

  std::size_t Searches() { return jira_.Requests("GET", "/search").size(); }

  standin::JiraStandin jira_{standin::JiraStandin::Options{}};
  TempDir dir_;
  config::Config config_;
  int listen_fd_ = -1;
  std::unique_ptr<WebhookHandler> handler_;
  std::unique_ptr<IssuesPages> pages_;
  std::unique_ptr<PageLogin> login_;
  std::unique_ptr<HttpServer> server_;
};

TEST_F(PageLoginTest, TheHeaderFromAnAllowedProxyShowsThePages) {
  StartWithLogin();
  Answer list = Get("127.0.0.1", kOpenList, {{"X-Forwarded-User", "bob"}});
  EXPECT_EQ(list.status, 200) << list.body;
  EXPECT_NE(list.body.find("Secret roadmap"), std::string::npos);
  Answer detail =
      Get("127.0.0.1", std::string(kOpenList) + "/PROJ-1", {{"X-Forwarded-User", "bob"}});
  EXPECT_EQ(detail.status, 200);
}

TEST_F(PageLoginTest, TheHeaderFromAnAddressNotListedIsRefusedWithoutAskingJira) {
  StartWithLogin();
  Answer answer = Get("127.0.0.2", kOpenList, {{"X-Forwarded-User", "alice"}});
  EXPECT_EQ(answer.status, 403) << answer.body;
  EXPECT_EQ(answer.body.find("Secret roadmap"), std::string::npos);
  EXPECT_NE(answer.body.find("Cache-Control: private, no-store"), std::string::npos);
  EXPECT_EQ(Get("127.0.0.2", kOpenList).status, 403);  // without the header too
  EXPECT_EQ(Searches(), 0u);
}

TEST_F(PageLoginTest, NoHeaderIs401AndAnEmptyOneToo) {
  StartWithLogin();
  Answer answer = Get("127.0.0.1", kOpenList);
  EXPECT_EQ(answer.status, 401) << answer.body;
  EXPECT_EQ(answer.body.find("Secret roadmap"), std::string::npos);
  EXPECT_EQ(Get("127.0.0.1", kOpenList, {{"X-Forwarded-User", "  "}}).status, 401);
  EXPECT_EQ(Searches(), 0u);
}

TEST_F(PageLoginTest, AnOverlongUserIsABadRequest) {
  StartWithLogin();
  EXPECT_EQ(Get("127.0.0.1", kOpenList, {{"X-Forwarded-User", std::string(300, 'a')}}).status, 400);
  EXPECT_EQ(Searches(), 0u);
}

TEST_F(PageLoginTest, AUserNotInViewersGetsTheSame404AsAnUnknownRepository) {
  StartWithLogin();
  Answer refused = Get("127.0.0.1", kTeamList, {{"X-Forwarded-User", "bob"}});
  EXPECT_EQ(refused.status, 404);
  Answer unknown = Get("127.0.0.1", kUnknownList, {{"X-Forwarded-User", "bob"}});
  EXPECT_EQ(unknown.status, 404);
  auto body = [](const std::string& text) { return text.substr(text.find("\r\n\r\n")); };
  EXPECT_EQ(body(refused.body), body(unknown.body));
  EXPECT_EQ(
      Get("127.0.0.1", std::string(kTeamList) + "/PROJ-1", {{"X-Forwarded-User", "bob"}}).status,
      404);
  EXPECT_EQ(Searches(), 0u);
  // Named exactly: case and spaces count, a group name is not a user.
  EXPECT_EQ(Get("127.0.0.1", kTeamList, {{"X-Forwarded-User", "Alice"}}).status, 404);
  EXPECT_EQ(Get("127.0.0.1", kTeamList, {{"X-Forwarded-User", "backend"}}).status, 404);
  Answer alice = Get("127.0.0.1", kTeamList, {{"X-Forwarded-User", "alice"}});
  EXPECT_EQ(alice.status, 200);
  EXPECT_NE(alice.body.find("Secret roadmap"), std::string::npos);
}

TEST_F(PageLoginTest, AGroupInViewersLetsItsMembersIn) {
  StartWithLogin();
  EXPECT_EQ(Get("127.0.0.1", kTeamList,
                {{"X-Forwarded-User", "carol"}, {"X-Forwarded-Groups", "frontend, backend"}})
                .status,
            200);
  EXPECT_EQ(Get("127.0.0.1", kTeamList,
                {{"X-Forwarded-User", "carol"}, {"X-Forwarded-Groups", "frontend,backends"}})
                .status,
            404);
  EXPECT_EQ(Get("127.0.0.1", kTeamList, {{"X-Forwarded-User", "carol"}}).status, 404);
}

TEST_F(PageLoginTest, WebhooksHealthMetricsAndTheStylesheetNeedNoLogin) {
  StartWithLogin();
  Answer webhook = Send("127.0.0.2", server_->port(), "POST", "/hooks/gitlab",
                        {{"Content-Type", "application/json"},
                         {"X-Gitlab-Token", "s3cret"},
                         {"X-Gitlab-Event", "Merge Request Hook"}},
                        GitLabEvent("open", "PROJ-1", "").dump());
  EXPECT_EQ(webhook.status, 200) << webhook.body;
  EXPECT_NE(webhook.body.find("\"added\":1"), std::string::npos) << webhook.body;
  EXPECT_EQ(Get("127.0.0.2", "/healthz").status, 200);
  EXPECT_EQ(Get("127.0.0.2", "/metrics").status, 200);
  EXPECT_EQ(Get("127.0.0.2", "/-/jiralink.css").status, 200);
}

TEST_F(PageLoginTest, WithoutALoginALoopbackSocketServesThePagesAsBefore) {
  Start("");
  EXPECT_TRUE(server_->pages_served());
  EXPECT_EQ(Get("127.0.0.1", kOpenList).status, 200);
  // [issues] viewers needs someone to name: without a login, nobody is.
  EXPECT_EQ(Get("127.0.0.1", kTeamList, {{"X-Forwarded-User", "alice"}}).status, 404);
}

TEST_F(PageLoginTest, WithoutALoginANonLoopbackSocketServesNoPages) {
  // Bound to the wildcard address but never listening: nothing can connect
  // to it, and the server sees a socket that is not loopback.
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in any{};
  any.sin_family = AF_INET;
  any.sin_addr.s_addr = htonl(INADDR_ANY);
  ASSERT_EQ(::bind(listen_fd_, reinterpret_cast<sockaddr*>(&any), sizeof any), 0);
  EXPECT_FALSE(ListensOnLoopback(listen_fd_));
  ::testing::internal::CaptureStderr();
  Start("");
  std::string said = ::testing::internal::GetCapturedStderr();
  EXPECT_FALSE(server_->pages_served());
  EXPECT_NE(said.find("the Jira issue pages are not served"), std::string::npos) << said;
  EXPECT_NE(said.find("auth_header"), std::string::npos) << said;
  server_.reset();
  ::close(listen_fd_);
}

TEST_F(PageLoginTest, WithALoginANonLoopbackSocketServesThePages) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in any{};
  any.sin_family = AF_INET;
  any.sin_addr.s_addr = htonl(INADDR_ANY);
  ASSERT_EQ(::bind(listen_fd_, reinterpret_cast<sockaddr*>(&any), sizeof any), 0);
  StartWithLogin();
  EXPECT_TRUE(server_->pages_served());
  server_.reset();
  ::close(listen_fd_);
}

TEST(PageLogin, IdentifiesOnlyFromTheListedProxies) {
  config::ServeSettings serve;
  serve.auth_header = "X-Auth-Request-User";
  serve.auth_groups_header = "X-Auth-Request-Groups";
  serve.auth_proxies = {"10.0.0.0/8", "::1"};
  PageLogin login(serve);
  auto v4 = [](const char* text) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    inet_pton(AF_INET, text, &address.sin_addr);
    return address;
  };
  auto v6 = [](const char* text) {
    sockaddr_in6 address{};
    address.sin6_family = AF_INET6;
    inet_pton(AF_INET6, text, &address.sin6_addr);
    return address;
  };
  Viewer viewer;
  sockaddr_in inside = v4("10.20.30.40");
  EXPECT_EQ(login.Identify(reinterpret_cast<sockaddr*>(&inside), "dana", " a ,, b ", &viewer),
            LoginResult::kViewer);
  EXPECT_EQ(viewer.user, "dana");
  EXPECT_EQ(viewer.groups, (std::vector<std::string>{"a", "b"}));
  sockaddr_in6 mapped = v6("::ffff:10.1.2.3");
  EXPECT_EQ(login.Identify(reinterpret_cast<sockaddr*>(&mapped), "dana", nullptr, &viewer),
            LoginResult::kViewer);
  sockaddr_in6 local6 = v6("::1");
  EXPECT_EQ(login.Identify(reinterpret_cast<sockaddr*>(&local6), "dana", nullptr, &viewer),
            LoginResult::kViewer);
  sockaddr_in outside = v4("11.0.0.1");
  EXPECT_EQ(login.Identify(reinterpret_cast<sockaddr*>(&outside), "dana", nullptr, &viewer),
            LoginResult::kUntrustedPeer);
  sockaddr_in loopback = v4("127.0.0.1");
  EXPECT_EQ(login.Identify(reinterpret_cast<sockaddr*>(&loopback), "dana", nullptr, &viewer),
            LoginResult::kUntrustedPeer);
  EXPECT_EQ(login.Identify(nullptr, "dana", nullptr, &viewer), LoginResult::kUntrustedPeer);
  EXPECT_EQ(login.Identify(reinterpret_cast<sockaddr*>(&inside), nullptr, nullptr, &viewer),
            LoginResult::kNoUser);
  EXPECT_EQ(login.Identify(reinterpret_cast<sockaddr*>(&inside), "da\tna", nullptr, &viewer),
            LoginResult::kBadHeader);
  std::string many;
  for (int i = 0; i <= static_cast<int>(kMaxLoginGroups); ++i)
    many += "g" + std::to_string(i) + ",";
  EXPECT_EQ(login.Identify(reinterpret_cast<sockaddr*>(&inside), "dana", many.c_str(), &viewer),
            LoginResult::kBadHeader);
  EXPECT_EQ(PageLogin::StatusOf(LoginResult::kUntrustedPeer), 403);
  EXPECT_EQ(PageLogin::StatusOf(LoginResult::kNoUser), 401);
}

TEST(PageLogin, ViewersNameUsersAndGroups) {
  Viewer alice{"alice", {"ops"}};
  EXPECT_TRUE(ViewerMayRead({}, &alice));
  EXPECT_TRUE(ViewerMayRead({}, nullptr));
  EXPECT_TRUE(ViewerMayRead({"bob", "alice"}, &alice));
  EXPECT_TRUE(ViewerMayRead({"@ops"}, &alice));
  EXPECT_FALSE(ViewerMayRead({"@alice", "ops"}, &alice));
  EXPECT_FALSE(ViewerMayRead({"alice"}, nullptr));
}

}  // namespace
}  // namespace jiralink::serve
