#include "jiralink/core/jira_site.h"

#include <string>

#include "jiralink/core/text.h"

namespace jiralink {
namespace {

bool IsHostCharacter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

}  // namespace

bool IsJiraCloudUrl(std::string_view url) {
  std::size_t start = StartsWithIgnoringAsciiCase(url, "https://")  ? 8
                      : StartsWithIgnoringAsciiCase(url, "http://") ? 7
                                                                    : std::string_view::npos;
  if (start == std::string_view::npos) return false;
  std::string_view authority = url.substr(start);
  authority = authority.substr(0, authority.find_first_of("/?#"));
  if (std::size_t at = authority.rfind('@'); at != std::string_view::npos) {
    authority.remove_prefix(at + 1);
  }
  std::string host = AsciiLowercase(authority.substr(0, authority.find(':')));
  if (!host.empty() && host.back() == '.') host.pop_back();
  constexpr std::string_view kSuffix = ".atlassian.net";
  if (host.size() <= kSuffix.size() || !host.ends_with(kSuffix) || host.front() == '.') {
    return false;
  }
  for (char c : host) {
    if (!IsHostCharacter(c)) return false;
  }
  return true;
}

}  // namespace jiralink
