#include "issue_table.h"

#include <algorithm>
#include <array>

#include "jiralink/core/terminal_text.h"

namespace jiralink::cli {
namespace {

enum Column { kKey, kType, kStatus, kSummary, kAssignee, kLabels, kCreated, kUrl, kColumnCount };

constexpr std::array<const char*, kColumnCount> kHeaders = {
    "KEY", "TYPE", "STATUS", "SUMMARY", "ASSIGNEE", "LABELS", "CREATED", "URL"};
// Widest a column may grow (0 = no cap); the summary takes the rest.
constexpr std::array<int, kColumnCount> kCaps = {20, 12, 14, 0, 18, 20, 10, 0};
constexpr int kMinSummaryWidth = 10;
constexpr int kGap = 2;

constexpr const char* kBold = "\x1b[1m";
constexpr const char* kReset = "\x1b[0m";

const char* StatusColor(std::string_view category) {
  if (category == "done") return "\x1b[32m";           // green
  if (category == "indeterminate") return "\x1b[33m";  // yellow
  if (category == "new") return "\x1b[34m";            // blue
  return nullptr;
}

std::string Join(const std::vector<std::string>& items, std::string_view separator) {
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty()) out.append(separator);
    out.append(item);
  }
  return out;
}

// The cells of a row, made safe for the terminal before they are measured:
// every field may hold Jira text.
std::array<std::string, kColumnCount> Cells(const IssueRow& row) {
  std::array<std::string, kColumnCount> cells = {row.key,
                                                 row.type,
                                                 row.status,
                                                 row.summary,
                                                 row.assignee.empty() ? "-" : row.assignee,
                                                 row.labels.empty() ? "-" : Join(row.labels, ","),
                                                 row.created.substr(0, 10),
                                                 row.url};
  for (std::string& cell : cells) cell = SafeTerminalText(cell, LineBreaks::kFlatten);
  return cells;
}

// Shrinks the widest of the columns that may give way until the line fits.
void FitWidths(std::array<int, kColumnCount>* widths, int available) {
  constexpr std::array<Column, 4> kShrinkable = {kLabels, kAssignee, kStatus, kType};
  auto total = [&] {
    int sum = 0;
    for (int w : *widths) sum += w;
    return sum;
  };
  while (total() > available) {
    // The widest column that may still give way; headers stay whole.
    int widest = -1;
    for (Column c : kShrinkable) {
      if ((*widths)[c] > ColumnWidth(kHeaders[c]) &&
          (widest < 0 || (*widths)[c] > (*widths)[widest])) {
        widest = c;
      }
    }
    if (widest < 0) break;
    --(*widths)[widest];
  }
}

}  // namespace

std::string FormatIssueTable(const std::vector<IssueRow>& rows, const TableOptions& options) {
  const int columns = options.show_urls ? kColumnCount : kUrl;
  std::vector<std::array<std::string, kColumnCount>> cells;
  cells.reserve(rows.size());
  for (const IssueRow& row : rows) cells.push_back(Cells(row));

  std::array<int, kColumnCount> widths{};
  for (int c = 0; c < columns; ++c) {
    widths[c] = ColumnWidth(kHeaders[c]);
    for (const auto& line : cells) widths[c] = std::max(widths[c], ColumnWidth(line[c]));
    if (kCaps[c] > 0 && options.width > 0) widths[c] = std::min(widths[c], kCaps[c]);
  }
  if (options.width > 0) {
    // Everything but the summary first; the summary gets what remains.
    const int natural_summary = widths[kSummary];
    widths[kSummary] = kMinSummaryWidth;
    FitWidths(&widths, options.width - kGap * (columns - 1));
    int others = 0;
    for (int c = 0; c < columns; ++c) others += c == kSummary ? 0 : widths[c];
    int room = options.width - kGap * (columns - 1) - others;
    widths[kSummary] =
        std::clamp(room, std::min(kMinSummaryWidth, natural_summary), natural_summary);
  }

  auto append_line = [&](const std::array<std::string, kColumnCount>& line,
                         const char* status_color, bool header) {
    std::string out;
    for (int c = 0; c < columns; ++c) {
      std::string text = TruncateToColumns(line[c], widths[c]);
      int padding = c + 1 < columns ? widths[c] - ColumnWidth(text) + kGap : 0;
      const char* color = nullptr;
      if (options.color) color = header ? kBold : (c == kStatus ? status_color : nullptr);
      if (color != nullptr) out.append(color);
      out.append(text);
      if (color != nullptr) out.append(kReset);
      out.append(static_cast<std::size_t>(std::max(padding, 0)), ' ');
    }
    out.push_back('\n');
    return out;
  };

  std::array<std::string, kColumnCount> header;
  for (int c = 0; c < kColumnCount; ++c) header[c] = kHeaders[c];
  std::string table = append_line(header, nullptr, true);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    table += append_line(cells[i], StatusColor(rows[i].status_category), false);
  }
  return table;
}

}  // namespace jiralink::cli
