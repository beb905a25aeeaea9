#include "jiralink/core/jql.h"

#include <gtest/gtest.h>

namespace jiralink::jql {
namespace {

TEST(JqlTest, NoFiltersIsOnlyTheDefaultOrder) { EXPECT_EQ(BuildJql({}), "order by created DESC"); }

TEST(JqlTest, ProjectKeysAreQuotedSoReservedWordsWork) {
  IssueQuery query;
  query.project_keys = {"INT", "PROJ"};
  EXPECT_EQ(BuildJql(query), R"(project in ("INT","PROJ") order by created DESC)");
}

TEST(JqlTest, ProjectEntriesAreSplitOnCommasStrippedAndBlanksDropped) {
  IssueQuery query;
  query.project_keys = {" A , B", "", " ,C"};
  EXPECT_EQ(BuildJql(query), R"(project in ("A","B","C") order by created DESC)");
  query.project_keys = {" , "};
  EXPECT_EQ(BuildJql(query), "order by created DESC");
}

// Issue #12: a project key with '\' or '"' (the settings keep it, with a
// warning) is escaped as the forge escapes it, not dropped or left raw.
TEST(JqlTest, ProjectKeysWithQuotesAndBackslashesAreEscaped) {
  IssueQuery query;
  query.project_keys = {R"(A\B)", R"(C"D)", " PROJ "};
  EXPECT_EQ(BuildJql(query), R"(project in ("A\\B","C\"D","PROJ") order by created DESC)");
}

TEST(JqlTest, QuotesAndBackslashesAreEscaped) {
  EXPECT_EQ(QuoteValue(R"(a"b\c)"), R"("a\"b\\c")");
  IssueQuery query;
  query.labels = {R"(say "hi")", R"(back\slash)"};
  EXPECT_EQ(BuildJql(query),
            R"(labels = "say \"hi\"" AND labels = "back\\slash" order by created DESC)");
}

TEST(JqlTest, EveryFilterInTheForgesOrder) {
  IssueQuery query;
  query.project_keys = {"PROJ"};
  query.labels = {"backend", "p1"};
  query.status = "In Progress";
  query.reporter = "ada";
  query.assignee = "grace";
  query.state = IssueState::kOpened;
  query.search = "Crash On  Login";
  query.sort = {SortField::kUpdated, SortDirection::kAscending};
  EXPECT_EQ(BuildJql(query),
            R"(project in ("PROJ") AND labels = "backend" AND labels = "p1" AND )"
            R"(status = "In Progress" AND reporter = "ada" AND assignee = "grace" AND )"
            R"(statusCategory != Done AND )"
            R"((summary ~ "crash on login" OR description ~ "crash on login") )"
            R"(order by updated ASC)");
}

TEST(JqlTest, EachSingleFilter) {
  IssueQuery status;
  status.status = "Done";
  EXPECT_EQ(BuildJql(status), R"(status = "Done" order by created DESC)");
  IssueQuery reporter;
  reporter.reporter = "o'brien";
  EXPECT_EQ(BuildJql(reporter), R"(reporter = "o'brien" order by created DESC)");
  IssueQuery assignee;
  assignee.assignee = "grace";
  EXPECT_EQ(BuildJql(assignee), R"(assignee = "grace" order by created DESC)");
}

TEST(JqlTest, StateTabs) {
  IssueQuery query;
  query.state = IssueState::kOpened;
  EXPECT_EQ(BuildJql(query), "statusCategory != Done order by created DESC");
  query.state = IssueState::kClosed;
  EXPECT_EQ(BuildJql(query), "statusCategory = Done order by created DESC");
  query.state = IssueState::kAll;
  EXPECT_EQ(BuildJql(query), "order by created DESC");
}

TEST(JqlTest, SearchTextLosesSpecialCharactersAndIsDowncasedAndSquished) {
  EXPECT_EQ(SanitizeSearchText(R"(  "Foo" + bar. baz, [x]; y? a|b *c/d %e ^f $g #h @i \j  )"),
            "foo bar baz x y ab cd e f g h i j");
  EXPECT_EQ(SanitizeSearchText("It's\tBROKEN\n\nagain"), "it's broken again");
  EXPECT_EQ(SanitizeSearchText("\"+.,;?|*/%^$#@[]\\"), "");
}

TEST(JqlTest, SearchOfOnlySpecialCharactersAddsNoClause) {
  IssueQuery query;
  query.search = " ?? ** ";
  EXPECT_EQ(BuildJql(query), "order by created DESC");
}

TEST(JqlTest, VulnerabilityIdsSearchThePhraseOfTheFirstLine) {
  IssueQuery query;
  query.project_keys = {"SEC"};
  query.vulnerability_ids = {"a1", "b2"};
  EXPECT_EQ(BuildJql(query),
            R"(project in ("SEC") AND )"
            R"((description ~ "\"Issue created from vulnerability a1\"" OR )"
            R"(description ~ "\"Issue created from vulnerability b2\"") order by created DESC)");
}

TEST(JqlTest, IssueIds) {
  IssueQuery query;
  query.issue_ids = {"10001", "10002"};
  EXPECT_EQ(BuildJql(query), "(id = 10001 OR id = 10002) order by created DESC");
}

TEST(JqlTest, ParseStateAndSort) {
  IssueState state = IssueState::kAll;
  ASSERT_TRUE(ParseIssueState("closed", &state).ok());
  EXPECT_EQ(state, IssueState::kClosed);
  Status bad = ParseIssueState("open", &state);
  EXPECT_FALSE(bad.ok());
  EXPECT_NE(bad.message().find("'open'"), std::string::npos);

  IssueQuery query;
  for (const auto& [name, order] :
       std::vector<std::pair<std::string, std::string>>{{"created_desc", "created DESC"},
                                                        {"created_date", "created DESC"},
                                                        {"created_asc", "created ASC"},
                                                        {"updated_desc", "updated DESC"},
                                                        {"updated_asc", "updated ASC"}}) {
    ASSERT_TRUE(ParseIssueSort(name, &query.sort).ok()) << name;
    EXPECT_EQ(BuildJql(query), "order by " + order) << name;
  }
  Status unknown = ParseIssueSort("priority", &query.sort);
  EXPECT_EQ(unknown.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(unknown.message().find("priority"), std::string::npos);
}

}  // namespace
}  // namespace jiralink::jql
