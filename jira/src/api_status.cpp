#include <cctype>
#include <chrono>
#include <ctime>

#include "jiralink/core/text.h"
#include "jiralink/jira/client.h"

#include "curl_library.h"
#include "jiralink/jira/json_parse.h"
#include "response_status.h"

namespace jiralink::jira {

namespace {

std::string CollapseWhitespace(std::string_view text) {
  std::string out;
  bool space = false;
  for (char c : text) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      space = !out.empty();
    } else {
      if (space) out += ' ';
      out += c;
      space = false;
    }
  }
  return out;
}

// A short, one-line summary of a body that is not JSON.
std::string SummarizeBody(const std::string& body) {
  constexpr size_t kMaxSummary = 200;
  std::string lower = AsciiLowercase(body);
  std::string summary;
  size_t title = lower.find("<title>");
  if (title != std::string::npos) {
    size_t end = lower.find("</title>", title);
    summary =
        body.substr(title + 7, end == std::string::npos ? std::string::npos : end - title - 7);
  } else if (lower.find("<html") != std::string::npos || lower.find("<!doctype") == 0) {
    // HTML without a title: the text with tags dropped.
    bool in_tag = false;
    for (char c : body) {
      if (c == '<') in_tag = true;
      if (!in_tag) summary += c;
      if (c == '>') {
        in_tag = false;
        summary += ' ';
      }
    }
  } else {
    size_t start = body.find_first_not_of(" \t\r\n");
    if (start != std::string::npos) {
      size_t end = body.find('\n', start);
      summary = body.substr(start, end == std::string::npos ? std::string::npos : end - start);
    }
  }
  summary = CollapseWhitespace(summary);
  if (summary.size() > kMaxSummary) summary = summary.substr(0, kMaxSummary) + "...";
  return summary;
}

void ReadJsonErrors(const nlohmann::json& body, ApiStatus* status) {
  if (!body.is_object()) return;
  auto messages = body.find("errorMessages");
  if (messages != body.end() && messages->is_array()) {
    for (const auto& m : *messages) {
      if (m.is_string() && !m.get<std::string>().empty()) {
        status->error_messages.push_back(m.get<std::string>());
      }
    }
  }
  auto errors = body.find("errors");
  if (errors != body.end() && errors->is_object()) {
    for (const auto& [field, message] : errors->items()) {
      status->field_errors[field] =
          message.is_string() ? message.get<std::string>() : message.dump();
    }
  }
  // Other shapes seen: {"message": ...} (DC basic auth disabled, Jersey 404)
  // and {"error": ...} (Cloud, unreadable bearer token).
  for (const char* name : {"message", "error"}) {
    auto it = body.find(name);
    if (status->error_messages.empty() && it != body.end() && it->is_string()) {
      status->error_messages.push_back(it->get<std::string>());
    }
  }
}

std::int64_t NowSeconds() {
  using namespace std::chrono;
  return duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace

int ParseRetryAfter(std::string_view value, std::int64_t now_unix_seconds) {
  size_t begin = value.find_first_not_of(" \t");
  if (begin == std::string_view::npos) return -1;
  value = value.substr(begin, value.find_last_not_of(" \t") - begin + 1);
  if (value.find_first_not_of("0123456789") == std::string_view::npos) {
    if (value.size() > 9) return 1000000000;
    return std::stoi(std::string(value));
  }
  // An HTTP-date, in any of HTTP's three forms (RFC 9110 5.6.7: IMF-fixdate,
  // RFC 850, asctime), read by the libcurl that made the request.
  std::string error;
  const internal::CurlLibrary* curl = internal::LoadCurl(&error);
  if (curl == nullptr) return -1;
  const std::string text(value);
  const std::int64_t when = curl->getdate(text.c_str(), nullptr);
  if (when < 0) return -1;
  std::int64_t delta = when - now_unix_seconds;
  return delta < 0 ? 0 : static_cast<int>(delta > 1000000000 ? 1000000000 : delta);
}

std::string ApiStatus::ToString() const {
  std::string out = method + " " + path + ": ";
  if (!network_error.empty()) return out + network_error;
  out += "HTTP " + std::to_string(http_status);
  std::string detail;
  for (const std::string& m : error_messages) {
    if (!detail.empty()) detail += "; ";
    detail += m;
  }
  for (const auto& [field, message] : field_errors) {
    if (!detail.empty()) detail += "; ";
    detail += field + ": " + message;
  }
  if (detail.empty()) detail = body_summary;
  if (!detail.empty()) out += ": " + detail;
  return out;
}

Status ApiStatus::ToStatus() const {
  if (ok()) return Status::Ok();
  std::string message = ToString();
  if (!network_error.empty()) return Status::Unavailable(message);
  if (http_status == 401 || http_status == 403) return Status::PermissionDenied(message);
  if (http_status == 404) return Status::NotFound(message);
  if (http_status == 429 || http_status >= 500) return Status::Unavailable(message);
  if (http_status >= 400) return Status::InvalidArgument(message);
  return Status::Internal(message);
}

namespace internal {

ApiStatus MakeApiStatus(std::string_view method, std::string_view path,
                        const HttpResponse& response) {
  ApiStatus status;
  status.method = std::string(method);
  status.path = std::string(path);
  status.http_status = response.status;
  status.network_error = response.network_error;
  if (auto reason = response.headers.find("x-seraph-loginreason");
      reason != response.headers.end()) {
    status.login_reason = reason->second;
  }
  if (!response.network_error.empty()) {
    status.http_status = 0;
    status.retryable = true;
    return status;
  }
  if (status.ok()) return status;
  int code = response.status;
  status.retryable = code == 429 || code >= 500;
  auto retry_after = response.headers.find("retry-after");
  if (retry_after != response.headers.end()) {
    status.retry_after_seconds = ParseRetryAfter(retry_after->second, NowSeconds());
  }
  nlohmann::json body = ParseResponseBody(response.body);
  if (!body.is_discarded() && body.is_object()) {
    ReadJsonErrors(body, &status);
  }
  if (status.error_messages.empty() && status.field_errors.empty()) {
    status.body_summary = SummarizeBody(response.body);
  }
  // Server/DC: after too many failed logins every request needs a CAPTCHA.
  auto denied = response.headers.find("x-authentication-denied-reason");
  if (denied != response.headers.end() && denied->second.find("CAPTCHA") != std::string::npos) {
    status.error_messages.insert(status.error_messages.begin(),
                                 "Jira requires a CAPTCHA login for this user (too many failed "
                                 "logins); log in through the web page once");
  }
  return status;
}

}  // namespace internal

}  // namespace jiralink::jira
