// Delivered jobs are forgotten after [delivery] keep_done_days, and a commit
// pushed again after that is still posted only once.
#include <sqlite3.h>

#include <string>

#include <gtest/gtest.h>

#include "hook_e2e_fixture.h"

namespace jiralink::testing {
namespace {

using HookRetention = HookE2E;

// Makes every delivered job look delivered `days` ago.
void AgeDoneJobs(const std::string& outbox, int days) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(outbox.c_str(), &db), SQLITE_OK);
  std::string sql = "UPDATE jobs SET updated_at = updated_at - " +
                    std::to_string(static_cast<long long>(days) * 24 * 3600 * 1000) +
                    " WHERE state = 'done'";
  EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
}

TEST_F(HookRetention, OldDeliveredJobsAreForgottenAndARepushStillPostsOnce) {
  git_.Commit("base");
  Push({"origin", "main"});
  git_.Run({"checkout", "-q", "-b", "topic"});
  git_.Commit("PROJ-6 cache the parser tables");
  Push({"origin", "topic"});
  ASSERT_EQ(Deliver().exit_code, 0);
  ASSERT_EQ(CommentBodies("PROJ-6").size(), 1u);

  // Young enough: kept.
  AgeDoneJobs(git_.Path("state/outbox.sqlite3"), 29);
  ProcessResult deliver = Deliver();
  EXPECT_EQ(deliver.out.find("forgot"), std::string::npos) << deliver.out;
  EXPECT_NE(Jiralink({"queue", "list", "--state", "done"}).out.find("PROJ-6"), std::string::npos);

  AgeDoneJobs(git_.Path("state/outbox.sqlite3"), 2);  // 31 days now
  deliver = Deliver();
  EXPECT_NE(deliver.out.find("forgot 1 jobs delivered more than 30 days ago"), std::string::npos)
      << deliver.out;
  EXPECT_EQ(Jiralink({"queue", "list", "--state", "done"}).out.find("PROJ-6"), std::string::npos);

  // The branch is deleted and pushed again: its commit is new to the
  // repository once more and gets a new job; Jira already has the work.
  Push({"origin", "--delete", "topic"});
  ProcessResult push = Push({"origin", "topic"});
  EXPECT_NE(push.err.find("1 Jira mention queued"), std::string::npos) << push.err;
  deliver = Deliver();
  EXPECT_EQ(deliver.exit_code, 0) << deliver.out;
  EXPECT_EQ(CommentBodies("PROJ-6").size(), 1u);
  EXPECT_EQ(jira_.RemoteLinks("PROJ-6").size(), 1u);
}

}  // namespace
}  // namespace jiralink::testing
