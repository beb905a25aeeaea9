#include "url_safety.h"

#include "jiralink/renderer/renderer.h"

namespace jiralink::renderer {
namespace {

bool IsIgnoredByBrowsers(unsigned char c) { return c <= 0x20 || c == 0x7f; }

}  // namespace

bool IsDangerousUrl(std::string_view url) {
  // Long enough for every scheme checked; a longer one is none of them.
  char scheme[12];
  std::size_t length = 0;
  for (unsigned char c : url) {
    if (IsIgnoredByBrowsers(c)) continue;
    if (c == ':') break;
    if (!IsAsciiAlnum(static_cast<char>(c)) && c != '+' && c != '-' && c != '.')
      return false;  // no scheme
    if (length == sizeof scheme) return false;
    scheme[length++] = AsciiLower(static_cast<char>(c));
  }
  const std::string_view name(scheme, length);
  return name == "javascript" || name == "vbscript" || name == "data" || name == "file";
}

bool IsUsableWebUrl(std::string_view url) {
  std::string lower;
  for (char c : url.substr(0, 8)) lower.push_back(AsciiLower(c));
  std::size_t host_start;
  if (lower.rfind("https://", 0) == 0) {
    host_start = 8;
  } else if (lower.rfind("http://", 0) == 0) {
    host_start = 7;
  } else {
    return false;
  }
  if (url.size() <= host_start || url[host_start] == '/') return false;  // no host
  for (unsigned char c : url) {
    if (IsIgnoredByBrowsers(c) || c >= 0x80) return false;
    if (c == '"' || c == '\'' || c == '<' || c == '>' || c == '\\' || c == '`') return false;
  }
  return true;
}

}  // namespace jiralink::renderer
