// `jiralink keys`: runs the real binary. Every run gets its own config path
// (or an isolated environment) so the machine's settings are never read.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/test_support.h"

namespace jiralink {
namespace {

using ::testing::HasSubstr;
using testing::ProcessOptions;
using testing::ProcessResult;
using testing::RunJiralink;
using testing::TempDir;
using testing::WriteFile;

class KeysCli : public ::testing::Test {
 protected:
  // A run with no settings file anywhere: the defaults apply.
  ProcessResult Keys(std::vector<std::string> args, std::string stdin_data = "") {
    ProcessOptions options;
    options.stdin_data = std::move(stdin_data);
    options.env["XDG_CONFIG_HOME"] = dir_.Path("xdg");
    options.env["HOME"] = dir_.path();
    options.unset_env = {"JIRALINK_CONFIG"};
    args.insert(args.begin(), "keys");
    return RunJiralink(args, options);
  }

  // A run with a settings file holding `toml`.
  ProcessResult KeysWithConfig(const std::string& toml, std::vector<std::string> args,
                               std::string stdin_data = "") {
    const std::string path = dir_.Path("config.toml");
    WriteFile(path, toml);
    args.insert(args.begin(), {"--config", path});
    return Keys(std::move(args), std::move(stdin_data));
  }

  TempDir dir_;
};

TEST_F(KeysCli, PrintsOffsetTabKeyForEachMatchFromStdin) {
  const ProcessResult r = Keys({}, "PROJ-101: add retry (see OPS-7)\n[CALCITE-1234] X-1 abc-1\n");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "0\tPROJ-101\n25\tOPS-7\n33\tCALCITE-1234\n");
  EXPECT_EQ(r.err, "");
}

TEST_F(KeysCli, JsonHasTheSameMatchesWithTheirLength) {
  const ProcessResult r = KeysWithConfig("[matching]\nprefix = \"JIRA#\"\n", {"--json"},
                                         "see JIRA#PROJ-101 and OPS-7\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json out = nlohmann::json::parse(r.out);
  EXPECT_EQ(out, nlohmann::json::parse(
                     R"({"matches": [{"offset": 4, "length": 13, "key": "PROJ-101"}]})"));
  const ProcessResult none = Keys({"--json"}, "nothing here\n");
  ASSERT_EQ(none.exit_code, 0) << none.err;
  EXPECT_EQ(nlohmann::json::parse(none.out), nlohmann::json::parse(R"({"matches": []})"));
  // As many matches as the text output, in the same order.
  const std::string text = "PROJ-1 PROJ-2 OPS-3\n";
  const nlohmann::json many = nlohmann::json::parse(Keys({"--json"}, text).out);
  ASSERT_EQ(many["matches"].size(), 3u);
  EXPECT_EQ(many["matches"][2]["offset"], 14);
  EXPECT_EQ(many["matches"][2]["key"], "OPS-3");
}

TEST_F(KeysCli, FlagErrorsNameTheCommand) {
  const ProcessResult r = Keys({"--bogus"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("jiralink keys: The following argument was not expected: --bogus"));
  EXPECT_THAT(r.err, HasSubstr("`jiralink keys --help`"));
}

TEST_F(KeysCli, ReadsAFileAndDashMeansStdin) {
  const std::string file = dir_.Path("msg.txt");
  WriteFile(file, "x JIRA-1234A\n");
  const ProcessResult from_file = Keys({file});
  EXPECT_EQ(from_file.exit_code, 0) << from_file.err;
  EXPECT_EQ(from_file.out, "2\tJIRA-1234\n");
  const ProcessResult from_dash = Keys({"-"}, "CVE-2021-44228");
  EXPECT_EQ(from_dash.out, "0\tCVE-2021\n");
}

TEST_F(KeysCli, NothingMatchedIsSuccess) {
  const ProcessResult r = Keys({}, "no keys here: abc-1, X-1, _AB-1\n");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "");
}

TEST_F(KeysCli, EmptyInputIsSuccess) {
  const ProcessResult r = Keys({}, "");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "");
}

TEST_F(KeysCli, PrefixFlagOffsetIncludesThePrefix) {
  const ProcessResult r = Keys({"--prefix", "JIRA#"}, "ALPHA-1 and JIRA#ALPHA-2\n");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "12\tALPHA-2\n");
}

TEST_F(KeysCli, RegexFlag) {
  const ProcessResult r = Keys({"--regex", "[a-z]+-\\d+"}, "fix proj-12 and PROJ-3\n");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "4\tproj-12\n");
}

