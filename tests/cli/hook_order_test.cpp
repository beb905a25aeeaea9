// The order Jira sees a push's comments in, end to end (`git push` through
// the installed hook, `deliver --once` to the stand-in): oldest commit first,
// the default branch's commits before another branch's, pushes in the order
// they came.
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "hook_e2e_fixture.h"

namespace jiralink::testing {
namespace {

using HookOrder = HookE2E;
using Lines = std::vector<std::string>;

// The quoted commit title of each mention comment, in the order Jira got them.
Lines QuotedTitles(const std::vector<std::string>& bodies) {
  Lines titles;
  for (const std::string& body : bodies) {
    std::size_t open = body.find("{quote}");
    std::size_t close = body.rfind("{quote}");
    if (open == std::string::npos || close <= open) {
      titles.push_back("(no quote) " + body);
      continue;
    }
    titles.push_back(body.substr(open + 7, close - open - 7));
  }
  return titles;
}

TEST_F(HookOrder, ThreeCommitsOfOnePushAreCommentedOldestFirst) {
  std::string first = git_.Commit("First step, PROJ-1");
  std::string second = git_.Commit("Second step, PROJ-1");
  std::string third = git_.Commit("Third step, PROJ-1");
  ProcessResult push = Push({"origin", "main"});
  EXPECT_NE(push.err.find("jiralink: 3 Jira mentions queued"), std::string::npos) << push.err;

  // The queue lists the newest commit first.
  ProcessResult list = Jiralink({"queue", "list", "--json"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  nlohmann::json listed = nlohmann::json::parse(list.out, nullptr, false);
  ASSERT_TRUE(listed.is_object()) << list.out;
  Lines listed_commits;
  for (const auto& job : listed["jobs"]) listed_commits.push_back(job.value("commit", ""));
  EXPECT_EQ(listed_commits, (Lines{third, second, first}));

  ProcessResult deliver = Deliver();
  ASSERT_EQ(deliver.exit_code, 0) << deliver.out << deliver.err;
  std::vector<std::string> comments = CommentBodies("PROJ-1");
  EXPECT_EQ(QuotedTitles(comments),
            (Lines{"First step, PROJ-1", "Second step, PROJ-1", "Third step, PROJ-1"}));
  ASSERT_EQ(comments.size(), 3u);
  EXPECT_NE(comments[0].find("/-/commit/" + first + "]"), std::string::npos) << comments[0];
  EXPECT_NE(comments[2].find("/-/commit/" + third + "]"), std::string::npos) << comments[2];
}

TEST_F(HookOrder, TheDefaultBranchIsCommentedBeforeAnotherBranchOfThePush) {
  git_.Commit("base");
  git_.Run({"checkout", "-q", "-b", "feature"});
  git_.Commit("Feature work, PROJ-2");
  git_.Run({"checkout", "-q", "main"});
  git_.Commit("Main one, PROJ-2");
  git_.Commit("Main two, PROJ-2");
  // Both branches are new; git sends the feature branch's line first.
  Push({"origin", "feature", "main"});
  ASSERT_EQ(Deliver().exit_code, 0);
  EXPECT_EQ(QuotedTitles(CommentBodies("PROJ-2")),
            (Lines{"Main one, PROJ-2", "Main two, PROJ-2", "Feature work, PROJ-2"}));
}

TEST_F(HookOrder, AfterRetryAllAnEarlierPushIsStillCommentedFirst) {
  git_.Commit("Push one, PROJ-3");
  Push({"origin", "main"});
  git_.Commit("Push two a, PROJ-3");
  git_.Commit("Push two b, PROJ-3");
  Push({"origin", "main"});
  // An operator makes every job due at once (as after an outage).
  ProcessResult retry = Jiralink({"queue", "retry", "--all"});
  ASSERT_EQ(retry.exit_code, 0) << retry.err;
  ASSERT_EQ(Deliver().exit_code, 0);
  EXPECT_EQ(QuotedTitles(CommentBodies("PROJ-3")),
            (Lines{"Push one, PROJ-3", "Push two a, PROJ-3", "Push two b, PROJ-3"}));
}

}  // namespace
}  // namespace jiralink::testing
