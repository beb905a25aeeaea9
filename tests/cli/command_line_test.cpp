// The conventions every command follows (cli/main.cpp, cli/common.cpp):
// -V and --version, full help for every command, and flag errors that name
// the program and the command.
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

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
  ProcessResult vulnerability = Jiralink({"vulnerability", "help"});
  EXPECT_EQ(vulnerability.exit_code, 0);
  EXPECT_EQ(vulnerability.out, Jiralink({"vulnerability", "--help"}).out);
  ProcessResult create = Jiralink({"vulnerability", "create", "--help"});
  for (const char* text : {"Usage: jiralink vulnerability create", "--report", "--severity"}) {
    EXPECT_NE(create.out.find(text), std::string::npos) << text;
  }
}

// Issue #23: one convention for every group of subcommands, git's: the
// group's help lists its subcommands with a summary, and each subcommand's
// own help describes its options (issues, state and vulnerability printed
// every subcommand's whole help).
TEST(CommandLineTest, GroupsListTheirSubcommands) {
  int groups = 0;
  for (const std::string& command : Commands()) {
    const std::vector<std::string> subs = Subcommands(command);
    if (subs.empty()) continue;
    ++groups;
    const std::string help = HelpOf({command});
    EXPECT_NE(help.find("\nSubcommands:\n"), std::string::npos) << help;
    for (const std::string& sub : subs) {
      EXPECT_EQ(help.find("Usage: jiralink " + command + " " + sub), std::string::npos)
          << command << " --help prints the whole help of " << sub << ":\n"
          << help;
      EXPECT_NE(HelpOf({command, sub}).find("Usage: jiralink " + command + " " + sub),
                std::string::npos)
          << command << " " << sub;
    }
  }
  // cache, config, hook, issues, queue, state, vulnerability.
  EXPECT_EQ(groups, 7);
  EXPECT_EQ(Subcommands("issues"), (std::vector<std::string>{"list", "show"}));
  EXPECT_EQ(Subcommands("state"), (std::vector<std::string>{"init"}));
}

// Issue #23: `deliver --help` names every key of `deliver --json`.
TEST(CommandLineTest, DeliverHelpNamesEveryJsonKey) {
  TempDir dir;
  WriteFile(dir.Path("config.toml"), "[state]\ndir = \"" + dir.Path("state") + "\"\n");
  ProcessOptions options;
  options.unset_env = {"JIRALINK_CONFIG"};
  ProcessResult run =
      RunJiralink({"--config", dir.Path("config.toml"), "deliver", "--once", "--json"}, options);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const nlohmann::json summary = nlohmann::json::parse(run.out);
  ASSERT_TRUE(summary.is_object()) << run.out;
  ASSERT_GE(summary.size(), 7u) << run.out;
  std::string help = HelpOf({"deliver"});
  const std::size_t from = help.find("--json");
  ASSERT_NE(from, std::string::npos) << help;
  // The option's description: from "{" to "}", across the wrapped lines.
  const std::size_t open = help.find('{', from);
  const std::size_t close = help.find('}', open);
  ASSERT_NE(close, std::string::npos) << help;
  std::string keys = help.substr(open, close - open + 1);
  for (char& c : keys) c = std::string_view("{} \n").find(c) != std::string_view::npos ? ',' : c;
  for (const auto& [key, value] : summary.items()) {
    EXPECT_NE(keys.find("," + key + ","), std::string::npos) << key << " not in " << keys;
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
