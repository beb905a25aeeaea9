#include "url_safety.h"

#include <array>
#include <cctype>

#include "jiralink/renderer/renderer.h"

namespace jiralink::renderer {
namespace {

bool IsIgnoredByBrowsers(unsigned char c) { return c <= 0x20 || c == 0x7f; }

char LowerAscii(unsigned char c) { return static_cast<char>(std::tolower(c)); }

}  // namespace

bool IsDangerousUrl(std::string_view url) {
  std::string scheme;
  for (unsigned char c : url) {
    if (IsIgnoredByBrowsers(c)) continue;
    if (c == ':') break;
    if (!std::isalnum(c) && c != '+' && c != '-' && c != '.') return false;  // no scheme
    if (scheme.size() > 16) return false;
    scheme.push_back(LowerAscii(c));
  }
  return scheme == "javascript" || scheme == "vbscript" || scheme == "data" || scheme == "file";
}

void AppendHtmlEscaped(std::string_view text, std::string* out) {
  for (char c : text) {
    switch (c) {
      case '&':
        out->append("&amp;");
        break;
      case '<':
        out->append("&lt;");
        break;
      case '>':
        out->append("&gt;");
        break;
      case '"':
        out->append("&quot;");
        break;
      case '\'':
        out->append("&#39;");
        break;
      default:
        out->push_back(c);
    }
  }
}

void AppendPercentEncoded(std::string_view key, std::string* out) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  for (unsigned char c : key) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out->push_back(static_cast<char>(c));
    } else {
      out->push_back('%');
      out->push_back(kDigits[c >> 4]);
      out->push_back(kDigits[c & 0xf]);
    }
  }
}

bool IsUsableWebUrl(std::string_view url) {
  std::string lower;
  for (char c : url.substr(0, 8)) lower.push_back(LowerAscii(static_cast<unsigned char>(c)));
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
