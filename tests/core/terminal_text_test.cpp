// SafeTerminalText, ColumnWidth and TruncateToColumns: Jira text that cannot
// drive the terminal, measured in screen columns.
#include "jiralink/core/terminal_text.h"

#include <gtest/gtest.h>

#include <string>

namespace jiralink {
namespace {

// True when `text` holds no byte a terminal would act on: no C0 but LF/tab,
// no DEL, no C1 (as UTF-8 U+0080..U+009F or a raw byte).
bool Inert(const std::string& text, bool allow_newline) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '\n' && allow_newline) continue;
    if (c == '\t' && allow_newline) continue;
    if (c < 0x20 || c == 0x7F) return false;
    if (c == 0xC2 && i + 1 < text.size()) {
      const auto next = static_cast<unsigned char>(text[i + 1]);
      if (next >= 0x80 && next <= 0x9F) return false;
    }
  }
  return true;
}

TEST(SafeTerminalTextTest, EscapeSequencesBecomeVisibleText) {
  // Clear screen, OSC 52 clipboard write (BEL- and ST-terminated), colour.
  EXPECT_EQ(SafeTerminalText("a\x1b[2Jb", LineBreaks::kFlatten), "a\xE2\x90\x9B[2Jb");
  EXPECT_EQ(SafeTerminalText("\x1b]52;c;ZXZpbA==\x07", LineBreaks::kFlatten),
            "\xE2\x90\x9B]52;c;ZXZpbA==\xE2\x90\x87");
  EXPECT_EQ(SafeTerminalText("\x1b]52;c;ZXZpbA==\x1b\\", LineBreaks::kKeep),
            "\xE2\x90\x9B]52;c;ZXZpbA==\xE2\x90\x9B\\");
  EXPECT_EQ(SafeTerminalText("\x1b[31mred\x1b[0m", LineBreaks::kFlatten),
            "\xE2\x90\x9B[31mred\xE2\x90\x9B[0m");
}

TEST(SafeTerminalTextTest, EveryC0AndDelIsMadeVisible) {
  for (int c = 0; c < 0x20; ++c) {
    if (c == '\n' || c == '\t' || c == '\r') continue;
    const std::string out =
        SafeTerminalText(std::string(1, static_cast<char>(c)), LineBreaks::kKeep);
    // U+2400 + c: E2 90 (80 + c).
    EXPECT_EQ(out, std::string("\xE2\x90") + static_cast<char>(0x80 + c)) << c;
  }
  EXPECT_EQ(SafeTerminalText("\x7f", LineBreaks::kKeep), "\xE2\x90\xA1");
  EXPECT_EQ(SafeTerminalText(std::string("a\0b", 3), LineBreaks::kFlatten),
            "a\xE2\x90\x80"
            "b");
}

