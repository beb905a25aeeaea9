// jiralink: Jira issues integration for any git server. This file only
// dispatches to the subcommands declared in commands.h.
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

#include "commands.h"
#include "jiralink/core/version.h"

namespace {

using Runner = int (*)(jiralink::cli::Context&, int, char**);

struct Command {
  const char* name;
  Runner run;
  const char* summary;
};

const Command kCommands[] = {
    {"keys", jiralink::cli::RunKeys, "print the Jira keys found in a file or stdin"},
    {"config", jiralink::cli::RunConfig, "check the settings: config check [--repo PATH]"},
    {"render", jiralink::cli::RunRender, "render Markdown to HTML with Jira links"},
    {"cache", jiralink::cli::RunCache, "the render cache: cache invalidate|stats|gc"},
    {"test", jiralink::cli::RunTest, "test the connection to Jira"},
    {"migrate", jiralink::cli::RunMigrate, "move to a new Jira site (Server -> Cloud)"},
    {"hook", jiralink::cli::RunHook, "hook post-receive | hook pre-receive | hook install REPO..."},
    {"deliver", jiralink::cli::RunDeliver, "deliver queued Jira comments, links, transitions"},
    {"queue", jiralink::cli::RunQueue, "the delivery queue: queue list|retry|drop"},
    {"state", jiralink::cli::RunState, "state init: create the outbox or update its schema"},
    {"issues", jiralink::cli::RunIssues, "Jira issues: issues list|show"},
    {"issue-types", jiralink::cli::RunIssueTypes, "issue types of a Jira project"},
    {"vulnerability", jiralink::cli::RunVulnerability, "vulnerability create: file Jira issues"},
    {"serve", jiralink::cli::RunServe,
     "the webhook service for merge requests (GitLab, Gitea, GitHub)"},
};

void PrintUsage(std::FILE* out) {
  std::fprintf(out,
               "usage: jiralink [--config FILE] <command> [options]\n"
               "       jiralink -V|--version\n\ncommands:\n");
  for (const Command& c : kCommands) std::fprintf(out, "  %-14s %s\n", c.name, c.summary);
  std::fprintf(out, "\n`jiralink <command> --help` describes a command's options.\n");
}

}  // namespace

int main(int argc, char** argv) {
  jiralink::cli::Context ctx;
  int i = 1;
  // Global options before the command.
  for (; i < argc && argv[i][0] == '-'; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--config" && i + 1 < argc) {
      ctx.config_path = argv[++i];
    } else if (arg.rfind("--config=", 0) == 0) {
      ctx.config_path = std::string(arg.substr(9));
    } else if (arg == "-V" || arg == "--version") {
      std::printf("jiralink %s\n", jiralink::Version());
      return 0;
    } else if (arg == "-h" || arg == "--help") {
      PrintUsage(stdout);
      return 0;
    } else {
      std::fprintf(stderr, "jiralink: unknown option '%s'\n", argv[i]);
      PrintUsage(stderr);
      return 2;
    }
  }
  if (i >= argc) {
    PrintUsage(stderr);
    return 2;
  }
  std::string_view name = argv[i];
  if (name == "help") {
    PrintUsage(stdout);
    return 0;
  }
  if (name == "version") {
    std::printf("jiralink %s\n", jiralink::Version());
    return 0;
  }
  for (const Command& c : kCommands) {
    if (name == c.name) {
      std::string full = std::string("jiralink ") + c.name;
      argv[i] = full.data();
      return c.run(ctx, argc - i, argv + i);
    }
  }
  std::fprintf(stderr, "jiralink: unknown command '%s'\n", argv[i]);
  PrintUsage(stderr);
  return 2;
}
