// jiralink issues list|show: dispatch, and the helpers the issue commands share.
#include <cstdio>
#include <string>
#include <vector>

#include "common.h"
#include "issues_commands.h"

namespace jiralink::cli {
int RunIssues(Context& ctx, int argc, char** argv) {
  return RunSubcommands(ctx, argc, argv, "Jira issues of the configured projects.",
                        {{"list", RunIssuesList, "list issues with filters, a page at a time"},
                         {"show", RunIssuesShow, "one issue: fields, description, comments"}});
}

bool LoadSettingsFor(const Context& ctx, const std::string& repo, config::Settings* out) {
  config::Config config;
  if (!LoadConfig(ctx, &config)) return false;
  *out = config.ForRepo(repo);
  return true;
}

}  // namespace jiralink::cli
