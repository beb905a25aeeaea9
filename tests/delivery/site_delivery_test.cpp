#include "jiralink/delivery/site_delivery.h"

#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "jiralink/outbox/sqlite_outbox.h"
#include "standin.h"
#include "support/test_support.h"

namespace jiralink::delivery {
namespace {

using outbox::Job;
using outbox::JobState;
using standin::JiraStandin;

// Two Jira sites; repository "a/x" goes to the first, "b/y" to the second,
// "c/z" to a site whose client cannot be made (no token, say).
class SiteDeliveryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (JiraStandin* jira : {&first_, &second_}) {
      ASSERT_TRUE(jira->Start());
      jira->AddProject("PROJ", "Project");
      standin::IssueSeed seed;
      seed.key = "PROJ-1";
      jira->AddIssue(seed);
    }
    ASSERT_TRUE(outbox::OpenSqliteOutbox(dir_.Path("outbox.sqlite3"), &outbox_).ok());
    options_.backoff.base_ms = 1;
    hooks_.site_of = [this](const std::string& repository) { return SiteOf(repository); };
    hooks_.make_client = [this](const std::string& repository, const std::string& site) {
      made_for_.push_back(repository);
      std::unique_ptr<jira::Client> client;
      if (site == kBrokenSite) return client;
      jira::ClientOptions options;
      options.api_url = site;
      options.username = "jiralink-bot";
      options.token = "standin-token";
      options.deployment = jira::Deployment::kServer;
      client = std::make_unique<jira::Client>(options);
      return client;
    };
  }

  std::string SiteOf(const std::string& repository) const {
    if (repository == "a/x") return first_.base_url();
    if (repository == "b/y") return second_.base_url();
    return kBrokenSite;
  }

  Job MakeJob(const std::string& repository, const std::string& sha, bool with_site = true) {
    Job job;
    job.repository = repository;
    job.commit = sha;
    job.key = "PROJ-1";
    job.author = "Ada";
    job.message = "PROJ-1 work";
    job.commit_url = "https://git.example.com/" + repository + "/commit/" + sha;
    if (with_site) job.site = SiteOf(repository);
    return job;
  }

  static constexpr const char* kBrokenSite = "https://no-token.example.com";
  JiraStandin first_{JiraStandin::Options{}};
  JiraStandin second_{JiraStandin::Options{}};
  testing::TempDir dir_;
  std::unique_ptr<outbox::Outbox> outbox_;
  DeliveryOptions options_;
  SiteDeliveryHooks hooks_;
  std::vector<std::string> made_for_;
};

TEST_F(SiteDeliveryTest, EachSiteGetsItsJobsThroughItsOwnClient) {
  outbox::EnqueueResult r;
  ASSERT_TRUE(
      outbox_->Enqueue({MakeJob("a/x", "1111"), MakeJob("b/y", "2222"), MakeJob("a/x", "3333")}, &r)
          .ok());
  SiteDelivery delivery(outbox_.get(), options_, hooks_);
  DeliveryLock lock(dir_.Path("deliver.lock"));
  DeliveryTotals totals;
  bool busy = true;
  ASSERT_TRUE(delivery.DeliverDue(lock, &totals, &busy).ok());
  EXPECT_FALSE(busy);
  EXPECT_EQ(totals.delivered, 3);
  EXPECT_EQ(first_.Comments("PROJ-1").size(), 2u);
  EXPECT_EQ(second_.Comments("PROJ-1").size(), 1u);
  EXPECT_EQ(made_for_.size(), 2u) << "one client per site";
}

TEST_F(SiteDeliveryTest, JobsWithoutASiteTakeTheirRepositorysAndABrokenSiteWaitsAlone) {
  outbox::EnqueueResult r;
  ASSERT_TRUE(outbox_
                  ->Enqueue({MakeJob("a/x", "1111", /*with_site=*/false),
                             MakeJob("c/z", "2222", /*with_site=*/false)},
                            &r)
                  .ok());
  SiteDelivery delivery(outbox_.get(), options_, hooks_);
  DeliveryLock lock(dir_.Path("deliver.lock"));
  DeliveryTotals totals;
  bool busy = false;
  ASSERT_TRUE(delivery.DeliverDue(lock, &totals, &busy).ok());
  EXPECT_EQ(totals.delivered, 1);
  ASSERT_EQ(totals.blocked.count(kBrokenSite), 1u);
  EXPECT_NE(totals.blocked[kBrokenSite].find("c/z"), std::string::npos);
  std::vector<Job> pending;
  ASSERT_TRUE(outbox_->List(JobState::kPending, 10, &pending).ok());
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].site, kBrokenSite);
}

TEST_F(SiteDeliveryTest, ALockHeldByAnotherRunLeavesTheJobsToIt) {
  outbox::EnqueueResult r;
  ASSERT_TRUE(outbox_->Enqueue({MakeJob("a/x", "1111")}, &r).ok());
  DeliveryLock other(dir_.Path("deliver.lock"));
  std::string error;
  ASSERT_TRUE(other.TryLock(&error)) << error;
  SiteDelivery delivery(outbox_.get(), options_, hooks_);
  DeliveryLock lock(dir_.Path("deliver.lock"));
  DeliveryTotals totals;
  bool busy = false;
  ASSERT_TRUE(delivery.DeliverDue(lock, &totals, &busy).ok());
  EXPECT_TRUE(busy);
  EXPECT_EQ(totals.Handled(), 0);
  EXPECT_TRUE(first_.Comments("PROJ-1").empty());
}

}  // namespace
}  // namespace jiralink::delivery
