// The transport's exactly-once rule (http_transport.h): a write whose answer
// is lost is reported as "no answer" and never sent a second time, whether
// the connection was new or reused; reads keep reusing one connection.
// And its bounds: an answer's body larger than max_response_bytes is cut off
// as it arrives, and a body that trickles ends at the request's timeout.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <memory>
#include <string>
#include <thread>

#include "jiralink/jira/client.h"
#include "standin.h"

namespace jiralink::jira {
namespace {

using standin::Fault;
using standin::JiraStandin;

class HttpTransportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(standin_.Start());
    standin_.AddProject("PROJ", "Project", "10100");
    standin_.AddIssue({.key = "PROJ-1", .summary = "First"});
    ClientOptions options;
    options.api_url = standin_.base_url();
    options.username = "jiralink-bot";
    options.token = "standin-token";
    options.deployment = Deployment::kServer;
    options.timeout_seconds = 10;
    client_ = std::make_unique<Client>(options);
  }

  // Jira applies the next POST to a comment, then the connection drops.
  void LoseTheNextCommentReply() {
    Fault fault;
    fault.method = "POST";
    fault.path_contains = "/comment";
    fault.close_connection = true;
    fault.after_processing = true;
    fault.times = 1;
    standin_.InjectFault(fault);
  }

  JiraStandin standin_{JiraStandin::Options{}};
  std::unique_ptr<Client> client_;
};

TEST_F(HttpTransportTest, LostReplyOnAReusedConnectionIsNotSentAgain) {
  // Two reads: the second rides on the first one's connection.
  ASSERT_TRUE(client_->GetMyself(nullptr).ok());
  ASSERT_TRUE(client_->GetMyself(nullptr).ok());
  auto reads = standin_.Requests("GET", "/myself");
  ASSERT_EQ(reads.size(), 2u);
  ASSERT_EQ(reads[0].remote_port, reads[1].remote_port) << "reads reuse the connection";

  LoseTheNextCommentReply();
  Comment created;
  ApiStatus status = client_->AddComment("PROJ-1", "hello", &created);
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(status.http_status, 0) << status.ToString();
  EXPECT_TRUE(status.retryable);
  EXPECT_EQ(standin_.Requests("POST", "/comment").size(), 1u) << "libcurl must not resend";
  EXPECT_EQ(standin_.Comments("PROJ-1").size(), 1u) << "Jira applied it once";
  // The client is usable afterwards.
  EXPECT_TRUE(client_->GetMyself(nullptr).ok());
}

TEST_F(HttpTransportTest, LostReplyOnAFreshConnectionIsNotSentAgain) {
  LoseTheNextCommentReply();
  Comment created;
  ApiStatus status = client_->AddComment("PROJ-1", "hello", &created);
  EXPECT_EQ(status.http_status, 0) << status.ToString();
  EXPECT_EQ(standin_.Requests("POST", "/comment").size(), 1u);
  EXPECT_EQ(standin_.Comments("PROJ-1").size(), 1u);
}

TEST_F(HttpTransportTest, ADroppedWriteThatWasNotAppliedIsReportedNotResent) {
  ASSERT_TRUE(client_->GetMyself(nullptr).ok());
  Fault fault;
  fault.method = "POST";
  fault.path_contains = "/comment";
  fault.close_connection = true;
  fault.times = 1;
  standin_.InjectFault(fault);
  Comment created;
  EXPECT_EQ(client_->AddComment("PROJ-1", "hello", &created).http_status, 0);
  EXPECT_EQ(standin_.Requests("POST", "/comment").size(), 1u);
  EXPECT_TRUE(standin_.Comments("PROJ-1").empty());
}

TEST_F(HttpTransportTest, EveryWriteGoesOnANewConnection) {
  ASSERT_TRUE(client_->GetMyself(nullptr).ok());
  Comment created;
  ASSERT_TRUE(client_->AddComment("PROJ-1", "one", &created).ok());
  ASSERT_TRUE(client_->AddComment("PROJ-1", "two", &created).ok());
  auto requests = standin_.Requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_NE(requests[1].remote_port, requests[0].remote_port);
  EXPECT_NE(requests[2].remote_port, requests[1].remote_port);
  EXPECT_NE(requests[2].remote_port, requests[0].remote_port);
}

