// The small text helpers' one home (core/text.h).
#include "jiralink/core/text.h"

#include <gtest/gtest.h>

#include <clocale>
#include <string>

namespace jiralink {
namespace {

TEST(Text, AsciiCaseLeavesOtherBytesAlone) {
  EXPECT_EQ(AsciiLowercase("Content-TYPE: Ä"), "content-type: Ä");
  EXPECT_EQ(AsciiUppercase("proj-1 ä"), "PROJ-1 ä");
  EXPECT_TRUE(EqualsIgnoringAsciiCase("Retry-After", "retry-after"));
  EXPECT_FALSE(EqualsIgnoringAsciiCase("Retry-After", "retry-afte"));
  EXPECT_FALSE(EqualsIgnoringAsciiCase("\xC3\x84", "\xC3\xA4"));  // Ä and ä: not ASCII
  EXPECT_TRUE(StartsWithIgnoringAsciiCase("HTTPS://jira", "https://"));
  EXPECT_FALSE(StartsWithIgnoringAsciiCase("http", "https://"));
  EXPECT_TRUE(IsAsciiAlnum('z'));
  EXPECT_FALSE(IsAsciiAlnum('\xE9'));
}

TEST(Text, AsciiCaseDoesNotFollowTheLocale) {
  // In a Turkish locale tolower('I') is not 'i'; protocol words must not care.
  const char* old = std::setlocale(LC_CTYPE, nullptr);
  std::string saved = old != nullptr ? old : "C";
  if (std::setlocale(LC_CTYPE, "tr_TR.UTF-8") == nullptr) std::setlocale(LC_CTYPE, "C.UTF-8");
  EXPECT_EQ(AsciiLowercase("AUTHORIZATION"), "authorization");
  std::setlocale(LC_CTYPE, saved.c_str());
}

TEST(Text, HexIsLowerCaseTwoDigitsAByte) {
  EXPECT_EQ(HexLower(std::string("\x00\x01\xab\xff", 4)), "0001abff");
  EXPECT_EQ(HexLower(""), "");
}

TEST(Text, PercentEncodingKeepsUnreservedAndTheAskedBytes) {
  EXPECT_EQ(PercentEncode("a b/c?d=e&f#g~h.i_j-k"), "a%20b%2Fc%3Fd%3De%26f%23g~h.i_j-k");
  EXPECT_EQ(PercentEncode("feature/PROJ-1 ä", "/"), "feature/PROJ-1%20%C3%A4");
  EXPECT_EQ(PercentEncode(std::string("\x00", 1)), "%00");
}

TEST(Text, HtmlEscapeCoversContentAndBothQuotes) {
  EXPECT_EQ(HtmlEscape("<a href=\"x\" title='y'>&amp;</a>"),
            "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;");
  std::string out = "kept ";
  AppendHtmlEscaped("<", &out);
  EXPECT_EQ(out, "kept &lt;");
  std::string pieces;
  int calls = 0;
  ForEachHtmlEscapedPiece("ab<cd", [&](std::string_view piece) {
    pieces.append(piece);
    ++calls;
  });
  EXPECT_EQ(pieces, "ab&lt;cd");
  EXPECT_EQ(calls, 3);  // runs are handed out whole, not a byte at a time
}

TEST(Text, TrailingSlashesAreTrimmed) {
  EXPECT_EQ(TrimTrailingSlashes("https://jira.example.com/jira//"),
            "https://jira.example.com/jira");
  EXPECT_EQ(TrimTrailingSlashes("///"), "");
  EXPECT_EQ(TrimTrailingSlashes("https://x"), "https://x");
}

}  // namespace
}  // namespace jiralink
