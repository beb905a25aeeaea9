// The conventions every command follows (cli/main.cpp, cli/common.cpp):
// -V and --version, full help for every command, and flag errors that name
// the program and the command.
#include <gtest/gtest.h>

#include <string>

#include "cli_help.h"
#include "support/test_support.h"

namespace jiralink::testing {
namespace {

ProcessResult Jiralink(const std::vector<std::string>& args) {
  ProcessOptions options;
  options.unset_env = {"JIRALINK_CONFIG"};
  return RunJiralink(args, options);
}

TEST(CommandLineTest, ShortAndLongVersion) {
  ProcessResult short_form = Jiralink({"-V"});
  ProcessResult long_form = Jiralink({"--version"});
  EXPECT_EQ(short_form.exit_code, 0);
  EXPECT_EQ(short_form.out, "jiralink 0.1.0\n");
  EXPECT_EQ(long_form.out, short_form.out);
  EXPECT_EQ(Jiralink({"version"}).out, short_form.out);
}

TEST(CommandLineTest, EveryCommandPrintsFullHelp) {
  for (const std::string& command : Commands()) {
    ProcessResult help = Jiralink({command, "--help"});
    EXPECT_EQ(help.exit_code, 0) << command;
    EXPECT_NE(help.out.find("Usage: jiralink " + command), std::string::npos) << help.out;
    EXPECT_NE(help.out.find("--help"), std::string::npos) << command;
  }
  // issues and vulnerability: their subcommands' options, in the same help.
  ProcessResult issues = Jiralink({"issues", "--help"});
  for (const char* text : {"Usage: jiralink issues list", "--per-page", "--state",
                           "Usage: jiralink issues show", "KEY"}) {
    EXPECT_NE(issues.out.find(text), std::string::npos) << text << "\n" << issues.out;
  }
  ProcessResult vulnerability = Jiralink({"vulnerability", "help"});
  EXPECT_EQ(vulnerability.exit_code, 0);
  for (const char* text : {"Usage: jiralink vulnerability create", "--report", "--severity"}) {
    EXPECT_NE(vulnerability.out.find(text), std::string::npos) << text;
  }
}

TEST(CommandLineTest, FlagErrorsNameTheProgramAndTheCommand) {
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const Case cases[] = {
      {{"issues", "list", "--state", "bogus"}, "jiralink issues list: --state: unknown state"},
      {{"issues", "list", "--nope"},
       "jiralink issues list: The following argument was not expected: --nope"},
      {{"issues", "show"}, "jiralink issues show: KEY is required"},
      {{"queue", "list", "--limit", "x"}, "jiralink queue list: --limit"},
      {{"deliver", "--poll-seconds", "0"}, "jiralink deliver: --poll-seconds"},
      {{"migrate"}, "jiralink migrate: --web-url is required"},
      {{"issues", "frob"}, "jiralink issues: unknown subcommand 'frob' (expected list or show)"},
      {{"vulnerability"}, "jiralink vulnerability: name a subcommand: create"},
  };
  for (const Case& c : cases) {
    ProcessResult result = Jiralink(c.args);
    EXPECT_EQ(result.exit_code, 2) << c.message;
    EXPECT_TRUE(result.err.starts_with(c.message))
        << "expected: " << c.message << "\ngot: " << result.err;
  }
}

}  // namespace
}  // namespace jiralink::testing
