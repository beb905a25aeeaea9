// Config::Describe: the effective settings as TOML, with the token hidden.
#include <cstdio>
#include <sstream>

#include "jiralink/config/loader.h"
#include "toml_string.h"

namespace jiralink::config {
namespace {

const char* Bool(bool value) { return value ? "true" : "false"; }

}  // namespace

std::string Config::Describe(const Settings& s) {
  std::ostringstream out;
  const JiraSettings& jira = s.jira;
  out << "[jira]\n"
      << "web_url = " << TomlString(jira.web_url) << "\n"
      << "api_url = " << TomlString(jira.api_url) << "\n"
      << "auth = " << (jira.auth == AuthMode::kPat ? "\"pat\"" : "\"basic\"") << "\n"
      << "username = " << TomlString(jira.username) << "\n";
  switch (jira.token_source) {
    case TokenSource::kNone:
      out << "# no token source: set one of token, token_file or token_env\n";
      break;
    case TokenSource::kInline:
      out << "token = \"<redacted>\"\n";
      break;
    case TokenSource::kFile:
      out << "token_file = " << TomlString(jira.token_file) << "\n";
      break;
    case TokenSource::kEnv:
      out << "token_env = " << TomlString(jira.token_env) << "\n";
      break;
  }
  out << "timeout_seconds = " << jira.timeout_seconds << "\n"
      << "connect_timeout_seconds = " << jira.connect_timeout_seconds << "\n"
      << "ca_file = " << TomlString(jira.ca_file) << "\n"
      << "verify_tls = " << Bool(jira.verify_tls) << "\n";

  out << "\n[matching]\n"
      << "regex = " << TomlString(s.matching.regex) << "\n"
      << "prefix = " << TomlString(s.matching.prefix) << "\n";

  out << "\n[comments]\n"
      << "enabled = " << Bool(s.comments.enabled) << "\n";

  out << "\n[triggers]\n"
      << "commit = " << Bool(s.triggers.commit) << "\n"
      << "merge_request = " << Bool(s.triggers.merge_request) << "\n";

  out << "\n[transitions]\n"
      << "enabled = " << Bool(s.transitions.enabled) << "\n"
      << "mode = " << (s.transitions.mode == TransitionMode::kCustom ? "\"custom\"" : "\"done\"")
      << "\n"
      << "ids = " << TomlString(s.transitions.ids) << "\n";

  out << "\n[git]\n"
      << "root = " << TomlString(s.git.root) << "\n"
      << "commit_url = " << TomlString(s.git.commit_url) << "\n"
      << "branch_url = " << TomlString(s.git.branch_url) << "\n"
      << "repo_url = " << TomlString(s.git.repo_url) << "\n"
      << "default_branch = " << TomlString(s.git.default_branch) << "\n"
      << "max_commits_per_push = " << s.git.max_commits_per_push << "\n";

  out << "\n[state]\n"
      << "dir = " << TomlString(s.state.dir) << "\n";

  out << "\n[render]\n"
      << "max_bytes = " << s.render.max_bytes << "\n"
      << "cache = " << Bool(s.render.cache) << "\n"
      << "cache_max_mb = " << s.render.cache_max_mb << "\n"
      << "hardbreaks = " << Bool(s.render.hardbreaks) << "\n";

  out << "\n[delivery]\n"
      << "max_attempts = " << s.delivery.max_attempts << "\n"
      << "max_age_hours = " << s.delivery.max_age_hours << "\n"
      << "backoff_cap_seconds = " << s.delivery.backoff_cap_seconds << "\n"
      << "lease_seconds = " << s.delivery.lease_seconds << "\n"
      << "pause_seconds = " << s.delivery.pause_seconds << "\n"
      << "keep_done_days = " << s.delivery.keep_done_days << "\n";

  out << "\n[issues]\n"
      << "enabled = " << Bool(s.issues.enabled) << "\n"
      << "project_keys = [";
  for (std::size_t i = 0; i < s.issues.project_keys.size(); ++i) {
    out << (i == 0 ? "" : ", ") << TomlString(s.issues.project_keys[i]);
  }
  out << "]\n";

  out << "\n[vulnerabilities]\n"
      << "enabled = " << Bool(s.vulnerabilities.enabled) << "\n"
      << "project_key = " << TomlString(s.vulnerabilities.project_key) << "\n"
      << "issue_type = " << TomlString(s.vulnerabilities.issue_type) << "\n"
      << "customize = " << Bool(s.vulnerabilities.customize) << "\n";
  return out.str();
}

}  // namespace jiralink::config
