#include "jiralink/renderer/pathological_input.h"

#include <algorithm>
#include <vector>

namespace jiralink::renderer {
namespace {

struct Line {
  std::size_t begin = 0;  // offset of the first byte
  std::size_t end = 0;    // offset of the '\n' (or of the end of the input)
};

std::vector<Line> SplitLines(std::string_view text) {
  std::vector<Line> lines;
  std::size_t begin = 0;
  while (begin < text.size()) {
    std::size_t end = text.find('\n', begin);
    if (end == std::string_view::npos) end = text.size();
    lines.push_back({begin, end});
    begin = end + 1;
  }
  return lines;
}

// The line without its container prefix: leading blanks and blockquote '>'.
std::string_view Content(std::string_view line) {
  std::size_t i = 0;
  while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '>')) ++i;
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) {
    line.remove_suffix(1);
  }
  return i < line.size() ? line.substr(i) : std::string_view();
}

std::size_t CountUnescapedPipes(std::string_view line) {
  std::size_t pipes = 0;
  for (std::size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '\\') {
      ++i;
    } else if (line[i] == '|') {
      ++pipes;
    }
  }
  return pipes;
}

// A GFM delimiter row: only '|', '-', ':' and blanks, with a '|' and a '-'.
// Returns its column count, or 0 when the line is not one.
std::size_t DelimiterRowColumns(std::string_view content) {
  bool has_pipe = false;
  bool has_dash = false;
  for (char c : content) {
    if (c == '|') {
      has_pipe = true;
    } else if (c == '-') {
      has_dash = true;
    } else if (c != ':' && c != ' ' && c != '\t') {
      return 0;
    }
  }
  if (!has_pipe || !has_dash) return 0;
  std::size_t columns = 0;
  bool in_cell = false;
  for (char c : content) {
    if (c == '|') {
      in_cell = false;
    } else if (c == '-' && !in_cell) {
      in_cell = true;
      ++columns;
    }
  }
  return columns;
}

}  // namespace

bool NeutraliseTables(std::string_view markdown, const TableLimits& limits,
                      std::string* rewritten) {
  // Tables need a delimiter row; documents without "|-" or "-|" or "|:" skip the work.
  if (markdown.find("-|") == std::string_view::npos &&
      markdown.find("|-") == std::string_view::npos &&
      markdown.find("|:") == std::string_view::npos &&
      markdown.find("-\t|") == std::string_view::npos &&
      markdown.find("- |") == std::string_view::npos &&
      markdown.find("| -") == std::string_view::npos &&
      markdown.find("| :") == std::string_view::npos) {
    return false;
  }
  const std::vector<Line> lines = SplitLines(markdown);
  std::vector<std::size_t> to_neutralise;  // indices of delimiter rows
  std::size_t cells = 0;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    std::string_view delimiter =
        Content(markdown.substr(lines[i].begin, lines[i].end - lines[i].begin));
    std::size_t columns = DelimiterRowColumns(delimiter);
    if (columns == 0 || i == 0) continue;
    // The header row (the line before) and the body up to a blank line.
    std::size_t widest = CountUnescapedPipes(
        markdown.substr(lines[i - 1].begin, lines[i - 1].end - lines[i - 1].begin));
    std::size_t rows = 1;
    std::size_t j = i + 1;
    for (; j < lines.size(); ++j) {
      std::string_view raw = markdown.substr(lines[j].begin, lines[j].end - lines[j].begin);
      if (Content(raw).empty()) break;
      widest = std::max(widest, CountUnescapedPipes(raw));
      ++rows;
    }
    const std::size_t table_cells = columns * rows;
    if (widest > limits.max_pipes_per_row || columns > limits.max_pipes_per_row ||
        cells + table_cells > limits.max_cells) {
      to_neutralise.push_back(i);
    } else {
      cells += table_cells;
    }
    i = j > i ? j - 1 : i;  // the body was read; a blank line ends the table
  }
  if (to_neutralise.empty()) return false;

  std::string out;
  out.reserve(markdown.size() + 64);
  std::size_t copied = 0;
  for (std::size_t index : to_neutralise) {
    const Line& line = lines[index];
    out.append(markdown.substr(copied, line.begin - copied));
    for (std::size_t k = line.begin; k < line.end; ++k) {
      if (markdown[k] == '|') out.push_back('\\');
      out.push_back(markdown[k]);
    }
    copied = line.end;
  }
  out.append(markdown.substr(copied));
  *rewritten = std::move(out);
  return true;
}

std::size_t InlineHtmlScanBound(std::string_view markdown, std::size_t limit) {
  struct Kind {
    std::string_view opener;
    std::string_view closer;
    bool letter_follows;  // the opener counts only before an ASCII letter
  };
  static constexpr Kind kKinds[] = {
      {"<!--", "-->", false}, {"<?", "?>", false}, {"<![CDATA[", "]]>", false}, {"<!", ">", true}};
  std::size_t total = 0;
  for (const Kind& kind : kKinds) {
    // The next closer after the current opener. Both only move forward, so
    // each kind is one pass over the input.
    std::size_t closer = 0;
    bool closer_known = false;
    for (std::size_t at = markdown.find(kind.opener); at != std::string_view::npos;
         at = markdown.find(kind.opener, at + 1)) {
      const std::size_t body = at + kind.opener.size();
      if (kind.letter_follows && (body >= markdown.size() || !((markdown[body] | 0x20) >= 'a' &&
                                                               (markdown[body] | 0x20) <= 'z'))) {
        continue;
      }
      if (!closer_known || closer < body) {
        closer = markdown.find(kind.closer, body);
        if (closer == std::string_view::npos) closer = markdown.size();
        closer_known = true;
      }
      total += closer - at;
      if (total > limit) return total;
    }
  }
  return total;
}

std::size_t EmailAutolinkCopyBound(std::string_view markdown, std::size_t limit) {
  std::size_t total = 0;
  std::size_t line_end = 0;  // the '\n' ending the line of the current '@'
  for (std::size_t at = markdown.find('@'); at != std::string_view::npos;
       at = markdown.find('@', at + 1)) {
    if (line_end <= at) {
      line_end = markdown.find('\n', at);
      if (line_end == std::string_view::npos) line_end = markdown.size();
    }
    total += line_end - at;
    if (total > limit) return total;
  }
  return total;
}

std::size_t WwwAutolinkScanBound(std::string_view markdown, std::size_t limit) {
  auto is_space = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
  };
  std::size_t total = 0;
  std::size_t space = 0;  // the white space (or end) after the current "www."
  for (std::size_t at = markdown.find("www."); at != std::string_view::npos;
       at = markdown.find("www.", at + 1)) {
    if (space <= at) {
      space = at;
      while (space < markdown.size() && !is_space(markdown[space])) ++space;
    }
    total += space - at;
    if (total > limit) return total;
  }
  return total;
}

}  // namespace jiralink::renderer
