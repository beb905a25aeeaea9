// The run the hook starts after a push writes to <state dir>/deliver.log:
// a Jira problem is visible there, with timestamps, not only in `queue list`.
#include <regex>
#include <string>

#include <gtest/gtest.h>

#include "hook_e2e_fixture.h"

namespace jiralink::testing {
namespace {

using DeliverLog = HookE2E;

TEST_F(DeliverLog, TheDetachedRunLogsEachJobWithATimestamp) {
  standin::Fault down;
  down.path_contains = "/PROJ-3/";
  down.status = 503;
  jira_.InjectFault(down);
  git_.Commit("PROJ-2 and PROJ-3 work, see UTF-8");
  Push({"origin", "main"}, {{"JIRALINK_NO_AUTO_DELIVER", "0"}});
  const std::string log = git_.Path("state/deliver.log");
  EXPECT_TRUE(WaitFor([&] {
    std::string text = ReadFile(log);
    return text.find("retrying") != std::string::npos &&
           text.find("delivered, ") != std::string::npos;
  }));
  std::string text = ReadFile(log);
  const std::regex stamped(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ jiralink deliver: )");
  EXPECT_TRUE(std::regex_search(
      text, std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ jiralink deliver: run --once)")))
      << text;
  EXPECT_TRUE(
      std::regex_search(text, std::regex(R"(Z jiralink deliver: delivered #\d+ mention PROJ-2)")))
      << text;
  EXPECT_TRUE(std::regex_search(
      text, std::regex(R"(Z jiralink deliver: retrying #\d+ mention PROJ-3 .*503)")))
      << text;
  EXPECT_TRUE(std::regex_search(
      text, std::regex(R"(Z jiralink deliver: skipped #\d+ mention UTF-8 .*404)")))
      << text;
  EXPECT_TRUE(std::regex_search(text, stamped));
}

// Issue #23: the settings send the token over plain http://. The pusher, who
// can do nothing about it, is not told; the operator finds it once in the
// log of the delivery run, with the time, like every other line there.
TEST_F(DeliverLog, ThePlainHttpWarningIsTheOperatorsNotThePushers) {
  git_.Commit("PROJ-2 over plain http");
  ProcessResult push = Push({"origin", "main"}, {{"JIRALINK_NO_AUTO_DELIVER", "0"}});
  EXPECT_EQ((push.out + push.err).find("plain http://"), std::string::npos) << push.err;
  EXPECT_EQ((push.out + push.err).find("warning: [jira]"), std::string::npos) << push.err;
  const std::string log = git_.Path("state/deliver.log");
  ASSERT_TRUE(WaitFor([&] { return ReadFile(log).find("delivered, ") != std::string::npos; }))
      << ReadFile(log);
  const std::string text = ReadFile(log);
  const std::regex warning(
      R"((^|\n)\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ jiralink: warning: \[jira\] api_url "http://)");
  EXPECT_TRUE(std::regex_search(text, warning)) << text;
  std::size_t count = 0;
  for (std::size_t at = 0; (at = text.find("is plain http://", at)) != std::string::npos; ++at) {
    ++count;
  }
  EXPECT_EQ(count, 1u) << "once per run\n" << text;
}

}  // namespace
}  // namespace jiralink::testing
