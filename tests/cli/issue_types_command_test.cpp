// `jiralink issue-types --project KEY` against the stand-in.
#include <gtest/gtest.h>

#include "issues_cli_fixture.h"

namespace jiralink::testing {
namespace {

using nlohmann::json;

class IssueTypesTest : public IssuesCliTest {
 protected:
  void SetUp() override {
    IssuesCliTest::SetUp();
    jira_.AddProject("SEC", "Security", "10100");
    jira_.SetIssueTypes("SEC", {{"10004", "Bug", "A problem.", false},
                                {"10020", "Vulnerability", "A security finding.", false},
                                {"10003", "Sub-task", "Part of a task.", true}});
  }
};

TEST_P(IssueTypesTest, ListsTypesWithoutSubtasks) {
  ProcessResult result = Run({"issue-types", "--project", "SEC"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out,
            "ID     NAME           DESCRIPTION\n"
            "10004  Bug            A problem.\n"
            "10020  Vulnerability  A security finding.\n");
}

TEST_P(IssueTypesTest, JsonShape) {
  ProcessResult result = Run({"issue-types", "--project", "SEC", "--json"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(json::parse(result.out),
            json::parse(R"([{"id":"10004","name":"Bug","description":"A problem."},
                            {"id":"10020","name":"Vulnerability",
                             "description":"A security finding."}])"));
}

TEST_P(IssueTypesTest, ProjectDefaultsToTheVulnerabilitiesProject) {
  WriteConfig("[vulnerabilities]\nproject_key = \"SEC\"\n");
  ProcessResult result = Run({"issue-types"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("Vulnerability"), std::string::npos);
}

TEST_P(IssueTypesTest, MissingOrUnknownProject) {
  ProcessResult none = Run({"issue-types"});
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_NE(none.err.find("--project KEY"), std::string::npos) << none.err;
  ProcessResult unknown = Run({"issue-types", "--project", "NOPE"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.err.find("NOPE"), std::string::npos) << unknown.err;
}

INSTANTIATE_TEST_SUITE_P(BothPersonalities, IssueTypesTest,
                         ::testing::Values(standin::Personality::kCloud,
                                           standin::Personality::kServer),
                         PersonalityName);

}  // namespace
}  // namespace jiralink::testing
