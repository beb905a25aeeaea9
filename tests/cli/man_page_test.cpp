// The manual page (docs/man/jiralink.1.scd, built with scdoc): it names
// every command and every option that `--help` prints and nothing else, so
// the two cannot drift; and man/groff render it without a warning.
#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "cli_help.h"
#include "support/test_support.h"

namespace jiralink::testing {
namespace {

// The long options ("*--name*") of each "## command ..." section under
// "# COMMANDS", by command.
std::map<std::string, std::set<std::string>> ManCommands() {
  std::map<std::string, std::set<std::string>> commands;
  std::stringstream stream(ReadFile(SourceDir() + "/docs/man/jiralink.1.scd"));
  const std::regex option(R"(\*(--[a-z0-9][a-z0-9-]*)\*)");
  bool in_commands = false;
  std::string current;
  for (std::string line; std::getline(stream, line);) {
    if (line.starts_with("# ")) {
      in_commands = line == "# COMMANDS";
      current.clear();
      continue;
    }
    if (!in_commands) continue;
    if (line.starts_with("## ")) {
      std::stringstream words(line.substr(3));
      words >> current;
      commands[current];
      continue;
    }
    if (current.empty()) continue;
    for (std::sregex_iterator it(line.begin(), line.end(), option), end; it != end; ++it) {
      commands[current].insert((*it)[1]);
    }
  }
  return commands;
}

// Every long option of a command and its subcommands, but the two that
// every command has (described once, under GLOBAL OPTIONS).
std::set<std::string> HelpOptions(const std::string& command) {
  std::set<std::string> options = OptionsOf(command);
  for (const std::string& sub : Subcommands(command)) options.merge(OptionsOf(command, sub));
  options.erase("--help");
  options.erase("--config");
  return options;
}

TEST(ManPageTest, CommandsAreExactlyThoseOfHelp) {
  std::set<std::string> in_help;
  for (const std::string& command : Commands()) in_help.insert(command);
  std::set<std::string> in_man;
  for (const auto& [command, options] : ManCommands()) in_man.insert(command);
  ASSERT_GT(in_help.size(), 10u);
  EXPECT_EQ(in_man, in_help);
}

TEST(ManPageTest, OptionsAreExactlyThoseOfEachCommandsHelp) {
  for (const auto& [command, options] : ManCommands()) {
    EXPECT_EQ(options, HelpOptions(command)) << "section '## " << command << "'";
  }
}

TEST(ManPageTest, GlobalOptionsAreThoseOfTheProgram) {
  const std::string man = ReadFile(SourceDir() + "/docs/man/jiralink.1.scd");
  const std::string help = HelpOf({});
  for (const char* option : {"--config", "-V", "--version", "--help"}) {
    EXPECT_NE(help.find(option), std::string::npos) << option;
    EXPECT_NE(man.find(std::string("*") + option + "*"), std::string::npos) << option;
  }
  EXPECT_EQ(RunJiralink({"-V"}).out, RunJiralink({"--version"}).out);
}

TEST(ManPageTest, RendersWithoutWarnings) {
  const std::string page = JIRALINK_MAN_PAGE;
  if (page.empty()) GTEST_SKIP() << "scdoc was not found at configure time (apt-get install scdoc)";
  ProcessResult groff = RunProcess({"groff", "-ww", "-z", "-man", page});
  if (groff.exit_code == 127 || groff.err.find("No such file") != std::string::npos) {
    GTEST_SKIP() << "groff is not installed (apt-get install groff)";
  }
  EXPECT_EQ(groff.exit_code, 0);
  EXPECT_EQ(groff.err, "");
  ProcessOptions options;
  options.env = {{"MANWIDTH", "80"}, {"MAN_KEEP_FORMATTING", ""}};
  ProcessResult man = RunProcess({"man", "--warnings", "-l", page}, options);
  if (man.exit_code == 127) GTEST_SKIP() << "man is not installed (apt-get install man-db)";
  EXPECT_EQ(man.exit_code, 0) << man.err;
  EXPECT_EQ(man.err, "");
  EXPECT_NE(man.out.find("jiralink - Jira issues integration for any git server"),
            std::string::npos)
      << man.out.substr(0, 400);
  // scdoc does not format headings: markup there is shown as typed (issue #23).
  std::stringstream lines(man.out);
  for (std::string line; std::getline(lines, line);) {
    for (const char* markup : {"[_", "_]", "*"}) {
      EXPECT_EQ(line.find(markup), std::string::npos) << "literal markup: " << line;
    }
  }
}

}  // namespace
}  // namespace jiralink::testing
