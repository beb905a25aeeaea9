// jiralink issues list|show: dispatch, and the helpers the issue commands share.
#include <cstdio>
#include <string>
#include <vector>

#include "common.h"
#include "issues_commands.h"

namespace jiralink::cli {
namespace {

void PrintIssuesUsage(std::FILE* out) {
  std::fprintf(out,
               "usage: jiralink issues list [filters] [--json | --urls] [--jql]\n"
               "       jiralink issues show KEY [--json]\n"
               "\n`jiralink issues list --help` and `jiralink issues show --help` list the "
               "options.\n");
}

std::string Strip(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return std::string(text);
}

}  // namespace

int RunIssues(Context& ctx, int argc, char** argv) {
  if (argc < 2) {
    PrintIssuesUsage(stderr);
    return 2;
  }
  std::string_view sub = argv[1];
  if (sub == "-h" || sub == "--help" || sub == "help") {
    PrintIssuesUsage(stdout);
    return 0;
  }
  // The subcommand becomes argv[0] of its own parser: "jiralink issues list".
  std::string name = std::string(argv[0]) + " " + std::string(sub);
  std::vector<char*> args(argv + 1, argv + argc);
  args[0] = name.data();
  if (sub == "list") return RunIssuesList(ctx, static_cast<int>(args.size()), args.data());
  if (sub == "show") return RunIssuesShow(ctx, static_cast<int>(args.size()), args.data());
  std::fprintf(stderr, "%s: unknown subcommand '%s' (expected list or show)\n", argv[0], argv[1]);
  return 2;
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
