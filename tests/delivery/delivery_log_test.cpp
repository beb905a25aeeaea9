#include "jiralink/delivery/delivery_log.h"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "support/test_support.h"

namespace jiralink::delivery {
namespace {

// Runs RedirectOutputToLog in a child (it takes over stdout and stderr),
// which then writes one line to each; returns the child's exit code.
int LogFromChild(const std::string& path, std::int64_t max_bytes, const std::string& line) {
  std::fflush(stdout);
  std::fflush(stderr);
  pid_t pid = ::fork();
  if (pid == 0) {
    Status status = RedirectOutputToLog(path, max_bytes);
    if (!status.ok()) ::_exit(3);
    std::printf("out: %s\n", line.c_str());
    std::fflush(stdout);
    std::fprintf(stderr, "err: %s\n", line.c_str());
    ::_exit(0);
  }
  int wstatus = 0;
  ::waitpid(pid, &wstatus, 0);
  return WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1;
}

TEST(DeliveryLog, OutputAndErrorsAreAppendedToAPrivateFile) {
  testing::TempDir dir;
  std::string path = dir.Path("deliver.log");
  ASSERT_EQ(LogFromChild(path, 1 << 20, "first"), 0);
  ASSERT_EQ(LogFromChild(path, 1 << 20, "second"), 0);
  EXPECT_EQ(testing::ReadFile(path), "out: first\nerr: first\nout: second\nerr: second\n");
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u) << "tokens are never logged, but Jira's answers may be";
}

TEST(DeliveryLog, ALargeLogIsMovedAsideAndOneOldFileIsKept) {
  testing::TempDir dir;
  std::string path = dir.Path("deliver.log");
  testing::WriteFile(path, std::string(100, 'x') + "\n");
  testing::WriteFile(path + ".1", "oldest\n");
  ASSERT_EQ(LogFromChild(path, 50, "fresh"), 0);
  EXPECT_EQ(testing::ReadFile(path), "out: fresh\nerr: fresh\n");
  EXPECT_EQ(testing::ReadFile(path + ".1"), std::string(100, 'x') + "\n");
  ASSERT_EQ(LogFromChild(path, 50, "small"), 0);
  EXPECT_EQ(testing::ReadFile(path), "out: fresh\nerr: fresh\nout: small\nerr: small\n");
}

TEST(DeliveryLog, AnUnwritablePlaceIsAnErrorNamingThePath) {
  testing::TempDir dir;
  std::string path = dir.Path("missing-dir/deliver.log");
  std::fflush(stdout);
  pid_t pid = ::fork();
  if (pid == 0) {
    Status status = RedirectOutputToLog(path);
    ::_exit(!status.ok() && status.message().find(path) != std::string::npos ? 0 : 1);
  }
  int wstatus = 0;
  ::waitpid(pid, &wstatus, 0);
  EXPECT_TRUE(WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0);
}

}  // namespace
}  // namespace jiralink::delivery
