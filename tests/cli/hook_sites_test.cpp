// Repositories whose [jira] comes from a [groups] table: their jobs go to
// that Jira site, with its credentials, and a pause of one site does not hold
// up the others.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "hook_e2e_fixture.h"

namespace jiralink::testing {
namespace {

class HookSites : public HookE2E {
 protected:
  void SetUp() override {
    HookE2E::SetUp();
    ASSERT_TRUE(ops_jira_.Start());
    ops_jira_.AddProject("OPS", "Operations");
    standin::IssueSeed seed;
    seed.key = "OPS-1";
    seed.summary = "Rotate the keys";
    ops_jira_.AddIssue(seed);
    // A second repository under the same [git] root, in the "ops" group.
    ops_bare_ = git_.root() + "/ops/tools.git";
    ops_work_ = git_.Path("ops-work");
    Git(git_.Path(""), {"init", "-q", "--bare", "-b", "main", ops_bare_}, GitIdentityEnv());
    Git(git_.Path(""), {"init", "-q", "-b", "main", ops_work_}, GitIdentityEnv());
    Git(ops_work_, {"remote", "add", "origin", ops_bare_}, GitIdentityEnv());
    WriteConfig("[groups.\"ops\".jira]\nweb_url = \"" + ops_jira_.base_url() +
                "\"\nusername = \"ops-bot\"\ntoken = \"ops-token\"\n");
    ProcessResult install = Jiralink({"hook", "install", ops_bare_});
    ASSERT_EQ(install.exit_code, 0) << install.err;
  }

  void PushOps(const std::string& message) {
    WriteFile(ops_work_ + "/notes.txt", message + "\n");
    Git(ops_work_, {"add", "notes.txt"}, GitIdentityEnv());
    Git(ops_work_, {"commit", "-q", "-m", message}, GitIdentityEnv());
    ProcessOptions options;
    options.cwd = ops_work_;
    options.env = GitIdentityEnv();
    ProcessResult push = RunProcess({"git", "push", "-q", "origin", "main"}, options);
    ASSERT_EQ(push.exit_code, 0) << push.err;
    EXPECT_NE(push.err.find("jiralink: 1 Jira mention queued"), std::string::npos) << push.err;
  }

  standin::JiraStandin ops_jira_{OpsOptions()};
  std::string ops_bare_;
  std::string ops_work_;

 private:
  static standin::JiraStandin::Options OpsOptions() {
    standin::JiraStandin::Options options;
    options.username = "ops-bot";
    options.token = "ops-token";
    return options;
  }
};

TEST_F(HookSites, EachRepositorysJobsGoToItsGroupsJiraSite) {
  git_.Commit("PROJ-3 parser fix");
  Push({"origin", "main"});
  PushOps("OPS-1 rotate the signing key");

  ProcessResult deliver = Deliver();
  EXPECT_EQ(deliver.exit_code, 0) << deliver.out << deliver.err;
  EXPECT_NE(deliver.out.find("2 delivered"), std::string::npos) << deliver.out;
  EXPECT_EQ(CommentBodies("PROJ-3").size(), 1u);
  ASSERT_EQ(ops_jira_.Comments("OPS-1").size(), 1u);
  EXPECT_NE(ops_jira_.Comments("OPS-1")[0].value("body", "").find("ops/tools"), std::string::npos);
  EXPECT_EQ(ops_jira_.RemoteLinks("OPS-1").size(), 1u);
  // Neither site heard of the other's issue.
  EXPECT_TRUE(jira_.Requests("", "OPS-1").empty());
  EXPECT_TRUE(ops_jira_.Requests("", "PROJ-3").empty());
}

TEST_F(HookSites, APausedSiteDoesNotHoldUpTheOthers) {
  standin::Fault unauthorized;
  unauthorized.status = 401;
  unauthorized.times = -1;
  ops_jira_.InjectFault(unauthorized);
  PushOps("OPS-1 rotate the signing key");
  git_.Commit("PROJ-4 parser fix");
  Push({"origin", "main"});

  ProcessResult deliver = Deliver();
  EXPECT_EQ(deliver.exit_code, 1) << deliver.out;
  EXPECT_NE(deliver.out.find("delivery to " + ops_jira_.base_url() + " is paused"),
            std::string::npos)
      << deliver.out;
  EXPECT_EQ(CommentBodies("PROJ-4").size(), 1u);
  EXPECT_TRUE(ops_jira_.Comments("OPS-1").empty());

  // Once the site takes the credentials again, `queue retry` ends the pause.
  ops_jira_.ClearFaults();
  ASSERT_EQ(Jiralink({"queue", "retry", "--all"}).exit_code, 0);
  deliver = Deliver();
  EXPECT_EQ(deliver.exit_code, 0) << deliver.out;
  EXPECT_EQ(ops_jira_.Comments("OPS-1").size(), 1u);
  EXPECT_EQ(CommentBodies("PROJ-4").size(), 1u);
}

TEST_F(HookSites, ASiteWithoutCredentialsIsReportedAndItsJobsWait) {
  PushOps("OPS-1 rotate the signing key");
  WriteConfig("[groups.\"ops\".jira]\nweb_url = \"" + ops_jira_.base_url() +
              "\"\nusername = \"ops-bot\"\ntoken_env = \"JIRALINK_TEST_UNSET_TOKEN\"\n");
  git_.Commit("PROJ-5 parser fix");
  Push({"origin", "main"});

  ProcessResult deliver = Deliver();
  EXPECT_EQ(deliver.exit_code, 1) << deliver.out;
  EXPECT_NE(deliver.err.find("JIRALINK_TEST_UNSET_TOKEN"), std::string::npos) << deliver.err;
  EXPECT_NE(deliver.out.find(ops_jira_.base_url() + ": cannot deliver"), std::string::npos)
      << deliver.out;
  EXPECT_EQ(CommentBodies("PROJ-5").size(), 1u);
  ProcessResult pending = Jiralink({"queue", "list", "--state", "pending"});
  EXPECT_NE(pending.out.find("OPS-1"), std::string::npos) << pending.out;
}

}  // namespace
}  // namespace jiralink::testing
