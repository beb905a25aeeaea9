// The subcommands of `jiralink`. Each lives in its own file (see
// CMakeLists.txt for the folders, which follow the command tree) and
// parses its own flags; argv[0] is the command's full name ("jiralink keys").
//
// Exit codes, for every command:
//   0  success (also "nothing matched", "nothing to do")
//   1  the operation failed (Jira refused or could not be reached)
//   2  bad usage, bad input or bad settings (the message says what and where)
#pragma once

#include <string>

namespace jiralink::cli {

// Options that apply to every command.
struct Context {
  std::string config_path;  // --config FILE (may also be given after the command)
};

int RunKeys(Context& ctx, int argc, char** argv);     // jiralink keys
int RunConfig(Context& ctx, int argc, char** argv);   // jiralink config check
int RunRender(Context& ctx, int argc, char** argv);   // jiralink render
int RunCache(Context& ctx, int argc, char** argv);    // jiralink cache invalidate|stats|gc
int RunTest(Context& ctx, int argc, char** argv);     // jiralink test
int RunMigrate(Context& ctx, int argc, char** argv);  // jiralink migrate
int RunHook(Context& ctx, int argc,
            char** argv);  // jiralink hook post-receive|pre-receive|install
int RunDeliver(Context& ctx, int argc, char** argv);        // jiralink deliver
int RunQueue(Context& ctx, int argc, char** argv);          // jiralink queue list|retry|drop
int RunIssues(Context& ctx, int argc, char** argv);         // jiralink issues list|show
int RunIssueTypes(Context& ctx, int argc, char** argv);     // jiralink issue-types
int RunVulnerability(Context& ctx, int argc, char** argv);  // jiralink vulnerability create
int RunServe(Context& ctx, int argc, char** argv);          // jiralink serve (runs jiralink-serve)
int RunState(Context& ctx, int argc, char** argv);          // jiralink state init

}  // namespace jiralink::cli
