#include "http_transport.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <vector>

#include "jiralink/core/text.h"

namespace jiralink::jira::internal {

namespace {

std::string Trim(std::string_view text) {
  size_t begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string_view::npos) return "";
  size_t end = text.find_last_not_of(" \t\r\n");
  return std::string(text.substr(begin, end - begin + 1));
}

// Where an answer's body goes, up to its bound.
struct BodySink {
  std::string* body;
  std::size_t max_bytes;
  bool too_large = false;
};

size_t WriteBody(char* data, size_t size, size_t count, void* user) {
  auto* sink = static_cast<BodySink*>(user);
  const size_t n = size * count;
  if (n > sink->max_bytes - std::min(sink->max_bytes, sink->body->size())) {
    sink->too_large = true;
    return 0;  // libcurl stops the transfer (CURLE_WRITE_ERROR)
  }
  sink->body->append(data, n);
  return n;
}

size_t WriteHeader(char* data, size_t size, size_t count, void* user) {
  auto* headers = static_cast<std::map<std::string, std::string>*>(user);
  std::string_view line(data, size * count);
  // A new status line (after a 100 Continue, say) starts a new header set.
  if (line.rfind("HTTP/", 0) == 0) {
    headers->clear();
    return size * count;
  }
  size_t colon = line.find(':');
  if (colon != std::string_view::npos) {
    (*headers)[AsciiLowercase(Trim(line.substr(0, colon)))] = Trim(line.substr(colon + 1));
  }
  return size * count;
}

// Headers whose values are secrets or sessions; debug output hides them.
bool IsSecretHeader(std::string_view lower_name) {
  return lower_name == "authorization" || lower_name == "cookie" || lower_name == "set-cookie" ||
         lower_name == "proxy-authorization";
}

}  // namespace

HttpTransport::HttpTransport(const ClientOptions& options) : options_(options) {
  curl_lib_ = LoadCurl(&load_error_);
  if (curl_lib_ != nullptr) {
    curl_ = curl_lib_->easy_init();
    if (curl_ == nullptr) load_error_ = "cannot initialise libcurl";
  }
}

HttpTransport::~HttpTransport() {
  if (curl_ != nullptr) curl_lib_->easy_cleanup(curl_);
}

std::string HttpTransport::Escape(std::string_view text) {
  if (curl_ == nullptr) return std::string(text);
  char* escaped = curl_lib_->easy_escape(curl_, text.data(), static_cast<int>(text.size()));
  std::string out = escaped != nullptr ? escaped : "";
  curl_lib_->free(escaped);
  return out;
}

void HttpTransport::LogRequest(std::string_view method, const std::string& url) const {
  std::fprintf(stderr, "jiralink: > %.*s %s\n", static_cast<int>(method.size()), method.data(),
               url.c_str());
  if (options_.auth != AuthMode::kPat || !options_.token.empty()) {
    std::fprintf(stderr, "jiralink: > Authorization: <redacted>\n");
  }
  std::fprintf(stderr, "jiralink: > Accept: application/json\n");
  std::fprintf(stderr, "jiralink: > User-Agent: %s\n", UserAgent());
}

void HttpTransport::LogResponse(const HttpResponse& response, long elapsed_ms) const {
  if (response.status == 0) {
    std::fprintf(stderr, "jiralink: < no answer (%ld ms): %s\n", elapsed_ms,
                 response.network_error.c_str());
    return;
  }
  std::fprintf(stderr, "jiralink: < HTTP %d (%ld ms)\n", response.status, elapsed_ms);
  for (const auto& [name, value] : response.headers) {
    std::fprintf(stderr, "jiralink: < %s: %s\n", name.c_str(),
                 IsSecretHeader(name) ? "<redacted>" : value.c_str());
  }
}

