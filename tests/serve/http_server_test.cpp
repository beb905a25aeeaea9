// serve/http_server.h: routes, limits and timeouts over real loopback
// connections, with the handler and a real SQLite outbox behind them.
#include "jiralink/serve/http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <optional>
#include <thread>

#include <gtest/gtest.h>
#include <httplib.h>

#include "jiralink/outbox/sqlite_outbox.h"
#include "webhook_fixtures.h"

namespace jiralink::serve {
namespace {

using testing::GitLabEvent;
using testing::TempDir;
using testing::WriteFile;

class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WriteFile(dir_.Path("secret"), "s3cret");
    std::vector<config::Diagnostic> diagnostics;
    ASSERT_TRUE(
        config::Config::LoadFromString("[serve]\nsecret_file = \"" + dir_.Path("secret") + "\"\n",
                                       dir_.Path("c.toml"), &config_, &diagnostics)
            .ok());
    std::unique_ptr<outbox::Outbox> outbox;
    ASSERT_TRUE(outbox::OpenSqliteOutbox(dir_.Path("outbox.sqlite3"), &outbox).ok());
    handler_ =
        std::make_unique<WebhookHandler>(config_, std::move(outbox), WebhookHandlerOptions{});
    ServerOptions options;
    options.listen = "127.0.0.1:0";
    options.max_body_bytes = 64 * 1024;
    options.timeout_seconds = 2;
    Status status = HttpServer::Start(options, handler_.get(), &server_);
    ASSERT_TRUE(status.ok()) << status.message();
    ASSERT_GT(server_->port(), 0);
  }

  httplib::Client Client() {
    httplib::Client client("127.0.0.1", server_->port());
    client.set_read_timeout(30, 0);
    return client;
  }

  httplib::Result PostGitLab(httplib::Client& client, const std::string& body,
                             const std::string& token = "s3cret",
                             const std::string& type = "application/json") {
    httplib::Headers headers = {{"X-Gitlab-Token", token},
                                {"X-Gitlab-Event", "Merge Request Hook"}};
    return client.Post("/hooks/gitlab", headers, body, type);
  }

  std::size_t JobCount() {
    std::unique_ptr<outbox::Outbox> outbox;
    EXPECT_TRUE(outbox::OpenSqliteOutbox(dir_.Path("outbox.sqlite3"), &outbox).ok());
    std::vector<outbox::Job> jobs;
    EXPECT_TRUE(outbox->List(std::nullopt, 100000, &jobs).ok());
    return jobs.size();
  }

  // A raw connection to the server.
  int Connect() {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(server_->port()));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    return fd;
  }

  TempDir dir_;
  config::Config config_;
  std::unique_ptr<WebhookHandler> handler_;
  std::unique_ptr<HttpServer> server_;
};

TEST_F(HttpServerTest, AcceptsASignedWebhookAndCommitsBeforeAnswering) {
  httplib::Client client = Client();
  auto result = PostGitLab(client, GitLabEvent("open", "PROJ-1", "PROJ-2").dump());
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 200);
  EXPECT_EQ(result->body, R"({"added":2,"duplicates":0})");
  EXPECT_EQ(JobCount(), 2u);  // committed by the time the answer came
}

TEST_F(HttpServerTest, RoutesHealthAndMetrics) {
  httplib::Client client = Client();
  auto health = client.Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  auto metrics = client.Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_EQ(metrics->status, 200);
  EXPECT_NE(metrics->body.find("jiralink_outbox_jobs{state=\"pending\"} 0"), std::string::npos);
  auto missing = client.Get("/nothing");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  auto wrong_method = client.Get("/hooks/github");
  ASSERT_TRUE(wrong_method);
  EXPECT_EQ(wrong_method->status, 405);
  EXPECT_EQ(wrong_method->get_header_value("Allow"), "POST");
}

TEST_F(HttpServerTest, WrongContentTypeIs415) {
  httplib::Client client = Client();
  auto result = PostGitLab(client, GitLabEvent("open", "PROJ-1", "").dump(), "s3cret",
                           "application/x-www-form-urlencoded");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 415);
  auto with_charset = PostGitLab(client, GitLabEvent("open", "PROJ-1", "").dump(), "s3cret",
                                 "application/json; charset=utf-8");
  ASSERT_TRUE(with_charset);
  EXPECT_EQ(with_charset->status, 200);
}

TEST_F(HttpServerTest, OversizeBodyIs413AndQueuesNothing) {
  nlohmann::json body = GitLabEvent("open", "PROJ-1", std::string(70 * 1024, 'x'));
  httplib::Client client = Client();
  auto result = PostGitLab(client, body.dump());
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 413);
  EXPECT_EQ(JobCount(), 0u);
  EXPECT_EQ(handler_->metrics().rejected(Forge::kGitLab, RejectReason::kTooLarge), 1u);
}

