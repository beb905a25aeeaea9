// The aligned terminal table of `jiralink issues list`.
//
//   KEY     TYPE  STATUS       SUMMARY                 ASSIGNEE      LABELS   CREATED
//   PROJ-2  Bug   In Progress  Login fails after an…   Grace Hopper  backend  2026-11-20
//
// Columns are as wide as their content (with caps), separated by two spaces;
// the summary takes what is left of the width and is cut with "…". When even
// the capped columns do not fit, the widest of labels, assignee, status and
// type give way first. Width 0 (a pipe, a file) cuts nothing. Every cell is passed through
// SafeTerminalText() (one line) before it is measured, so Jira text cannot drive the terminal and a
// cut never falls inside an escape sequence; widths are screen columns
// (jiralink/core/terminal_text.h), so CJK and emoji stay aligned.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace jiralink::cli {

struct IssueRow {
  std::string key;
  std::string type;
  std::string status;
  std::string status_category;  // "new", "indeterminate", "done": picks the colour
  std::string summary;
  std::string assignee;  // empty = unassigned
  std::vector<std::string> labels;
  std::string created;  // ISO timestamp; the table shows the date
  std::string url;      // {web_url}/browse/KEY
};

struct TableOptions {
  int width = 80;          // 0 = no limit: no column is capped or cut
  bool color = false;      // ANSI colours (header bold, status by category)
  bool show_urls = false;  // a URL column, never cut
};

// The table with a header line; every line ends with '\n'.
std::string FormatIssueTable(const std::vector<IssueRow>& rows, const TableOptions& options);

}  // namespace jiralink::cli
