// Config::Describe: the effective settings as TOML, with the token hidden
// and, when asked, the layer each value came from.
#include <cstdio>
#include <sstream>

#include "jiralink/config/loader.h"
#include "jiralink/core/postgres_uri.h"
#include "toml_string.h"

namespace jiralink::config {
namespace {

std::string Bool(bool value) { return value ? "true" : "false"; }

std::string TomlStringArray(const std::vector<std::string>& list) {
  std::string text = "[";
  for (std::size_t i = 0; i < list.size(); ++i) text += (i == 0 ? "" : ", ") + TomlString(list[i]);
  return text + "]";
}

// Writes "key = value" lines, each followed by where its value came from.
class Writer {
 public:
  explicit Writer(const ValueSources* sources) : sources_(sources) {}

  void Table(std::string_view name) {
    if (out_.tellp() > 0) out_ << "\n";
    out_ << "[" << name << "]\n";
    table_ = name;
  }

  // `derived` says how an unset value is filled in ("" = the default).
  void Line(std::string_view key, const std::string& value, std::string_view derived = {}) {
    out_ << key << " = " << value;
    if (sources_ != nullptr) {
      auto it = sources_->find(std::string(table_) + "." + std::string(key));
      if (it != sources_->end()) {
        out_ << "  # " << it->second;
      } else {
        out_ << "  # " << (derived.empty() ? std::string_view("default") : derived);
      }
    }
    out_ << "\n";
  }

  void Comment(std::string_view text) { out_ << "# " << text << "\n"; }

  std::string str() const { return out_.str(); }