HttpResponse HttpTransport::Send(std::string_view method, const std::string& url,
                                 const std::string& body) {
  HttpResponse response;
  if (curl_ == nullptr) {
    response.network_error = load_error_;
    return response;
  }
  if (options_.debug) LogRequest(method, url);
  auto started = std::chrono::steady_clock::now();

  CURL* c = curl_;
  const CurlLibrary& curl = *curl_lib_;
  // Options are set afresh for every request; the handle keeps its
  // connection cache, so the next GET to the same host reuses the socket
  // (writes never do; see below).
  curl.easy_reset(c);
  char error_buffer[CURL_ERROR_SIZE] = {0};
  curl.easy_setopt(c, CURLOPT_ERRORBUFFER, error_buffer);
  curl.easy_setopt(c, CURLOPT_URL, url.c_str());
  curl.easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  long timeout_ms = 1000L * options_.timeout_seconds;
  long connect_timeout_ms = 1000L * options_.connect_timeout_seconds;
  if (options_.deadline.has_value()) {
    long left = static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                      *options_.deadline - std::chrono::steady_clock::now())
                                      .count());
    if (left <= 0) {
      response.timed_out = true;
      response.network_error = "deadline passed";
      if (options_.debug) LogResponse(response, 0);
      return response;
    }
    timeout_ms = std::min(timeout_ms, left);
    connect_timeout_ms = std::min(connect_timeout_ms, left);
  }
  curl.easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl.easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, connect_timeout_ms);
  curl.easy_setopt(c, CURLOPT_USERAGENT, UserAgent());
  curl.easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);  // never resend credentials elsewhere
  curl.easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl.easy_setopt(c, CURLOPT_SSL_VERIFYPEER, options_.verify_tls ? 1L : 0L);
  curl.easy_setopt(c, CURLOPT_SSL_VERIFYHOST, options_.verify_tls ? 2L : 0L);
  if (!options_.ca_file.empty()) curl.easy_setopt(c, CURLOPT_CAINFO, options_.ca_file.c_str());

  std::vector<std::string> header_lines = {"Accept: application/json",
                                           // Jira needs no 100-continue round trip.
                                           "Expect:"};
  if (options_.auth == AuthMode::kPat) {
    // A Bearer client without a token sends no Authorization at all (the
    // Development Information API's token endpoint and tenant_info).
    if (!options_.token.empty()) header_lines.push_back("Authorization: Bearer " + options_.token);
  } else {
    curl.easy_setopt(c, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_BASIC));
    curl.easy_setopt(c, CURLOPT_USERNAME, options_.username.c_str());
    curl.easy_setopt(c, CURLOPT_PASSWORD, options_.token.c_str());
  }
  bool sends_body = !body.empty() || method == "POST" || method == "PUT";
  if (sends_body) header_lines.push_back("Content-Type: application/json");
  curl_slist* headers = nullptr;
  for (const std::string& line : header_lines) headers = curl.slist_append(headers, line.c_str());
  curl.easy_setopt(c, CURLOPT_HTTPHEADER, headers);

  std::string custom_method(method);
  if (method == "GET") {
    curl.easy_setopt(c, CURLOPT_HTTPGET, 1L);
  } else {
    curl.easy_setopt(c, CURLOPT_CUSTOMREQUEST, custom_method.c_str());
    // libcurl sends a request again, on a new connection, when a reused one
    // ends without an answer, and no option turns that off. For a write
    // Jira may have applied (a comment, a transition) that is a second
    // write: so writes go on a new connection, which libcurl never resends
    // on. The caller learns "no answer" and settles it by reading Jira.
    curl.easy_setopt(c, CURLOPT_FRESH_CONNECT, 1L);
  }
  if (sends_body) {
    curl.easy_setopt(c, CURLOPT_POSTFIELDS, body.c_str());
    curl.easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  }
  // The body's bound: an announced length over it stops the transfer before
  // the body (CURLE_FILESIZE_EXCEEDED); an unannounced one stops in WriteBody.
  BodySink sink{&response.body, options_.max_response_bytes};
  curl.easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE,
                   static_cast<curl_off_t>(options_.max_response_bytes));
  curl.easy_setopt(c, CURLOPT_WRITEFUNCTION, WriteBody);
  curl.easy_setopt(c, CURLOPT_WRITEDATA, &sink);
  curl.easy_setopt(c, CURLOPT_HEADERFUNCTION, WriteHeader);
  curl.easy_setopt(c, CURLOPT_HEADERDATA, &response.headers);

  CURLcode code = curl.easy_perform(c);
  curl.slist_free_all(headers);
  if (code == CURLE_OK) {
    long status = 0;
    curl.easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    response.status = static_cast<int>(status);
  } else {
    response.timed_out = code == CURLE_OPERATION_TIMEDOUT;
    response.network_error = error_buffer[0] != '\0' ? error_buffer : curl.easy_strerror(code);
    if (sink.too_large || code == CURLE_FILESIZE_EXCEEDED) {
      response.network_error = "Jira's answer is larger than " +
                               std::to_string(options_.max_response_bytes) +
                               " bytes, the most jiralink reads; it was cut off";
    }
    response.body.clear();
    response.headers.clear();
  }
  long elapsed = static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                       std::chrono::steady_clock::now() - started)
                                       .count());
  if (options_.debug) LogResponse(response, elapsed);
  return response;
}

}  // namespace jiralink::jira::internal
