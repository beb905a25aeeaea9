// JsonNestingWithin: the depth check run before any outside JSON is parsed.
#include "jiralink/core/json_depth.h"

#include <gtest/gtest.h>

#include <string>

namespace jiralink {
namespace {

TEST(JsonNestingWithin, CountsOnlyBracketsOutsideStrings) {
  EXPECT_TRUE(JsonNestingWithin(R"({"a":[1,{"b":2}]})", 3));
  EXPECT_FALSE(JsonNestingWithin(R"({"a":[1,{"b":2}]})", 2));
  EXPECT_TRUE(JsonNestingWithin(R"({"a":"[[[[[[\"[[["})", 1));
  EXPECT_TRUE(JsonNestingWithin("", 0));
}

TEST(JsonNestingWithin, StopsAtTheFirstLevelPastTheLimit) {
  EXPECT_FALSE(JsonNestingWithin(std::string(1000000, '['), 256));
  EXPECT_TRUE(JsonNestingWithin(std::string(256, '[') + std::string(256, ']'), 256));
}

}  // namespace
}  // namespace jiralink
