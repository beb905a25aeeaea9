// Smart Commits: the commands of a commit message and the keys they apply to.
#include "jiralink/core/smart_commit.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "jiralink/core/key_scanner.h"

namespace jiralink {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

SmartCommitParse Parse(std::string_view message) {
  return ParseSmartCommit(message, KeyScanner::Default());
}

// "KEY:index:kind:name:time:text" per action, for compact assertions.
std::vector<std::string> Summary(const SmartCommitParse& parse) {
  std::vector<std::string> out;
  for (const SmartCommitAction& a : parse.actions) {
    out.push_back(a.key + ":" + std::to_string(a.index) + ":" +
                  SmartCommandKindName(a.command.kind) + ":" + a.command.transition + ":" +
                  a.command.time_spent + ":" + a.command.text);
  }
  return out;
}

TEST(SmartCommit, AtlassiansBasicExamples) {
  EXPECT_THAT(Summary(Parse("JRA-34 #comment corrected indent issue")),
              ElementsAre("JRA-34:0:comment:::corrected indent issue"));
  EXPECT_THAT(Summary(Parse("JRA-34 #time 1w 2d 4h 30m Total work logged")),
              ElementsAre("JRA-34:0:time::1w 2d 4h 30m:Total work logged"));
  EXPECT_THAT(Summary(Parse("JRA-090 #close Fixed this today")),
              ElementsAre("JRA-090:0:transition:close::Fixed this today"));
}

TEST(SmartCommit, IgnoredTextBeforeTheKeyAndBetweenKeyAndCommand) {
  EXPECT_THAT(Summary(Parse("Refactor: JRA-7 tidy up the parser #resolve")),
              ElementsAre("JRA-7:0:transition:resolve::"));
}

TEST(SmartCommit, SeveralCommandsOnOneLineEndAtTheNextCommand) {
  EXPECT_THAT(
      Summary(Parse("JRA-123 #time 2d 5h #comment Task completed ahead of schedule #resolve")),
      ElementsAre("JRA-123:0:time::2d 5h:", "JRA-123:1:comment:::Task completed ahead of schedule",
                  "JRA-123:2:transition:resolve::"));
}

TEST(SmartCommit, SeveralKeysShareTheCommandsAndItsIndex) {
  EXPECT_THAT(Summary(Parse("JRA-123 JRA-234 JRA-345 #resolve")),
              ElementsAre("JRA-123:0:transition:resolve::", "JRA-234:0:transition:resolve::",
                          "JRA-345:0:transition:resolve::"));
}

TEST(SmartCommit, ALaterLineWithoutKeysContinuesThePreviousKeys) {
  EXPECT_THAT(Summary(Parse("JRA-123 #comment a really long comment\n#time 2d 5h")),
              ElementsAre("JRA-123:0:comment:::a really long comment", "JRA-123:1:time::2d 5h:"));
}

TEST(SmartCommit, ANewLineWithKeysStartsANewGroup) {
  EXPECT_THAT(Summary(Parse("JRA-1 #comment one\r\nJRA-2 #time 1h\n\nJRA-3 #start-progress")),
              ElementsAre("JRA-1:0:comment:::one",
                          "JRA-2:1:time::1h:", "JRA-3:2:transition:start-progress::"));
}

TEST(SmartCommit, KeysInsideCommandTextAreText) {
  EXPECT_THAT(
      Summary(Parse("JRA-1 #comment see JRA-9 for context #resolve")),
      ElementsAre("JRA-1:0:comment:::see JRA-9 for context", "JRA-1:1:transition:resolve::"));
}

TEST(SmartCommit, CommandNamesIgnoreCaseForCommentAndTime) {
  EXPECT_THAT(Summary(Parse("JRA-1 #Comment Hi #TIME 30m")),
              ElementsAre("JRA-1:0:comment:::Hi", "JRA-1:1:time::30m:"));
}

TEST(SmartCommit, WhatIsNotACommand) {
  EXPECT_THAT(Parse("JRA-1 see #123 and a#b and #fix! and #done.").actions, IsEmpty());
  EXPECT_THAT(Parse("#resolve before any key JRA-1").actions, IsEmpty());
  EXPECT_THAT(Parse("no keys at all #comment hello").actions, IsEmpty());
  EXPECT_THAT(Parse("").actions, IsEmpty());
}

TEST(SmartCommit, DecimalDurationsAndInvalidTimeIsAProblemNotACommand) {
  EXPECT_THAT(Summary(Parse("JRA-1 #time 1.5h  2m  fixing it")),
              ElementsAre("JRA-1:0:time::1.5h 2m:fixing it"));
  SmartCommitParse bad = Parse("JRA-1 #time soon #comment later");
  EXPECT_THAT(Summary(bad), ElementsAre("JRA-1:0:comment:::later"));
  ASSERT_EQ(bad.problems.size(), 1u);
  EXPECT_THAT(bad.problems[0], ::testing::HasSubstr("#time soon: no duration"));
}

TEST(SmartCommit, DurationValidation) {
  std::string normalised;
  EXPECT_TRUE(ParseSmartDuration("1w 2d\t4h 30m", &normalised));
  EXPECT_EQ(normalised, "1w 2d 4h 30m");
  EXPECT_TRUE(ParseSmartDuration("0.25d", nullptr));
  for (const char* bad : {"", "  ", "1", "h", "1x", "1.h", ".5h", "1H", "1h soon", "-1h"}) {
    EXPECT_FALSE(ParseSmartDuration(bad, nullptr)) << bad;
  }
}

TEST(SmartCommit, LongTextIsCutOnACharacterBoundary) {
  std::string text = "JRA-1 #comment " + std::string(kMaxSmartTextBytes - 1, 'a') + "\xC3\xA9tail";
  SmartCommitParse parse = Parse(text);
  ASSERT_EQ(parse.actions.size(), 1u);
  EXPECT_EQ(parse.actions[0].command.text, std::string(kMaxSmartTextBytes - 1, 'a'));
}

TEST(SmartCommit, ATooLongTransitionNameIsNoCommand) {
  EXPECT_THAT(Parse("JRA-1 #" + std::string(kMaxTransitionNameBytes + 1, 'x')).actions, IsEmpty());
  EXPECT_EQ(Parse("JRA-1 #" + std::string(kMaxTransitionNameBytes, 'x')).actions.size(), 1u);
}

TEST(SmartCommit, FiftyCommandsAreFiftyActionsInOrder) {
  std::string message = "JRA-1";
  for (int i = 0; i < 50; ++i) message += " #comment c" + std::to_string(i);
  SmartCommitParse parse = Parse(message);
  ASSERT_EQ(parse.actions.size(), 50u);
  for (int i = 0; i < 50; ++i) {
    EXPECT_EQ(parse.actions[static_cast<std::size_t>(i)].index, i);
    EXPECT_EQ(parse.actions[static_cast<std::size_t>(i)].command.text, "c" + std::to_string(i));
  }
  EXPECT_EQ(parse.dropped, 0u);
}

TEST(SmartCommit, ActionsAreCappedAndTheRestCounted) {
  std::string message = "JRA-1 JRA-2";
  for (int i = 0; i < 80; ++i) message += " #x";
  SmartCommitParse parse = Parse(message);
  EXPECT_EQ(parse.actions.size(), kMaxSmartCommands);
  EXPECT_EQ(parse.dropped, 160u - kMaxSmartCommands);
}

TEST(SmartCommit, AHostileMessageStaysLinear) {
  // 4 MB of candidate commands, keys and near-misses: a quadratic parse
  // would take minutes; the bound is generous for a loaded ASan machine.
  std::string message;
  for (int i = 0; i < 100000; ++i) message += "AB-1 #c #" + std::string(30, 'x') + "! ";
  auto start = std::chrono::steady_clock::now();
  SmartCommitParse parse = Parse(message);
  auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(parse.actions.size(), kMaxSmartCommands);
  EXPECT_GT(parse.dropped, 0u);
  EXPECT_LT(seconds, 30.0);
}

TEST(SmartCommit, CustomKeyPatternsAreUsed) {
  std::unique_ptr<KeyScanner> scanner;
  ASSERT_TRUE(KeyScanner::Create({R"(\b[a-z]+-\d+)", ""}, &scanner).ok());
  EXPECT_THAT(Summary(ParseSmartCommit("abc-1 #comment lower", *scanner)),
              ElementsAre("abc-1:0:comment:::lower"));
}

TEST(SmartCommit, KindNamesRoundTrip) {
  for (SmartCommandKind kind :
       {SmartCommandKind::kComment, SmartCommandKind::kTime, SmartCommandKind::kTransition}) {
    SmartCommandKind parsed;
    ASSERT_TRUE(ParseSmartCommandKind(SmartCommandKindName(kind), &parsed));
    EXPECT_EQ(parsed, kind);
  }
  SmartCommandKind parsed;
  EXPECT_FALSE(ParseSmartCommandKind("Comment", &parsed));
}

TEST(MatchTransitionName, HyphensAreSpacesAndCaseIsIgnored) {
  std::vector<std::string> names = {"To Do", "Start Progress", "Done"};
  EXPECT_THAT(MatchTransitionName("start-progress", names), ElementsAre(1u));
  EXPECT_THAT(MatchTransitionName("DONE", names), ElementsAre(2u));
  EXPECT_THAT(MatchTransitionName("resolve", names), IsEmpty());
}

TEST(MatchTransitionName, FirstWordOnlyWhenNoNameIsEqual) {
  std::vector<std::string> names = {"Finish work", "Close", "Close issue"};
  EXPECT_THAT(MatchTransitionName("finish", names), ElementsAre(0u));
  EXPECT_THAT(MatchTransitionName("close", names), ElementsAre(1u));
  EXPECT_THAT(MatchTransitionName("close-issue", names), ElementsAre(2u));
}

TEST(MatchTransitionName, SeveralEqualNamesAreAllReturned) {
  std::vector<std::string> names = {"Resolve", "resolve", "Reopen"};
  EXPECT_THAT(MatchTransitionName("resolve", names), ElementsAre(0u, 1u));
}

}  // namespace
}  // namespace jiralink
