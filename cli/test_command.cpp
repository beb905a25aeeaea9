// jiralink test: the forge's "Test settings". Calls serverInfo and myself
// with the configured settings and says what answered.
//
//   jiralink test [--json] [--config FILE] [--repo PATH]
#include <cstdio>
#include <string>

#include "common.h"
#include "connection_report.h"

namespace jiralink::cli {

int RunTest(Context& ctx, int argc, char** argv) {
  CLI::App app(
      "Test the connection to Jira: serverInfo and myself, like the forge's "
      "\"Test settings\".",
      argv[0]);
  bool json = false;
  std::string repo;
  app.add_flag("--json", json, "print the result as JSON");
  app.add_option("--repo", repo, "test the settings of this repository (e.g. group/project)");
  AddConfigOption(app, ctx);
  if (int code = ParseOrExit(app, argc, argv); code >= 0) return code;

  config::Config config;
  if (!LoadConfig(ctx, &config)) return 2;
  std::unique_ptr<jira::Client> client = MakeJiraClient(config.ForRepo(repo), "jiralink test");
  if (client == nullptr) return 2;
  return PrintConnectionTest(*client, json, "jiralink test");
}

}  // namespace jiralink::cli
