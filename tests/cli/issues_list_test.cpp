// `jiralink issues list` against the stand-in, as Cloud and as Server.
#include <gtest/gtest.h>

#include <sstream>

#include "issues_cli_fixture.h"
#include "jiralink/core/terminal_text.h"

namespace jiralink::testing {
namespace {

using nlohmann::json;

class IssuesListTest : public IssuesCliTest {
 protected:
  void SetUp() override {
    IssuesCliTest::SetUp();
    // "INT" is a reserved JQL word: it only works because keys are quoted.
    jira_.AddProject("INT", "Integration");
    jira_.AddProject("PROJ", "Project");
    jira_.AddProject("OTHER", "Not configured");
    WriteConfig("[issues]\nproject_keys = [\"INT\", \"PROJ\"]\n");
  }

  void Seed(const std::string& key, const std::string& summary, const std::string& status = "To Do",
            const std::vector<std::string>& labels = {}, const std::string& assignee = "",
            const std::string& reporter = "Ada Lovelace", const std::string& description = "") {
    standin::IssueSeed seed;
    seed.key = key;
    seed.summary = summary;
    seed.status = status;
    seed.labels = labels;
    seed.assignee = assignee;
    seed.reporter = reporter;
    seed.description = description;
    jira_.AddIssue(seed);
  }

  // The keys of a --json run, in order.
  static std::vector<std::string> Keys(const json& out) {
    std::vector<std::string> keys;
    for (const json& issue : out["issues"]) keys.push_back(issue["key"].get<std::string>());
    return keys;
  }

