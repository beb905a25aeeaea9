// libFuzzer target: Jira's response bodies, read as the client reads them.
//
// The input is one response body. As a 2xx body it is parsed the way the
// client parses it (nlohmann::json::parse without exceptions) and, when it
// is JSON, given to every typed reader of json_parse.h, which promise to
// accept anything without throwing. As an error answer (400, and 503 with
// the input's first line as Retry-After) it goes through MakeApiStatus, the
// client's error-body reader (internal to the jira module), whose result
// must describe a failure. ParseRetryAfter's result must be -1 or a delay
// in [0, 1e9] seconds.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "jiralink/jira/client.h"
#include "jiralink/jira/json_parse.h"
#include "response_status.h"

namespace {

namespace jira = jiralink::jira;

void ReadAsSuccessBody(const std::string& body) {
  const nlohmann::json json = jiralink::jira::ParseResponseBody(body);
  if (json.is_discarded()) return;
  jira::ServerInfo info;
  jira::ParseServerInfo(json, &info);
  (void)jira::ResolveDeployment(info, "https://jira.example.com");
  (void)jira::ResolveDeployment(info, "https://example.atlassian.net");
  jira::User user;
  jira::ParseUser(json, &user);
  jira::IssueStatus status;
  jira::ParseIssueStatus(json, &status);
  (void)jira::ParseTransitions(json);
  jira::Comment comment;
  jira::ParseComment(json, &comment);
  jira::RemoteLink link;
  jira::ParseRemoteLink(json, &link);
  jira::Issue issue;
  jira::ParseIssue(json, &issue);
  jira::IssueType type;
  jira::ParseIssueType(json, &type);
  jira::Project project;
  jira::ParseProject(json, &project);
  jira::SearchPage page;
  jira::ParseSearchPage(json, &page);
  bool is_last = false;
  (void)jira::ParseCreateMetaIssueTypes(json, &is_last);
  bool found = false;
  (void)jira::ParseOldCreateMeta(json, "PROJ", &found);
}

void ReadAsErrorAnswer(const std::string& body, int http_status, std::string_view retry_after) {
  jira::internal::HttpResponse response;
  response.status = http_status;
  response.body = body;
  if (!retry_after.empty()) response.headers["retry-after"] = std::string(retry_after);
  const jira::ApiStatus status =
      jira::internal::MakeApiStatus("GET", "/rest/api/2/issue/PROJ-1", response);
  if (status.ok() || status.ToStatus().ok() || status.ToString().empty()) std::abort();
  if (status.retry_after_seconds < -1 || status.retry_after_seconds > 1000000000) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string body(reinterpret_cast<const char*>(data), size);
  ReadAsSuccessBody(body);
  ReadAsErrorAnswer(body, 400, {});
  const std::string_view first_line = std::string_view(body).substr(0, body.find('\n'));
  ReadAsErrorAnswer(body, 503, first_line.substr(0, 100));
  const int delay = jira::ParseRetryAfter(first_line.substr(0, 100), 1767225600);
  if (delay < -1 || delay > 1000000000) std::abort();
  return 0;
}
