// Unit tests of KeyScanner: one test per rule of the forge's key pattern.
#include "jiralink/core/key_scanner.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace jiralink {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::vector<std::string> Keys(const KeyScanner& scanner, std::string_view text) {
  std::vector<std::string> keys;
  for (const KeyMatch& m : scanner.FindAll(text)) keys.emplace_back(m.key);
  return keys;
}

std::vector<std::string> DefaultKeys(std::string_view text) {
  return Keys(KeyScanner::Default(), text);
}

std::unique_ptr<KeyScanner> MustCreate(std::string regex, std::string prefix) {
  std::unique_ptr<KeyScanner> scanner;
  const Status status = KeyScanner::Create({std::move(regex), std::move(prefix)}, &scanner);
  EXPECT_TRUE(status.ok()) << status.ToString();
  return scanner;
}

Status CreateError(std::string regex, std::string prefix) {
  std::unique_ptr<KeyScanner> scanner;
  return KeyScanner::Create({std::move(regex), std::move(prefix)}, &scanner);
}

TEST(KeyScannerDefault, IsTheForgePatternOnTheFastPath) {
  const KeyScanner& scanner = KeyScanner::Default();
  EXPECT_TRUE(scanner.uses_fast_path());
  EXPECT_EQ(scanner.pattern(), R"(\b(?P<issue>\b([A-Z][A-Z_0-9]+-\d+)))");
  EXPECT_EQ(scanner.key_regex(), kDefaultKeyRegex);
}

TEST(KeyScannerDefault, FindsKeysWithOffsetsInOrder) {
  const std::vector<KeyMatch> matches = KeyScanner::Default().FindAll("see PROJ-12 and OPS-7.");
  ASSERT_EQ(matches.size(), 2u);
  EXPECT_EQ(matches[0].offset, 4u);
  EXPECT_EQ(matches[0].length, 7u);
  EXPECT_EQ(matches[0].key_offset, 4u);
  EXPECT_EQ(matches[0].key, "PROJ-12");
  EXPECT_EQ(matches[1].offset, 16u);
  EXPECT_EQ(matches[1].key, "OPS-7");
}

TEST(KeyScannerDefault, HasNoBoundaryAfterTheKey) {
  EXPECT_THAT(DefaultKeys("JIRA-1234A"), ElementsAre("JIRA-1234"));
  EXPECT_THAT(DefaultKeys("JIRA-1234_x"), ElementsAre("JIRA-1234"));
  EXPECT_THAT(DefaultKeys("JIRA-12-34"), ElementsAre("JIRA-12"));
}

TEST(KeyScannerDefault, MatchesTheYearOfACveId) {
  EXPECT_THAT(DefaultKeys("CVE-2021-44228"), ElementsAre("CVE-2021"));
}

TEST(KeyScannerDefault, NeedsUppercaseProjectOfTwoOrMoreCharacters) {
  EXPECT_THAT(DefaultKeys("abc-1"), IsEmpty());
  EXPECT_THAT(DefaultKeys("Abc-1"), IsEmpty());
  EXPECT_THAT(DefaultKeys("X-1"), IsEmpty());
  EXPECT_THAT(DefaultKeys("A11Y-123 A_B-4 AB_-5"), ElementsAre("A11Y-123", "A_B-4", "AB_-5"));
}

TEST(KeyScannerDefault, NeedsADigitAfterTheDash) {
  EXPECT_THAT(DefaultKeys("PROJ- PROJ-x PROJ-"), IsEmpty());
}

TEST(KeyScannerDefault, NeedsAWordBoundaryBeforeTheKey) {
  EXPECT_THAT(DefaultKeys("_AB-1"), IsEmpty());
  EXPECT_THAT(DefaultKeys("1AB-2"), IsEmpty());
  EXPECT_THAT(DefaultKeys("xPROJ-1"), IsEmpty());
  EXPECT_THAT(DefaultKeys("-PROJ-1 /PROJ-2 (PROJ-3)"), ElementsAre("PROJ-1", "PROJ-2", "PROJ-3"));
}

TEST(KeyScannerDefault, TreatsNonAsciiBytesAsNonWord) {
  // RE2's \b is ASCII: the UTF-8 bytes of Ä are not word bytes.
  EXPECT_THAT(DefaultKeys("\xC3\x84"
                          "AB-1"),
              ElementsAre("AB-1"));
  EXPECT_THAT(DefaultKeys("\xFF"
                          "AB-2\x80"),
              ElementsAre("AB-2"));
  EXPECT_THAT(DefaultKeys(std::string_view("\0AB-3\0", 6)), ElementsAre("AB-3"));
}

