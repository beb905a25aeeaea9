#include "jiralink/issues/issue_scope.h"

#include <cstdlib>

#include "jiralink/config/loader.h"
#include "jiralink/core/text.h"

namespace jiralink::issues {
namespace {

std::string Strip(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return std::string(text);
}

}  // namespace

const std::vector<std::string>& ListFields() {
  static const std::vector<std::string> kFields = {"assignee",
                                                   "created",
                                                   "creator",
                                                   "id",
                                                   "issuetype",
                                                   "key",
                                                   "labels",
                                                   "priority",
                                                   "project",
                                                   "reporter",
                                                   "resolutiondate",
                                                   "status",
                                                   "statuscategorychangeddate",
                                                   "summary",
                                                   "updated"};
  return kFields;
}

std::vector<std::string> ConfiguredProjectKeys(const config::IssuesSettings& issues) {
  std::vector<std::string> keys;
  for (const std::string& raw : issues.project_keys) {
    std::string key = Strip(raw);
    bool seen = false;
    for (const std::string& k : keys) seen = seen || k == key;
    if (!key.empty() && !seen) keys.push_back(std::move(key));
  }
  return keys;
}

bool ProjectKeyAllowed(const config::IssuesSettings& issues, std::string_view project_key) {
  std::vector<std::string> keys = ConfiguredProjectKeys(issues);
  if (keys.empty()) return true;
  for (const std::string& key : keys) {
    if (key == project_key) return true;
  }
  return false;
}

std::string JoinKeys(const std::vector<std::string>& keys) {
  std::string out;
  for (const std::string& key : keys) {
    if (!out.empty()) out.append(", ");
    out.append(key);
  }
  return out;
}

std::string ProjectOfIssueKey(std::string_view key) {
  std::size_t dash = key.rfind('-');
  if (dash == std::string_view::npos || dash == 0 || dash + 1 == key.size()) return {};
  for (char c : key.substr(dash + 1)) {
    if (c < '0' || c > '9') return {};
  }
  return std::string(key.substr(0, dash));
}

std::string JiraWebUrl(const config::JiraSettings& jira) {
  return std::string(TrimTrailingSlashes(jira.web_url.empty() ? jira.api_url : jira.web_url));
}

std::string IssueUrl(std::string_view web_url, std::string_view key) {
  return std::string(TrimTrailingSlashes(web_url)) + "/browse/" + std::string(key);
}

jira::ClientOptions ToClientOptions(const config::JiraSettings& jira) {
  jira::ClientOptions options;
  options.api_url = jira.api_url;
  options.web_url = jira.web_url;
  options.auth =
      jira.auth == config::AuthMode::kPat ? jira::AuthMode::kPat : jira::AuthMode::kBasic;
  options.username = jira.username;
  options.timeout_seconds = jira.timeout_seconds;
  options.connect_timeout_seconds = jira.connect_timeout_seconds;
  options.ca_file = jira.ca_file;
  options.verify_tls = jira.verify_tls;
  const char* debug = std::getenv("JIRALINK_DEBUG");
  options.debug = debug != nullptr && *debug != '\0' && std::string(debug) != "0";
  return options;
}

Status MakeClient(const config::Settings& settings, std::unique_ptr<jira::Client>* out,
                  const std::function<void(jira::ClientOptions*)>& adjust) {
  Status status = config::RequireApiSettings(settings.jira);
  std::string token;
  if (status.ok()) status = config::ResolveToken(settings.jira, &token);
  if (!status.ok()) return status;
  jira::ClientOptions options = ToClientOptions(settings.jira);
  options.token = std::move(token);
  if (adjust) adjust(&options);
  *out = std::make_unique<jira::Client>(std::move(options));
  return Status::Ok();
}

}  // namespace jiralink::issues
