// jiralink issues list|show: dispatch, and the helpers the issue commands share.
#include <cstdio>
#include <string>
#include <vector>

#include "common.h"
#include "issues_commands.h"

namespace jiralink::cli {
namespace {

std::string Strip(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return std::string(text);
}

}  // namespace

int RunIssues(Context& ctx, int argc, char** argv) {
  return RunSubcommands(ctx, argc, argv, "Jira issues of the configured projects.",
                        {{"list", RunIssuesList, "list issues with filters, a page at a time"},
                         {"show", RunIssuesShow, "one issue: fields, description, comments"}});
}

bool LoadSettingsFor(const Context& ctx, const std::string& repo, config::Settings* out) {
  config::Config config;
  if (!LoadConfig(ctx, &config)) return false;
  *out = config.ForRepo(repo);
  return true;
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
  std::string url = jira.web_url.empty() ? jira.api_url : jira.web_url;
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

}  // namespace jiralink::cli
