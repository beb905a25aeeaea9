// `jiralink queue list` and `deliver` with jobs the hook does not make:
// merge-request jobs as the serve module queues them (hand-made here), and
// jobs skipped because their issue does not exist.
#include <memory>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "hook_e2e_fixture.h"
#include "jiralink/outbox/sqlite_outbox.h"

namespace jiralink::testing {
namespace {

using QueueCli = HookE2E;

outbox::Job MergeRequestJob(const std::string& key, outbox::JobKind kind) {
  outbox::Job job;
  job.repository = "platform/api";
  job.commit = outbox::MergeRequestSource(42);
  job.key = key;
  job.kind = kind;
  job.branch = "feature/parser";
  job.branch_url = "https://git.example.com/platform/api/-/tree/feature/parser";
  job.author = "Grace Hopper";
  job.message = "Parser rework\n\nCloses " + key;
  job.commit_url = "https://git.example.com/platform/api/-/merge_requests/42";
  job.repo_url = "https://git.example.com/platform/api";
  return job;  // no site: delivery gives it the repository's
}

TEST_F(QueueCli, MergeRequestJobsAreListedByIidAndDeliveredWithTheirWording) {
  {
    std::unique_ptr<outbox::Outbox> outbox;
    ASSERT_TRUE(outbox::OpenSqliteOutbox(git_.Path("state/outbox.sqlite3"), &outbox).ok());
    outbox::EnqueueResult added;
    ASSERT_TRUE(outbox
                    ->Enqueue({MergeRequestJob("PROJ-5", outbox::JobKind::kMention),
                               MergeRequestJob("PROJ-6", outbox::JobKind::kClose),
                               MergeRequestJob("NOPE-1", outbox::JobKind::kMention)},
                              &added)
                    .ok());
    ASSERT_EQ(added.added, 3);
  }
  ProcessResult list = Jiralink({"queue", "list"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_NE(list.out.find("SOURCE"), std::string::npos) << list.out;
  EXPECT_NE(list.out.find(" !42 "), std::string::npos) << list.out;

  ProcessResult run = Deliver();
  EXPECT_EQ(run.exit_code, 0) << "a skipped job is not a failure: " << run.out << run.err;
  EXPECT_NE(run.out.find("2 delivered, 0 retrying later, 0 dead, 1 skipped"), std::string::npos)
      << run.out;
  std::vector<std::string> mention = CommentBodies("PROJ-5");
  ASSERT_EQ(mention.size(), 1u);
  EXPECT_EQ(mention[0].rfind("Grace Hopper mentioned this issue in [a merge request|", 0), 0u)
      << mention[0];
  EXPECT_EQ(jira_.Resolution("PROJ-6"), "Done");
  EXPECT_EQ(CommentBodies("PROJ-6"),
            (std::vector<std::string>{"Issue solved with "
                                      "[!42|https://git.example.com/platform/api/-/"
                                      "merge_requests/42]."}));

  ProcessResult skipped = Jiralink({"queue", "list", "--state", "skipped", "--json"});
  ASSERT_EQ(skipped.exit_code, 0) << skipped.err;
  nlohmann::json json = nlohmann::json::parse(skipped.out);
  ASSERT_EQ(json["jobs"].size(), 1u) << skipped.out;
  EXPECT_EQ(json["jobs"][0]["key"], "NOPE-1");
  EXPECT_EQ(json["jobs"][0]["state"], "skipped");
  EXPECT_EQ(json["jobs"][0]["commit"], "!42");
  EXPECT_EQ(json["jobs"][0]["merge_request"], true);
  EXPECT_NE(json["jobs"][0]["last_error"].get<std::string>().find("404"), std::string::npos);
}

TEST_F(QueueCli, AnUnknownStateIsRefusedNamingTheChoices) {
  ProcessResult list = Jiralink({"queue", "list", "--state", "gone"});
  EXPECT_EQ(list.exit_code, 2);
  EXPECT_NE(list.err.find("expected pending, done, dead or skipped"), std::string::npos)
      << list.err;
}

}  // namespace
}  // namespace jiralink::testing