TEST(KeyScannerDefault, FindsKeysInsideBrackets) {
  const std::vector<KeyMatch> matches = KeyScanner::Default().FindAll("[CALCITE-1234] Fix");
  ASSERT_EQ(matches.size(), 1u);
  EXPECT_EQ(matches[0].offset, 1u);
  EXPECT_EQ(matches[0].key, "CALCITE-1234");
}

TEST(KeyScannerDefault, SeesTheByteBeforeALaterMatch) {
  // "CD-2" follows the previous match's last digit: no \b there.
  EXPECT_THAT(DefaultKeys("AB-1CD-2"), ElementsAre("AB-1"));
  EXPECT_THAT(DefaultKeys("AB-1-CD-2"), ElementsAre("AB-1", "CD-2"));
  EXPECT_THAT(DefaultKeys("AB-CD-1"), ElementsAre("CD-1"));
}

TEST(KeyScannerDefault, EmptyTextHasNoMatches) { EXPECT_THAT(DefaultKeys(""), IsEmpty()); }

TEST(KeyScannerDefault, UniqueKeysKeepsFirstAppearanceOrder) {
  EXPECT_THAT(KeyScanner::Default().UniqueKeys("B-1 OPS-2 PROJ-1 OPS-2 PROJ-1 AB-3"),
              ElementsAre("OPS-2", "PROJ-1", "AB-3"));
}

TEST(KeyScannerDefault, ForEachStopsWhenTheCallbackSaysSo) {
  std::vector<std::string> seen;
  KeyScanner::Default().ForEach("AB-1 CD-2 EF-3", [&seen](const KeyMatch& m) {
    seen.emplace_back(m.key);
    return seen.size() < 2;
  });
  EXPECT_THAT(seen, ElementsAre("AB-1", "CD-2"));
}

TEST(KeyScannerCreate, EmptyOrBlankRegexUsesTheFastPath) {
  EXPECT_TRUE(MustCreate("", "")->uses_fast_path());
  EXPECT_TRUE(MustCreate(" \t", "")->uses_fast_path());
  EXPECT_TRUE(MustCreate(std::string(kDefaultKeyRegex), "")->uses_fast_path());
  EXPECT_FALSE(MustCreate("", "JIRA#")->uses_fast_path());
  EXPECT_FALSE(MustCreate("[a-z]+-\\d+", "")->uses_fast_path());
}

TEST(KeyScannerPrefix, IsRequiredAndPartOfTheWholeMatch) {
  auto scanner = MustCreate("", "JIRA#");
  EXPECT_EQ(scanner->pattern(), R"(\bJIRA#(?P<issue>\b([A-Z][A-Z_0-9]+-\d+)))");
  const std::vector<KeyMatch> matches = scanner->FindAll("ALPHA-2 and JIRA#ALPHA-1.");
  ASSERT_EQ(matches.size(), 1u);
  EXPECT_EQ(matches[0].offset, 12u);
  EXPECT_EQ(matches[0].length, 12u);
  EXPECT_EQ(matches[0].key_offset, 17u);
  EXPECT_EQ(matches[0].key, "ALPHA-1");
}

TEST(KeyScannerPrefix, TheBoundaryConstrainsThePrefix) {
  auto scanner = MustCreate("", "JIRA#");
  EXPECT_THAT(Keys(*scanner, "xJIRA#ALPHA-1"), IsEmpty());
  EXPECT_THAT(Keys(*scanner, "-JIRA#ALPHA-1"), ElementsAre("ALPHA-1"));
  // A prefix that starts with a non-word byte then needs a word byte before it.
  auto bracket = MustCreate("", "\\[");
  EXPECT_THAT(Keys(*bracket, " [AB-1]"), IsEmpty());
  EXPECT_THAT(Keys(*bracket, "x[AB-1]"), ElementsAre("AB-1"));
}

TEST(KeyScannerPrefix, IsRegexTextInsertedRaw) {
  auto scanner = MustCreate("", "J.RA#");
  EXPECT_THAT(Keys(*scanner, "JXRA#AB-1 J.RA#CD-2"), ElementsAre("AB-1", "CD-2"));
  auto spaced = MustCreate("", "see ");
  EXPECT_THAT(Keys(*spaced, "see AB-1, seeAB-2, see  AB-3"), ElementsAre("AB-1"));
}

TEST(KeyScannerPrefix, AlternationAppliesToTheWholePatternAndKeylessMatchesAreSkipped) {
  // \bJ#|K#(?P<issue>...): "J#" alone matches without a key.
  auto scanner = MustCreate("", "J#|K#");
  EXPECT_THAT(Keys(*scanner, "J#AB-1 K#CD-2"), ElementsAre("CD-2"));
}

