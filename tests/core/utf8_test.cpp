// AppendUtf8: code points to UTF-8, never invalid output.
#include "jiralink/core/utf8.h"

#include <gtest/gtest.h>

#include <string>

namespace jiralink {
namespace {

std::string Utf8(char32_t cp) {
  std::string out;
  AppendUtf8(cp, &out);
  return out;
}

TEST(AppendUtf8, WritesOneToFourBytes) {
  EXPECT_EQ(Utf8(U'a'), "a");
  EXPECT_EQ(Utf8(U'\u00e9'), "\xC3\xA9");
  EXPECT_EQ(Utf8(U'\u2400'), "\xE2\x90\x80");
  EXPECT_EQ(Utf8(U'\U0001F600'), "\xF0\x9F\x98\x80");
}

TEST(AppendUtf8, WhatIsNotAScalarValueBecomesTheReplacementCharacter) {
  EXPECT_EQ(Utf8(0), "\xEF\xBF\xBD");
  EXPECT_EQ(Utf8(0xD800), "\xEF\xBF\xBD");
  EXPECT_EQ(Utf8(0x110000), "\xEF\xBF\xBD");
}

}  // namespace
}  // namespace jiralink
