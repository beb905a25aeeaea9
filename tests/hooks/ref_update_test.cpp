#include "jiralink/hooks/ref_update.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace jiralink::hooks {
namespace {

const std::string kZero(40, '0');
const std::string kA(40, 'a');
const std::string kB(40, 'b');

TEST(RefUpdates, ParsesCreateUpdateDelete) {
  std::string input = kZero + " " + kA + " refs/heads/new\n" + kA + " " + kB +
                      " refs/heads/main\n" + kB + " " + kZero + " refs/heads/old\n";
  std::vector<std::string> warnings;
  auto updates = ParseRefUpdates(input, &warnings);
  ASSERT_EQ(updates.size(), 3u);
  EXPECT_TRUE(warnings.empty());
  EXPECT_TRUE(updates[0].is_create());
  EXPECT_EQ(updates[1].branch(), "main");
  EXPECT_TRUE(updates[2].is_delete());
  EXPECT_FALSE(RefUpdate({kA, kB, "refs/tags/v1"}).is_branch());
}

TEST(RefUpdates, GarbageLinesAreWarnedAboutAndValidLinesKept) {
  std::string input = "hello world\n" + kA + " " + kB + " refs/heads/main\r\n" +
                      "\x01\x02 binary\n" + kA + " zzzz refs/heads/x\n" + kA + " " + kB + "\n" +
                      kA + " " + kB + " refs/heads/last";
  std::vector<std::string> warnings;
  auto updates = ParseRefUpdates(input, &warnings);
  ASSERT_EQ(updates.size(), 2u);
  EXPECT_EQ(updates[0].ref, "refs/heads/main");
  EXPECT_EQ(updates[1].ref, "refs/heads/last");
  ASSERT_EQ(warnings.size(), 4u);
  EXPECT_NE(warnings[0].find("stdin line 1"), std::string::npos);
  EXPECT_NE(warnings[0].find("hello world"), std::string::npos);
  EXPECT_NE(warnings[1].find("stdin line 3"), std::string::npos);
  EXPECT_EQ(warnings[1].find('\x01'), std::string::npos) << "control bytes are not echoed";
}

// The lines a push prints for queueing it later come back through git's
// "remote:" side band, padded with spaces: copied from a terminal they must
// still parse. A line that has no ref is still refused.
TEST(RefUpdates, TrailingBlanksAreIgnored) {
  std::string input = kZero + " " + kA + " refs/heads/main        \n" + kA + " " + kB +
                      " refs/heads/topic\t \r\n" + kA + " " + kB + "   \n";
  std::vector<std::string> warnings;
  auto updates = ParseRefUpdates(input, &warnings);
  ASSERT_EQ(updates.size(), 2u);
  EXPECT_EQ(updates[0].ref, "refs/heads/main");
  EXPECT_EQ(updates[1].ref, "refs/heads/topic");
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("stdin line 3"), std::string::npos);
}

TEST(RefUpdates, AcceptsSha256Ids) {
  std::string input = std::string(64, '0') + " " + std::string(64, 'c') + " refs/heads/main\n";
  EXPECT_EQ(ParseRefUpdates(input, nullptr).size(), 1u);
}

}  // namespace
}  // namespace jiralink::hooks