TEST(KeyScannerRegex, CustomLowercaseRegex) {
  auto scanner = MustCreate("[a-z]+-\\d+", "");
  EXPECT_THAT(Keys(*scanner, "fix proj-12 and PROJ-3 under_proj-4"), ElementsAre("proj-12"));
}

TEST(KeyScannerRegex, TheKeyIsTheWholeRegexWhateverItsGroups) {
  auto none = MustCreate("[A-Z]+-[0-9]+", "");
  auto several = MustCreate("([A-Z]+)-(\\d+)", "");
  EXPECT_THAT(Keys(*none, "x AB-12 y"), ElementsAre("AB-12"));
  EXPECT_THAT(Keys(*several, "x AB-12 y"), ElementsAre("AB-12"));
}

TEST(KeyScannerRegex, RegexThatMatchesEmptyEndsAndSkipsEmptyKeys) {
  auto scanner = MustCreate("[A-Z]*", "");
  EXPECT_THAT(Keys(*scanner, "ab CD e FG"), ElementsAre("CD", "FG"));
  EXPECT_THAT(Keys(*scanner, ""), IsEmpty());
}

TEST(KeyScannerRegex, PrefixAndRegexTogether) {
  auto scanner = MustCreate("[a-z]+-\\d+", "JIRA#");
  const std::vector<KeyMatch> matches = scanner->FindAll("JIRA#abc-9 abc-8");
  ASSERT_EQ(matches.size(), 1u);
  EXPECT_EQ(matches[0].offset, 0u);
  EXPECT_EQ(matches[0].key_offset, 5u);
  EXPECT_EQ(matches[0].key, "abc-9");
  EXPECT_EQ(scanner->key_regex(), "[a-z]+-\\d+");
}

TEST(KeyScannerCreate, QuotesRe2ErrorForBadRegex) {
  const Status status = CreateError("(ABC", "");
  EXPECT_EQ(status.code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(status.message(), "matching.regex: missing ): (ABC");
}

TEST(KeyScannerCreate, QuotesRe2ErrorForBadPrefix) {
  const Status status = CreateError("", "[JIRA");
  EXPECT_EQ(status.code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(status.message(), "matching.prefix: missing ]: [JIRA");
}

TEST(KeyScannerCreate, RejectsLookaroundLikeRe2) {
  const Status status = CreateError("(?!CVE-\\d+-\\d+)[A-Z][A-Z_0-9]+-\\d+", "");
  EXPECT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr("matching.regex: invalid perl operator: (?!"));
}

TEST(KeyScannerCreate, LimitsLengthTo255Characters) {
  EXPECT_TRUE(CreateError(std::string(255, 'A'), "").ok());
  const Status status = CreateError(std::string(256, 'A'), "");
  EXPECT_EQ(status.message(), "matching.regex: is 256 characters long; at most 255 are allowed");
  EXPECT_FALSE(CreateError("", std::string(256, 'J')).ok());
  // Characters, not bytes: 255 two-byte characters are fine.
  std::string accents;
  for (int i = 0; i < 255; ++i) accents += "\xC3\xA9";
  EXPECT_TRUE(CreateError("", accents).ok());
}

TEST(KeyScannerCreate, ReportsPartsThatDoNotCompileTogether) {
  // Each part fits RE2's memory budget alone; together they do not.
  const Status status = CreateError(R"(\pL{300})", R"(\pL{300})");
  EXPECT_EQ(status.code(), Status::Code::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr(R"(matching: the pattern \b\pL{300}(?P<issue>)"));
  EXPECT_THAT(status.message(), HasSubstr("pattern too large"));
}

TEST(KeyScannerPrefix, GroupsInThePrefixDoNotChangeTheKey) {
  auto scanner = MustCreate("", "(?P<issue>J)(#)");
  const std::vector<KeyMatch> matches = scanner->FindAll("J#AB-1");
  ASSERT_EQ(matches.size(), 1u);
  EXPECT_EQ(matches[0].key, "AB-1");
  EXPECT_EQ(matches[0].key_offset, 2u);
}

TEST(KeyScannerCreate, LeavesOutputUnchangedOnError) {
  std::unique_ptr<KeyScanner> scanner = MustCreate("", "JIRA#");
  const KeyScanner* before = scanner.get();
  EXPECT_FALSE(KeyScanner::Create({"(", ""}, &scanner).ok());
  EXPECT_EQ(scanner.get(), before);
}

}  // namespace
}  // namespace jiralink
