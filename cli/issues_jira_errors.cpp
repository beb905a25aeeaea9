#include "issues_jira_errors.h"

namespace jiralink::cli {
namespace {

// The forge shows at most this much of Jira's error text.
constexpr std::size_t kMaxMessagesLength = 5000;

}  // namespace

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

}  // namespace jiralink::cli