// A loopback HTTP server for one answer at a time, written by hand so that
// the body can be as large or as slow as a hostile Jira's: it answers every
// request with `head` and then `body_bytes` bytes of JSON-ish filler, in
// `chunk` bytes every `pause`, until the client hangs up. It counts what it
// sent.
class HostileJira {
 public:
  HostileJira(std::string head, std::size_t body_bytes, std::size_t chunk,
              std::chrono::milliseconds pause)
      : head_(std::move(head)), body_bytes_(body_bytes), chunk_(chunk), pause_(pause) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof address;
    EXPECT_EQ(::bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), size), 0);
    EXPECT_EQ(::listen(listen_fd_, 4), 0);
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &size);
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~HostileJira() {
    stop_ = true;
    ::shutdown(listen_fd_, SHUT_RDWR);
    thread_.join();
    ::close(listen_fd_);
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::size_t sent() const { return sent_; }

 private:
  void Serve() {
    while (!stop_) {
      pollfd entry{listen_fd_, POLLIN, 0};
      if (::poll(&entry, 1, 100) <= 0) continue;
      int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      // The request's head (a GET: no body).
      std::string request;
      char buffer[4096];
      while (request.find("\r\n\r\n") == std::string::npos) {
        ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n <= 0) break;
        request.append(buffer, static_cast<std::size_t>(n));
      }
      Send(fd, head_);
      const std::string filler(chunk_, ' ');
      std::size_t left = body_bytes_;
      while (!stop_ && left > 0) {
        std::size_t n = std::min(left, filler.size());
        if (!Send(fd, filler.substr(0, n))) break;  // the client hung up
        left -= n;
        if (pause_.count() > 0) std::this_thread::sleep_for(pause_);
      }
      ::close(fd);
    }
  }

  bool Send(int fd, const std::string& data) {
    std::size_t at = 0;
    while (at < data.size()) {
      ssize_t n = ::send(fd, data.data() + at, data.size() - at, MSG_NOSIGNAL);
      if (n <= 0) return false;
      at += static_cast<std::size_t>(n);
      sent_ += static_cast<std::size_t>(n);
    }
    return true;
  }

  std::string head_;
  std::size_t body_bytes_;
  std::size_t chunk_;
  std::chrono::milliseconds pause_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<std::size_t> sent_{0};
  std::thread thread_;
};

constexpr std::size_t kHugeBody = 300u << 20;  // the red team's 300 MB answer

std::unique_ptr<Client> HostileClient(const HostileJira& jira, int timeout_seconds) {
  ClientOptions options;
  options.api_url = jira.url();
  options.username = "jiralink-bot";
  options.token = "standin-token";
  options.deployment = Deployment::kServer;
  options.timeout_seconds = timeout_seconds;
  return std::make_unique<Client>(options);
}

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

TEST(HttpTransportBounds, AHugeAnswerWithoutALengthIsCutOffAtTheBound) {
  HostileJira jira("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n",
                   kHugeBody, 64 * 1024, std::chrono::milliseconds(0));
  std::unique_ptr<Client> client = HostileClient(jira, 60);
  const auto start = std::chrono::steady_clock::now();
  ApiStatus status = client->GetMyself(nullptr);
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(status.http_status, 0) << status.ToString();
  EXPECT_NE(status.ToString().find("larger than " + std::to_string(kMaxResponseBytes) + " bytes"),
            std::string::npos)
      << status.ToString();
  // Stopped near the bound, not at the end of 300 MB (socket buffers aside).
  EXPECT_LT(jira.sent(), kMaxResponseBytes + (16u << 20)) << jira.sent();
  EXPECT_LT(SecondsSince(start), 20.0);
}

TEST(HttpTransportBounds, AnAnnouncedHugeAnswerIsRefusedBeforeItsBody) {
  HostileJira jira("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
                       std::to_string(kHugeBody) + "\r\n\r\n",
                   kHugeBody, 64 * 1024, std::chrono::milliseconds(0));
  std::unique_ptr<Client> client = HostileClient(jira, 60);
  ApiStatus status = client->GetMyself(nullptr);
  EXPECT_EQ(status.http_status, 0) << status.ToString();
  EXPECT_NE(status.ToString().find("larger than"), std::string::npos) << status.ToString();
  EXPECT_LT(jira.sent(), kMaxResponseBytes + (16u << 20)) << jira.sent();
}

TEST(HttpTransportBounds, ATricklingBodyEndsAtTheTimeout) {
  // 1 KiB every 50 ms: never too large in time, never silent for long.
  HostileJira jira("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n",
                   kHugeBody, 1024, std::chrono::milliseconds(50));
  std::unique_ptr<Client> client = HostileClient(jira, 2);
  const auto start = std::chrono::steady_clock::now();
  ApiStatus status = client->GetMyself(nullptr);
  const double took = SecondsSince(start);
  EXPECT_EQ(status.http_status, 0) << status.ToString();
  EXPECT_TRUE(status.retryable);
  EXPECT_GE(took, 1.9);
  EXPECT_LT(took, 8.0) << "the 2 s timeout covers the body";
}

TEST(HttpTransportBounds, ATricklingBodyEndsAtTheDeadline) {
  HostileJira jira("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n",
                   kHugeBody, 1024, std::chrono::milliseconds(50));
  ClientOptions options;
  options.api_url = jira.url();
  options.username = "jiralink-bot";
  options.token = "standin-token";
  options.deployment = Deployment::kServer;
  options.timeout_seconds = 30;
  const auto start = std::chrono::steady_clock::now();
  options.deadline = start + std::chrono::milliseconds(1500);
  Client client(options);
  ApiStatus status = client.GetMyself(nullptr);
  EXPECT_EQ(status.http_status, 0) << status.ToString();
  EXPECT_LT(SecondsSince(start), 7.5) << "the pre-receive policy's deadline covers the body";
}

}  // namespace
}  // namespace jiralink::jira
