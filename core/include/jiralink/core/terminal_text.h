// Text from outside (Jira summaries, descriptions, comments, names) made safe
// to print on a terminal, and measured in screen columns. Pure text, no I/O.
//
// A terminal obeys control characters and escape sequences in what it is
// sent: ESC [ 2 J clears the screen, OSC 52 writes the clipboard, a lone
// C1 CSI (U+009B or the raw byte 0x9B) starts a sequence on 8-bit
// terminals, and a bidirectional override reorders what follows it. Jira
// text must not be able to do any of that, so SafeTerminalText() makes every
// such character visible instead of sending it:
//
//   U+0000..U+001F (C0) except line breaks and tab -> its control picture
//                                                    (ESC -> "␛", BEL -> "␇")
//   U+007F (DEL)                                   -> "␡"
//   U+0080..U+009F (C1), bidi embeddings, overrides
//   and isolates (U+202A..U+202E, U+2066..U+2069),
//   bytes that are not UTF-8                       -> U+FFFD "�"
//
// An escape sequence therefore shows as text ("␛[2J", "␛]52;c;…␇") and never
// reaches the terminal as one; nothing is dropped silently, so the reader sees
// that the text held control characters. Everything else, including wide
// and combining characters, passes unchanged. JSON output is not sanitized:
// it is exact, and JSON escapes control characters itself.
//
// Widths are screen columns as glibc's wcwidth() gives them in the C.UTF-8
// locale (Unicode East Asian Width: CJK and most emoji take 2 columns,
// combining marks 0), independent of the process locale. The locale object
// is created once, on the first measurement of a non-ASCII character, so a
// program that prints no table never loads it. Should C.UTF-8 be missing,
// every code point counts one column.
#pragma once

#include <string>
#include <string_view>

namespace jiralink {

enum class LineBreaks {
  kFlatten,  // one line (a table cell): LF, CR LF, CR, tab, U+2028/9 -> one space each
  kKeep,     // running text: LF and tab stay, CR LF -> LF, a lone CR -> "␍", U+2028/9 -> LF
};

// `text` with every control character, escape sequence introducer, bidi
// control and invalid byte made visible as described above. Valid UTF-8 out.
std::string SafeTerminalText(std::string_view text, LineBreaks breaks);

// Screen columns `text` takes (UTF-8; each invalid byte counts 1, as the
// U+FFFD SafeTerminalText() puts in its place). Meant for sanitized text:
// a control character counts 1 (its picture's width).
int ColumnWidth(std::string_view text);

// `text` cut to at most `columns` screen columns: whole when it fits, else
// the longest prefix of whole characters (with their combining marks) that
// leaves one column for a final "…". A wide character that would straddle
// the limit is left out, so the result may be one column narrower than
// `columns`; callers pad by ColumnWidth() of the result. Never cuts inside a
// UTF-8 sequence. `columns` <= 0 gives "".
std::string TruncateToColumns(std::string_view text, int columns);

}  // namespace jiralink
