#include "settings_tables.h"

#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <iterator>
#include <memory>
#include <span>
#include <utility>
#include <vector>

#include <re2/re2.h>

#include "edit_distance.h"
#include "jiralink/config/loader.h"
#include "jiralink/core/key_scanner.h"
#include "jiralink/core/postgres_uri.h"
#include "jiralink/core/text.h"
#include "paths.h"
#include "secret_checks.h"
#include "value_checks.h"

namespace jiralink::config {
namespace {

constexpr std::array<std::string_view, 15> kTableNames = {
    "jira",  "matching", "comments",      "transitions", "git",
    "state", "render",   "delivery",      "issues",      "vulnerabilities",
    "serve", "triggers", "smart_commits", "policy",      "devinfo"};

constexpr std::string_view kJiraKeys[] = {"web_url",   "api_url",         "auth",
                                          "username",  "token",           "token_file",
                                          "token_env", "timeout_seconds", "connect_timeout_seconds",
                                          "ca_file",   "verify_tls"};
constexpr std::string_view kMatchingKeys[] = {"regex", "prefix"};
constexpr std::string_view kCommentKeys[] = {"enabled", "detail"};
constexpr std::string_view kTransitionKeys[] = {"enabled", "mode", "ids"};
constexpr std::string_view kGitKeys[] = {"root",     "commit_url",     "branch_url",
                                         "repo_url", "default_branch", "max_commits_per_push"};
constexpr std::string_view kStateKeys[] = {"dir", "outbox", "outbox_password_file",
                                           "outbox_password_env", "maildrop"};
constexpr std::string_view kRenderKeys[] = {
    "max_bytes",          "cache",         "cache_max_mb", "hardbreaks", "cache_password_file",
    "cache_password_env", "cache_key_file"};
constexpr std::string_view kDeliveryKeys[] = {
    "max_attempts",  "max_age_hours",  "backoff_cap_seconds", "lease_seconds",
    "pause_seconds", "keep_done_days", "requests_per_second"};
constexpr std::string_view kIssuesKeys[] = {"enabled", "project_keys", "cache_seconds", "viewers"};
constexpr std::string_view kVulnerabilityKeys[] = {"enabled", "project_key", "issue_type",
                                                   "customize"};

// The forge accepts at most this many project_keys.
constexpr std::size_t kMaxProjectKeys = 100;

constexpr std::string_view kServeKeys[] = {
    "listen", "max_body_bytes", "timeout_seconds", "secret_file",       "secret_env", "secret",
    "web",    "auth_header",    "auth_proxies",    "auth_groups_header"};
// The settings of the pages' login; like `web`, top level only.
constexpr std::string_view kServeTopLevelKeys[] = {
    "listen",      "max_body_bytes", "timeout_seconds",   "web",
    "auth_header", "auth_proxies",   "auth_groups_header"};
// Bounds of the login's lists: a proxy's addresses, a repository's viewers.
constexpr std::size_t kMaxAuthProxies = 64;
constexpr std::size_t kMaxViewers = 1000;
constexpr std::size_t kMaxViewerBytes = 256;
constexpr std::string_view kTriggerKeys[] = {"commit", "merge_request"};
constexpr std::string_view kSmartCommitKeys[] = {"enabled", "map_authors"};
constexpr std::string_view kPolicyKeys[] = {
    "require_key",         "allowed_states", "exempt_authors",     "exempt_message",
    "on_jira_unreachable", "timeout_ms",     "on_jiralink_missing"};
constexpr std::string_view kDevinfoKeys[] = {"enabled",           "client_id", "client_secret_file",
                                             "client_secret_env", "api_url",   "client_secret"};
// The tables and their keys, for Config::Keys() and "did you mean" (the
// first table that knows a key is named).
struct TableKeys {
  std::string_view table;
  std::span<const std::string_view> keys;
};
constexpr TableKeys kKeysOfTables[] = {{"jira", kJiraKeys},
                                       {"matching", kMatchingKeys},
                                       {"comments", kCommentKeys},
                                       {"transitions", kTransitionKeys},
                                       {"smart_commits", kSmartCommitKeys},
                                       {"git", kGitKeys},
                                       {"state", kStateKeys},
                                       {"render", kRenderKeys},
                                       {"delivery", kDeliveryKeys},
                                       {"issues", kIssuesKeys},
                                       {"vulnerabilities", kVulnerabilityKeys},
                                       {"serve", kServeKeys},
                                       {"triggers", kTriggerKeys},
                                       {"policy", kPolicyKeys},
                                       {"devinfo", kDevinfoKeys}};
static_assert(std::size(kKeysOfTables) == kTableNames.size(), "a table without its keys");

// The status categories every Jira has (names as an English site sends
// them, and their keys); another value is kept, with a warning.
constexpr std::string_view kStatusCategories[] = {"To Do", "In Progress",   "Done",
                                                  "new",   "indeterminate", "done"};

constexpr std::string_view kTokenKeys[] = {"token", "token_file", "token_env"};

// A path-valued key, made absolute against the settings file's directory.
bool GetPath(TableReader& reader, std::string_view key, std::string* out) {
  std::string path;
  if (!reader.GetString(key, &path)) return false;
  if (path.empty()) {
    *out = "";
    return true;
  }
  *out = ResolveAgainst(reader.context().base_dir, path);
  return true;
}

// Where one secret comes from, and the settings fields that receive it.
struct SecretKeys {
  std::string_view file;     // "token_file": a path, relative to the settings file
  std::string_view env;      // "token_env": an environment variable's name
  std::string_view literal;  // "token": the secret itself; empty where not allowed
};
struct SecretFields {
  TokenSource* source;
  std::string* file;
  std::string* env;
  std::string* literal = nullptr;
};

// The one reader of every secret's source (the Jira token, the webhook
// secret, the outbox's and the Redis cache's passwords): at most one of its
// keys, none empty, and a file that can be read, holds more than whitespace
// and is warned about when group or others may read it. The same checks and
// messages for each; the fields are set only when the source is valid.
void GetSecretSource(TableReader& reader, const SecretKeys& keys, const SecretFields& out) {
  std::vector<std::string_view> present;
  for (std::string_view key : {keys.literal, keys.file, keys.env}) {
    if (!key.empty() && reader.Has(key)) present.push_back(key);
  }
  if (present.empty()) return;
  if (present.size() > 1) {
    const std::string choice = keys.literal.empty()
                                   ? "set exactly one"
                                   : "set exactly one of " + std::string(keys.literal) + ", " +
                                         std::string(keys.file) + " or " + std::string(keys.env);
    for (std::size_t i = 1; i < present.size(); ++i) {
      reader.ErrorAtKey(present[i], "sets both " + std::string(present[0]) + " and " +
                                        std::string(present[i]) + "; " + choice);
    }
    return;
  }
  const std::string_view key = present[0];
  std::string value;
  if (!(key == keys.file ? GetPath(reader, key, &value) : reader.GetString(key, &value))) return;
  if (value.empty()) {
    reader.ErrorAtValue(key, std::string(key) + " is empty");
    return;
  }
  if (key == keys.file && reader.context().check_files) {
    if (std::string problem = CheckReadableFile(value); !problem.empty()) {
      reader.ErrorAtValue(key, std::string(key) + " \"" + value + "\" cannot be read: " + problem);
    } else if (mode_t mode = 0; ReadableByOthers(value, &mode)) {
      reader.WarningAtValue(key, std::string(key) + " \"" + value +
                                     "\" is readable by group or others (mode " + OctalMode(mode) +
                                     "); run: chmod 600 " + value);
    }
  }
  out.file->clear();
  out.env->clear();
  if (out.literal != nullptr) out.literal->clear();
  if (key == keys.file) {
    *out.source = TokenSource::kFile;
    *out.file = std::move(value);
  } else if (key == keys.env) {
    *out.source = TokenSource::kEnv;
    *out.env = std::move(value);
  } else {
    *out.source = TokenSource::kInline;
    *out.literal = std::move(value);
  }
}

// The scanner names the setting itself ("matching.regex: missing )"); the
// message here already does.
std::string WithoutSettingName(const std::string& message) {
  for (std::string_view name : {"matching.regex: ", "matching.prefix: "}) {
    if (message.starts_with(name)) return message.substr(name.size());
  }
  return message;
}

void GetUrl(TableReader& reader, std::string_view key, std::string* out) {
  std::string url;
  if (!reader.GetString(key, &url)) return;
  if (url.empty()) {
    *out = "";
    return;
  }
  if (std::string problem = CheckSiteUrl(url); !problem.empty()) {
    reader.ErrorAtValue(key, std::string(key) + " " + problem);
    return;
  }
  *out = TrimTrailingSlashes(url);
}

void GetTemplate(TableReader& reader, std::string_view key, std::string_view required,
                 std::span<const std::string_view> allowed, std::string* out) {
  std::string url;
  if (!reader.GetString(key, &url)) return;
  if (!url.empty()) {
    if (std::string problem = CheckUrlTemplate(url, required, allowed); !problem.empty()) {
      reader.ErrorAtValue(key, std::string(key) + " " + problem);
      return;
    }
  }
  *out = url;
}

void ApplyTokenSource(TableReader& reader, JiraSettings* jira) {
  GetSecretSource(reader, {.file = "token_file", .env = "token_env", .literal = "token"},
                  {.source = &jira->token_source,
                   .file = &jira->token_file,
                   .env = &jira->token_env,
                   .literal = &jira->token});
}

void ApplyJira(TableReader& reader, JiraSettings* jira) {
  reader.CheckKnownKeys(kJiraKeys);
  GetUrl(reader, "web_url", &jira->web_url);
  GetUrl(reader, "api_url", &jira->api_url);
  if (std::string auth; reader.GetString("auth", &auth)) {
    if (auth == "basic") {
      jira->auth = AuthMode::kBasic;
    } else if (auth == "pat") {
      jira->auth = AuthMode::kPat;
    } else {
      reader.ErrorAtValue("auth", "auth must be \"basic\" or \"pat\", got \"" + auth + "\"");
    }
  }
  reader.GetString("username", &jira->username);
  ApplyTokenSource(reader, jira);
  reader.GetPositiveInt("timeout_seconds", &jira->timeout_seconds);
  reader.GetPositiveInt("connect_timeout_seconds", &jira->connect_timeout_seconds);
  if (std::string ca_file; GetPath(reader, "ca_file", &ca_file)) {
    if (!ca_file.empty() && reader.context().check_files) {
      if (std::string problem = CheckReadableFile(ca_file); !problem.empty()) {
        reader.ErrorAtValue("ca_file", "ca_file \"" + ca_file + "\" cannot be read: " + problem);
      }
    }
    jira->ca_file = ca_file;
  }
  reader.GetBool("verify_tls", &jira->verify_tls);
}

// Patterns are limited in characters, as the forge counts them, not bytes.
std::size_t CountCharacters(std::string_view text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

// Checks one pattern alone, so that the error points at the key at fault.
void GetPattern(TableReader& reader, std::string_view key, std::string* out) {
  std::string pattern;
  if (!reader.GetString(key, &pattern)) return;
  if (std::size_t length = CountCharacters(pattern); length > kMaxPatternLength) {
    reader.ErrorAtValue(key, std::string(key) + " is " + std::to_string(length) +
                                 " characters long; at most " + std::to_string(kMaxPatternLength) +
                                 " are allowed");
    return;
  }
  if (reader.context().sink != nullptr && !pattern.empty()) {
    MatchingOptions options;
    (key == "regex" ? options.regex : options.prefix) = pattern;
    std::unique_ptr<KeyScanner> scanner;
    if (Status status = KeyScanner::Create(options, &scanner); !status.ok()) {
      reader.ErrorAtValue(key, std::string(key) + " does not compile in RE2: " +
                                   WithoutSettingName(status.message()));
      return;
    }
  }
  *out = pattern;
}

void ApplyMatching(TableReader& reader, MatchingSettings* matching) {
  reader.CheckKnownKeys(kMatchingKeys);
  GetPattern(reader, "regex", &matching->regex);
  GetPattern(reader, "prefix", &matching->prefix);
}

void ApplyComments(TableReader& reader, CommentSettings* comments) {
  reader.CheckKnownKeys(kCommentKeys);
  reader.GetBool("enabled", &comments->enabled);
  if (std::string detail; reader.GetString("detail", &detail)) {
    if (detail == "standard") {
      comments->detail = CommentDetailLevel::kStandard;
    } else if (detail == "all_details") {
      comments->detail = CommentDetailLevel::kAllDetails;
    } else {
      reader.ErrorAtValue("detail",
                          "detail must be \"standard\" or \"all_details\", got \"" + detail + "\"");
    }
  }
}

void ApplyTriggers(TableReader& reader, TriggerSettings* triggers) {
  reader.CheckKnownKeys(kTriggerKeys);
  reader.GetBool("commit", &triggers->commit);
  reader.GetBool("merge_request", &triggers->merge_request);
}

void ApplySmartCommits(TableReader& reader, SmartCommitSettings* smart_commits) {
  reader.CheckKnownKeys(kSmartCommitKeys);
  reader.GetBool("enabled", &smart_commits->enabled);
  reader.GetBool("map_authors", &smart_commits->map_authors);
}

void ApplyTransitions(TableReader& reader, TransitionSettings* transitions) {
  reader.CheckKnownKeys(kTransitionKeys);
  reader.GetBool("enabled", &transitions->enabled);
  if (std::string mode; reader.GetString("mode", &mode)) {
    if (mode == "done") {
      transitions->mode = TransitionMode::kDone;
    } else if (mode == "custom") {
      transitions->mode = TransitionMode::kCustom;
    } else {
      reader.ErrorAtValue("mode", "mode must be \"done\" or \"custom\", got \"" + mode + "\"");
    }
  }
  if (std::string ids; reader.GetString("ids", &ids)) {
    std::vector<std::string> id_list;
    bool documented = true;
    if (ParseTransitionIds(ids, &id_list, &documented)) {
      if (!documented) {
        std::string read;
        for (const std::string& id : id_list) read += (read.empty() ? "" : ", ") + id;
        reader.WarningAtValue("ids", "ids \"" + ids + "\" was read as " + read +
                                         " (as GitLab reads it: every run of digits is an ID); "
                                         "write \"" +
                                         read + "\" to say so");
      }
      transitions->ids = ids;
      transitions->id_list = std::move(id_list);
    } else {
      reader.ErrorAtValue("ids",
                          "transition IDs must be a list of numbers that can be split "
                          "with , or ; (e.g. \"11, 21\"), got \"" +
                              ids + "\"");
    }
  }
}

void ApplyGit(TableReader& reader, GitSettings* git) {
  static constexpr std::string_view kCommitPlaceholders[] = {"{repo}", "{sha}"};
  static constexpr std::string_view kBranchPlaceholders[] = {"{repo}", "{branch}"};
  static constexpr std::string_view kRepoPlaceholders[] = {"{repo}"};
  reader.CheckKnownKeys(kGitKeys);
  GetPath(reader, "root", &git->root);
  GetTemplate(reader, "commit_url", "{sha}", kCommitPlaceholders, &git->commit_url);
  GetTemplate(reader, "branch_url", "{branch}", kBranchPlaceholders, &git->branch_url);
  GetTemplate(reader, "repo_url", "", kRepoPlaceholders, &git->repo_url);
  reader.GetString("default_branch", &git->default_branch);
  reader.GetPositiveInt("max_commits_per_push", &git->max_commits_per_push);
}

// [state] outbox and its password: one outbox per host, so the top level only.
void ApplyOutbox(TableReader& reader, StateSettings* state) {
  static constexpr std::string_view kOutboxKeys[] = {"outbox", "outbox_password_file",
                                                     "outbox_password_env", "maildrop"};
  if (reader.context().rank > 0) {
    for (std::string_view key : kOutboxKeys) {
      if (reader.Has(key)) {
        reader.ErrorAtKey(key, std::string(key) +
                                   " can only be set in the top-level [state] table: every "
                                   "repository of a host shares one outbox");
      }
    }
    return;
  }
  if (std::string outbox; reader.GetString("outbox", &outbox)) {
    if (outbox.empty()) {
      reader.ErrorAtValue("outbox", "outbox is empty; leave it out to use <dir>/outbox.sqlite3");
    } else if (IsPostgresUri(outbox)) {
      if (outbox.find_first_of(" \t\r\n") != std::string::npos) {
        reader.ErrorAtValue("outbox", "outbox URI contains white space; percent-encode it (%20)");
      } else if (outbox.find("://", 0) + 3 == outbox.size()) {
        reader.ErrorAtValue("outbox",
                            "outbox URI names no server: e.g. "
                            "\"postgresql://jiralink@db.example.com/jiralink\"");
      } else {
        if (PostgresUriHasPassword(outbox)) {
          reader.WarningAtValue("outbox",
                                "outbox URI contains a password; set outbox_password_file or "
                                "outbox_password_env instead, so that it stays out of this file");
        }
        state->outbox = outbox;
      }
    } else if (outbox.find("://") != std::string::npos) {
      reader.ErrorAtValue("outbox",
                          "outbox must be a postgresql:// URI or an SQLite file path, got \"" +
                              outbox.substr(0, outbox.find("://") + 3) + "...\"");
    } else {
      GetPath(reader, "outbox", &state->outbox);
    }
  }
  GetSecretSource(reader, {.file = "outbox_password_file", .env = "outbox_password_env"},
                  {.source = &state->outbox_password_source,
                   .file = &state->outbox_password_file,
                   .env = &state->outbox_password_env});
}

void ApplyState(TableReader& reader, StateSettings* state) {
  reader.CheckKnownKeys(kStateKeys);
  if (std::string dir; GetPath(reader, "dir", &dir)) {
    if (dir.empty()) {
      reader.ErrorAtValue("dir", "dir is empty; leave it out to use the default");
    } else {
      state->dir = dir;
    }
  }
  ApplyOutbox(reader, state);
  if (std::string maildrop; reader.context().rank == 0 && GetPath(reader, "maildrop", &maildrop)) {
    if (maildrop.empty()) {
      reader.ErrorAtValue(
          "maildrop", "maildrop is empty; leave it out to use " + std::string(kDefaultMaildrop));
    } else {
      state->maildrop = maildrop;
    }
  }
}

// [render] cache: true, false, or the URL of a shared Redis cache.
void GetRenderCache(TableReader& reader, RenderSettings* render) {
  const toml::node_type type = reader.TypeOf("cache");
  if (type == toml::node_type::none) return;
  if (type == toml::node_type::boolean) {
    if (reader.GetBool("cache", &render->cache)) {
      render->redis = false;
      render->redis_url = RedisUrl{};
    }
    return;
  }
  std::string text;
  if (type != toml::node_type::string || !reader.GetString("cache", &text)) {
    reader.ErrorAtValue("cache",
                        "cache must be true, false, or a Redis URL (\"redis://host:port/db\" or "
                        "\"redis+unix:///path/to/redis.sock\"), got " +
                            std::string(TypeName(type)));
    return;
  }
  RedisUrl url;
  if (std::string problem = ParseRedisUrl(text, &url); !problem.empty()) {
    // The URL may hold a password: it is not quoted back.
    reader.ErrorAtValue("cache", "cache is not a valid Redis URL: " + problem);
    return;
  }
  render->cache = true;
  render->redis = true;
  render->redis_url = std::move(url);
}

// [render] cache_password_file / cache_password_env: the Redis password.
void GetRenderCachePassword(TableReader& reader, RenderSettings* render) {
  const bool has_file = reader.Has("cache_password_file");
  const bool has_env = reader.Has("cache_password_env");
  if ((has_file || has_env) && !(has_file && has_env) && render->redis &&
      !render->redis_url.password.empty()) {
    reader.ErrorAtKey(has_file ? "cache_password_file" : "cache_password_env",
                      "the cache URL already holds a password; set it in one place only");
    return;
  }
  GetSecretSource(reader, {.file = "cache_password_file", .env = "cache_password_env"},
                  {.source = &render->redis_password_source,
                   .file = &render->redis_password_file,
                   .env = &render->redis_password_env});
}

// [render] cache_key_file: the key of the shared cache's MAC.
void GetRenderCacheKey(TableReader& reader, RenderSettings* render) {
  std::string path;
  if (!reader.Has("cache_key_file") || !GetPath(reader, "cache_key_file", &path)) return;
  if (path.empty()) {
    reader.ErrorAtValue("cache_key_file", "cache_key_file is empty");
    return;
  }
  render->cache_key_file = path;
  if (!reader.context().check_files) return;
  std::string key;
  if (Status status = ResolveRenderCacheKey(*render, &key); !status.ok()) {
    reader.ErrorAtValue("cache_key_file", status.message());
  } else if (struct stat st{}; ::stat(path.c_str(), &st) == 0 && (st.st_mode & S_IROTH) != 0) {
    // Group-readable is expected: the web server's group renders.
    reader.WarningAtValue("cache_key_file",
                          "cache_key_file \"" + path + "\" is readable by others (mode " +
                              OctalMode(st.st_mode & 07777) +
                              "); whoever holds the key can forge cached pages: run chmod o-r " +
                              path);
  }
}

void ApplyRender(TableReader& reader, RenderSettings* render) {
  reader.CheckKnownKeys(kRenderKeys);
  reader.GetPositiveInt64("max_bytes", &render->max_bytes);
  GetRenderCache(reader, render);
  GetRenderCachePassword(reader, render);
  GetRenderCacheKey(reader, render);
  reader.GetPositiveInt64("cache_max_mb", &render->cache_max_mb);
  reader.GetBool("hardbreaks", &render->hardbreaks);
}

void ApplyDelivery(TableReader& reader, DeliverySettings* delivery) {
  reader.CheckKnownKeys(kDeliveryKeys);
  reader.GetPositiveInt("max_attempts", &delivery->max_attempts);
  reader.GetPositiveInt("max_age_hours", &delivery->max_age_hours);
  reader.GetPositiveInt("backoff_cap_seconds", &delivery->backoff_cap_seconds);
  reader.GetPositiveInt("lease_seconds", &delivery->lease_seconds);
  reader.GetPositiveInt("pause_seconds", &delivery->pause_seconds);
  reader.GetPositiveInt("keep_done_days", &delivery->keep_done_days);
  reader.GetPositiveInt("requests_per_second", &delivery->requests_per_second);
}

void ApplyIssues(TableReader& reader, IssuesSettings* issues) {
  reader.CheckKnownKeys(kIssuesKeys);
  if (reader.GetBool("enabled", &issues->enabled)) issues->enabled_set = true;
  reader.GetNonNegativeInt("cache_seconds", &issues->cache_seconds);
  if (std::vector<std::string> viewers; reader.GetStringArray("viewers", &viewers)) {
    bool valid = true;
    if (viewers.size() > kMaxViewers) {
      reader.ErrorAtValue("viewers", "viewers holds " + std::to_string(viewers.size()) +
                                         " entries; at most " + std::to_string(kMaxViewers) +
                                         " are allowed (name groups with \"@group\")");
      valid = false;
    }
    for (std::size_t i = 0; valid && i < viewers.size(); ++i) {
      const std::string& viewer = viewers[i];
      std::string_view name = viewer.starts_with('@') ? std::string_view(viewer).substr(1) : viewer;
      bool printable = std::all_of(name.begin(), name.end(), [](char c) {
        return static_cast<unsigned char>(c) >= 0x20 && c != 0x7f && c != ',';
      });
      if (name.empty() || name.size() > kMaxViewerBytes || !printable) {
        reader.ErrorAtElement("viewers", i,
                              "viewers[" + std::to_string(i) + "] must be a user name or " +
                                  "\"@group\" (1 to " + std::to_string(kMaxViewerBytes) +
                                  " bytes, no control character or comma), got \"" + viewer + "\"");
        valid = false;
      }
    }
    if (valid) issues->viewers = std::move(viewers);
  }
  if (std::vector<std::string> entries; reader.GetStringArray("project_keys", &entries)) {
    // As the forge: split on ',', stripped, blanks and repeats dropped. Any
    // other text is kept (and quoted in JQL), with a warning.
    std::vector<std::string> keys = NormalizeProjectKeys(entries);
    if (keys.size() > kMaxProjectKeys) {
      reader.ErrorAtValue("project_keys", "project_keys holds " + std::to_string(keys.size()) +
                                              " keys; at most " + std::to_string(kMaxProjectKeys) +
                                              " are allowed");
      return;
    }
    if (keys != entries) {
      std::string read;
      for (const std::string& key : keys) read += (read.empty() ? "\"" : ", \"") + key + "\"";
      reader.WarningAtValue("project_keys",
                            "project_keys was read as [" + read +
                                "] (entries are split on ',', stripped, and blank or repeated "
                                "ones dropped)");
    }
    for (const std::string& key : keys) {
      if (!IsProjectKey(key)) {
        reader.WarningAtValue("project_keys", "project_keys holds \"" + key +
                                                  "\", which does not look like a Jira project "
                                                  "key (e.g. \"PROJ\"); it is searched for as "
                                                  "written");
      }
    }
    issues->project_keys = std::move(keys);
  }
}

void ApplyVulnerabilities(TableReader& reader, VulnerabilitySettings* vulnerabilities) {
  reader.CheckKnownKeys(kVulnerabilityKeys);
  reader.GetBool("enabled", &vulnerabilities->enabled);
  if (std::string key; reader.GetString("project_key", &key)) {
    if (!key.empty() && !IsProjectKey(key)) {
      reader.ErrorAtValue("project_key",
                          "project_key must be a Jira project key (e.g. "
                          "\"PROJ\"), got \"" +
                              key + "\"");
    } else {
      vulnerabilities->project_key = key;
    }
  }
  if (std::string type; reader.GetString("issue_type", &type)) {
    bool numeric =
        std::all_of(type.begin(), type.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (!type.empty() && !numeric) {
      reader.ErrorAtValue("issue_type",
                          "issue_type must be the numeric id of an issue type "
                          "(see `jiralink issue-types`), e.g. \"10001\", got \"" +
                              type + "\"");
    } else {
      vulnerabilities->issue_type = type;
    }
  }
  reader.GetBool("customize", &vulnerabilities->customize);
}

// "host:port" or "[v6 address]:port" with a port in 1..65535.
bool IsListenAddress(std::string_view listen) {
  std::size_t colon = listen.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  std::string_view host = listen.substr(0, colon);
  std::string_view port = listen.substr(colon + 1);
  if (host.front() == '[' ? host.back() != ']' || host.size() < 3
                          : host.find(':') != std::string_view::npos) {
    return false;
  }
  if (port.empty() || port.size() > 5) return false;
  int number = 0;
  for (char c : port) {
    if (c < '0' || c > '9') return false;
    number = number * 10 + (c - '0');
  }
  return number >= 1 && number <= 65535;
}

// An HTTP header name (RFC 9110 token), as the login settings need one.
bool IsHeaderName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
  });
}

// auth_header, auth_proxies, auth_groups_header (top level).
void ApplyServeLogin(TableReader& reader, ServeSettings* serve) {
  for (std::string_view key : {"auth_header", "auth_groups_header"}) {
    std::string name;
    if (!reader.GetString(key, &name)) continue;
    if (!name.empty() && !IsHeaderName(name)) {
      reader.ErrorAtValue(key,
                          std::string(key) +
                              " must be an HTTP header name (letters, digits, '-' or '_', at most "
                              "64), e.g. \"X-Forwarded-User\", got \"" +
                              name + "\"");
      continue;
    }
    (key == "auth_header" ? serve->auth_header : serve->auth_groups_header) = std::move(name);
  }
  if (std::vector<std::string> proxies; reader.GetStringArray("auth_proxies", &proxies)) {
    bool valid = true;
    if (proxies.size() > kMaxAuthProxies) {
      reader.ErrorAtValue("auth_proxies", "auth_proxies holds " + std::to_string(proxies.size()) +
                                              " entries; at most " +
                                              std::to_string(kMaxAuthProxies) +
                                              " are allowed (use a CIDR range)");
      valid = false;
    }
    for (std::size_t i = 0; valid && i < proxies.size(); ++i) {
      if (AddressRange range; !ParseAddressRange(proxies[i], &range)) {
        reader.ErrorAtElement("auth_proxies", i,
                              "auth_proxies[" + std::to_string(i) +
                                  "] must be an IP address or a CIDR range (e.g. \"127.0.0.1\", "
                                  "\"::1\", \"10.0.0.0/8\"), got \"" +
                                  proxies[i] + "\"");
        valid = false;
      }
    }
    if (valid) serve->auth_proxies = std::move(proxies);
  }
  if (!serve->auth_header.empty() && serve->auth_proxies.empty() && reader.Has("auth_header")) {
    reader.ErrorAtKey("auth_header",
                      "auth_header needs auth_proxies, the addresses of the reverse proxy that "
                      "sets it (e.g. auth_proxies = [\"127.0.0.1\", \"::1\"]); the header is "
                      "never taken from anyone else");
  }
  if (serve->auth_header.empty()) {
    for (std::string_view key : {"auth_proxies", "auth_groups_header"}) {
      bool set =
          key == "auth_proxies" ? !serve->auth_proxies.empty() : !serve->auth_groups_header.empty();
      if (set && reader.Has(key)) {
        reader.WarningAtValue(key, std::string(key) +
                                       " has no effect without auth_header (the header that "
                                       "names the user)");
      }
    }
  }
}

void ApplyServe(TableReader& reader, ServeSettings* serve) {
  reader.CheckKnownKeys(kServeKeys);
  // One service listens: its address and limits belong to the top level.
  if (reader.context().rank > 0) {
    for (std::string_view key : kServeTopLevelKeys) {
      if (reader.Has(key)) {
        reader.ErrorAtKey(key, std::string(key) +
                                   " can only be set in the top-level [serve] table; a group or "
                                   "project may set only secret_file or secret_env");
      }
    }
  } else {
    if (std::string listen; reader.GetString("listen", &listen)) {
      if (IsListenAddress(listen)) {
        serve->listen = listen;
      } else {
        reader.ErrorAtValue("listen",
                            "listen must be \"host:port\" (e.g. \"127.0.0.1:8787\" or "
                            "\"[::1]:8787\"), got \"" +
                                listen + "\"");
      }
    }
    reader.GetPositiveInt64("max_body_bytes", &serve->max_body_bytes);
    reader.GetPositiveInt("timeout_seconds", &serve->timeout_seconds);
    reader.GetBool("web", &serve->web);
    ApplyServeLogin(reader, serve);
  }
  if (reader.Has("secret")) {
    reader.ErrorAtKey("secret",
                      "the webhook secret is never written in the settings file: set "
                      "secret_file (a file only the service can read) or secret_env");
  }
  GetSecretSource(
      reader, {.file = "secret_file", .env = "secret_env"},
      {.source = &serve->secret_source, .file = &serve->secret_file, .env = &serve->secret_env});
}

void ApplyPolicy(TableReader& reader, PolicySettings* policy) {
  reader.CheckKnownKeys(kPolicyKeys);
  if (std::vector<std::string> globs; reader.GetStringArray("require_key", &globs)) {
    bool valid = true;
    for (std::size_t i = 0; i < globs.size(); ++i) {
      if (std::string problem = CheckBranchGlob(globs[i]); !problem.empty()) {
        reader.ErrorAtElement("require_key", i,
                              "require_key[" + std::to_string(i) + "] " + problem);
        valid = false;
      }
    }
    if (valid) policy->require_key = std::move(globs);
  }
  if (std::vector<std::string> states; reader.GetStringArray("allowed_states", &states)) {
    for (std::size_t i = 0; i < states.size(); ++i) {
      bool known =
          std::any_of(std::begin(kStatusCategories), std::end(kStatusCategories),
                      [&](std::string_view c) { return EqualsIgnoringAsciiCase(c, states[i]); });
      if (!known) {
        reader.WarningAtElement(
            "allowed_states", i,
            "allowed_states[" + std::to_string(i) + "] is \"" + states[i] +
                "\", which is not a status category every Jira has (\"To Do\", \"In "
                "Progress\", \"Done\", or their keys \"new\", \"indeterminate\", \"done\"); it "
                "is compared with the category name Jira sends, ignoring case");
      }
    }
    policy->allowed_states = std::move(states);
  }
  reader.GetStringArray("exempt_authors", &policy->exempt_authors);
  if (std::string pattern; reader.GetString("exempt_message", &pattern)) {
    if (reader.context().sink != nullptr && !pattern.empty()) {
      RE2::Options options;
      options.set_log_errors(false);
      RE2 compiled(pattern, options);
      if (!compiled.ok()) {
        reader.ErrorAtValue("exempt_message",
                            "exempt_message does not compile in RE2: " + compiled.error());
        pattern.clear();
      }
    }
    policy->exempt_message = pattern;
  }
  if (std::string value; reader.GetString("on_jira_unreachable", &value)) {
    if (value == "allow") {
      policy->on_jira_unreachable = JiraUnreachable::kAllow;
    } else if (value == "reject") {
      policy->on_jira_unreachable = JiraUnreachable::kReject;
    } else {
      reader.ErrorAtValue(
          "on_jira_unreachable",
          "on_jira_unreachable must be \"allow\" or \"reject\", got \"" + value + "\"");
    }
  }
  reader.GetPositiveInt("timeout_ms", &policy->timeout_ms);
  if (std::string value; reader.GetString("on_jiralink_missing", &value)) {
    if (value == "allow") {
      policy->reject_when_jiralink_missing = false;
    } else if (value == "reject") {
      policy->reject_when_jiralink_missing = true;
    } else {
      reader.ErrorAtValue(
          "on_jiralink_missing",
          "on_jiralink_missing must be \"allow\" or \"reject\", got \"" + value + "\"");
    }
  }
}

void ApplyDevinfo(TableReader& reader, DevinfoSettings* devinfo) {
  reader.CheckKnownKeys(kDevinfoKeys);
  reader.GetBool("enabled", &devinfo->enabled);
  if (std::string id; reader.GetString("client_id", &id)) {
    if (id.find_first_of(" \t\r\n") != std::string::npos) {
      reader.ErrorAtValue("client_id",
                          "client_id holds white space; copy the client ID of the OAuth "
                          "credentials exactly (Jira: Settings > Apps > OAuth credentials)");
    } else {
      devinfo->client_id = std::move(id);
    }
  }
  if (reader.Has("client_secret")) {
    reader.ErrorAtKey("client_secret",
                      "the OAuth client secret is never written in the settings file: set "
                      "client_secret_file (a file only jiralink's users can read) or "
                      "client_secret_env");
  }
  GetSecretSource(reader, {.file = "client_secret_file", .env = "client_secret_env"},
                  {.source = &devinfo->client_secret_source,
                   .file = &devinfo->client_secret_file,
                   .env = &devinfo->client_secret_env});
  if (std::string url; reader.GetString("api_url", &url)) {
    if (url.empty()) {
      reader.ErrorAtValue("api_url", "api_url is empty; leave it out to use Atlassian's gateway, " +
                                         std::string(kAtlassianApiGatewayUrl));
    } else if (std::string problem = CheckSiteUrl(url); !problem.empty()) {
      reader.ErrorAtValue("api_url", "api_url " + problem);
    } else {
      devinfo->api_url = TrimTrailingSlashes(url);
    }
  }
}

void ApplyTable(std::string_view name, TableReader& reader, Settings* settings) {
  if (name == "policy") return ApplyPolicy(reader, &settings->policy);
  if (name == "jira") return ApplyJira(reader, &settings->jira);
  if (name == "matching") return ApplyMatching(reader, &settings->matching);
  if (name == "comments") return ApplyComments(reader, &settings->comments);
  if (name == "triggers") return ApplyTriggers(reader, &settings->triggers);
  if (name == "transitions") return ApplyTransitions(reader, &settings->transitions);
  if (name == "git") return ApplyGit(reader, &settings->git);
  if (name == "state") return ApplyState(reader, &settings->state);
  if (name == "render") return ApplyRender(reader, &settings->render);
  if (name == "delivery") return ApplyDelivery(reader, &settings->delivery);
  if (name == "issues") return ApplyIssues(reader, &settings->issues);
  if (name == "vulnerabilities") return ApplyVulnerabilities(reader, &settings->vulnerabilities);
  if (name == "serve") return ApplyServe(reader, &settings->serve);
  if (name == "smart_commits") return ApplySmartCommits(reader, &settings->smart_commits);
  if (name == "devinfo") return ApplyDevinfo(reader, &settings->devinfo);
}

// The table that knows `key`, for "did you mean [jira] web_url?".
std::string_view TableOwningKey(std::string_view key) {
  for (const TableKeys& entry : kKeysOfTables) {
    if (std::find(entry.keys.begin(), entry.keys.end(), key) != entry.keys.end()) {
      return entry.table;
    }
  }
  return {};
}

void ReportUnknownTable(const toml::key& key, const toml::node& value,
                        std::string_view display_prefix,
                        std::span<const std::string_view> extra_tables, DiagnosticSink& sink) {
  std::string_view name = key.str();
  if (!value.is_table()) {
    std::string where =
        display_prefix.empty()
            ? std::string("at the top level")
            : "in [" + std::string(display_prefix.substr(0, display_prefix.size() - 1)) + "]";
    std::string message = "unknown key '" + std::string(name) + "' " + where;
    if (std::string_view table = TableOwningKey(name); !table.empty()) {
      message += "; it belongs in a table: did you mean [" + std::string(display_prefix) +
                 std::string(table) + "] " + std::string(name) + "?";
    }
    sink.Error(key.source(), std::move(message));
    return;
  }
  std::vector<std::string_view> candidates(kTableNames.begin(), kTableNames.end());
  candidates.insert(candidates.end(), extra_tables.begin(), extra_tables.end());
  std::string message = "unknown table [" + std::string(display_prefix) + std::string(name) + "]";
  if (std::string nearest = NearestName(name, candidates); !nearest.empty()) {
    message += "; did you mean [" + std::string(display_prefix) + nearest + "]?";
  }
  sink.Error(key.source(), std::move(message));
}

}  // namespace

