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
//
// Inline raw HTML is the other quadratic case: for each `<!--`, `<?`,
// `<![CDATA[` and `<!` + letter in text, cmark-gfm scans forward for the
// closer (`-->`, `?>`, `]]>`, `>`), and with none ahead every opener scans to
// the end of its paragraph (`<?` x 200,000 takes 17 s). InlineHtmlScanBound()
// bounds the bytes those scans can read, in linear time; the renderer shows
// an input over kMaxInlineHtmlScanBytes as escaped plain text instead.
//
// Memory: the GFM autolink extension copies the rest of a text node for every
// e-mail address it links in it, so 1,000 addresses at the start of a 1 MiB
// line take 1 GB. EmailAutolinkCopyBound() bounds those copies; over
// kMaxEmailAutolinkCopyBytes the input is shown as plain text too.
//
// Time: for each `www.` the autolink extension checks the domain and then
// reads on to the next white space, so `www.a_` repeated without a space is
// quadratic (120 KB of it take 9 s; found by the markdown fuzz target).
// WwwAutolinkScanBound() bounds those reads; over kMaxWwwAutolinkScanBytes
// the input is shown as plain text. All other
// shapes cost at most ~300 MiB of memory and 0.8 s per MiB of input (cmark
// nodes), which the default [render] max_bytes keeps in bounds.
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

// Bytes that cmark-gfm 0.29 reads, at most, scanning raw-HTML openers for
// their closers: the sum over openers of the distance to the next closer of
// the same kind (or to the end). Counting stops once it passes `limit`.
std::size_t InlineHtmlScanBound(std::string_view markdown, std::size_t limit);

// About 0.4 s of cmark-gfm's scanning (it reads ~2.5 GB/s); ordinary
// documents, even with an unclosed `<?php` in each of 100 code blocks of a
// 1 MiB file, stay far below.
inline constexpr std::size_t kMaxInlineHtmlScanBytes = std::size_t{1} << 30;

// Bytes the autolink extension may copy for e-mail addresses: for each '@',
// the distance to the end of its line (a text node never spans lines).
// Counting stops once it passes `limit`.
std::size_t EmailAutolinkCopyBound(std::string_view markdown, std::size_t limit);

// 64 MiB: ordinary text (a few addresses per line) stays far below.
inline constexpr std::size_t kMaxEmailAutolinkCopyBytes = std::size_t{64} << 20;

// Bytes the autolink extension reads for `www.` links: for each "www.", the
// distance to the next white space (or the end). Counting stops once it
// passes `limit`.
std::size_t WwwAutolinkScanBound(std::string_view markdown, std::size_t limit);

// 64 MiB, about 0.5 s of that scanning: ordinary text (a few links per line,
// each followed by a space or a line end) stays far below.
inline constexpr std::size_t kMaxWwwAutolinkScanBytes = std::size_t{64} << 20;

}  // namespace jiralink::renderer
