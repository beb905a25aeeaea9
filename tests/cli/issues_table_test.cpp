// The terminal table of `issues list` and its fitting to the width.
#include <gtest/gtest.h>

#include <sstream>

#include "issues/issue_table.h"
#include "jiralink/core/terminal_text.h"

namespace jiralink::cli {
namespace {

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::stringstream stream(text);
  for (std::string line; std::getline(stream, line);) lines.push_back(line);
  return lines;
}

std::vector<IssueRow> SampleRows() {
  IssueRow first;
  first.key = "PROJ-12";
  first.type = "Bug";
  first.status = "In Progress";
  first.status_category = "indeterminate";
  first.summary =
      "Login fails after the password reset mail was opened on a phone with an old browser";
  first.assignee = "Grace Hopper";
  first.labels = {"backend", "p1"};
  first.created = "2026-11-20T09:15:00.000+0000";
  first.url = "https://jira.test/browse/PROJ-12";
  IssueRow second;
  second.key = "PROJ-3";
  second.type = "Task";
  second.status = "To Do";
  second.status_category = "new";
  second.summary = "Short";
  second.created = "2026-11-01T00:00:00.000+0000";
  second.url = "https://jira.test/browse/PROJ-3";
  return {first, second};
}

TEST(IssueTableTest, FitsEightyColumnsAndCutsTheSummary) {
  std::string table = FormatIssueTable(SampleRows(), {80, false, false});
  std::vector<std::string> lines = Lines(table);
  ASSERT_EQ(lines.size(), 3u);
  for (const std::string& line : lines) EXPECT_LE(ColumnWidth(line), 80) << line;
  EXPECT_TRUE(lines[0].starts_with("KEY      TYPE  STATUS       SUMMARY")) << lines[0];
  EXPECT_NE(lines[1].find("Login fails"), std::string::npos);
  EXPECT_NE(lines[1].find("\xE2\x80\xA6"), std::string::npos) << "cut with an ellipsis";
  EXPECT_NE(lines[1].find("Grace Hopper  backend,p1  2026-11-20"), std::string::npos) << lines[1];
  EXPECT_NE(lines[2].find("-             -           2026-11-01"), std::string::npos) << lines[2];
  // Columns line up: CREATED starts in the same column on every line.
  auto column_of = [](const std::string& line, const std::string& text) {
    return ColumnWidth(line.substr(0, line.find(text)));
  };
  int created = column_of(lines[0], "CREATED");
  EXPECT_EQ(column_of(lines[1], "2026-11-20"), created);
  EXPECT_EQ(column_of(lines[2], "2026-11-01"), created);
}

TEST(IssueTableTest, TwoHundredColumnsShowTheWholeSummary) {
  std::string table = FormatIssueTable(SampleRows(), {200, false, false});
  EXPECT_NE(table.find(SampleRows()[0].summary + "  Grace Hopper"), std::string::npos) << table;
  EXPECT_EQ(table.find("\xE2\x80\xA6"), std::string::npos);
  for (const std::string& line : Lines(table)) {
    EXPECT_LE(ColumnWidth(line), 200);
    EXPECT_FALSE(line.ends_with(" ")) << "no trailing blanks: '" << line << "'";
  }
}

TEST(IssueTableTest, UrlsColumnIsNeverCut) {
  std::string table = FormatIssueTable(SampleRows(), {80, false, true});
  std::vector<std::string> lines = Lines(table);
  EXPECT_TRUE(lines[0].ends_with("URL"));
  EXPECT_TRUE(lines[1].ends_with("https://jira.test/browse/PROJ-12")) << lines[1];
  EXPECT_TRUE(lines[2].ends_with("https://jira.test/browse/PROJ-3"));
}

TEST(IssueTableTest, NarrowTerminalShrinksOtherColumnsBeforeTheSummary) {
  std::vector<IssueRow> rows = SampleRows();
  rows[0].labels = {"a-very-long-label-name", "another-long-label"};
  // 63 columns: every other column shrinks to its header, the summary keeps 10.
  std::string table = FormatIssueTable(rows, {63, false, false});
  for (const std::string& line : Lines(table)) EXPECT_LE(ColumnWidth(line), 63) << line;
  EXPECT_NE(table.find("Login fai\xE2\x80\xA6  "), std::string::npos) << table;
  EXPECT_NE(table.find("STATUS  SUMMARY     ASSIGNEE  LABELS  CREATED"), std::string::npos)
      << table;
}

TEST(IssueTableTest, ColourOnlyWhenAsked) {
  std::string plain = FormatIssueTable(SampleRows(), {120, false, false});
  EXPECT_EQ(plain.find('\x1b'), std::string::npos);
  std::string colored = FormatIssueTable(SampleRows(), {120, true, false});
  EXPECT_NE(colored.find("\x1b[1mKEY\x1b[0m"), std::string::npos);
  EXPECT_NE(colored.find("\x1b[33mIn Progress\x1b[0m"), std::string::npos);
  EXPECT_NE(colored.find("\x1b[34mTo Do\x1b[0m"), std::string::npos);
}

// Issue #23: width 0 (stdout is a pipe or a file) cuts nothing, caps included.
TEST(IssueTableTest, NoWidthCutsNothing) {
  std::vector<IssueRow> rows = SampleRows();
  rows[0].labels = {"backend", "p1", "customer-escalation", "regression"};
  std::string table = FormatIssueTable(rows, {0, false, false});
  std::vector<std::string> lines = Lines(table);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(table.find("\xE2\x80\xA6"), std::string::npos) << table;
  EXPECT_NE(lines[1].find(rows[0].summary + "  Grace Hopper  backend,p1,customer-escalation,"
                                            "regression  2026-11-20"),
            std::string::npos)
      << lines[1];
  // Still aligned: CREATED starts in the same column on every line.
  EXPECT_EQ(lines[0].find("CREATED"), lines[1].find("2026-11-20"));
  EXPECT_EQ(lines[0].find("CREATED"), lines[2].find("2026-11-01"));
}

TEST(IssueTableTest, WideSummariesAreCutAtScreenColumns) {
  std::vector<IssueRow> rows = SampleRows();
  // 障害: ログインできない (wide) and an emoji; the table must still fit.
  rows[0].summary =
      "\xE9\x9A\x9C\xE5\xAE\xB3: \xE3\x83\xAD\xE3\x82\xB0\xE3\x82\xA4\xE3\x83\xB3"
      "\xE3\x81\xA7\xE3\x81\x8D\xE3\x81\xAA\xE3\x81\x84 \xF0\x9F\x94\xA5 "
      "\xE3\x83\xAD\xE3\x82\xB0\xE3\x82\xA4\xE3\x83\xB3\xE3\x81\xA7\xE3\x81\x8D"
      "\xE3\x81\xAA\xE3\x81\x84 \xE3\x83\xAD\xE3\x82\xB0\xE3\x82\xA4\xE3\x83\xB3";
  for (int width : {64, 65, 80}) {
    std::string table = FormatIssueTable(rows, {width, false, false});
    for (const std::string& line : Lines(table)) EXPECT_LE(ColumnWidth(line), width) << line;
    // Every line reaches the ASSIGNEE column at the same screen column.
    std::vector<std::string> lines = Lines(table);
    ASSERT_EQ(lines.size(), 3u);
    EXPECT_EQ(ColumnWidth(lines[0].substr(0, lines[0].find("ASSIGNEE"))),
              ColumnWidth(lines[1].substr(0, lines[1].find("Grace"))))
        << table;
  }
}

TEST(IssueTableTest, ControlCharactersNeverReachTheTable) {
  std::vector<IssueRow> rows = SampleRows();
  rows[0].summary = "\x1b]52;c;ZXZpbA==\x07\x1b[2J and a very long tail that must be cut somewhere";
  rows[0].assignee = "Eve\x1b[8m";
  std::string table = FormatIssueTable(rows, {40, true, false});
  // The only ESC left is the table's own colour, around header cells and the status.
  std::string without_colour = table;
  for (const char* code : {"\x1b[1m", "\x1b[0m", "\x1b[33m", "\x1b[34m"}) {
    for (std::size_t at; (at = without_colour.find(code)) != std::string::npos;) {
      without_colour.erase(at, std::string(code).size());
    }
  }
  EXPECT_EQ(without_colour.find('\x1b'), std::string::npos) << table;
  EXPECT_EQ(without_colour.find('\x07'), std::string::npos) << table;
  EXPECT_NE(table.find("\xE2\x90\x9B]52;c;"), std::string::npos) << table;
}

}  // namespace
}  // namespace jiralink::cli
