// AddressRange (settings.h): the `[serve] auth_proxies` entries.
#include <arpa/inet.h>

#include <cstring>
#include <string>

#include "jiralink/config/settings.h"

namespace jiralink::config {

bool AddressRange::Contains(const unsigned char (&peer)[16]) const {
  int bits = prefix_bits;
  for (int i = 0; i < 16 && bits > 0; ++i, bits -= 8) {
    unsigned mask = bits >= 8 ? 0xffu : (0xffu << (8 - bits)) & 0xffu;
    if ((peer[i] & mask) != (address[i] & mask)) return false;
  }
  return true;
}

bool ParseAddressRange(std::string_view text, AddressRange* out) {
  std::size_t slash = text.find('/');
  std::string host(text.substr(0, slash));
  AddressRange range;
  int max_bits = 0;
  in_addr v4{};
  in6_addr v6{};
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) {
    range.address[10] = 0xff;
    range.address[11] = 0xff;
    std::memcpy(range.address + 12, &v4, 4);
    max_bits = 32;
  } else if (inet_pton(AF_INET6, host.c_str(), &v6) == 1) {
    std::memcpy(range.address, &v6, 16);
    max_bits = 128;
  } else {
    return false;
  }
  int bits = max_bits;
  if (slash != std::string_view::npos) {
    std::string_view prefix = text.substr(slash + 1);
    if (prefix.empty() || prefix.size() > 3) return false;
    bits = 0;
    for (char c : prefix) {
      if (c < '0' || c > '9') return false;
      bits = bits * 10 + (c - '0');
    }
    if (bits > max_bits) return false;
  }
  range.prefix_bits = bits + (128 - max_bits);
  *out = range;
  return true;
}

bool IsLoopbackAddress(const unsigned char (&address)[16]) {
  static const AddressRange kLoopback[] = {
      [] {
        AddressRange v4;
        ParseAddressRange("127.0.0.0/8", &v4);
        return v4;
      }(),
      [] {
        AddressRange v6;
        ParseAddressRange("::1", &v6);
        return v6;
      }(),
  };
  for (const AddressRange& range : kLoopback) {
    if (range.Contains(address)) return true;
  }
  return false;
}

bool IsLoopbackListen(std::string_view listen) {
  std::string_view host = listen.substr(0, listen.rfind(':'));
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (host == "localhost") return true;
  AddressRange range;
  return host.find('/') == std::string_view::npos && ParseAddressRange(host, &range) &&
         IsLoopbackAddress(range.address);
}

}  // namespace jiralink::config
