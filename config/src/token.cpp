// The Jira credentials: is the API usable, and reading the token.
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string_view>

#include "jiralink/config/loader.h"
#include "jiralink/core/postgres_uri.h"

namespace jiralink::config {
namespace {

constexpr const char* kNoToken = "no token: set one of [jira] token, token_file or token_env";

// Reads a secret from the file named by `setting` ("[jira] token_file").
Status ReadSecretFile(const std::string& path, std::string_view setting, std::string* token) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Status::PermissionDenied(std::string(setting) + " \"" + path +
                                    "\" cannot be read: " + std::strerror(errno));
  }
  std::ostringstream text;
  text << in.rdbuf();
  std::string value = text.str();
  // Editors and `echo` add a final newline; it is never part of a token.
  while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.pop_back();
  if (value.empty()) {
    return Status::InvalidArgument(std::string(setting) + " \"" + path + "\" is empty");
  }
  if (value.find_first_not_of(" \t\r\n\v\f") == std::string::npos) {
    return Status::InvalidArgument(std::string(setting) + " \"" + path +
                                   "\" holds only whitespace");
  }
  *token = std::move(value);
  return Status::Ok();
}

}  // namespace

Status RequireApiSettings(const JiraSettings& jira) {
  if (jira.web_url.empty()) {
    return Status::InvalidArgument(
        "[jira] web_url is not set (e.g. web_url = "
        "\"https://example.atlassian.net\")");
  }
  if (jira.token_source == TokenSource::kNone) return Status::InvalidArgument(kNoToken);
  if (jira.auth == AuthMode::kBasic && jira.username.empty()) {
    return Status::InvalidArgument(
        "[jira] username is not set: auth = \"basic\" needs the account's email (Cloud) or "
        "user name (Server); or use auth = \"pat\" on Jira Server/Data Center");
  }
  return Status::Ok();
}

Status ResolveToken(const JiraSettings& jira, std::string* token) {
  if (jira.auth == AuthMode::kBasic && jira.username.empty() &&
      jira.token_source != TokenSource::kNone) {
    return Status::InvalidArgument("[jira] username is not set: auth = \"basic\" needs one");
  }
  switch (jira.token_source) {
    case TokenSource::kNone:
      return Status::InvalidArgument(kNoToken);
    case TokenSource::kInline:
      if (jira.token.empty()) return Status::InvalidArgument("[jira] token is empty");
      *token = jira.token;
      return Status::Ok();
    case TokenSource::kFile:
      return ReadSecretFile(jira.token_file, "[jira] token_file", token);
    case TokenSource::kEnv: {
      const char* value = std::getenv(jira.token_env.c_str());
      if (value == nullptr) {
        return Status::InvalidArgument("environment variable " + jira.token_env +
                                       " (named by [jira] token_env) is not set");
      }
      if (*value == '\0') {
        return Status::InvalidArgument("environment variable " + jira.token_env +
                                       " (named by [jira] token_env) is empty");
      }
      *token = value;
      return Status::Ok();
    }
  }
  return Status::Internal("unknown token source");
}

Status ResolveWebhookSecret(const ServeSettings& serve, std::string* secret) {
  switch (serve.secret_source) {
    case TokenSource::kFile:
      return ReadSecretFile(serve.secret_file, "[serve] secret_file", secret);
    case TokenSource::kEnv: {
      const char* value = std::getenv(serve.secret_env.c_str());
      if (value == nullptr || *value == '\0') {
        return Status::InvalidArgument("environment variable " + serve.secret_env +
                                       " (named by [serve] secret_env) is " +
                                       (value == nullptr ? "not set" : "empty"));
      }
      *secret = value;
      return Status::Ok();
    }
    case TokenSource::kNone:
    case TokenSource::kInline:
      break;
  }
  return Status::NotFound("no webhook secret: set [serve] secret_file or secret_env");
}

namespace {

// A password named by a `*_password_file` or `*_password_env` setting
// (`file_setting` and `env_setting` name them in messages). *password is
// empty when neither is set. Never puts the password in a message.
Status ResolveNamedPassword(TokenSource source, const std::string& file, const std::string& env,
                            const char* file_setting, const char* env_setting,
                            std::string* password) {
  password->clear();
  switch (source) {
    case TokenSource::kFile:
      return ReadSecretFile(file, file_setting, password);
    case TokenSource::kEnv: {
      const char* value = std::getenv(env.c_str());
      if (value == nullptr || *value == '\0') {
        return Status::InvalidArgument("environment variable " + env + " (named by " + env_setting +
                                       ") is " + (value == nullptr ? "not set" : "empty"));
      }
      *password = value;
      return Status::Ok();
    }
    case TokenSource::kNone:
    case TokenSource::kInline:
      break;
  }
  return Status::Ok();
}

}  // namespace

Status ResolveRenderCachePassword(const RenderSettings& render, std::string* password) {
  if (!render.redis_url.password.empty()) {
    *password = render.redis_url.password;
    return Status::Ok();
  }
  return ResolveNamedPassword(render.redis_password_source, render.redis_password_file,
                              render.redis_password_env, "[render] cache_password_file",
                              "[render] cache_password_env", password);
}

Status ResolveRenderCacheKey(const RenderSettings& render, std::string* key) {
  key->clear();
  if (render.cache_key_file.empty()) return Status::Ok();
  std::string value;
  Status status = ReadSecretFile(render.cache_key_file, "[render] cache_key_file", &value);
  if (!status.ok()) return status;
  if (value.size() < kMinRenderCacheKeyBytes) {
    return Status::InvalidArgument("[render] cache_key_file \"" + render.cache_key_file +
                                   "\" holds " + std::to_string(value.size()) +
                                   " bytes; at least " + std::to_string(kMinRenderCacheKeyBytes) +
                                   " are needed: make one with openssl rand -hex 32 > " +
                                   render.cache_key_file);
  }
  *key = std::move(value);
  return Status::Ok();
}

Status ResolveOutboxPassword(const StateSettings& state, std::string* password) {
  return ResolveNamedPassword(state.outbox_password_source, state.outbox_password_file,
                              state.outbox_password_env, "[state] outbox_password_file",
                              "[state] outbox_password_env", password);
}

Status ResolveDevinfoClientSecret(const DevinfoSettings& devinfo, std::string* secret) {
  Status status = ResolveNamedPassword(devinfo.client_secret_source, devinfo.client_secret_file,
                                       devinfo.client_secret_env, "[devinfo] client_secret_file",
                                       "[devinfo] client_secret_env", secret);
  if (status.ok() && secret->empty()) {
    return Status::NotFound(
        "no OAuth client secret: set [devinfo] client_secret_file or "
        "client_secret_env");
  }
  return status;
}

std::string SqliteOutboxPath(const StateSettings& state) {
  if (!state.outbox.empty() && !IsPostgresUri(state.outbox)) return state.outbox;
  return (std::filesystem::path(state.dir) / "outbox.sqlite3").string();
}

std::string OutboxRelaySocketPath(const StateSettings& state) {
  return (std::filesystem::path(state.dir) / "outbox.sock").string();
}

}  // namespace jiralink::config
