// jiralink config check [--repo PATH]: validate the settings file and print
// the effective settings for one repository, with the token hidden and the
// layer each value came from, plus warnings about an unsafe Jira connection.
#include <cstdio>
#include <string>
#include <vector>

#include "commands.h"
#include "common.h"
#include "jiralink/config/loader.h"

namespace jiralink::cli {
namespace {

// Whether the Jira commands could run with these settings, in one line.
std::string ApiReadiness(const config::JiraSettings& jira) {
  Status status = config::RequireApiSettings(jira);
  std::string token;
  if (status.ok()) status = config::ResolveToken(jira, &token);
  return status.ok() ? "ready" : "not usable here: " + status.message();
}

}  // namespace

int RunConfig(Context& ctx, int argc, char** argv) {
  CLI::App app{"Check the jiralink settings file.", argv[0]};
  AddConfigOption(app, ctx);
  app.require_subcommand(1);
  std::string repo;
  CLI::App* check = app.add_subcommand(
      "check", "print the effective settings for a repository; exit 2 on any error");
  check->add_option("--repo", repo,
                    "repository path (platform/api) or its directory under [git] root");
  AddConfigOption(*check, ctx);
  if (int code = ParseOrExit(app, argc, argv); code >= 0) return code;

  config::LoadOptions options;
  options.explicit_path = ctx.config_path;
  config::Config settings_file;
  std::vector<config::Diagnostic> diagnostics;
  Status status = config::Config::Load(options, &settings_file, &diagnostics);
  for (const config::Diagnostic& d : diagnostics) {
    std::fprintf(stderr, "%s\n", d.ToString().c_str());
  }
  for (const config::Diagnostic& d : settings_file.site_diagnostics()) {
    std::fprintf(stderr, "%s\n", d.ToString().c_str());
  }
  if (!status.ok()) {
    // A missing or unreadable file is said by its diagnostic; errors inside
    // the file get a count.
    if (diagnostics.empty() || status.code() == Status::Code::kInvalidArgument) {
      std::fprintf(stderr, "jiralink config check: %s\n", status.message().c_str());
    }
    return 2;
  }

  config::ValueSources sources;
  config::Settings settings = settings_file.ForRepo(repo, &sources);
  if (settings_file.path().empty()) {
    std::printf("# no file: built-in defaults\n");
  } else {
    std::printf("# file: %s\n", settings_file.path().c_str());
  }
  std::string name = config::RepositoryName(repo, settings_file.ForRepo("").git.root);
  std::printf("# repository: %s\n", name.empty() ? "(instance defaults)" : name.c_str());
  std::printf("# Jira API: %s\n", ApiReadiness(settings.jira).c_str());
  std::printf("# each value's comment names the layer it came from\n\n");
  std::fputs(config::Config::Describe(settings, &sources).c_str(), stdout);
  return 0;
}

}  // namespace jiralink::cli
