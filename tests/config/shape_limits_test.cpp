// Settings files that could hang or crash a push are refused before the TOML
// parser runs, with the position of the first offence.
#include <chrono>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "jiralink/config/loader.h"
#include "support/test_support.h"

namespace jiralink::config {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

struct Outcome {
  Status status;
  std::vector<Diagnostic> diagnostics;
};

Outcome Load(const std::string& toml) {
  Outcome outcome;
  Config config;
  outcome.status = Config::LoadFromString(toml, "big.toml", &config, &outcome.diagnostics);
  return outcome;
}

std::string Repeat(std::string_view text, std::size_t times) {
  std::string out;
  out.reserve(text.size() * times);
  for (std::size_t i = 0; i < times; ++i) out += text;
  return out;
}

// toml++ overflowed the stack under ASan on this (issue #11).
TEST(ShapeLimits, TableHeaderWithManyDottedPartsIsRefused) {
  std::string toml =
      "[jira]\nweb_url = \"https://jira.example.com\"\n\n[" + Repeat("a.", 100000) + "a]\n";
  Outcome outcome = Load(toml);
  EXPECT_FALSE(outcome.status.ok());
  ASSERT_EQ(outcome.diagnostics.size(), 1u);
  const Diagnostic& d = outcome.diagnostics[0];
  EXPECT_EQ(d.ToString(),
            "big.toml:4:1: error: a key or table name has more than 8 dotted parts; at most 8 "
            "are allowed");
}

TEST(ShapeLimits, DottedKeysAndInlineTableKeysCountToo) {
  Outcome key = Load("x = 1\n  " + Repeat("k.", 8) + "k = 1\n");
  ASSERT_EQ(key.diagnostics.size(), 1u);
  EXPECT_EQ(key.diagnostics[0].line, 2);
  EXPECT_EQ(key.diagnostics[0].column, 3);
  Outcome inline_key = Load("t = { a = 1, " + Repeat("k.", 9) + "k = 2 }\n");
  ASSERT_EQ(inline_key.diagnostics.size(), 1u);
  EXPECT_EQ(inline_key.diagnostics[0].column, 14);
  // Dots inside quoted keys and strings are not parts.
  Outcome quoted =
      Load("[groups.\"a.b.c.d.e.f.g.h.i.j\".comments]\nenabled = \"x.y.z.q.r.s.t.u.v.w\"\n");
  EXPECT_THAT(quoted.status.message(), Not(HasSubstr("dotted")));
}

TEST(ShapeLimits, DeeplyNestedArraysAreRefused) {
  Outcome outcome = Load("[issues]\nproject_keys = " + Repeat("[", 100000) + "\n");
  EXPECT_FALSE(outcome.status.ok());
  ASSERT_EQ(outcome.diagnostics.size(), 1u);
  EXPECT_EQ(outcome.diagnostics[0].ToString(),
            "big.toml:2:24: error: arrays and inline tables are nested more than 8 deep; at "
            "most 8 levels are allowed");
  // Eight levels are fine (the type error comes from validation, not the limit).
  Outcome eight = Load("[issues]\nproject_keys = " + Repeat("[", 8) + Repeat("]", 8) + "\n");
  EXPECT_THAT(eight.status.message(), Not(HasSubstr("nested")));
}

TEST(ShapeLimits, TooManyTablesAreRefusedQuickly) {
  std::string toml;
  for (int i = 0; i < 200000; ++i) toml += "[t" + std::to_string(i) + "]\n";
  toml.resize(std::min(toml.size(), kMaxSettingsFileBytes));
  toml.erase(toml.rfind('\n') + 1);
  Outcome outcome = Load(toml);
  EXPECT_FALSE(outcome.status.ok());
  ASSERT_EQ(outcome.diagnostics.size(), 1u);
  EXPECT_EQ(outcome.diagnostics[0].line, 10001);
  EXPECT_EQ(outcome.diagnostics[0].column, 1);
  EXPECT_THAT(outcome.diagnostics[0].message,
              HasSubstr("more than 10000 tables (headers and inline tables)"));
}

TEST(ShapeLimits, OversizedFileIsRefusedWithItsSize) {
  std::string toml = "# " + std::string(kMaxSettingsFileBytes, 'x') + "\n";
  Outcome outcome = Load(toml);
  EXPECT_FALSE(outcome.status.ok());
  ASSERT_EQ(outcome.diagnostics.size(), 1u);
  EXPECT_EQ(outcome.diagnostics[0].ToString(), "big.toml: error: the settings file is " +
                                                   std::to_string(toml.size()) +
                                                   " bytes; at most 1048576 are allowed");

  // From disk the size is checked before the file is read.
  testing::TempDir dir;
  testing::WriteFile(dir.Path("config.toml"), toml);
  Config config;
  std::vector<Diagnostic> diagnostics;
  LoadOptions options;
  options.explicit_path = dir.Path("config.toml");
  Status status = Config::Load(options, &config, &diagnostics);
  EXPECT_FALSE(status.ok());
  ASSERT_EQ(diagnostics.size(), 1u);
  EXPECT_THAT(diagnostics[0].message, HasSubstr("at most 1048576 are allowed"));
}

// Many unknown tables within the limits: every error is not listed (the
// list stops at kMaxReportedErrors and says how many more there were).
TEST(ShapeLimits, ErrorListIsCappedAndSaysHowManyMore) {
  std::string toml;
  for (int i = 0; i < 5000; ++i) toml += "[unknown" + std::to_string(i) + "]\n";
  Outcome outcome = Load(toml);
  EXPECT_FALSE(outcome.status.ok());
  EXPECT_EQ(outcome.status.message(), "5000 errors in big.toml");
  ASSERT_EQ(outcome.diagnostics.size(), static_cast<std::size_t>(kMaxReportedErrors) + 1);
  EXPECT_EQ(outcome.diagnostics.back().message,
            "4900 more errors not shown (only the first 100 are listed)");
}

}  // namespace
}  // namespace jiralink::config
