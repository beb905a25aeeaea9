// The transport's exactly-once rule (http_transport.h): a write whose answer
// is lost is reported as "no answer" and never sent a second time, whether
// the connection was new or reused; reads keep reusing one connection.
#include <gtest/gtest.h>

#include <memory>
#include <string>

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

}  // namespace
}  // namespace jiralink::jira
