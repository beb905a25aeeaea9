#include "jiralink/core/redis_url.h"

#include <cstdint>

namespace jiralink {
namespace {

constexpr std::string_view kTcpScheme = "redis://";
constexpr std::string_view kUnixScheme = "redis+unix://";
constexpr int kMaxDb = 1000000;

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decodes `text`; false on a malformed escape.
bool PercentDecode(std::string_view text, std::string* out) {
  out->clear();
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out->push_back(text[i]);
      continue;
    }
    if (i + 2 >= text.size()) return false;
    const int high = HexDigit(text[i + 1]);
    const int low = HexDigit(text[i + 2]);
    if (high < 0 || low < 0) return false;
    out->push_back(static_cast<char>(high * 16 + low));
    i += 2;
  }
  return true;
}

// A decimal number in [min, max]; false otherwise (empty, sign, overflow).
bool ParseNumber(std::string_view text, int min, int max, int* out) {
  if (text.empty() || text.size() > 9) return false;
  std::int64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  if (value < min || value > max) return false;
  *out = static_cast<int>(value);
  return true;
}

// Splits "[user]:password@rest" off `*rest` into user and password.
std::string TakeUserInfo(std::string_view* rest, std::string* user, std::string* password) {
  user->clear();
  password->clear();
  const std::size_t at = rest->rfind('@');
  if (at == std::string_view::npos) return "";
  const std::string_view info = rest->substr(0, at);
  *rest = rest->substr(at + 1);
  const std::size_t colon = info.find(':');
  if (colon == std::string_view::npos) {
    return "the part before '@' must be \":password\" or \"user:password\"";
  }
  if (!PercentDecode(info.substr(0, colon), user) ||
      !PercentDecode(info.substr(colon + 1), password)) {
    return "the user or password has a malformed %-escape";
  }
  if (password->empty()) return "the password before '@' is empty";
  return "";
}

std::string ParseTcp(std::string_view rest, RedisUrl* url) {
  if (std::string problem = TakeUserInfo(&rest, &url->username, &url->password); !problem.empty()) {
    return problem;
  }
  const std::size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  if (slash != std::string_view::npos) {
    const std::string_view db = rest.substr(slash + 1);
    if (!db.empty() && !ParseNumber(db, 0, kMaxDb, &url->db)) {
      return "the database after '/' must be a number from 0 to " + std::to_string(kMaxDb);
    }
  }
  std::string_view port;
  if (authority.starts_with('[')) {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return "an IPv6 address needs a closing ']'";
    url->host = std::string(authority.substr(1, close - 1));
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return "expected ':port' after ']'";
      port = after.substr(1);
      if (port.empty()) return "port must be a number from 1 to 65535";
    }
  } else {
    const std::size_t colon = authority.find(':');
    url->host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port = authority.substr(colon + 1);
      if (port.empty()) return "port must be a number from 1 to 65535";
    }
  }
  if (url->host.empty()) return "the host is missing (e.g. redis://127.0.0.1:6379/0)";
  for (char c : url->host) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '-' || c == ':' || c == '_';
    if (!ok) return "the host may hold only letters, digits, '.', '-', '_' (or an [IPv6] address)";
  }
  if (!port.empty() && !ParseNumber(port, 1, 65535, &url->port)) {
    return "port must be a number from 1 to 65535";
  }
  return "";
}

std::string ParseUnix(std::string_view rest, RedisUrl* url) {
  if (std::string problem = TakeUserInfo(&rest, &url->username, &url->password); !problem.empty()) {
    return problem;
  }
  const std::size_t query = rest.find('?');
  std::string_view path = rest.substr(0, query);
  if (query != std::string_view::npos) {
    std::string_view parameter = rest.substr(query + 1);
    if (!parameter.starts_with("db=") || !ParseNumber(parameter.substr(3), 0, kMaxDb, &url->db)) {
      return "the only query allowed is ?db=N, N a number from 0 to " + std::to_string(kMaxDb);
    }
  }
  if (!path.starts_with('/') || path.size() < 2) {
    return "the socket path must be absolute (e.g. redis+unix:///run/redis/redis.sock)";
  }
  if (!PercentDecode(path, &url->socket_path)) return "the path has a malformed %-escape";
  if (url->socket_path.find('\0') != std::string::npos) return "the path holds a NUL byte";
  return "";
}

}  // namespace

std::string ParseRedisUrl(std::string_view text, RedisUrl* out) {
  RedisUrl url;
  std::string problem;
  if (text.starts_with(kTcpScheme)) {
    problem = ParseTcp(text.substr(kTcpScheme.size()), &url);
  } else if (text.starts_with(kUnixScheme)) {
    problem = ParseUnix(text.substr(kUnixScheme.size()), &url);
  } else {
    problem = "a Redis URL starts with redis:// or redis+unix://";
  }
  if (!problem.empty()) return problem;
  *out = std::move(url);
  return "";
}

std::string RedisUrlForDisplay(const RedisUrl& url) {
  if (!url.socket_path.empty()) {
    return std::string(kUnixScheme) + url.socket_path +
           (url.db != 0 ? "?db=" + std::to_string(url.db) : "");
  }
  const bool v6 = url.host.find(':') != std::string::npos;
  return std::string(kTcpScheme) + (v6 ? "[" + url.host + "]" : url.host) + ":" +
         std::to_string(url.port) + "/" + std::to_string(url.db);
}

}  // namespace jiralink