  json RunJson(std::vector<std::string> args) {
    args.insert(args.begin(), {"issues", "list"});
    args.push_back("--json");
    ProcessResult result = Run(args);
    EXPECT_EQ(result.exit_code, 0) << result.err;
    json out = json::parse(result.out, nullptr, false);
    EXPECT_FALSE(out.is_discarded()) << result.out;
    return out;
  }
};

TEST_P(IssuesListTest, JqlFlagPrintsTheForgesQueryWithoutARequest) {
  ProcessResult result =
      Run({"issues", "list", "--jql", "--label", "say \"hi\"", "--label", "back\\slash", "--status",
           "In Progress", "--reporter", "ada", "--assignee", "grace", "--search",
           "  Crash? on *Login*.  ", "--state", "closed", "--sort", "updated_asc"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out,
            "project in (\"INT\",\"PROJ\") AND labels = \"say \\\"hi\\\"\" AND "
            "labels = \"back\\\\slash\" AND status = \"In Progress\" AND reporter = \"ada\" AND "
            "assignee = \"grace\" AND statusCategory = Done AND "
            "(summary ~ \"crash on login\" OR description ~ \"crash on login\") "
            "order by updated ASC\n");
  EXPECT_TRUE(jira_.Requests().empty());
}

TEST_P(IssuesListTest, DefaultsAreOpenedNewestFirst) {
  ProcessResult result = Run({"issues", "list", "--jql"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out,
            "project in (\"INT\",\"PROJ\") AND statusCategory != Done order by created DESC\n");
}

TEST_P(IssuesListTest, ProjectOutsideProjectKeysIsRefused) {
  ProcessResult result = Run({"issues", "list", "--project", "OTHER"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("--project OTHER: not one of [issues] project_keys (INT, PROJ)"),
            std::string::npos)
      << result.err;
  EXPECT_TRUE(jira_.Requests().empty());
}

TEST_P(IssuesListTest, ProjectNarrowsTheConfiguredKeys) {
  Seed("INT-1", "in int");
  Seed("PROJ-1", "in proj");
  json out = RunJson({"--project", "INT"});
  EXPECT_EQ(Keys(out), std::vector<std::string>{"INT-1"});
  EXPECT_EQ(out["jql"], "project in (\"INT\") AND statusCategory != Done order by created DESC");
}

TEST_P(IssuesListTest, DisabledRefusesNamingTheSetting) {
  WriteConfig("[issues]\nenabled = false\n");
  ProcessResult result = Run({"issues", "list"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("[issues] enabled = false"), std::string::npos) << result.err;
  EXPECT_TRUE(jira_.Requests().empty());
}

TEST_P(IssuesListTest, BadFlagValuesExitTwo) {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"--state", "open"}, {"--page", "0"}, {"--per-page", "0"}}) {
    std::vector<std::string> full = {"issues", "list"};
    full.insert(full.end(), args.begin(), args.end());
    ProcessResult result = Run(full);
    EXPECT_EQ(result.exit_code, 2) << args[0];
    EXPECT_NE(result.err.find(args[0]), std::string::npos) << result.err;
  }
  EXPECT_TRUE(jira_.Requests().empty());
}

// Issue #25: GitLab sorts by created, newest first, when the sort is unknown.
TEST_P(IssuesListTest, AnUnknownSortFallsBackToCreatedNewestFirstWithAWarning) {
  Seed("PROJ-1", "First");
  Seed("PROJ-2", "Second");
  ProcessResult result = Run({"issues", "list", "--json", "--sort", "bogus"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.err.find("warning: --sort: unknown sort 'bogus'"), std::string::npos)
      << result.err;
  EXPECT_NE(result.err.find("sorting by created_desc, as GitLab does"), std::string::npos)
      << result.err;
  EXPECT_EQ(Keys(nlohmann::json::parse(result.out)),
            (std::vector<std::string>{"PROJ-2", "PROJ-1"}));
  ProcessResult jql = Run({"issues", "list", "--jql", "--sort", "bogus"});
  EXPECT_EQ(jql.exit_code, 0) << jql.err;
  EXPECT_NE(jql.out.find("order by created DESC"), std::string::npos) << jql.out;
}

TEST_P(IssuesListTest, EveryFilterNarrowsTheResult) {
  Seed("INT-1", "Login crash on Android", "In Progress", {"mobile", "p1"}, "Grace Hopper");
  Seed("PROJ-1", "Login crash on iOS", "To Do", {"mobile"}, "", "Alan Turing");
  Seed("PROJ-2", "Fix the build", "Done", {"p1"}, "Grace Hopper");
  Seed("PROJ-3", "Slow search", "To Do", {}, "", "Ada Lovelace", "Searching for LOGIN is slow");
  Seed("OTHER-1", "Login crash elsewhere");

  EXPECT_EQ(Keys(RunJson({})), (std::vector<std::string>{"PROJ-3", "PROJ-1", "INT-1"}));
  EXPECT_EQ(Keys(RunJson({"--state", "closed"})), std::vector<std::string>{"PROJ-2"});
  EXPECT_EQ(Keys(RunJson({"--state", "all", "--sort", "created_asc"})),
            (std::vector<std::string>{"INT-1", "PROJ-1", "PROJ-2", "PROJ-3"}));
  EXPECT_EQ(Keys(RunJson({"--label", "mobile"})), (std::vector<std::string>{"PROJ-1", "INT-1"}));
  EXPECT_EQ(Keys(RunJson({"--label", "mobile", "--label", "p1"})),
            std::vector<std::string>{"INT-1"});
  EXPECT_EQ(Keys(RunJson({"--status", "In Progress"})), std::vector<std::string>{"INT-1"});
  EXPECT_EQ(Keys(RunJson({"--assignee", "Grace Hopper", "--state", "all"})),
            (std::vector<std::string>{"PROJ-2", "INT-1"}));
  EXPECT_EQ(Keys(RunJson({"--reporter", "Alan Turing"})), std::vector<std::string>{"PROJ-1"});
  // Summary or description, special characters dropped, case ignored.
  EXPECT_EQ(Keys(RunJson({"--search", "LOGIN?"})),
            (std::vector<std::string>{"PROJ-3", "PROJ-1", "INT-1"}));
  EXPECT_EQ(Keys(RunJson({"--search", "crash*", "--project", "PROJ"})),
            std::vector<std::string>{"PROJ-1"});
}

TEST_P(IssuesListTest, QuotesAndBackslashesInValuesReachJiraIntact) {
  Seed("INT-1", "Odd label", "To Do", {"say\"hi\"", "back\\slash"}, "O'Brien \"Ace\"");
  Seed("INT-2", "Plain", "To Do", {"plain"});
  EXPECT_EQ(Keys(RunJson({"--label", "say\"hi\""})), std::vector<std::string>{"INT-1"});
  EXPECT_EQ(Keys(RunJson({"--label", "back\\slash"})), std::vector<std::string>{"INT-1"});
  EXPECT_EQ(Keys(RunJson({"--assignee", "O'Brien \"Ace\""})), std::vector<std::string>{"INT-1"});
}

TEST_P(IssuesListTest, JsonShape) {
  Seed("PROJ-1", "First", "In Progress", {"backend"}, "Grace Hopper");
  json out = RunJson({});
  EXPECT_EQ(out["page"], 1);
  EXPECT_EQ(out["per_page"], 100);
  EXPECT_EQ(out["more"], false);
  EXPECT_EQ(out["deployment"], cloud() ? "Cloud" : "Server");
  if (cloud()) {
    EXPECT_TRUE(out["total"].is_null());
  } else {
    EXPECT_EQ(out["total"], 1);
  }
  ASSERT_EQ(out["issues"].size(), 1u);
  const json& issue = out["issues"][0];
  EXPECT_EQ(issue["key"], "PROJ-1");
  EXPECT_EQ(issue["url"], jira_.base_url() + "/browse/PROJ-1");
  EXPECT_EQ(issue["summary"], "First");
  EXPECT_EQ(issue["type"], "Bug");
  EXPECT_EQ(issue["status"], "In Progress");
  EXPECT_EQ(issue["status_category"], "indeterminate");
  EXPECT_EQ(issue["assignee"], "Grace Hopper");
  EXPECT_EQ(issue["reporter"], "Ada Lovelace");
  EXPECT_EQ(issue["labels"], json::array({"backend"}));
  EXPECT_TRUE(issue["created"].is_string() && !issue["created"].get<std::string>().empty());
  for (const char* field : {"id", "priority", "updated"}) EXPECT_TRUE(issue.contains(field));
}

TEST_P(IssuesListTest, PagesAreTheSameInBothPagingStyles) {
  for (int i = 1; i <= 7; ++i) Seed("PROJ-" + std::to_string(i), "Issue " + std::to_string(i));
  json page1 = RunJson({"--per-page", "3"});
  EXPECT_EQ(Keys(page1), (std::vector<std::string>{"PROJ-7", "PROJ-6", "PROJ-5"}));
  EXPECT_EQ(page1["more"], true);
  jira_.ClearRequests();
  json page2 = RunJson({"--per-page", "3", "--page", "2"});
  EXPECT_EQ(Keys(page2), (std::vector<std::string>{"PROJ-4", "PROJ-3", "PROJ-2"}));
  EXPECT_EQ(page2["more"], true);
  std::vector<standin::RecordedRequest> searches = SearchRequests();
  if (cloud()) {
    // Cloud cannot jump: page 1's token leads to page 2.
    ASSERT_EQ(searches.size(), 2u);
    EXPECT_EQ(QueryValue(searches[0].query, "nextPageToken"), "");
    EXPECT_NE(QueryValue(searches[1].query, "nextPageToken") + searches[1].body, "");
  } else {
    ASSERT_EQ(searches.size(), 1u);
    EXPECT_EQ(QueryValue(searches[0].query, "startAt"), "3");
  }
  json page3 = RunJson({"--per-page", "3", "--page", "3"});
  EXPECT_EQ(Keys(page3), std::vector<std::string>{"PROJ-1"});
  EXPECT_EQ(page3["more"], false);
  json page4 = RunJson({"--per-page", "3", "--page", "4"});
  EXPECT_TRUE(page4["issues"].empty());
  EXPECT_EQ(page4["more"], false);
}

TEST_P(IssuesListTest, PagesBiggerThanJirasCapAreFilled) {
  // The stand-in serves at most 4 issues per answer, like Jira's own cap.
  for (int i = 1; i <= 11; ++i) Seed("PROJ-" + std::to_string(i), "Issue " + std::to_string(i));
  json page1 = RunJson({"--per-page", "5"});
  EXPECT_EQ(Keys(page1),
            (std::vector<std::string>{"PROJ-11", "PROJ-10", "PROJ-9", "PROJ-8", "PROJ-7"}));
  json page2 = RunJson({"--per-page", "5", "--page", "2"});
  EXPECT_EQ(Keys(page2),
            (std::vector<std::string>{"PROJ-6", "PROJ-5", "PROJ-4", "PROJ-3", "PROJ-2"}));
  EXPECT_EQ(page2["more"], true);
  json page3 = RunJson({"--per-page", "5", "--page", "3"});
  EXPECT_EQ(Keys(page3), std::vector<std::string>{"PROJ-1"});
  EXPECT_EQ(page3["more"], false);
}

TEST_P(IssuesListTest, TableSaysWhichPageAndWhetherMoreExist) {
  for (int i = 1; i <= 5; ++i) Seed("PROJ-" + std::to_string(i), "Issue " + std::to_string(i));
  ProcessResult first = Run({"issues", "list", "--per-page", "2"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_NE(first.out.find(cloud() ? "Page 1 (issues 1-2); more: --page 2"
                                   : "Page 1 of 3 (issues 1-2 of 5); more: --page 2"),
            std::string::npos)
      << first.out;
  ProcessResult last = Run({"issues", "list", "--per-page", "2", "--page", "3"});
  EXPECT_NE(last.out.find(cloud() ? "Page 3 (issues 5-5); last page"
                                  : "Page 3 of 3 (issues 5-5 of 5); last page"),
            std::string::npos)
      << last.out;
  ProcessResult none = Run({"issues", "list", "--project", "INT"});
  EXPECT_EQ(none.out, "No issues match.\n");
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::stringstream stream(text);
  for (std::string line; std::getline(stream, line);) lines.push_back(line);
  return lines;
}

int Width(const std::string& line) {
  int width = 0;
  for (char c : line) width += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return width;
}

TEST_P(IssuesListTest, TableFitsTheTerminalWidth) {
  const std::string summary =
      "The login page shows a blank screen after the session expired while a form was open";
  Seed("INT-1", summary, "In Progress", {"frontend"}, "Grace Hopper");
  Seed("PROJ-1", "Short one");

  ProcessResult narrow = Run({"issues", "list"}, {{"COLUMNS", "80"}});
  ASSERT_EQ(narrow.exit_code, 0) << narrow.err;
  std::vector<std::string> lines = Lines(narrow.out);
  ASSERT_GE(lines.size(), 3u);
  EXPECT_TRUE(lines[0].starts_with("KEY ")) << lines[0];
  for (std::size_t i = 0; i < 3; ++i) EXPECT_LE(Width(lines[i]), 80) << lines[i];
  EXPECT_EQ(narrow.out.find(summary), std::string::npos);
  EXPECT_NE(narrow.out.find("The login page"), std::string::npos);
  EXPECT_NE(narrow.out.find("\xE2\x80\xA6"), std::string::npos);
  EXPECT_EQ(narrow.out.find('\x1b'), std::string::npos) << "no colour when not a terminal";

  ProcessResult wide = Run({"issues", "list"}, {{"COLUMNS", "200"}});
  EXPECT_NE(wide.out.find(summary + "  Grace Hopper  frontend"), std::string::npos) << wide.out;
  for (const std::string& line : Lines(wide.out)) EXPECT_LE(Width(line), 200);
}

// Issue #23: `issues list | grep ...` gets whole lines: without $COLUMNS and
// with stdout a pipe, nothing is cut.
TEST_P(IssuesListTest, PipedOutputIsNeverCut) {
  const std::string summary =
      "The login page shows a blank screen after the session expired while a form was open";
  Seed("INT-1", summary, "In Progress", {"frontend", "customer-escalation"}, "Grace Hopper");
  ProcessOptions options;
  std::vector<std::string> args = {"--config", config_, "issues", "list"};
  options.env = {{"HOME", dir_.Path("home")},
                 {"XDG_CONFIG_HOME", dir_.Path("xdg-config")},
                 {"XDG_STATE_HOME", dir_.Path("xdg-state")},
                 {"JIRALINK_TEST_TOKEN", "standin-token"}};
  options.unset_env = {"JIRALINK_CONFIG", "NO_COLOR", "JIRALINK_DEBUG", "COLUMNS"};
  options.timeout = std::chrono::milliseconds(30000);
  ProcessResult piped = RunJiralink(args, options);
  ASSERT_EQ(piped.exit_code, 0) << piped.err;
  EXPECT_NE(piped.out.find(summary + "  Grace Hopper  frontend,customer-escalation  "),
            std::string::npos)
      << piped.out;
  EXPECT_EQ(piped.out.find("\xE2\x80\xA6"), std::string::npos) << piped.out;
}

TEST_P(IssuesListTest, JiraTextCannotDriveTheTerminalButJsonStaysExact) {
  // Clear screen, an OSC 52 clipboard write, a C1 CSI and a bidi override.
  const std::string hostile =
      "Evil \x1b[2J\x1b]52;c;ZXZpbA==\x07 \xC2\x9B"
      "31m x\xE2\x80\xAEy "
      "and a long tail so that the table has to cut this summary somewhere";
  Seed("PROJ-1", hostile, "To Do", {"l\x1b[0m"}, "Mall\x07ory");
  for (const char* columns : {"200", "60"}) {
    ProcessResult table = Run({"issues", "list"}, {{"COLUMNS", columns}});
    ASSERT_EQ(table.exit_code, 0) << table.err;
    for (char c : table.out) EXPECT_TRUE(c == '\n' || static_cast<unsigned char>(c) >= 0x20) << +c;
    EXPECT_EQ(table.out.find("\xC2\x9B"), std::string::npos);
    EXPECT_EQ(table.out.find("\xE2\x80\xAE"), std::string::npos);
    EXPECT_NE(table.out.find("Evil \xE2\x90\x9B[2J"), std::string::npos) << table.out;
  }
  json out = RunJson({});
  ASSERT_EQ(out["issues"].size(), 1u);
  EXPECT_EQ(out["issues"][0]["summary"], hostile);
  EXPECT_EQ(out["issues"][0]["assignee"], "Mall\x07ory");
}

TEST_P(IssuesListTest, WideCharactersStayAligned) {
  // 日本語のタイトル (16 columns, 8 code points) and an emoji summary.
  Seed("PROJ-1",
       "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E\xE3\x81\xAE\xE3\x82\xBF"
       "\xE3\x82\xA4\xE3\x83\x88\xE3\x83\xAB",
       "To Do", {}, "\xE5\xB1\xB1\xE7\x94\xB0");  // 山田
  Seed("PROJ-2", "Bug \xF0\x9F\x90\x9B fixed", "To Do", {}, "Ada");
  ProcessResult result = Run({"issues", "list"}, {{"COLUMNS", "200"}});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  // The ASSIGNEE column starts at the same screen column on every line.
  std::vector<int> starts;
  for (const std::string& line : Lines(result.out)) {
    for (const char* name : {"ASSIGNEE", "\xE5\xB1\xB1\xE7\x94\xB0", "Ada"}) {
      if (std::size_t at = line.find(name); at != std::string::npos) {
        starts.push_back(ColumnWidth(line.substr(0, at)));
        break;
      }
    }
  }
  ASSERT_EQ(starts.size(), 3u) << result.out;
  EXPECT_EQ(starts[0], starts[1]) << result.out;
  EXPECT_EQ(starts[0], starts[2]) << result.out;
}

TEST_P(IssuesListTest, UrlsFlagAddsEachIssuesUrl) {
  Seed("PROJ-1", "One");
  ProcessResult result = Run({"issues", "list", "--urls"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find(jira_.base_url() + "/browse/PROJ-1\n"), std::string::npos)
      << result.out;
}

TEST_P(IssuesListTest, JiraErrorsBecomeClearMessages) {
  ProcessResult unauthorized = Run({"issues", "list"}, {{"JIRALINK_TEST_TOKEN", "wrong-token"}});
  EXPECT_EQ(unauthorized.exit_code, 1);
  EXPECT_NE(unauthorized.err.find("credentials for accessing Jira are not valid (HTTP 401)"),
            std::string::npos)
      << unauthorized.err;
  EXPECT_EQ(unauthorized.err.find("wrong-token"), std::string::npos);

  standin::Fault forbidden;
  forbidden.path_contains = "/search";
  forbidden.status = 403;
  jira_.InjectFault(forbidden);
  ProcessResult denied = Run({"issues", "list"});
  EXPECT_EQ(denied.exit_code, 1);
  EXPECT_NE(denied.err.find("not allowed to access the data (HTTP 403)"), std::string::npos)
      << denied.err;
  jira_.ClearFaults();

  standin::Fault bad;
  bad.path_contains = "/search";
  bad.status = 400;
  bad.body = R"({"errorMessages":["Field 'labels' does not exist."],"errors":{}})";
  jira_.InjectFault(bad);
  ProcessResult rejected = Run({"issues", "list"});
  EXPECT_EQ(rejected.exit_code, 1);
  EXPECT_NE(rejected.err.find("an error occurred while requesting data from Jira"),
            std::string::npos)
      << rejected.err;
  EXPECT_NE(rejected.err.find("Field 'labels' does not exist."), std::string::npos);
  jira_.ClearFaults();
}

TEST_P(IssuesListTest, UnreachableJiraIsANetworkMessage) {
  jira_.Stop();
  ProcessResult result = Run({"issues", "list"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("cannot reach Jira at " + jira_.base_url()), std::string::npos)
      << result.err;
}

INSTANTIATE_TEST_SUITE_P(BothPersonalities, IssuesListTest,
                         ::testing::Values(standin::Personality::kCloud,
                                           standin::Personality::kServer),
                         PersonalityName);

}  // namespace
}  // namespace jiralink::testing
