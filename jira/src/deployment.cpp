#include <cctype>
#include <string>

#include "jiralink/jira/client.h"

namespace jiralink::jira {

const char* DeploymentName(Deployment deployment) {
  switch (deployment) {
    case Deployment::kCloud:
      return "Cloud";
    case Deployment::kServer:
      return "Server";
    case Deployment::kUnknown:
      break;
  }
  return "unknown";
}

const char* UserAgent() { return "jiralink/" JIRALINK_VERSION; }

bool IsCloudUrl(std::string_view url) {
  std::string lower(url);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const std::string scheme = "https://";
  if (lower.rfind(scheme, 0) != 0) return false;
  std::string authority = lower.substr(scheme.size());
  authority = authority.substr(0, authority.find_first_of("/?#"));
  size_t at = authority.rfind('@');
  if (at != std::string::npos) authority = authority.substr(at + 1);
  std::string host = authority.substr(0, authority.find(':'));
  const std::string suffix = ".atlassian.net";
  if (host.size() <= suffix.size()) return false;
  if (host.compare(host.size() - suffix.size(), suffix.size(), suffix) != 0) return false;
  // Only letters, digits, '-' and '.' make a host name.
  for (char c : host) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.') return false;
  }
  return host[0] != '.';
}

}  // namespace jiralink::jira
