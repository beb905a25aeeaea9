// Settings: the effective jiralink settings for one repository, as plain data.
//
// Read from one TOML file (see config/loader.h) and layered field by field:
// built-in defaults, then the [jira]/[matching]/... tables at the top level,
// then the longest matching [groups."<prefix>"] table, then the
// [projects."<repo path>"] table. Every table below can appear at each layer.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace jiralink::config {

enum class AuthMode { kBasic, kPat };
enum class TransitionMode { kDone, kCustom };
enum class TokenSource { kNone, kInline, kFile, kEnv };

struct JiraSettings {
  std::string web_url;  // e.g. https://example.atlassian.net (no trailing '/')
  std::string api_url;  // Config::ForRepo() fills in web_url when unset
  AuthMode auth = AuthMode::kBasic;
  std::string username;
  TokenSource token_source = TokenSource::kNone;
  std::string token;       // only with kInline
  std::string token_file;  // only with kFile; absolute (relative paths are resolved
                           // against the settings file's directory when loaded)
  std::string token_env;   // only with kEnv
  int timeout_seconds = 30;
  int connect_timeout_seconds = 10;
  std::string ca_file;  // custom CA bundle; empty = the system's
  bool verify_tls = true;
};

struct MatchingSettings {
  std::string regex;   // RE2; empty = default key pattern
  std::string prefix;  // RE2 text before the key; may be empty
};

struct CommentSettings {
  bool enabled = true;
};

// Which events queue "mentioned" comments and links ([triggers]), as the
// forge's Trigger checkboxes. Closes follow [transitions] either way.
struct TriggerSettings {
  bool commit = true;         // pushed commits that mention a key
  bool merge_request = true;  // merge requests whose title or description mentions a key
};

struct TransitionSettings {
  bool enabled = true;
  TransitionMode mode = TransitionMode::kDone;
  std::string ids;                   // raw text as configured, e.g. "11, 21"
  std::vector<std::string> id_list;  // the numbers of `ids`, in order
};

struct GitSettings {
  std::string root;            // directory holding the repositories
  std::string commit_url;      // template with {repo} and {sha}
  std::string branch_url;      // template with {repo} and {branch}
  std::string repo_url;        // template with {repo}; links the repository name
  std::string default_branch;  // empty = the repository's HEAD
  int max_commits_per_push = 100;
};

struct StateSettings {
  std::string dir;  // where the SQLite files live; ForRepo() fills in DefaultStateDir()
};

struct RenderSettings {
  std::int64_t max_bytes = 8 * 1024 * 1024;
  bool cache = true;
  std::int64_t cache_max_mb = 256;
  bool hardbreaks = false;  // a newline inside a paragraph becomes <br />
};

struct DeliverySettings {
  int max_attempts = 20;
  int max_age_hours = 72;
  int backoff_cap_seconds = 300;
  int lease_seconds = 120;
  int pause_seconds = 300;  // after a 401/403, how long before a run asks Jira again
  int keep_done_days = 30;  // delivered jobs are forgotten after this long
};

struct IssuesSettings {
  bool enabled = true;
  std::vector<std::string> project_keys;
};

struct VulnerabilitySettings {
  bool enabled = false;
  std::string project_key;
  std::string issue_type;  // issue type id, as a string
  bool customize = false;
};

struct Settings {
  JiraSettings jira;
  MatchingSettings matching;
  CommentSettings comments;
  TriggerSettings triggers;
  TransitionSettings transitions;
  GitSettings git;
  StateSettings state;
  RenderSettings render;
  DeliverySettings delivery;
  IssuesSettings issues;
  VulnerabilitySettings vulnerabilities;
};

}  // namespace jiralink::config
