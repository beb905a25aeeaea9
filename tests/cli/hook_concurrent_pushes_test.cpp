// Issue #24: pushes must not lose their Jira jobs to the outbox's lock.
// Twelve `git push`es at once, each of many new branches into a fresh
// repository whose HEAD names a branch that does not exist (so no branch is
// the default one), all into one SQLite outbox. Before, each hook ran one
// `git rev-list` per branch while holding the outbox's write lock, and
// pushes waiting past the 30 s busy timeout printed "database is locked;
// this push was NOT queued". Now each hook runs a bounded number of git
// processes and writes its jobs in one short transaction after reading git:
// every job of every push is queued.
//
// Scale: 12 pushes of 500 branches, not the 5,000, to stay short.
// Measured with the previous commit's release build on this 2-core machine
// (load average ~20): 11 of the 12 pushes printed "database is locked; this
// push was NOT queued" and 500 jobs of 6,000 were queued, in 151 s.
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "hook_e2e_fixture.h"

namespace jiralink::testing {
namespace {

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::size_t Count(const std::string& text, const std::string& part) {
  std::size_t count = 0;
  for (std::size_t at = 0; (at = text.find(part, at)) != std::string::npos; at += part.size()) {
    ++count;
  }
  return count;
}

using HookConcurrentPushes = HookE2E;

TEST_F(HookConcurrentPushes, TwelvePushesOfManyBranchesIntoFreshRepositoriesQueueEveryJob) {
  constexpr int kPushes = 12;
  constexpr int kBranches = 500;
  // The branches, written straight into the clone: one commit each on a
  // common base, each naming its own key.
  git_.Commit("base");
  std::string stream;
  for (int i = 1; i <= kBranches; ++i) {
    const std::string message = "Work on PROJ-" + std::to_string(i) + "\n";
    stream += "commit refs/heads/b" + std::to_string(i) +
              "\ncommitter Ada Lovelace <ada@example.com> " + std::to_string(1700000000 + i) +
              " +0000\ndata " + std::to_string(message.size()) + "\n" + message + "from " +
              git_.Rev("HEAD") + "\n\n";
  }
  ProcessOptions import;
  import.cwd = git_.work();
  import.env = GitIdentityEnv();
  import.stdin_data = stream;
  ProcessResult imported = RunProcess({"git", "fast-import", "--quiet"}, import);
  ASSERT_EQ(imported.exit_code, 0) << imported.err;

  // Fresh repositories, as `git init --bare` leaves them: HEAD names
  // master, which no push brings.
  std::vector<std::string> repos;
  for (int p = 0; p < kPushes; ++p) {
    const std::string bare = git_.root() + "/fresh/r" + std::to_string(p) + ".git";
    Git(git_.Path(""), {"init", "-q", "--bare", "-b", "master", bare}, GitIdentityEnv());
    ProcessResult install = Jiralink({"hook", "install", bare});
    ASSERT_EQ(install.exit_code, 0) << install.err;
    repos.push_back(bare);
  }

  std::vector<ProcessResult> results(kPushes);
  std::vector<std::thread> pushes;
  for (int p = 0; p < kPushes; ++p) {
    pushes.emplace_back([&, p] {
      ProcessOptions options;
      options.cwd = git_.work();
      options.env = GitIdentityEnv();
      options.env["JIRALINK_NO_AUTO_DELIVER"] = "1";
      options.timeout = std::chrono::milliseconds(240000);
      results[static_cast<std::size_t>(p)] = RunProcess(
          {"git", "push", "-q", repos[static_cast<std::size_t>(p)], "refs/heads/b*:refs/heads/b*"},
          options);
    });
  }
  for (std::thread& push : pushes) push.join();

  for (int p = 0; p < kPushes; ++p) {
    const ProcessResult& r = results[static_cast<std::size_t>(p)];
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_FALSE(Contains(r.err, "NOT queued")) << "push " << p << ":\n" << r.err.substr(0, 2000);
    EXPECT_TRUE(
        Contains(r.err, "remote: jiralink: " + std::to_string(kBranches) + " Jira mentions queued"))
        << "push " << p << ":\n"
        << r.err.substr(0, 2000);
  }
  ProcessResult list = Jiralink({"queue", "list", "--limit", "1000000", "--json"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_EQ(Count(list.out, "\"kind\": \"mention\""),
            static_cast<std::size_t>(kPushes * kBranches));
}

}  // namespace
}  // namespace jiralink::testing
