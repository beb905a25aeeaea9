// The stand-in itself: its JQL subset, seeds and admin routes, which the
// other tests rely on.
#include <gtest/gtest.h>

#include "standin.h"
#include "standin_jql.h"
#include "support/test_support.h"

namespace jiralink::standin {
namespace {

using internal::JqlFields;
using internal::JqlQuery;

JqlFields SampleIssue() {
  JqlFields f;
  f.id = "10001";
  f.key = "SEC-1";
  f.project = "SEC";
  f.summary = "SQL injection in login";
  f.description = "Issue created from vulnerability 6d1e7c2a-1\nmore";
  f.status = "To Do";
  f.category_key = "new";
  f.category_name = "To Do";
  f.labels = {"security"};
  f.reporter = {"Ada Lovelace", "ada.lovelace"};
  return f;
}

bool Matches(const std::string& jql) {
  JqlQuery query;
  std::string error;
  EXPECT_TRUE(JqlQuery::Parse(jql, &query, &error)) << jql << ": " << error;
  return query.Matches(SampleIssue());
}

TEST(StandinJqlTest, ClausesOfTheBuilder) {
  EXPECT_TRUE(Matches("project in (\"SEC\",\"OTHER\")"));
  EXPECT_TRUE(Matches("project = \"SEC\" AND labels = \"security\""));
  EXPECT_FALSE(Matches("project = \"SEC\" AND labels = \"other\""));
  EXPECT_TRUE(Matches("statusCategory != Done"));
  EXPECT_FALSE(Matches("statusCategory = Done"));
  EXPECT_TRUE(Matches("status = \"to do\""));
  EXPECT_TRUE(Matches("reporter = \"ada.lovelace\""));
  EXPECT_TRUE(Matches("assignee is EMPTY AND resolution = Unresolved"));
  EXPECT_TRUE(Matches("(summary ~ \"injection\" OR description ~ \"injection\")"));
  EXPECT_TRUE(Matches("(id = 1 OR id = 10001)"));
  EXPECT_TRUE(Matches("key = \"sec-1\" order by created DESC"));
  EXPECT_TRUE(Matches("NOT labels = \"x\""));
}

TEST(StandinJqlTest, EscapedPhrases) {
  EXPECT_TRUE(Matches(
      R"(project in ("SEC") AND (description ~ "\"Issue created from vulnerability 6d1e7c2a-1\"") order by created DESC)"));
  EXPECT_FALSE(
      Matches(R"((description ~ "\"from vulnerability B\"" OR description ~ "\"zebra\""))"));
}

TEST(StandinJqlTest, UnsupportedJqlExplainsItself) {
  JqlQuery query;
  std::string error;
  EXPECT_FALSE(JqlQuery::Parse("sprint = 5", &query, &error));
  EXPECT_EQ(error, "Field 'sprint' does not exist or you do not have permission to view it.");
  EXPECT_FALSE(JqlQuery::Parse("project = \"SEC", &query, &error));
  EXPECT_NE(error.find("not terminated"), std::string::npos);
  EXPECT_FALSE(JqlQuery::Parse("labels ~ \"x\"", &query, &error));
  EXPECT_NE(error.find("operator '~'"), std::string::npos);
  EXPECT_FALSE(JqlQuery::Parse("project = A order by sprint", &query, &error));
  EXPECT_TRUE(JqlQuery::Parse("order by key", &query, &error));
  EXPECT_FALSE(query.bounded());
}

TEST(StandinTest, SeedsFromJsonAndReportsBadSeeds) {
  JiraStandin standin({});
  std::string error;
  EXPECT_TRUE(standin.Seed(nlohmann::json::parse(R"({
      "projects": [{"key": "DEMO", "name": "Demo", "requiredFields": {"components": "Pick one."}}],
      "issues": [{"key": "DEMO-7", "summary": "Seeded", "status": "In Progress",
                  "comments": ["first"]}]})"),
                           &error))
      << error;
  EXPECT_EQ(standin.Status("DEMO-7"), "In Progress");
  EXPECT_EQ(standin.Comments("DEMO-7").size(), 1u);
  EXPECT_FALSE(standin.Seed(nlohmann::json::parse(R"({"issues": [{"key": "NOPE-1"}]})"), &error));
  EXPECT_EQ(error, "issue NOPE-1: project NOPE does not exist");
}

TEST(StandinTest, ProgramServesAdminRoutesAndStopsOnSigterm) {
  // The standalone program: prints its URL, serves, exits 0 on SIGTERM.
  jiralink::testing::TempDir dir;
  std::string seed = dir.Path("seed.json");
  jiralink::testing::WriteFile(seed, R"({"projects":[{"key":"DEMO"}],
      "issues":[{"key":"DEMO-1","summary":"Hello"}]})");
  std::string script = dir.Path("run.sh");
  // The shell only drives the test (fixed arguments, no user input).
  jiralink::testing::WriteFile(
      script,
      "\"$1\" --port 0 --cloud --user u --token t --seed \"$2\" > \"$3\" & pid=$!\n"
      "for i in $(seq 1 100); do [ -s \"$3\" ] && break; sleep 0.05; done\n"
      "url=$(cat \"$3\"); port=${url##*:}\n"
      "curl -s -u u:t \"$url/rest/api/2/issue/DEMO-1\" >/dev/null\n"
      "curl -s \"http://127.0.0.1:$port/_standin/issues/DEMO-1\"; echo\n"
      "curl -s \"http://127.0.0.1:$port/_standin/requests\"; echo\n"
      "curl -s -X POST -d '{\"path_contains\":\"/myself\",\"status\":429,\"retry_after\":\"9\"}' "
      "\"http://127.0.0.1:$port/_standin/faults\" >/dev/null\n"
      "curl -s -o /dev/null -D - -u u:t \"$url/rest/api/2/myself\"\n"
      "kill -TERM $pid; wait $pid; echo \"exit=$?\"\n");
  jiralink::testing::ProcessResult result = jiralink::testing::RunProcess(
      {"sh", script, jiralink::testing::StandinBin(), seed, dir.Path("url.txt")});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("\"summary\": \"Hello\""), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("\"path\": \"/rest/api/2/issue/DEMO-1\""), std::string::npos)
      << result.out;
  EXPECT_NE(result.out.find("\"status\": 200"), std::string::npos) << result.out;  // --user/--token
  EXPECT_NE(result.out.find("HTTP/1.1 429"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("Retry-After: 9"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("exit=0"), std::string::npos) << result.out;
}

}  // namespace
}  // namespace jiralink::standin
