// `jiralink issues show KEY` against the stand-in, as Cloud and as Server.
#include <gtest/gtest.h>

#include "issues_cli_fixture.h"

namespace jiralink::testing {
namespace {

using nlohmann::json;

class IssuesShowTest : public IssuesCliTest {
 protected:
  void SetUp() override {
    IssuesCliTest::SetUp();
    std::string error;
    ASSERT_TRUE(jira_.Seed(json::parse(R"({
        "projects": [{"key": "PROJ", "name": "Project"}, {"key": "OTHER", "name": "Other"}],
        "issues": [
          {"key": "PROJ-1", "summary": "Login <fails> & crashes", "issueType": "Bug",
           "status": "In Progress", "assignee": "Grace Hopper", "labels": ["backend", "p1"],
           "priority": "High", "description": "Steps: open <the> page & wait.",
           "comments": ["First look: reproducible.", "Fixed in a1b2c3d."]},
          {"key": "PROJ-2", "summary": "Hidden one"},
          {"key": "OTHER-1", "summary": "Elsewhere"}],
        "hidden": ["PROJ-2"]})"),
                           &error))
        << error;
    WriteConfig("[issues]\nproject_keys = [\"PROJ\"]\n");
  }
};

TEST_P(IssuesShowTest, ShowsFieldsDescriptionAndCommentsAsText) {
  ProcessResult result = Run({"issues", "show", "PROJ-1"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const std::string& out = result.out;
  EXPECT_TRUE(
      out.starts_with("PROJ-1  Login <fails> & crashes\n" + jira_.base_url() + "/browse/PROJ-1\n"))
      << out;
  EXPECT_NE(out.find("Type:        Bug\n"), std::string::npos) << out;
  EXPECT_NE(out.find("Status:      In Progress\n"), std::string::npos);
  EXPECT_NE(out.find("Resolution:  Unresolved\n"), std::string::npos);
  EXPECT_NE(out.find("Priority:    High\n"), std::string::npos);
  EXPECT_NE(out.find("Reporter:    Ada Lovelace\n"), std::string::npos);
  EXPECT_NE(out.find("Assignee:    Grace Hopper\n"), std::string::npos);
  EXPECT_NE(out.find("Labels:      backend, p1\n"), std::string::npos);
  EXPECT_NE(out.find("Created:     "), std::string::npos);
  // Rendered HTML turned back into text: entities decoded, no tags.
  EXPECT_NE(out.find("Description\n-----------\nSteps: open <the> page & wait.\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("Comments (2)\n"), std::string::npos);
  EXPECT_NE(out.find("  First look: reproducible.\n"), std::string::npos);
  EXPECT_NE(out.find("  Fixed in a1b2c3d.\n"), std::string::npos);
  EXPECT_EQ(out.find("<p>"), std::string::npos);

  std::vector<standin::RecordedRequest> gets = jira_.Requests("GET", "/rest/api/2/issue/PROJ-1");
  ASSERT_FALSE(gets.empty());
  EXPECT_NE(gets.back().query.find("expand=renderedFields"), std::string::npos);
}

TEST_P(IssuesShowTest, JiraTextCannotDriveTheTerminalButJsonStaysExact) {
  std::string error;
  ASSERT_TRUE(jira_.Seed(json::parse(R"({"issues": [
      {"key": "PROJ-7", "summary": "Sum\u001b[2Jmary", "issueType": "Bug",
       "description": "Line one\u001b]52;c;ZXZpbA==\u0007\nLine \u009b31m two",
       "comments": ["Comment \u001b[?1049h\r\nnext\rline"]}]})"),
                         &error))
      << error;
  ProcessResult result = Run({"issues", "show", "PROJ-7"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  for (char c : result.out) EXPECT_TRUE(c == '\n' || static_cast<unsigned char>(c) >= 0x20) << +c;
  EXPECT_EQ(result.out.find("\xC2\x9B"), std::string::npos);
  EXPECT_TRUE(result.out.starts_with("PROJ-7  Sum\xE2\x90\x9B[2Jmary\n")) << result.out;
  EXPECT_NE(result.out.find("Line one\xE2\x90\x9B]52;c;ZXZpbA==\xE2\x90\x87"), std::string::npos)
      << result.out;
  EXPECT_NE(result.out.find("  Comment \xE2\x90\x9B[?1049h"), std::string::npos) << result.out;

  ProcessResult exact = Run({"issues", "show", "PROJ-7", "--json"});
  ASSERT_EQ(exact.exit_code, 0) << exact.err;
  json out = json::parse(exact.out);
  EXPECT_EQ(out["summary"], "Sum\x1b[2Jmary");
}

TEST_P(IssuesShowTest, JsonShape) {
  ProcessResult result = Run({"issues", "show", "proj-1", "--json"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  json out = json::parse(result.out);
  EXPECT_EQ(out["key"], "PROJ-1");
  EXPECT_EQ(out["url"], jira_.base_url() + "/browse/PROJ-1");
  EXPECT_EQ(out["status"], "In Progress");
  EXPECT_TRUE(out["resolution"].is_null());
  EXPECT_EQ(out["labels"], json::array({"backend", "p1"}));
  EXPECT_EQ(out["description"], "Steps: open <the> page & wait.");
  ASSERT_EQ(out["comments"].size(), 2u);
  EXPECT_EQ(out["comments"][1]["body"], "Fixed in a1b2c3d.");
  EXPECT_TRUE(out["comments"][0].contains("author"));
  EXPECT_TRUE(out["comments"][0].contains("created"));
}

TEST_P(IssuesShowTest, HiddenIssueSaysItCannotBeSeen) {
  ProcessResult result = Run({"issues", "show", "PROJ-2"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("PROJ-2 does not exist or you do not have permission to see it"),
            std::string::npos)
      << result.err;
  ProcessResult missing = Run({"issues", "show", "PROJ-99"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("PROJ-99 does not exist"), std::string::npos);
}

TEST_P(IssuesShowTest, KeyOutsideProjectKeysIsRefusedWithoutARequest) {
  ProcessResult result = Run({"issues", "show", "OTHER-1"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("OTHER-1: project OTHER is not one of [issues] project_keys (PROJ)"),
            std::string::npos)
      << result.err;
  EXPECT_TRUE(jira_.Requests().empty());

  // Without project_keys every project may be shown.
  WriteConfig("");
  ProcessResult open = Run({"issues", "show", "OTHER-1"});
  EXPECT_EQ(open.exit_code, 0) << open.err;
  EXPECT_NE(open.out.find("Elsewhere"), std::string::npos);
}

TEST_P(IssuesShowTest, NotAnIssueKey) {
  ProcessResult result = Run({"issues", "show", "PROJ"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("'PROJ' is not an issue key"), std::string::npos) << result.err;
  EXPECT_TRUE(jira_.Requests().empty());
}

INSTANTIATE_TEST_SUITE_P(BothPersonalities, IssuesShowTest,
                         ::testing::Values(standin::Personality::kCloud,
                                           standin::Personality::kServer),
                         PersonalityName);

}  // namespace
}  // namespace jiralink::testing
