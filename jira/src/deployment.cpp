// Deployment names and the user agent. Whether a URL names Jira Cloud is
// answered by IsJiraCloudUrl (core/jira_site.h), the one home of that question.
#include <string>

#include "jiralink/core/version.h"
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

const char* UserAgent() {
  static const std::string agent = std::string("jiralink/") + Version();
  return agent.c_str();
}
}  // namespace jiralink::jira
