// jiralink test: the forge's "Test settings". Calls serverInfo and myself
// with the configured settings and says what answered; with [devinfo]
// enabled, also takes an OAuth token and the site's cloud ID and checks the
// Development information permission, naming what is wrong.
//
//   jiralink test [--json] [--config FILE] [--repo PATH]
#include <cstdio>
#include <string>

#include "common.h"
#include "connection_report.h"
#include "jiralink/jira/connection_test.h"

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
  const config::Settings settings = config.ForRepo(repo);
  std::unique_ptr<jira::Client> client = MakeJiraClient(settings, "jiralink test");
  if (client == nullptr) return 2;
  std::unique_ptr<jira::DevinfoClient> devinfo_client;
  DevinfoOutcome devinfo;
  if (settings.devinfo.enabled) {
    jira::DevinfoOptions options;
    if (Status status = ToDevinfoOptions(settings, &options); !status.ok()) {
      std::fprintf(stderr, "jiralink test: %s\n", status.message().c_str());
      return 2;
    }
    devinfo.api_url = options.api_url;
    devinfo_client = std::make_unique<jira::DevinfoClient>(std::move(options));
  }
  const jira::ConnectionReport report = jira::TestConnection(*client);
  if (devinfo_client != nullptr) {
    // Whether the site is Cloud: serverInfo's answer, else the URLs'.
    const bool server = report.ok ? report.server_info.deployment == jira::Deployment::kServer
                                  : !settings.jira.cloud;
    if (server) {
      devinfo.report.problem = jira::DevinfoProblem::kSite;
      devinfo.report.reason =
          "[devinfo] is enabled, but the site is Jira Server/Data Center, which has no "
          "Development Information API (its Development panel comes from its DVCS connector)";
    } else {
      devinfo.report = jira::TestDevinfo(*devinfo_client);
    }
  }
  return PrintConnectionReport(report, *client, devinfo_client != nullptr ? &devinfo : nullptr,
                               json, "jiralink test");
}

}  // namespace jiralink::cli
