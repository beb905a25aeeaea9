// The forge's messages and statuses for failed Jira calls of the web pages,
// and the command line's one-line descriptions.
#include "jiralink/issues/jira_errors.h"

#include <gtest/gtest.h>

namespace jiralink::issues {
namespace {

jira::ApiStatus Answer(int http_status) {
  jira::ApiStatus status;
  status.method = "GET";
  status.path = "/rest/api/2/search";
  status.http_status = http_status;
  return status;
}

jira::ApiStatus NoAnswer(const std::string& network_error) {
  jira::ApiStatus status = Answer(0);
  status.network_error = network_error;
  return status;
}

TEST(DescribeForForge, CredentialsAndPermissions) {
  ForgeError unauthorized = DescribeForForge(Answer(401));
  EXPECT_EQ(unauthorized.http_status, 502);
  EXPECT_EQ(unauthorized.message,
            "The credentials for accessing Jira are not valid. Check your Jira integration "
            "credentials and try again.");
  ForgeError forbidden = DescribeForForge(Answer(403));
  EXPECT_EQ(forbidden.http_status, 502);
  EXPECT_EQ(forbidden.message,
            "The credentials for accessing Jira are not allowed to access the data. Check your "
            "Jira integration credentials and try again.");
}

TEST(DescribeForForge, JirasMessagesOnABadRequestAsASentence) {
  jira::ApiStatus status = Answer(400);
  status.error_messages = {"foo", "bar"};
  EXPECT_EQ(DescribeForForge(status).message,
            "An error occurred while requesting data from Jira: foo and bar Check your Jira "
            "integration configuration and try again.");
  status.error_messages = {"a", "b", "c"};
  EXPECT_NE(DescribeForForge(status).message.find(": a, b, and c Check"), std::string::npos);
  status.error_messages = {""};
  EXPECT_EQ(DescribeForForge(status).message,
            "An error occurred while requesting data from Jira. Check your Jira integration "
            "configuration and try again.");
  status.error_messages = {std::string(6000, 'x')};  // too long to show, as the forge
  EXPECT_EQ(DescribeForForge(status).message.find("xxx"), std::string::npos);
}

TEST(DescribeForForge, OutagesAnswer502503Or504) {
  EXPECT_EQ(DescribeForForge(Answer(500)).http_status, 502);
  EXPECT_EQ(DescribeForForge(Answer(503)).http_status, 503);
  EXPECT_EQ(DescribeForForge(Answer(429)).http_status, 503);
  ForgeError refused =
      DescribeForForge(NoAnswer("Failed to connect to 127.0.0.1 port 9: "
                                "Connection refused"));
  EXPECT_EQ(refused.http_status, 502);
  EXPECT_EQ(refused.message,
            "A connection error occurred while connecting to Jira. Try your request again.");
  ForgeError timeout = DescribeForForge(NoAnswer("Operation timed out after 30001 milliseconds"));
  EXPECT_EQ(timeout.http_status, 504);
  EXPECT_EQ(timeout.message,
            "A timeout error occurred while connecting to Jira. Try your request again.");
  EXPECT_EQ(DescribeForForge(NoAnswer("Could not resolve host: jira.invalid")).message,
            "The Jira API URL for connecting to Jira is not valid. Check your Jira integration API "
            "URL and try again.");
  EXPECT_EQ(DescribeForForge(NoAnswer("SSL certificate problem: self-signed certificate")).message,
            "An SSL error occurred while connecting to Jira: SSL certificate problem: self-signed "
            "certificate. Try your request again.");
}

TEST(DescribeForForge, JirasRetryAfterIsKeptBounded) {
  jira::ApiStatus busy = Answer(503);
  EXPECT_EQ(DescribeForForge(busy).retry_after_seconds, 0);
  busy.retry_after_seconds = 120;
  EXPECT_EQ(DescribeForForge(busy).retry_after_seconds, 120);
  busy.retry_after_seconds = 86400;
  EXPECT_EQ(DescribeForForge(busy).retry_after_seconds, kMaxForgeRetryAfterSeconds);
  jira::ApiStatus limited = Answer(429);
  limited.retry_after_seconds = 7;
  EXPECT_EQ(DescribeForForge(limited).retry_after_seconds, 7);
  jira::ApiStatus failed = Answer(500);
  failed.retry_after_seconds = 7;
  EXPECT_EQ(DescribeForForge(failed).retry_after_seconds, 0);
}

TEST(DescribeForForge, ABadRequestOnTheVisitorsFilterNamesIt) {
  jira::ApiStatus status = Answer(400);
  status.error_messages = {"The value 'Bogus' does not exist for the field 'status'."};
  ForgeError filtered = DescribeForForge(status, "status \"Bogus\"");
  EXPECT_EQ(filtered.http_status, 400);
  EXPECT_EQ(filtered.message,
            "Jira did not accept the filter status \"Bogus\": The value 'Bogus' does not exist "
            "for the field 'status'. Change the filter and try again.");
  // Without a filter, the JQL is the settings': the configuration is named.
  EXPECT_NE(DescribeForForge(status).message.find("Check your Jira integration configuration"),
            std::string::npos);
  EXPECT_EQ(DescribeForForge(status).http_status, 502);
  // A filter does not change other failures.
  EXPECT_EQ(DescribeForForge(Answer(401), "status \"x\"").http_status, 502);
}

TEST(DescribeJiraFailure, NamesTheSettingToCheck) {
  EXPECT_NE(DescribeJiraFailure(Answer(401), "https://jira.example.com").find("[jira] username"),
            std::string::npos);
  EXPECT_NE(DescribeJiraFailure(NoAnswer("Connection refused"), "https://jira.example.com")
                .find("cannot reach Jira at https://jira.example.com"),
            std::string::npos);
}

}  // namespace
}  // namespace jiralink::issues
