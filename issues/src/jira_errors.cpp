#include "jiralink/issues/jira_errors.h"

#include <algorithm>
#include <string>
#include <vector>

namespace jiralink::issues {
namespace {

// The forge shows at most this much of Jira's error text.
constexpr std::size_t kMaxMessagesLength = 5000;

bool Contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

// Ruby's Array#to_sentence: "a", "a and b", "a, b, and c".
std::string ToSentence(const std::vector<std::string>& parts) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += parts.size() == 2 ? " and " : (i + 1 == parts.size() ? ", and " : ", ");
    out += parts[i];
  }
  return out;
}

}  // namespace

ForgeError DescribeForForge(const jira::ApiStatus& status, std::string_view filter) {
  ForgeError error;
  if (status.http_status == 0) {
    const std::string& what = status.network_error;
    if (Contains(what, "timed out") || Contains(what, "Timeout")) {
      error.http_status = 504;
      error.message = "A timeout error occurred while connecting to Jira. Try your request again.";
    } else if (Contains(what, "SSL") || Contains(what, "certificate") || Contains(what, "TLS")) {
      error.message =
          "An SSL error occurred while connecting to Jira: " + what + ". Try your request again.";
    } else if (Contains(what, "resolve host") || Contains(what, "URL")) {
      error.message =
          "The Jira API URL for connecting to Jira is not valid. Check your Jira integration API "
          "URL and try again.";
    } else {
      error.message =
          "A connection error occurred while connecting to Jira. Try your request again.";
    }
    return error;
  }
  if (status.http_status == 401) {
    error.message =
        "The credentials for accessing Jira are not valid. Check your Jira integration "
        "credentials and try again.";
    return error;
  }
  if (status.http_status == 403) {
    error.message =
        "The credentials for accessing Jira are not allowed to access the data. Check your Jira "
        "integration credentials and try again.";
    return error;
  }
  if (status.http_status == 503 || status.http_status == 429) {
    error.http_status = 503;
    if (status.retry_after_seconds > 0) {
      error.retry_after_seconds = std::min(status.retry_after_seconds, kMaxForgeRetryAfterSeconds);
    }
  }
  if (status.http_status == 400 && !filter.empty()) {
    std::string said = JiraMessages(status);
    error.http_status = 400;
    error.message = "Jira did not accept the filter " + std::string(filter) +
                    (said.empty() ? std::string(".") : ": " + said) +
                    (said.empty() || said.back() == '.' ? "" : ".") +
                    " Change the filter and try again.";
    return error;
  }
  std::vector<std::string> messages;
  std::size_t length = 0;
  for (const std::string& message : status.error_messages) {
    length += message.size();
    if (!message.empty()) messages.push_back(message);
  }
  if (status.http_status == 400 && !messages.empty() && length <= kMaxMessagesLength) {
    error.message = "An error occurred while requesting data from Jira: " + ToSentence(messages) +
                    " Check your Jira integration configuration and try again.";
    return error;
  }
  error.message =
      "An error occurred while requesting data from Jira. Check your Jira integration "
      "configuration and try again.";
  return error;
}

std::string JiraMessages(const jira::ApiStatus& status) {
  std::string text;
  auto append = [&](std::string_view part) {
    if (part.empty()) return;
    if (!text.empty()) text.append("; ");
    text.append(part);
  };
  for (const std::string& message : status.error_messages) append(message);
  for (const auto& [field, message] : status.field_errors) append(field + ": " + message);
  if (text.empty()) append(status.body_summary);
  if (text.size() > kMaxMessagesLength) {
    text.resize(kMaxMessagesLength);
    text.append("...");
  }
  return text;
}

std::string DescribeJiraFailure(const jira::ApiStatus& status, std::string_view api_url) {
  std::string messages = JiraMessages(status);
  std::string suffix = messages.empty() ? "" : ": " + messages;
  if (status.http_status == 0) {
    std::string what = status.network_error.empty() ? "no answer" : status.network_error;
    return "cannot reach Jira at " + std::string(api_url) + ": " + what +
           " (check [jira] web_url / api_url and the network)";
  }
  if (status.http_status == 401) {
    return "the credentials for accessing Jira are not valid (HTTP 401); check [jira] username "
           "and the token";
  }
  if (status.http_status == 403) {
    return "the Jira user is not allowed to access the data (HTTP 403)" + suffix;
  }
  return "an error occurred while requesting data from Jira (" + status.method + " " + status.path +
         ": HTTP " + std::to_string(status.http_status) + ")" + suffix;
}

}  // namespace jiralink::issues
