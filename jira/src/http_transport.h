// One libcurl easy handle that sends Jira requests and keeps its connection
// open between them. Internal to the jira module.
//
// Exactly once: a request other than GET (POST, PUT, DELETE) is sent once,
// on a new connection, and never resent by libcurl; when its answer is lost
// the response says so (status 0) and the caller must find out from Jira
// whether it was applied. GETs reuse the kept connection.
#pragma once

#include <curl/curl.h>

#include <map>
#include <string>
#include <string_view>

#include "curl_library.h"
#include "jiralink/jira/client.h"

namespace jiralink::jira::internal {

struct HttpResponse {
  int status = 0;             // 0 when no HTTP answer came
  std::string network_error;  // set when no HTTP answer came
  bool timed_out = false;
  std::map<std::string, std::string> headers;  // names lower-cased; last value wins
  std::string body;
};

class HttpTransport {
 public:
  explicit HttpTransport(const ClientOptions& options);
  ~HttpTransport();
  HttpTransport(const HttpTransport&) = delete;
  HttpTransport& operator=(const HttpTransport&) = delete;

  // Sends `method` to `url` (absolute). `body` is sent as JSON when not empty
  // or when the method is POST/PUT. Never throws.
  HttpResponse Send(std::string_view method, const std::string& url, const std::string& body);

  // Percent-encodes a query value or path segment.
  std::string Escape(std::string_view text);

 private:
  void LogRequest(std::string_view method, const std::string& url) const;
  void LogResponse(const HttpResponse& response, long elapsed_ms) const;

  const ClientOptions& options_;
  const CurlLibrary* curl_lib_ = nullptr;  // null when libcurl could not be loaded
  std::string load_error_;                 // why, then
  CURL* curl_ = nullptr;
};

}  // namespace jiralink::jira::internal
