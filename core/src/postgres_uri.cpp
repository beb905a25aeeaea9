#include "jiralink/core/postgres_uri.h"

namespace jiralink {

namespace {

struct UriParts {
  std::string_view scheme;
  std::string_view userinfo;  // before '@', may be empty
  std::string_view hosts;     // host[:port][,host[:port]...]
  std::string_view path;      // "/dbname" or ""
  std::string_view query;     // after '?', or ""
};

UriParts Split(std::string_view uri) {
  UriParts parts;
  std::size_t scheme_end = uri.find("://");
  if (scheme_end == std::string_view::npos) return parts;
  parts.scheme = uri.substr(0, scheme_end);
  std::string_view rest = uri.substr(scheme_end + 3);
  std::size_t query_at = rest.find('?');
  if (query_at != std::string_view::npos) {
    parts.query = rest.substr(query_at + 1);
    rest = rest.substr(0, query_at);
  }
  std::size_t path_at = rest.find('/');
  std::string_view authority = rest.substr(0, path_at);
  if (path_at != std::string_view::npos) parts.path = rest.substr(path_at);
  std::size_t at = authority.rfind('@');
  if (at != std::string_view::npos) {
    parts.userinfo = authority.substr(0, at);
    authority = authority.substr(at + 1);
  }
  parts.hosts = authority;
  return parts;
}

// Calls `each` with every "name=value" of a query string.
template <typename Each>
void ForEachParameter(std::string_view query, Each each) {
  while (!query.empty()) {
    std::size_t amp = query.find('&');
    each(query.substr(0, amp));
    if (amp == std::string_view::npos) break;
    query = query.substr(amp + 1);
  }
}

}  // namespace

bool IsPostgresUri(std::string_view location) {
  return location.starts_with("postgresql://") || location.starts_with("postgres://");
}

std::string RedactPostgresUri(std::string_view uri) {
  UriParts parts = Split(uri);
  if (parts.scheme.empty()) return "postgresql database";
  std::string out =
      std::string(parts.scheme) + "://" + std::string(parts.hosts) + std::string(parts.path);
  std::string kept;
  ForEachParameter(parts.query, [&kept](std::string_view pair) {
    if (pair.starts_with("host=") || pair.starts_with("port=")) {
      kept += (kept.empty() ? "?" : "&") + std::string(pair);
    }
  });
  return out + kept;
}

bool PostgresUriHasPassword(std::string_view uri) {
  UriParts parts = Split(uri);
  bool found = parts.userinfo.find(':') != std::string_view::npos;
  ForEachParameter(parts.query, [&found](std::string_view pair) {
    found = found || pair.starts_with("password=");
  });
  return found;
}

}  // namespace jiralink