std::span<const std::string_view> SettingsTableNames() { return kTableNames; }

void ApplyLayer(const toml::table& layer, std::string_view display_prefix,
                std::span<const std::string_view> extra_tables, ApplyContext& context,
                Settings* settings) {
  for (const auto& [key, value] : layer) {
    std::string_view name = key.str();
    bool is_settings_table =
        std::find(kTableNames.begin(), kTableNames.end(), name) != kTableNames.end();
    if (!is_settings_table) {
      bool is_extra =
          std::find(extra_tables.begin(), extra_tables.end(), name) != extra_tables.end();
      if (!is_extra && context.sink != nullptr) {
        ReportUnknownTable(key, value, display_prefix, extra_tables, *context.sink);
      }
      continue;
    }
    std::string display = "[" + std::string(display_prefix) + std::string(name) + "]";
    if (!value.is_table()) {
      if (context.sink != nullptr) {
        context.sink->Error(
            key.source(), display + " must be a table, got " + std::string(TypeName(value.type())));
      }
      continue;
    }
    TableReader reader(*value.as_table(), std::string(name), display, context);
    ApplyTable(name, reader, settings);
  }
}

std::vector<std::pair<std::string_view, std::string_view>> Config::Keys() {
  std::vector<std::pair<std::string_view, std::string_view>> keys;
  for (const TableKeys& table : kKeysOfTables) {
    for (std::string_view key : table.keys) {
      // Known only to be refused with its reason: not a key one may set.
      if ((table.table == "serve" && key == "secret") ||
          (table.table == "devinfo" && key == "client_secret")) {
        continue;
      }
      keys.emplace_back(table.table, key);
    }
  }
  return keys;
}

}  // namespace jiralink::config
