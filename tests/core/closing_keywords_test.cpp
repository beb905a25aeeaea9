// ClosingKeywords: which keys a commit message closes.
#include "jiralink/core/closing_keywords.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "jiralink/core/key_scanner.h"

namespace jiralink {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::vector<std::string> Closed(std::string_view message) {
  return ClosingKeywords::Default().FindClosedKeys(message);
}

TEST(ClosingKeywords, DefaultPatternIsTheForgesWithTheKeyAsIssueRef) {
  const std::string forge =
      R"(\b((?:[Cc]los(?:e[sd]?|ing)|\b[Ff]ix(?:e[sd]|ing)?|\b[Rr]esolv(?:e[sd]?|ing)|\b[Ii]mplement(?:s|ed|ing)?)(:?) +(?:(?:issues? +)?%{issue_ref}(?:(?: *,? +and +| *,? *)?)|([A-Z][A-Z0-9_]+-\d+))+))";
  std::string expected = forge;
  expected.replace(expected.find("%{issue_ref}"), 12,
                   R"((?:\b(?:\b([A-Z][A-Z_0-9]+-\d+))|)"
                   R"((?:[A-Za-z0-9_][A-Za-z0-9_.\-]*(?:/[A-Za-z0-9_][A-Za-z0-9_.\-]*)*)?[#!]\d+\b)"
                   R"(|https?://[^\s>]{1,300}))");
  EXPECT_EQ(ClosingKeywords::Default().pattern(), expected);
}

TEST(ClosingKeywords, EveryVerbFormInEitherCase) {
  for (const char* verb : {"Close", "Closes", "Closed", "Closing", "Fix", "Fixes", "Fixed",
                           "Fixing", "Resolve", "Resolves", "Resolved", "Resolving", "Implement",
                           "Implements", "Implemented", "Implementing"}) {
    std::string upper = std::string(verb) + " PROJ-1";
    std::string lower = upper;
    lower[0] = static_cast<char>(lower[0] - 'A' + 'a');
    EXPECT_THAT(Closed(upper), ElementsAre("PROJ-1")) << upper;
    EXPECT_THAT(Closed(lower), ElementsAre("PROJ-1")) << lower;
  }
}

TEST(ClosingKeywords, OtherWordsDoNotClose) {
  for (const char* text : {"Fixs PROJ-1", "Closer PROJ-1", "Resolution PROJ-1", "FIXES PROJ-1",
                           "See PROJ-1", "Fixes:PROJ-1", "Fixes\nPROJ-1", "Fixes\tPROJ-1"}) {
    EXPECT_THAT(Closed(text), IsEmpty()) << text;
  }
}

TEST(ClosingKeywords, SimpleFixes) { EXPECT_THAT(Closed("Fixes PROJ-1"), ElementsAre("PROJ-1")); }

TEST(ClosingKeywords, ListWithColonCommasAndAnd) {
  EXPECT_THAT(Closed("fixes: PROJ-1, PROJ-2 and PROJ-3"),
              ElementsAre("PROJ-1", "PROJ-2", "PROJ-3"));
  EXPECT_THAT(Closed("Closes PROJ-1,PROJ-2 , and PROJ-3 PROJ-4"),
              ElementsAre("PROJ-1", "PROJ-2", "PROJ-3", "PROJ-4"));
}

TEST(ClosingKeywords, IssueWordBeforeTheKey) {
  EXPECT_THAT(Closed("Closes issue PROJ-4"), ElementsAre("PROJ-4"));
  EXPECT_THAT(Closed("Closes issues PROJ-4 and PROJ-5"), ElementsAre("PROJ-4", "PROJ-5"));
}

TEST(ClosingKeywords, VerbMidSentence) {
  EXPECT_THAT(Closed("This change, prefixed Fixes PROJ-6, works"), ElementsAre("PROJ-6"));
}

TEST(ClosingKeywords, VerbInsideAWordDoesNotClose) {
  EXPECT_THAT(Closed("Prefixes PROJ-5"), IsEmpty());
  EXPECT_THAT(Closed("prefixed PROJ-5"), IsEmpty());
  EXPECT_THAT(Closed("Unresolved PROJ-5"), IsEmpty());
  EXPECT_THAT(Closed("enclosed PROJ-5"), IsEmpty());
}

TEST(ClosingKeywords, MentionedKeysAreNotClosed) {
  EXPECT_THAT(Closed("PROJ-101: add retry (see OPS-7)\n\nFixes PROJ-102 and closes PROJ-103\n"
                     "Reviewed in PROJ-104."),
              ElementsAre("PROJ-102", "PROJ-103"));
  EXPECT_THAT(Closed("Fixes PROJ-1 and see OPS-7"), ElementsAre("PROJ-1"));
  EXPECT_THAT(Closed("PROJ-1: add a test"), IsEmpty());
}

// GitLab's %{issue_ref} takes its own references, so a statement that lists
// them with Jira keys goes on to the keys.
TEST(ClosingKeywords, ForgeReferencesMixedWithKeysCloseTheKeys) {
  EXPECT_THAT(Closed("Fixes #12 and PROJ-30"), ElementsAre("PROJ-30"));
  EXPECT_THAT(Closed("Fixes #12, PROJ-44"), ElementsAre("PROJ-44"));
  EXPECT_THAT(Closed("Closes !3 and PROJ-1"), ElementsAre("PROJ-1"));
  EXPECT_THAT(Closed("Resolves group/project#4, PROJ-2 and #5 and PROJ-3"),
              ElementsAre("PROJ-2", "PROJ-3"));
  EXPECT_THAT(Closed("Closes issues #7 and PROJ-8"), ElementsAre("PROJ-8"));
  EXPECT_THAT(Closed("Fixes https://git.example.com/g/p/-/issues/12, PROJ-9"),
              ElementsAre("PROJ-9"));
}

TEST(ClosingKeywords, ForgeReferencesAloneCloseNothing) {
  EXPECT_THAT(Closed("Fixes #12"), IsEmpty());
  EXPECT_THAT(Closed("Fixes #12 and see PROJ-1"), IsEmpty());
  EXPECT_THAT(Closed("Fixes #x and PROJ-1"), IsEmpty());
  EXPECT_THAT(Closed("Fixes group/project#4"), IsEmpty());
}

TEST(ClosingKeywords, ForgeReferencesWithAPrefixStillNeedThePrefix) {
  std::unique_ptr<KeyScanner> scanner;
  ASSERT_TRUE(KeyScanner::Create({"", "JIRA#"}, &scanner).ok());
  EXPECT_THAT(FindClosedKeys("Fixes #12 and JIRA#PROJ-1, PROJ-2", *scanner), ElementsAre("PROJ-1"));
}

TEST(ClosingKeywords, LowercaseKeyNotClosedByDefaultScanner) {
  EXPECT_THAT(Closed("Fixes proj-1"), IsEmpty());
}

TEST(ClosingKeywords, KeysAreUniqueInOrder) {
  EXPECT_THAT(Closed("Fixes PROJ-2 and PROJ-1. Closes PROJ-2"), ElementsAre("PROJ-2", "PROJ-1"));
}

TEST(ClosingKeywords, StatementsAreTheForgesText) {
  EXPECT_THAT(ClosingKeywords::Default().ClosingStatements(
                  "x Fixes PROJ-1 and PROJ-2, see A. Resolves: AB-3"),
              ElementsAre("Fixes PROJ-1 and PROJ-2, ", "Resolves: AB-3"));
}

TEST(ClosingKeywords, CustomRegexCloses) {
  std::unique_ptr<KeyScanner> scanner;
  ASSERT_TRUE(KeyScanner::Create({"[a-z]+-\\d+", ""}, &scanner).ok());
  std::unique_ptr<ClosingKeywords> closing;
  ASSERT_TRUE(ClosingKeywords::Create(*scanner, &closing).ok());
  EXPECT_THAT(closing->FindClosedKeys("fixes proj-1 and ops-2; see web-3"),
              ElementsAre("proj-1", "ops-2"));
}

TEST(ClosingKeywords, PrefixIsNeededToClose) {
  std::unique_ptr<KeyScanner> scanner;
  ASSERT_TRUE(KeyScanner::Create({"", "JIRA#"}, &scanner).ok());
  EXPECT_THAT(FindClosedKeys("Fixes JIRA#PROJ-1, JIRA#PROJ-2", *scanner),
              ElementsAre("PROJ-1", "PROJ-2"));
  EXPECT_THAT(FindClosedKeys("Fixes PROJ-3", *scanner), IsEmpty());
}

TEST(ClosingKeywords, FreeFunctionUsesTheDefaultForTheDefaultScanner) {
  EXPECT_THAT(FindClosedKeys("Resolves PROJ-9", KeyScanner::Default()), ElementsAre("PROJ-9"));
}

}  // namespace
}  // namespace jiralink
