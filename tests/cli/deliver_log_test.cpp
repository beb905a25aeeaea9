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

}  // namespace
}  // namespace jiralink::testing
