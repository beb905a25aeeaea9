// ParseResponseBody: every Jira answer is parsed through it, so a hostile or
// broken server cannot crash a command or the hook's delivery with one body.
#include "jiralink/jira/json_parse.h"

#include <gtest/gtest.h>

#include <string>

namespace jiralink::jira {
namespace {

std::string Nested(int depth, const std::string& open, const std::string& close) {
  std::string text;
  for (int i = 0; i < depth; ++i) text += open;
  for (int i = 0; i < depth; ++i) text += close;
  return text;
}

TEST(ParseResponseBody, ParsesOrdinaryAnswers) {
  nlohmann::json json = ParseResponseBody(R"({"key":"PROJ-1","fields":{"labels":["a"]}})");
  ASSERT_FALSE(json.is_discarded());
  EXPECT_EQ(json["key"], "PROJ-1");
  EXPECT_TRUE(ParseResponseBody("not json").is_discarded());
  EXPECT_TRUE(ParseResponseBody("").is_discarded());
}

TEST(ParseResponseBody, AcceptsNestingUpToTheLimit) {
  EXPECT_FALSE(ParseResponseBody(Nested(kMaxJsonDepth, "[", "]")).is_discarded());
}

TEST(ParseResponseBody, RefusesDeeperNestingWithoutRecursing) {
  // 100,000 levels: copying or printing such a value would overflow the stack.
  EXPECT_TRUE(ParseResponseBody(Nested(kMaxJsonDepth + 1, "[", "]")).is_discarded());
  EXPECT_TRUE(ParseResponseBody(Nested(100000, "[", "]")).is_discarded());
  EXPECT_TRUE(ParseResponseBody(R"({"errors":{"f":)" + Nested(100000, "{\"a\":", "}") + "}}")
                  .is_discarded());
  // A deep error body is still an error with the HTTP status, not a crash.
  Issue issue;
  ParseIssue(ParseResponseBody(Nested(100000, "[", "]")), &issue);
  EXPECT_TRUE(issue.key.empty());
}

TEST(ParseResponseBody, BracketsInsideStringsDoNotCount) {
  std::string text = R"({"body":")" + std::string(10000, '[') + R"(\"]"})";
  nlohmann::json json = ParseResponseBody(text);
  ASSERT_FALSE(json.is_discarded());
  EXPECT_EQ(json["body"].get<std::string>().size(), 10002u);
}

}  // namespace
}  // namespace jiralink::jira
