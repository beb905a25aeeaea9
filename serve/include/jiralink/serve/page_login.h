// PageLogin: who is asking for a "View Jira issues" page (issues_pages.h),
// as an authenticating reverse proxy says (Grafana's "auth proxy").
//
// jiralink keeps no accounts. With [serve] auth_header set, a reverse proxy
// in front of `serve` (nginx `auth_request`, oauth2-proxy, Apache, the
// forge's own proxy) logs the visitor in and names them in that header, and
// optionally their groups, comma-separated, in [serve] auth_groups_header.
// The header is believed only on a connection whose peer address (the TCP
// connection's, never X-Forwarded-For) is in [serve] auth_proxies:
//
//   peer not in auth_proxies                 kUntrustedPeer  403
//   peer trusted, no (or an empty) header    kNoUser         401
//   a user or group header that is too long,
//   or holds a control character             kBadHeader      400
//   otherwise                                kViewer (the Viewer is filled)
//
// The answers carry no issue data. Webhooks (signed), /healthz and /metrics
// never ask PageLogin, and neither does the stylesheet.
//
// Without auth_header there is no login: HttpServer then serves the pages
// only when it listens on a loopback address (ListensOnLoopback), and says
// once on stderr that it does not, otherwise.
//
// Which repository's pages a viewer may see is [issues] viewers
// (IssuesPages::Begin, ViewerMayRead below).
//
// Thread-safe (const after construction).
#pragma once

#include <sys/socket.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "jiralink/config/settings.h"

namespace jiralink::serve {

// A logged-in visitor of the pages.
struct Viewer {
  std::string user;
  std::vector<std::string> groups;  // from auth_groups_header; trimmed, no empty ones
};

enum class LoginResult { kViewer, kUntrustedPeer, kNoUser, kBadHeader };

// Bounds of what the proxy's headers may hold.
inline constexpr std::size_t kMaxLoginNameBytes = 256;  // a user, a group
inline constexpr std::size_t kMaxLoginGroups = 256;

class PageLogin {
 public:
  // `serve` as loaded (config/ checked the header names and the ranges).
  explicit PageLogin(const config::ServeSettings& serve);

  // True when auth_header is set.
  bool enabled() const { return !header_.empty(); }
  const std::string& header() const { return header_; }
  const std::string& groups_header() const { return groups_header_; }

  // Decides as the table above. `peer` is the connection's address (null =
  // unknown: untrusted); `user` and `groups` the headers' values, null when
  // absent. Only on kViewer is *viewer written.
  LoginResult Identify(const sockaddr* peer, const char* user, const char* groups,
                       Viewer* viewer) const;

  // The HTTP status of a refusal (401, 403, 400) and its page's title and text.
  static int StatusOf(LoginResult result);
  static std::string TitleOf(LoginResult result);
  static std::string MessageOf(LoginResult result);

 private:
  std::string header_;
  std::string groups_header_;
  std::vector<config::AddressRange> proxies_;
};

// True when `viewers` ([issues] viewers) lets `viewer` read: the list is
// empty, or names viewer->user exactly, or names "@g" for one of its groups.
// A null viewer (no login) may read only where the list is empty.
bool ViewerMayRead(const std::vector<std::string>& viewers, const Viewer* viewer);

// The 16-byte form of an IPv4 or IPv6 socket address (IPv4 as ::ffff:a.b.c.d);
// false for other families.
bool AddressBytes(const sockaddr* address, unsigned char (&out)[16]);

// True when the socket `fd` is bound to a loopback address (127.0.0.0/8, ::1,
// or ::ffff:127.x).
bool ListensOnLoopback(int fd);

}  // namespace jiralink::serve