TEST(SafeTerminalTextTest, C1AndInvalidBytesBecomeReplacementCharacters) {
  // U+009B (CSI as UTF-8), a raw 0x9B byte, a truncated sequence, an overlong
  // slash, a UTF-16 surrogate.
  EXPECT_EQ(SafeTerminalText("\xC2\x9B"
                             "2J",
                             LineBreaks::kFlatten),
            "\xEF\xBF\xBD"
            "2J");
  EXPECT_EQ(SafeTerminalText("\x9B"
                             "2J",
                             LineBreaks::kFlatten),
            "\xEF\xBF\xBD"
            "2J");
  EXPECT_EQ(SafeTerminalText("ab\xE2\x82", LineBreaks::kFlatten), "ab\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(SafeTerminalText("\xC0\xAF", LineBreaks::kFlatten), "\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(SafeTerminalText("\xED\xA0\x80", LineBreaks::kFlatten),
            "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
  // Bidi override (Trojan Source) and isolate.
  EXPECT_EQ(SafeTerminalText("x\xE2\x80\xAEy\xE2\x81\xA6z", LineBreaks::kFlatten),
            "x\xEF\xBF\xBDy\xEF\xBF\xBDz");
}

TEST(SafeTerminalTextTest, LineBreaks) {
  EXPECT_EQ(SafeTerminalText("a\nb\r\nc\rd\te", LineBreaks::kFlatten), "a b c d e");
  EXPECT_EQ(SafeTerminalText("a\nb\r\nc\rd\te", LineBreaks::kKeep),
            "a\nb\nc\xE2\x90\x8D"
            "d\te");
  EXPECT_EQ(SafeTerminalText("a\xE2\x80\xA8"
                             "b",
                             LineBreaks::kKeep),
            "a\nb");
}

TEST(SafeTerminalTextTest, PrintableTextPassesUnchanged) {
  const std::string text =
      "Login fails \xE2\x80\x94 \xE3\x83\xAD\xE3\x82\xB0\xE3\x82\xA4\xE3\x83\xB3 "
      "\xF0\x9F\x90\x9B caf\x65\xCC\x81 <b>&amp;</b>";
  EXPECT_EQ(SafeTerminalText(text, LineBreaks::kFlatten), text);
  EXPECT_EQ(SafeTerminalText(text, LineBreaks::kKeep), text);
}

TEST(SafeTerminalTextTest, OutputIsInertForEveryByte) {
  // Every single byte and every byte pair: nothing a terminal acts on survives.
  for (int a = 0; a < 256; ++a) {
    for (int b = 0; b < 256; b += 7) {
      std::string in = {static_cast<char>(a), static_cast<char>(b), 'x'};
      EXPECT_TRUE(Inert(SafeTerminalText(in, LineBreaks::kFlatten), false)) << a << " " << b;
      EXPECT_TRUE(Inert(SafeTerminalText(in, LineBreaks::kKeep), true)) << a << " " << b;
    }
  }
}

TEST(ColumnWidthTest, WideAndCombiningCharacters) {
  EXPECT_EQ(ColumnWidth(""), 0);
  EXPECT_EQ(ColumnWidth("abc"), 3);
  EXPECT_EQ(ColumnWidth("h\xC3\xA9llo"), 5);                          // precomposed é
  EXPECT_EQ(ColumnWidth("e\xCC\x81"), 1);                             // e + combining acute
  EXPECT_EQ(ColumnWidth("\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E"), 6);  // 日本語
  EXPECT_EQ(ColumnWidth("\xF0\x9F\x90\x9B"), 2);                      // 🐛
  EXPECT_EQ(ColumnWidth("\xE2\x80\xA6"), 1);                          // …
  EXPECT_EQ(ColumnWidth("\xEF\xBC\xA1"), 2);                          // fullwidth A
  EXPECT_EQ(ColumnWidth("\xE2\x90\x9B"), 1);                          // ␛
  EXPECT_EQ(ColumnWidth("\x9B"), 1);                                  // invalid byte as U+FFFD
}

TEST(ColumnWidthTest, IndependentOfTheProcessLocale) {
  // The tests run in the "C" locale, where wcwidth() would say -1 for 日.
  EXPECT_EQ(ColumnWidth("\xE6\x97\xA5"), 2);
  EXPECT_EQ(ColumnWidth("\xE6\x97\xA5"), 2);  // the locale object is reused
}

TEST(TruncateToColumnsTest, CutsAtScreenColumns) {
  EXPECT_EQ(TruncateToColumns("short", 5), "short");
  EXPECT_EQ(TruncateToColumns("h\xC3\xA9llo w\xC3\xB6rld", 5), "h\xC3\xA9ll\xE2\x80\xA6");
  EXPECT_EQ(TruncateToColumns("abc", 0), "");
  EXPECT_EQ(TruncateToColumns("abc", 1), "\xE2\x80\xA6");
  // 日本語テスト (10 columns) into 6: two wide characters, one column left
  // over that a wide character cannot use, then the ellipsis.
  const std::string cjk =
      "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E\xE3\x83\x86\xE3\x82\xB9\xE3\x83\x88";
  const std::string cut = TruncateToColumns(cjk, 6);
  EXPECT_EQ(cut, "\xE6\x97\xA5\xE6\x9C\xAC\xE2\x80\xA6");
  EXPECT_EQ(ColumnWidth(cut), 5);
  EXPECT_EQ(TruncateToColumns(cjk, 7), "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E\xE2\x80\xA6");
  // A combining mark stays with its base character.
  EXPECT_EQ(TruncateToColumns("e\xCC\x81\x65\xCC\x81\x65\xCC\x81", 2), "e\xCC\x81\xE2\x80\xA6");
  // Never inside a sequence: a sanitized escape is cut like any text.
  const std::string safe = SafeTerminalText("\x1b[2J\x1b[2J", LineBreaks::kFlatten);
  EXPECT_EQ(TruncateToColumns(safe, 3), "\xE2\x90\x9B[\xE2\x80\xA6");
}

}  // namespace
}  // namespace jiralink
