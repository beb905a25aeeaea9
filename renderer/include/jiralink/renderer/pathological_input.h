// Guards against inputs that cmark-gfm 0.29.0.gfm.6 (Debian bookworm) parses
// in more than linear time.
//
// Measured on that version: block nesting (100k '>' or list markers), runs of
// '*', '_', '[', '`', '-', '<' and '&' are all linear. The GFM table
// extension is not: a table row costs time quadratic in the '|' characters
// of the line (40k pipes in one row take seconds), and every row is padded to
// the header's column count, so columns x rows cells are built and printed.
// NeutraliseTables() finds each table (a delimiter row such as `|---|:-:|`,
// through the next blank line) and, when it is too wide or too big, escapes
// the pipes of its delimiter row: the table then renders as paragraph text,
// in linear time, and no character of the input is lost.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace jiralink::renderer {

struct TableLimits {
  std::size_t max_pipes_per_row = 256;  // any row line of the table
  std::size_t max_cells = 200000;       // columns x rows, summed over the document
};

// Returns true and fills *rewritten when some table had to be neutralised;
// returns false (and leaves *rewritten alone) when the input is fine as is.
bool NeutraliseTables(std::string_view markdown, const TableLimits& limits, std::string* rewritten);

}  // namespace jiralink::renderer
