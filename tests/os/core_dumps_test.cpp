// os/core_dumps.h: processes holding secrets are not dumpable unless the
// operator asks. Each case runs in a forked child: the mark cannot be undone
// in this process.
#include "jiralink/os/core_dumps.h"

#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>

#include <gtest/gtest.h>

namespace jiralink {
namespace {

// PR_GET_DUMPABLE in a child after KeepSecretsOutOfCoreDumps(), with the
// variable set to `allow` (null: unset); -1 when the child failed.
int DumpableAfterwards(const char* allow) {
  pid_t child = fork();
  if (child == 0) {
    if (allow == nullptr) {
      unsetenv(kAllowCoreDumpsVariable);
    } else {
      setenv(kAllowCoreDumpsVariable, allow, 1);
    }
    KeepSecretsOutOfCoreDumps();
    _exit(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0));
  }
  int status = 0;
  if (child < 0 || waitpid(child, &status, 0) != child || !WIFEXITED(status)) return -1;
  return WEXITSTATUS(status);
}

TEST(CoreDumps, OffByDefault) {
  ASSERT_EQ(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 1);  // the test runner itself is dumpable
  EXPECT_EQ(DumpableAfterwards(nullptr), 0);
}

TEST(CoreDumps, OnlyTheOperatorsExactAnswerAllowsThem) {
  EXPECT_EQ(DumpableAfterwards("1"), 1);
  EXPECT_EQ(DumpableAfterwards("0"), 0);
  EXPECT_EQ(DumpableAfterwards("yes"), 0);
  EXPECT_EQ(DumpableAfterwards(""), 0);
}

}  // namespace
}  // namespace jiralink