TEST_F(HttpServerTest, OversizeChunkedBodyIs413) {
  // No Content-Length: the server counts as the chunks come.
  int fd = Connect();
  std::string chunk(8 * 1024, ' ');
  std::string request =
      "POST /hooks/gitlab HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "X-Gitlab-Token: s3cret\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 10; ++i) request += "2000\r\n" + chunk + "\r\n";
  request += "0\r\n\r\n";
  ASSERT_EQ(send(fd, request.data(), request.size(), MSG_NOSIGNAL),
            static_cast<ssize_t>(request.size()));
  char buffer[512] = {};
  ssize_t n = recv(fd, buffer, sizeof buffer - 1, 0);
  close(fd);
  ASSERT_GT(n, 0);
  EXPECT_EQ(std::string(buffer, 12), "HTTP/1.1 413");
}

TEST_F(HttpServerTest, TruncatedJsonIs400) {
  std::string text = GitLabEvent("open", "PROJ-1", "").dump();
  httplib::Client client = Client();
  auto result = PostGitLab(client, text.substr(0, text.size() - 10));
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 400);
  EXPECT_EQ(JobCount(), 0u);
}

TEST_F(HttpServerTest, ASlowClientIsCutOffAndDoesNotBlockOthers) {
  // Announces 1000 bytes, sends 10, then nothing.
  int slow = Connect();
  std::string head =
      "POST /hooks/gitlab HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "X-Gitlab-Token: s3cret\r\nContent-Length: 1000\r\n\r\n{\"object_";
  ASSERT_GT(send(slow, head.data(), head.size(), MSG_NOSIGNAL), 0);

  // Meanwhile other clients are served.
  httplib::Client client = Client();
  auto result = PostGitLab(client, GitLabEvent("open", "PROJ-9", "").dump());
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 200);

  // The server closes the slow connection after its timeout (2 s), with
  // nothing queued from it.
  auto started = std::chrono::steady_clock::now();
  pollfd p{slow, POLLIN, 0};
  ASSERT_EQ(poll(&p, 1, 30000), 1);
  char buffer[256];
  EXPECT_LE(recv(slow, buffer, sizeof buffer, 0), 0);  // closed without an answer
  close(slow);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(30));
  EXPECT_EQ(JobCount(), 1u);
}

TEST_F(HttpServerTest, ATricklingClientIsCutOffAtTheRequestDeadline) {
  int slow = Connect();
  std::string head =
      "POST /hooks/gitlab HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "X-Gitlab-Token: s3cret\r\nContent-Length: 1000\r\n\r\n";
  ASSERT_GT(send(slow, head.data(), head.size(), MSG_NOSIGNAL), 0);
  // One byte every 300 ms never lets the connection idle for 2 s, but the
  // whole request may not take longer than 2 s.
  bool closed = false;
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!closed && std::chrono::steady_clock::now() < until) {
    if (send(slow, " ", 1, MSG_NOSIGNAL) != 1) closed = true;
    pollfd p{slow, POLLIN, 0};
    if (poll(&p, 1, 300) == 1) {
      char buffer[64];
      if (recv(slow, buffer, sizeof buffer, 0) <= 0) closed = true;
    }
  }
  close(slow);
  EXPECT_TRUE(closed);
  // Counted when the server has closed its side (it may be cut by the
  // deadline's watchdog before the next byte arrives).
  EXPECT_TRUE(jiralink::testing::WaitFor(
      [&] { return handler_->metrics().rejected(Forge::kGitLab, RejectReason::kTimeout) >= 1u; }));
}

TEST_F(HttpServerTest, TwentyConcurrentSendersAllLand) {
  constexpr int kSenders = 20;
  constexpr int kEach = 10;
  std::atomic<int> ok{0};
  std::vector<std::thread> senders;
  for (int s = 0; s < kSenders; ++s) {
    senders.emplace_back([&, s] {
      httplib::Client client = Client();
      for (int i = 0; i < kEach; ++i) {
        nlohmann::json body = GitLabEvent("open", "PROJ-" + std::to_string(i + 1), "");
        body["object_attributes"]["iid"] = s * 100 + i + 1;
        auto result = PostGitLab(client, body.dump());
        if (result && result->status == 200) ok++;
      }
    });
  }
  for (std::thread& t : senders) t.join();
  EXPECT_EQ(ok.load(), kSenders * kEach);
  EXPECT_EQ(JobCount(), static_cast<std::size_t>(kSenders * kEach));
}

TEST(SystemdSocket, OnlyTakenWhenItIsOurs) {
  setenv("LISTEN_PID", "1", 1);
  setenv("LISTEN_FDS", "1", 1);
  EXPECT_EQ(TakeSystemdListenSocket(), -1);
  EXPECT_EQ(getenv("LISTEN_PID"), nullptr);  // removed either way
  setenv("LISTEN_PID", std::to_string(getpid()).c_str(), 1);
  setenv("LISTEN_FDS", "1", 1);
  EXPECT_EQ(TakeSystemdListenSocket(), 3);
  EXPECT_EQ(getenv("LISTEN_FDS"), nullptr);
}

}  // namespace
}  // namespace jiralink::serve
