#include "jiralink/serve/page_login.h"

#include <netinet/in.h>

#include <algorithm>
#include <cstring>

namespace jiralink::serve {

namespace {

bool HasControlCharacter(std::string_view text) {
  return std::any_of(text.begin(), text.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

}  // namespace

PageLogin::PageLogin(const config::ServeSettings& serve)
    : header_(serve.auth_header), groups_header_(serve.auth_groups_header) {
  for (const std::string& entry : serve.auth_proxies) {
    if (config::AddressRange range; config::ParseAddressRange(entry, &range)) {
      proxies_.push_back(range);
    }
  }
}

LoginResult PageLogin::Identify(const sockaddr* peer, const char* user, const char* groups,
                                Viewer* viewer) const {
  unsigned char address[16];
  if (peer == nullptr || !AddressBytes(peer, address) ||
      std::none_of(proxies_.begin(), proxies_.end(),
                   [&](const config::AddressRange& range) { return range.Contains(address); })) {
    return LoginResult::kUntrustedPeer;
  }
  std::string_view name = Trim(user != nullptr ? std::string_view(user) : std::string_view());
  if (name.empty()) return LoginResult::kNoUser;
  if (name.size() > kMaxLoginNameBytes || HasControlCharacter(name)) {
    return LoginResult::kBadHeader;
  }
  Viewer found;
  found.user = std::string(name);
  if (!groups_header_.empty() && groups != nullptr) {
    std::string_view list = groups;
    if (list.size() > kMaxLoginGroups * (kMaxLoginNameBytes + 1) || HasControlCharacter(list)) {
      return LoginResult::kBadHeader;
    }
    while (!list.empty()) {
      std::size_t comma = list.find(',');
      std::string_view group = Trim(list.substr(0, comma));
      list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
      if (group.empty()) continue;
      if (group.size() > kMaxLoginNameBytes || found.groups.size() >= kMaxLoginGroups) {
        return LoginResult::kBadHeader;
      }
      found.groups.emplace_back(group);
    }
  }
  *viewer = std::move(found);
  return LoginResult::kViewer;
}

int PageLogin::StatusOf(LoginResult result) {
  switch (result) {
    case LoginResult::kUntrustedPeer:
      return 403;
    case LoginResult::kNoUser:
      return 401;
    case LoginResult::kBadHeader:
      return 400;
    case LoginResult::kViewer:
      break;
  }
  return 200;
}

std::string PageLogin::TitleOf(LoginResult result) {
  switch (result) {
    case LoginResult::kUntrustedPeer:
      return "Forbidden";
    case LoginResult::kNoUser:
      return "Log in first";
    case LoginResult::kBadHeader:
      return "Bad request";
    case LoginResult::kViewer:
      break;
  }
  return "";
}

std::string PageLogin::MessageOf(LoginResult result) {
  switch (result) {
    case LoginResult::kUntrustedPeer:
      return "These pages are only served through the site's login. Open them at the address "
             "your administrator gave you.";
    case LoginResult::kNoUser:
      return "You are not logged in. Log in through the site's login and open this page again.";
    case LoginResult::kBadHeader:
      return "The login did not name a valid user or group.";
    case LoginResult::kViewer:
      break;
  }
  return "";
}

bool ViewerMayRead(const std::vector<std::string>& viewers, const Viewer* viewer) {
  if (viewers.empty()) return true;
  if (viewer == nullptr) return false;
  for (const std::string& entry : viewers) {
    if (entry.starts_with('@')) {
      std::string_view group = std::string_view(entry).substr(1);
      if (std::find(viewer->groups.begin(), viewer->groups.end(), group) != viewer->groups.end()) {
        return true;
      }
    } else if (entry == viewer->user) {
      return true;
    }
  }
  return false;
}

bool AddressBytes(const sockaddr* address, unsigned char (&out)[16]) {
  if (address->sa_family == AF_INET) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(address);
    std::memset(out, 0, 10);
    out[10] = 0xff;
    out[11] = 0xff;
    std::memcpy(out + 12, &v4->sin_addr, 4);
    return true;
  }
  if (address->sa_family == AF_INET6) {
    std::memcpy(out, &reinterpret_cast<const sockaddr_in6*>(address)->sin6_addr, 16);
    return true;
  }
  return false;
}

bool ListensOnLoopback(int fd) {
  sockaddr_storage bound{};
  socklen_t length = sizeof bound;
  unsigned char address[16];
  return ::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &length) == 0 &&
         AddressBytes(reinterpret_cast<sockaddr*>(&bound), address) &&
         config::IsLoopbackAddress(address);
}

}  // namespace jiralink::serve
