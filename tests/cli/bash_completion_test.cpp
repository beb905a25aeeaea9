// packaging/bash-completion/jiralink, run by bash: the candidates it offers
// for commands, subcommands, options and option values, and that its option
// lists are exactly what each command's --help prints.
#include <gtest/gtest.h>

#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "cli_help.h"
#include "support/test_support.h"

namespace jiralink::testing {
namespace {

// The candidates for the command line `words`, completing the last word.
std::set<std::string> Complete(const std::vector<std::string>& words) {
  std::string script = "source \"$1\"; COMP_WORDS=(";
  for (const std::string& word : words) script += " '" + word + "'";
  script += " ); COMP_CWORD=" + std::to_string(words.size() - 1) +
            "; _jiralink; printf '%s\\n' \"${COMPREPLY[@]}\"";
  ProcessResult result = RunProcess({"bash", "--norc", "--noprofile", "-c", script, "bash",
                                     SourceDir() + "/packaging/bash-completion/jiralink"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.err, "");
  std::set<std::string> candidates;
  std::stringstream stream(result.out);
  for (std::string line; std::getline(stream, line);) {
    if (!line.empty()) candidates.insert(line);
  }
  return candidates;
}

TEST(BashCompletionTest, CommandsAreThoseOfTheProgram) {
  std::set<std::string> expected = {"help", "version"};
  for (const std::string& command : Commands()) expected.insert(command);
  ASSERT_GT(expected.size(), 10u);
  EXPECT_EQ(Complete({"jiralink", ""}), expected);
  EXPECT_EQ(Complete({"jiralink", "iss"}), (std::set<std::string>{"issues", "issue-types"}));
  EXPECT_EQ(Complete({"jiralink", "--config", "/etc/x.toml", "de"}),
            (std::set<std::string>{"deliver"}));
  EXPECT_EQ(Complete({"jiralink", "--v"}), (std::set<std::string>{"--version"}));
}

TEST(BashCompletionTest, SubcommandsAreThoseOfTheProgram) {
  for (const std::string& command : Commands()) {
    std::vector<std::string> subs = Subcommands(command);
    std::set<std::string> expected(subs.begin(), subs.end());
    if (expected.empty()) continue;
    EXPECT_EQ(Complete({"jiralink", command, ""}), expected) << command;
  }
  // The full help of issues and vulnerability lists their subcommands too.
  EXPECT_EQ(Complete({"jiralink", "issues", ""}), (std::set<std::string>{"list", "show"}));
}

TEST(BashCompletionTest, OptionsAreExactlyThoseOfEachHelp) {
  int checked = 0;
  for (const std::string& command : Commands()) {
    std::vector<std::string> subs = Subcommands(command);
    if (subs.empty()) {
      EXPECT_EQ(Complete({"jiralink", command, "--"}), OptionsOf(command)) << command;
      ++checked;
      continue;
    }
    for (const std::string& sub : subs) {
      EXPECT_EQ(Complete({"jiralink", command, sub, "--"}), OptionsOf(command, sub))
          << command << " " << sub;
      ++checked;
    }
  }
  EXPECT_GT(checked, 15);
}

TEST(BashCompletionTest, OptionValues) {
  EXPECT_EQ(Complete({"jiralink", "issues", "list", "--state", ""}),
            (std::set<std::string>{"opened", "closed", "all"}));
  EXPECT_EQ(Complete({"jiralink", "queue", "list", "--state", "d"}),
            (std::set<std::string>{"done", "dead"}));
  EXPECT_EQ(Complete({"jiralink", "migrate", "--auth", ""}),
            (std::set<std::string>{"basic", "pat"}));
  EXPECT_TRUE(Complete({"jiralink", "issues", "list", "--label", ""}).empty());
}

TEST(BashCompletionTest, RepositoriesAndFiles) {
  TempDir dir;
  Git(dir.path(), {"init", "-q", "--bare", "api.git"});
  WriteFile(dir.Path("notes.md"), "x");
  EXPECT_EQ(Complete({"jiralink", "hook", "install", dir.Path("a")}),
            (std::set<std::string>{dir.Path("api.git")}));
  EXPECT_EQ(Complete({"jiralink", "render", dir.Path("n")}),
            (std::set<std::string>{dir.Path("notes.md")}));
}

}  // namespace
}  // namespace jiralink::testing