TEST_F(KeysCli, BadRegexExits2WithRe2Message) {
  const ProcessResult r = Keys({"--regex", "(ABC"}, "ABC-1");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_THAT(r.err, HasSubstr("jiralink keys: matching.regex: missing ): (ABC"));
}

TEST_F(KeysCli, BadPrefixExits2WithRe2Message) {
  const ProcessResult r = Keys({"--prefix", "[JIRA"}, "ABC-1");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("jiralink keys: matching.prefix: missing ]: [JIRA"));
}

TEST_F(KeysCli, TooLongRegexExits2) {
  const ProcessResult r = Keys({"--regex", std::string(256, 'A')}, "");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("matching.regex: is 256 characters long; at most 255"));
}

TEST_F(KeysCli, UnreadableFileExits2NamingIt) {
  const std::string missing = dir_.Path("missing.txt");
  const ProcessResult r = Keys({missing});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("jiralink keys: cannot read " + missing + ": "));
  const ProcessResult directory = Keys({dir_.path()});
  EXPECT_EQ(directory.exit_code, 2);
  EXPECT_THAT(directory.err, HasSubstr("cannot read " + dir_.path()));
}

TEST_F(KeysCli, BinaryInputWithNulAndInvalidUtf8) {
  const std::string input(
      "\0AB-1\xFF\xC3"
      "CD-2\x80x EF-3",
      18);
  const ProcessResult r = Keys({}, input);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "1\tAB-1\n7\tCD-2\n14\tEF-3\n");
}

TEST_F(KeysCli, LargeInputKeepsByteOffsets) {
  std::string input;
  std::string expected;
  for (int i = 0; i < 50000; ++i) {
    expected += std::to_string(input.size()) + "\tPROJ-" + std::to_string(i) + "\n";
    input += "PROJ-" + std::to_string(i) + " some text between keys\n";
  }
  const ProcessResult r = Keys({}, input);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, expected);
}

TEST_F(KeysCli, UsesMatchingSettingsFromTheConfig) {
  const ProcessResult r =
      KeysWithConfig("[matching]\nprefix = \"JIRA#\"\n", {}, "ALPHA-1 JIRA#ALPHA-2\n");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "8\tALPHA-2\n");
}

TEST_F(KeysCli, FlagsOverrideTheConfig) {
  const std::string toml = "[matching]\nprefix = \"JIRA#\"\nregex = \"[a-z]+-\\\\d+\"\n";
  const ProcessResult r = KeysWithConfig(toml, {"--prefix", "", "--regex", ""}, "abc-1 AB-2\n");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "6\tAB-2\n");
}

TEST_F(KeysCli, RepoPicksTheProjectsMatchingSettings) {
  const std::string toml =
      "[matching]\nprefix = \"JIRA#\"\n\n[projects.\"team/api\".matching]\nprefix = \"\"\n";
  const ProcessResult project = KeysWithConfig(toml, {"--repo", "team/api"}, "AB-1 JIRA#CD-2\n");
  EXPECT_EQ(project.exit_code, 0) << project.err;
  EXPECT_EQ(project.out, "0\tAB-1\n10\tCD-2\n");
  const ProcessResult instance = KeysWithConfig(toml, {}, "AB-1 JIRA#CD-2\n");
  EXPECT_EQ(instance.out, "5\tCD-2\n");
}

TEST_F(KeysCli, ConfigFoundThroughXdgConfigHome) {
  std::filesystem::create_directories(dir_.Path("xdg/jiralink"));
  WriteFile(dir_.Path("xdg/jiralink/config.toml"), "[matching]\nprefix = \"see \"\n");
  const ProcessResult r = Keys({}, "AB-1 see CD-2\n");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "5\tCD-2\n");
}

TEST_F(KeysCli, BadConfigExits2) {
  const ProcessResult r = KeysWithConfig("[matching]\nregex = \"(ABC\"\n", {}, "ABC-1");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("config.toml"));
  EXPECT_THAT(r.err, HasSubstr("missing ): (ABC"));
}

TEST_F(KeysCli, MissingExplicitConfigExits2) {
  ProcessOptions options;
  options.stdin_data = "AB-1";
  options.unset_env = {"JIRALINK_CONFIG"};
  const ProcessResult r = RunJiralink({"keys", "--config", dir_.Path("nope.toml")}, options);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("nope.toml"));
}

TEST_F(KeysCli, UnknownFlagExits2) {
  const ProcessResult r = Keys({"--frobnicate"}, "");
  EXPECT_EQ(r.exit_code, 2);
}

}  // namespace
}  // namespace jiralink