 private:
  const ValueSources* sources_;
  std::ostringstream out_;
  std::string_view table_;
};

}  // namespace

std::string Config::Describe(const Settings& s, const ValueSources* sources) {
  Writer out(sources);
  const JiraSettings& jira = s.jira;
  out.Table("jira");
  out.Line("web_url", TomlString(jira.web_url));
  out.Line("api_url", TomlString(jira.api_url), jira.web_url.empty() ? "" : "follows web_url");
  out.Line("auth", jira.auth == AuthMode::kPat ? "\"pat\"" : "\"basic\"");
  out.Line("username", TomlString(jira.username));
  switch (jira.token_source) {
    case TokenSource::kNone:
      out.Comment("no token source: set one of token, token_file or token_env");
      break;
    case TokenSource::kInline:
      out.Line("token", "\"<redacted>\"");
      break;
    case TokenSource::kFile:
      out.Line("token_file", TomlString(jira.token_file));
      break;
    case TokenSource::kEnv:
      out.Line("token_env", TomlString(jira.token_env));
      break;
  }
  out.Line("timeout_seconds", std::to_string(jira.timeout_seconds));
  out.Line("connect_timeout_seconds", std::to_string(jira.connect_timeout_seconds));
  out.Line("ca_file", TomlString(jira.ca_file));
  out.Line("verify_tls", Bool(jira.verify_tls));
  if (sources != nullptr) {
    out.Comment(std::string("Jira ") + (jira.cloud ? "Cloud" : "Server or Data Center") +
                " (derived from the URLs)");
  }

  out.Table("matching");
  out.Line("regex", TomlString(s.matching.regex));
  out.Line("prefix", TomlString(s.matching.prefix));

  out.Table("comments");
  out.Line("enabled", Bool(s.comments.enabled));
  out.Line("detail", s.comments.detail == CommentDetailLevel::kAllDetails ? "\"all_details\""
                                                                          : "\"standard\"");

  out.Table("transitions");
  out.Line("enabled", Bool(s.transitions.enabled));
  out.Line("mode", s.transitions.mode == TransitionMode::kCustom ? "\"custom\"" : "\"done\"");
  out.Line("ids", TomlString(s.transitions.ids));

  out.Table("git");
  out.Line("root", TomlString(s.git.root));
  out.Line("commit_url", TomlString(s.git.commit_url));
  out.Line("branch_url", TomlString(s.git.branch_url));
  out.Line("repo_url", TomlString(s.git.repo_url));
  out.Line("default_branch", TomlString(s.git.default_branch));
  out.Line("max_commits_per_push", std::to_string(s.git.max_commits_per_push));

  out.Table("state");
  out.Line("dir", TomlString(s.state.dir),
           "default (/var/lib/jiralink when it exists, else $XDG_STATE_HOME or ~/.local/state)");
  if (s.state.outbox.empty()) {
    out.Comment("outbox: " + SqliteOutboxPath(s.state) + " (SQLite, the default)");
  } else if (IsPostgresUri(s.state.outbox)) {
    // Never the password, nor the user: the URI as RedactPostgresUri shows it.
    out.Line("outbox", TomlString(RedactPostgresUri(s.state.outbox)),
             "PostgreSQL; user and password not shown");
  } else {
    out.Line("outbox", TomlString(s.state.outbox));
  }
  out.Line("maildrop", TomlString(s.state.maildrop));
  if (s.state.outbox_password_source == TokenSource::kFile) {
    out.Line("outbox_password_file", TomlString(s.state.outbox_password_file));
  } else if (s.state.outbox_password_source == TokenSource::kEnv) {
    out.Line("outbox_password_env", TomlString(s.state.outbox_password_env));
  }

  out.Table("render");
  out.Line("max_bytes", std::to_string(s.render.max_bytes));
  // A Redis URL is shown without its user and password.
  out.Line("cache", s.render.redis ? TomlString(RedisUrlForDisplay(s.render.redis_url))
                                   : Bool(s.render.cache));
  if (s.render.redis_password_source == TokenSource::kFile) {
    out.Line("cache_password_file", TomlString(s.render.redis_password_file));
  } else if (s.render.redis_password_source == TokenSource::kEnv) {
    out.Line("cache_password_env", TomlString(s.render.redis_password_env));
  }
  if (!s.render.cache_key_file.empty()) {
    out.Line("cache_key_file", TomlString(s.render.cache_key_file));
  }
  out.Line("cache_max_mb", std::to_string(s.render.cache_max_mb));
  out.Line("hardbreaks", Bool(s.render.hardbreaks));

  out.Table("delivery");
  out.Line("max_attempts", std::to_string(s.delivery.max_attempts));
  out.Line("max_age_hours", std::to_string(s.delivery.max_age_hours));
  out.Line("backoff_cap_seconds", std::to_string(s.delivery.backoff_cap_seconds));
  out.Line("lease_seconds", std::to_string(s.delivery.lease_seconds));
  out.Line("pause_seconds", std::to_string(s.delivery.pause_seconds));
  out.Line("keep_done_days", std::to_string(s.delivery.keep_done_days));
  if (s.delivery.requests_per_second > 0) {
    out.Line("requests_per_second", std::to_string(s.delivery.requests_per_second));
  } else {
    out.Comment("requests_per_second: no limit (set one to share a budget across the fleet)");
  }

  out.Table("issues");
  out.Line("enabled", Bool(s.issues.enabled));
  out.Line("project_keys", TomlStringArray(s.issues.project_keys));
  out.Line("cache_seconds", std::to_string(s.issues.cache_seconds));
  out.Line("viewers", TomlStringArray(s.issues.viewers));

  out.Table("vulnerabilities");
  out.Line("enabled", Bool(s.vulnerabilities.enabled));
  out.Line("project_key", TomlString(s.vulnerabilities.project_key));
  out.Line("issue_type", TomlString(s.vulnerabilities.issue_type));
  out.Line("customize", Bool(s.vulnerabilities.customize));

  out.Table("serve");
  out.Line("listen", TomlString(s.serve.listen));
  out.Line("max_body_bytes", std::to_string(s.serve.max_body_bytes));
  out.Line("timeout_seconds", std::to_string(s.serve.timeout_seconds));
  out.Line("web", Bool(s.serve.web));
  out.Line("auth_header", TomlString(s.serve.auth_header));
  out.Line("auth_proxies", TomlStringArray(s.serve.auth_proxies));
  out.Line("auth_groups_header", TomlString(s.serve.auth_groups_header));
  if (s.serve.auth_header.empty()) {
    out.Comment("no login: the pages are served only on a loopback listen address");
  }
  switch (s.serve.secret_source) {
    case TokenSource::kFile:
      out.Line("secret_file", TomlString(s.serve.secret_file));
      break;
    case TokenSource::kEnv:
      out.Line("secret_env", TomlString(s.serve.secret_env));
      break;
    case TokenSource::kNone:
    case TokenSource::kInline:
      out.Comment("no webhook secret: set secret_file or secret_env");
      break;
  }

  out.Table("triggers");
  out.Line("commit", Bool(s.triggers.commit));
  out.Line("merge_request", Bool(s.triggers.merge_request));

  out.Table("smart_commits");
  out.Line("enabled", Bool(s.smart_commits.enabled));
  out.Line("map_authors", Bool(s.smart_commits.map_authors));

  out.Table("policy");
  out.Line("require_key", TomlStringArray(s.policy.require_key));
  out.Line("allowed_states", TomlStringArray(s.policy.allowed_states));
  out.Line("exempt_authors", TomlStringArray(s.policy.exempt_authors));
  out.Line("exempt_message", TomlString(s.policy.exempt_message));
  out.Line("on_jira_unreachable",
           s.policy.on_jira_unreachable == JiraUnreachable::kReject ? "\"reject\"" : "\"allow\"");
  out.Line("timeout_ms", std::to_string(s.policy.timeout_ms));
  out.Line("on_jiralink_missing",
           s.policy.reject_when_jiralink_missing ? "\"reject\"" : "\"allow\"");

  out.Table("devinfo");
  out.Line("enabled", Bool(s.devinfo.enabled));
  out.Line("client_id", TomlString(s.devinfo.client_id));
  switch (s.devinfo.client_secret_source) {
    case TokenSource::kFile:
      out.Line("client_secret_file", TomlString(s.devinfo.client_secret_file));
      break;
    case TokenSource::kEnv:
      out.Line("client_secret_env", TomlString(s.devinfo.client_secret_env));
      break;
    case TokenSource::kNone:
    case TokenSource::kInline:
      out.Comment("no client secret: set client_secret_file or client_secret_env");
      break;
  }
  out.Line("api_url", TomlString(s.devinfo.api_url));
  return out.str();
}

}  // namespace jiralink::config
