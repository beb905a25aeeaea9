#include "jiralink/hooks/pre_receive_policy.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "git_fixture.h"
#include "jiralink/jira/client.h"
#include "standin.h"

namespace jiralink::hooks {
namespace {

using testing::GitFixture;

std::unique_ptr<PushPolicy> MakePolicy(const PolicyOptions& options) {
  std::unique_ptr<PushPolicy> policy;
  Status status = PushPolicy::Create(options, &policy);
  EXPECT_TRUE(status.ok()) << status.ToString();
  return policy;
}

PolicyCommit Commit(const PushPolicy& policy, const std::string& sha, const std::string& message,
                    const std::string& required_on = "", const std::string& email = "ada@x.org") {
  PolicyCommit commit;
  commit.sha = sha;
  commit.short_sha = sha.substr(0, 7);
  commit.author_name = "Ada Lovelace";
  commit.author_email = email;
  commit.required_on = required_on;
  policy.Classify(message, &commit);
  return commit;
}

// A lookup that answers from a table and counts its calls.
struct FakeJira {
  std::map<std::string, std::pair<std::string, std::string>> issues;
  bool reachable = true;
  int calls = 0;
  std::vector<std::string> asked;

  IssueLookupFn Fn() {
    return [this](const std::vector<std::string>& keys) {
      ++calls;
      asked = keys;
      IssueLookup lookup;
      lookup.searches = 1;
      lookup.answered = reachable;
      if (!reachable) {
        lookup.problem = "GET /rest/api/2/search: connection refused";
        return lookup;
      }
      for (const std::string& key : keys) {
        auto it = issues.find(key);
        if (it != issues.end()) lookup.categories[key] = it->second;
      }
      return lookup;
    };
  }
};

const std::pair<std::string, std::string> kToDo = {"To Do", "new"};
const std::pair<std::string, std::string> kDone = {"Done", "done"};

// Puts the commits of `rev` into the bare repository without any ref
// naming them, as they are during pre-receive (in the quarantine); returns
// its SHA.
std::string Stage(GitFixture& git, const std::string& rev) {
  std::string sha = git.Rev(rev);
  git.Push({"origin", sha + ":refs/heads/jiralink-staging"});
  testing::Git(git.bare(), {"update-ref", "-d", "refs/heads/jiralink-staging"},
               testing::GitIdentityEnv());
  return sha;
}

const std::string kZero(40, '0');

TEST(BranchMatchesAny, GlobsOnTheBranchName) {
  EXPECT_TRUE(BranchMatchesAny("main", {"main"}));
  EXPECT_FALSE(BranchMatchesAny("mainline", {"main"}));
  EXPECT_TRUE(BranchMatchesAny("release/1.0", {"main", "release/*"}));
  EXPECT_FALSE(BranchMatchesAny("feature/x", {"main", "release/*"}));
  EXPECT_TRUE(BranchMatchesAny("feature/deep/x", {"feature/*"})) << "* also matches /";
  EXPECT_TRUE(BranchMatchesAny("v2", {"v[0-9]"}));
  EXPECT_FALSE(BranchMatchesAny("main", {}));
}

TEST(PushPolicy, CreateRefusesAnExemptMessageThatDoesNotCompile) {
  PolicyOptions options;
  options.exempt_message = "(unclosed";
  std::unique_ptr<PushPolicy> policy;
  Status status = PushPolicy::Create(options, &policy);
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("exempt_message"), std::string::npos) << status.message();
}

TEST(PushPolicy, ChecksNothingWithoutRequireKeyOrAllowedStates) {
  PolicyOptions options;
  options.exempt_authors = {"bot"};
  EXPECT_FALSE(MakePolicy(options)->checks_anything());
  options.require_key = {"main"};
  EXPECT_TRUE(MakePolicy(options)->checks_anything());
  options.require_key.clear();
  options.allowed_states = {"To Do"};
  EXPECT_TRUE(MakePolicy(options)->checks_anything());
}

TEST(PushPolicy, ClassifyFindsKeysAndExemptions) {
  PolicyOptions options;
  options.exempt_authors = {"Build Bot", "Release@Example.com"};
  options.exempt_message = "^Merge ";
  auto policy = MakePolicy(options);
  PolicyCommit c = Commit(*policy, "a", "PROJ-1 and PROJ-2, again PROJ-1\n\nbody OPS-3");
  EXPECT_FALSE(c.exempt);
  EXPECT_EQ(c.title, "PROJ-1 and PROJ-2, again PROJ-1");
  EXPECT_EQ(c.keys, (std::vector<std::string>{"PROJ-1", "PROJ-2", "OPS-3"}));

  EXPECT_TRUE(Commit(*policy, "b", "Merge branch 'x'").exempt);
  EXPECT_FALSE(Commit(*policy, "c", "Not a Merge branch").exempt) << "^ anchors the message";
  EXPECT_TRUE(Commit(*policy, "d", "x", "", "release@example.COM").exempt) << "email: any case";
  PolicyCommit named = Commit(*policy, "e", "x");
  named.author_name = "Build Bot";
  policy->Classify("x", &named);
  EXPECT_TRUE(named.exempt) << "name: exact";
  named.author_name = "build bot";
  policy->Classify("x", &named);
  EXPECT_FALSE(named.exempt);
}

TEST(PushPolicy, KeyRequiredOnlyWhereARequireKeyBranchReachesTheCommit) {
  PolicyOptions options;
  options.require_key = {"main"};
  auto policy = MakePolicy(options);
  FakeJira jira;
  PolicyVerdict verdict = policy->Judge({Commit(*policy, "1111111aaaa", "no key", "main"),
                                         Commit(*policy, "2222222bbbb", "no key either", ""),
                                         Commit(*policy, "3333333cccc", "PROJ-1 fine", "main")},
                                        jira.Fn());
  EXPECT_TRUE(verdict.refused);
  ASSERT_EQ(verdict.violations.size(), 1u);
  EXPECT_EQ(verdict.violations[0].sha, "1111111aaaa");
  EXPECT_EQ(verdict.violations[0].reasons,
            (std::vector<std::string>{"names no Jira issue key (required on main)"}));
  EXPECT_EQ(jira.calls, 0) << "no allowed_states: Jira is not asked";
}

TEST(PushPolicy, StatesAreCheckedInOneLookupOfEveryDistinctKey) {
  PolicyOptions options;
  options.allowed_states = {"To Do", "in progress"};
  options.exempt_message = "^Revert";
  auto policy = MakePolicy(options);
  FakeJira jira;
  jira.issues = {{"PROJ-1", kToDo}, {"PROJ-2", kDone}, {"PROJ-4", {"In Progress", "x"}}};
  PolicyVerdict verdict = policy->Judge(
      {Commit(*policy, "1111111", "PROJ-1 PROJ-2"), Commit(*policy, "2222222", "PROJ-1 and PROJ-9"),
       Commit(*policy, "3333333", "Revert PROJ-7"), Commit(*policy, "4444444", "PROJ-4"),
       Commit(*policy, "5555555", "no key, no branch rule")},
      jira.Fn());
  EXPECT_EQ(jira.calls, 1);
  EXPECT_EQ(jira.asked, (std::vector<std::string>{"PROJ-1", "PROJ-2", "PROJ-9", "PROJ-4"}))
      << "each key once; an exempt commit's keys are not asked about";
  EXPECT_EQ(verdict.exempt, 1);
  EXPECT_EQ(verdict.searches, 1);
  ASSERT_EQ(verdict.violations.size(), 2u);
  EXPECT_EQ(verdict.violations[0].reasons,
            (std::vector<std::string>{"PROJ-2 is Done (allowed: To Do, in progress)"}));
  EXPECT_EQ(verdict.violations[1].reasons, (std::vector<std::string>{"PROJ-9: no such issue"}));
}

TEST(PushPolicy, AStateMayBeNamedByTheCategoryKey) {
  PolicyOptions options;
  options.allowed_states = {"new", "INDETERMINATE"};
  auto policy = MakePolicy(options);
  FakeJira jira;
  jira.issues = {{"PROJ-1", {"À faire", "new"}}, {"PROJ-2", {"Erledigt", "done"}}};
  PolicyVerdict verdict = policy->Judge(
      {Commit(*policy, "1111111", "PROJ-1"), Commit(*policy, "2222222", "PROJ-2")}, jira.Fn());
  ASSERT_EQ(verdict.violations.size(), 1u);
  EXPECT_EQ(verdict.violations[0].sha, "2222222");
  EXPECT_EQ(verdict.violations[0].reasons[0], "PROJ-2 is Erledigt (allowed: new, INDETERMINATE)");
}

TEST(PushPolicy, JiraUnreachableAllowsWithAWarningOrRejects) {
  PolicyOptions options;
  options.allowed_states = {"To Do"};
  FakeJira jira;
  jira.reachable = false;
  PolicyVerdict allowed =
      MakePolicy(options)->Judge({Commit(*MakePolicy(options), "1", "PROJ-1")}, jira.Fn());
  EXPECT_FALSE(allowed.refused);
  ASSERT_EQ(allowed.warnings.size(), 1u);
  EXPECT_NE(allowed.warnings[0].find("connection refused"), std::string::npos);
  EXPECT_NE(allowed.warnings[0].find("on_jira_unreachable = \"allow\""), std::string::npos);

  options.reject_when_jira_unreachable = true;
  auto policy = MakePolicy(options);
  PolicyVerdict rejected = policy->Judge({Commit(*policy, "1", "PROJ-1")}, jira.Fn());
  EXPECT_TRUE(rejected.refused);
  EXPECT_TRUE(rejected.violations.empty()) << "no commit is at fault";
  ASSERT_EQ(rejected.problems.size(), 1u);
  EXPECT_NE(rejected.problems[0].find("PROJ-1"), std::string::npos);
  std::vector<std::string> lines = RejectionLines(rejected);
  ASSERT_GE(lines.size(), 2u);
  EXPECT_NE(lines.back().find("Push again when Jira answers"), std::string::npos);
}

TEST(RejectionLines, AScreenfulAtMostWithTitlesMadeSafe) {
  PolicyVerdict verdict;
  verdict.refused = true;
  for (int i = 0; i < 25; ++i) {
    PolicyViolation v;
    v.sha = std::to_string(i);
    v.short_sha = "abc" + std::to_string(i);
    v.title = i == 0 ? "clear \x1b[2J screen" : std::string(200, 'x');
    v.reasons = {"names no Jira issue key (required on main)"};
    verdict.violations.push_back(v);
  }
  std::vector<std::string> lines = RejectionLines(verdict);
  ASSERT_EQ(lines.size(), 1u + 20u + 1u + 1u);
  EXPECT_EQ(lines[0], "push refused by the Jira policy: 25 commits break it:");
  EXPECT_EQ(lines[1],
            "  abc0 clear \xE2\x90\x9B[2J screen: names no Jira issue key (required on main)");
  EXPECT_LT(lines[2].size(), 120u) << "a long title is cut";
  EXPECT_NE(lines[2].find("\xE2\x80\xA6"), std::string::npos) << lines[2];
  EXPECT_EQ(lines[21], "  and 5 more commits");
  EXPECT_NE(lines[22].find("git commit --amend"), std::string::npos);
  for (const std::string& line : lines) EXPECT_EQ(line.find('\x1b'), std::string::npos);
}

TEST(ReadCommits, OnlyCommitsNoRefReachesAndWhichProtectedBranchBringsThem) {
  GitFixture git;
  git.Commit("PROJ-1 on main already");
  git.Push({"origin", "main"});
  const std::string old_main = git.Rev("HEAD");
  git.Commit("no key, to main");
  const std::string main_tip = Stage(git, "HEAD");
  git.Run({"checkout", "-q", "-b", "feature"});
  git.Commit("no key, feature only");
  const std::string feature_tip = Stage(git, "HEAD");
  // A branch pointing at a commit the server has already brings nothing.
  const std::string input = old_main + " " + main_tip + " refs/heads/main\n" + kZero + " " +
                            feature_tip + " refs/heads/feature\n" + kZero + " " + old_main +
                            " refs/heads/copy\n" + kZero + " " + main_tip + " refs/tags/v1\n";

  PolicyOptions options;
  options.require_key = {"main"};
  auto policy = MakePolicy(options);
  std::vector<PolicyCommit> commits;
  std::vector<std::string> warnings;
  Status status = policy->ReadCommits(git.bare(), ParseRefUpdates(input, &warnings), &commits);
  ASSERT_TRUE(status.ok()) << status.ToString();
  ASSERT_EQ(commits.size(), 2u);
  // Both have the same commit time here; git's order between them is free.
  const bool feature_first = commits[0].sha == feature_tip;
  const PolicyCommit& feature = commits[feature_first ? 0 : 1];
  const PolicyCommit& main = commits[feature_first ? 1 : 0];
  EXPECT_EQ(feature.sha, feature_tip);
  EXPECT_EQ(feature.title, "no key, feature only");
  EXPECT_EQ(feature.required_on, "") << "feature is not protected";
  EXPECT_EQ(feature.author_name, "Ada Lovelace");
  EXPECT_EQ(feature.author_email, "ada@example.com");
  EXPECT_EQ(feature.short_sha, feature_tip.substr(0, 11)) << "the forge's short id";
  EXPECT_EQ(main.sha, main_tip);
  EXPECT_EQ(main.required_on, "main");

  FakeJira jira;
  PolicyVerdict verdict;
  ASSERT_TRUE(policy->CheckPush(git.bare(), input, jira.Fn(), &verdict).ok());
  EXPECT_EQ(verdict.commits, 2);
  ASSERT_EQ(verdict.violations.size(), 1u);
  EXPECT_EQ(verdict.violations[0].sha, main_tip);
  EXPECT_TRUE(testing::GitChildren().empty()) << "git was waited for";
}

TEST(ReadCommits, GarbageLinesAreWarnedAboutAndAMissingTipFailsTheCheck) {
  GitFixture git;
  git.Commit("PROJ-1 first");
  git.Push({"origin", "main"});
  PolicyOptions options;
  options.require_key = {"*"};
  auto policy = MakePolicy(options);
  FakeJira jira;
  PolicyVerdict verdict;
  Status status = policy->CheckPush(git.bare(), "garbage\n\x01\x02\n", jira.Fn(), &verdict);
  EXPECT_TRUE(status.ok()) << status.ToString();
  EXPECT_FALSE(verdict.refused);
  ASSERT_EQ(verdict.warnings.size(), 2u);
  EXPECT_NE(verdict.warnings[0].find("stdin line 1: expected"), std::string::npos);

  const std::string missing = kZero + " " + std::string(40, 'a') + " refs/heads/main\n";
  status = policy->CheckPush(git.bare(), missing, jira.Fn(), &verdict);
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("git rev-list"), std::string::npos) << status.message();
}

class LookUpIssueCategoriesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(jira_.Start());
    jira_.AddProject("PROJ", "Project");
    for (const char* status : {"To Do", "In Progress", "Done"}) {
      standin::IssueSeed seed;
      seed.key = "PROJ-" + std::to_string(++count_);
      seed.summary = status;
      seed.status = status;
      jira_.AddIssue(seed);
    }
  }

  std::unique_ptr<jira::Client> Client(const std::string& url) {
    jira::ClientOptions options;
    options.api_url = url;
    options.username = "jiralink-bot";
    options.token = "standin-token";
    options.deployment = jira::Deployment::kServer;
    options.deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    return std::make_unique<jira::Client>(options);
  }

  standin::JiraStandin jira_{standin::JiraStandin::Options{}};
  int count_ = 0;
};

TEST_F(LookUpIssueCategoriesTest, OneSearchGivesEachFoundKeysCategory) {
  IssueLookup lookup =
      LookUpIssueCategories(*Client(jira_.base_url()), {"PROJ-1", "PROJ-2", "PROJ-3", "PROJ-77"});
  EXPECT_TRUE(lookup.answered) << lookup.problem;
  EXPECT_EQ(lookup.searches, 1);
  EXPECT_EQ(lookup.categories["PROJ-1"], kToDo);
  EXPECT_EQ(lookup.categories["PROJ-2"].first, "In Progress");
  EXPECT_EQ(lookup.categories["PROJ-3"], kDone);
  EXPECT_EQ(lookup.categories.count("PROJ-77"), 0u);
  auto searches = jira_.Requests("GET", "/search");
  ASSERT_EQ(searches.size(), 1u);
  EXPECT_NE(searches[0].query.find("fields=status"), std::string::npos) << searches[0].query;
}

TEST_F(LookUpIssueCategoriesTest, AMovedIssueCountsUnderItsOldKeyWithOneMoreRequestEach) {
  jira_.AddProject("NEW", "New home");
  standin::IssueSeed moved;
  moved.key = "NEW-5";
  moved.previous_keys = {"OLD-9"};
  moved.status = "In Progress";
  jira_.AddIssue(moved);
  IssueLookup lookup =
      LookUpIssueCategories(*Client(jira_.base_url()), {"PROJ-1", "OLD-9", "PROJ-77"});
  EXPECT_TRUE(lookup.answered) << lookup.problem;
  EXPECT_EQ(lookup.searches, 1);
  EXPECT_EQ(lookup.categories["OLD-9"].first, "In Progress");
  EXPECT_EQ(lookup.moved["OLD-9"], "NEW-5");
  EXPECT_EQ(lookup.categories["PROJ-1"], kToDo);
  EXPECT_EQ(lookup.categories.count("PROJ-77"), 0u) << "still no such issue";
  // The keys the search left out were asked for, and only those.
  EXPECT_EQ(lookup.issue_requests, 2);
  EXPECT_EQ(jira_.Requests("GET", "/issue/OLD-9").size(), 1u);
  EXPECT_EQ(jira_.Requests("GET", "/issue/PROJ-77").size(), 1u);
  EXPECT_TRUE(jira_.Requests("GET", "/issue/PROJ-1").empty());
}

TEST_F(LookUpIssueCategoriesTest, WithoutAMoveAnUnknownKeyCostsNoFurtherRequest) {
  IssueLookup lookup = LookUpIssueCategories(*Client(jira_.base_url()), {"PROJ-1", "PROJ-77"});
  EXPECT_TRUE(lookup.answered) << lookup.problem;
  EXPECT_EQ(lookup.issue_requests, 0);
  EXPECT_TRUE(jira_.Requests("GET", "/issue/").empty());
}

TEST_F(LookUpIssueCategoriesTest, A400NamingUnknownKeysLeavesThemOutAndSearchesOnceMore) {
  standin::Fault fault;
  fault.method = "GET";
  fault.path_contains = "/search";
  fault.status = 400;
  fault.body = R"({"errorMessages":["An issue with key 'NOPE-1' does not exist for field 'key'."],)"
               R"("errors":{}})";
  fault.times = 1;
  jira_.InjectFault(fault);
  IssueLookup lookup = LookUpIssueCategories(*Client(jira_.base_url()), {"PROJ-3", "NOPE-1"});
  EXPECT_TRUE(lookup.answered) << lookup.problem;
  EXPECT_EQ(lookup.searches, 2);
  EXPECT_EQ(lookup.categories.count("NOPE-1"), 0u);
  EXPECT_EQ(lookup.categories["PROJ-3"], kDone);
  auto searches = jira_.Requests("GET", "/search");
  ASSERT_EQ(searches.size(), 2u);
  EXPECT_EQ(searches[1].query.find("NOPE"), std::string::npos) << searches[1].query;
}

TEST_F(LookUpIssueCategoriesTest, AnUnreachableJiraIsNotAnAnswer) {
  jira_.Stop();
  IssueLookup lookup = LookUpIssueCategories(*Client(jira_.base_url()), {"PROJ-1"});
  EXPECT_FALSE(lookup.answered);
  EXPECT_FALSE(lookup.problem.empty());
  EXPECT_EQ(lookup.problem.find("standin-token"), std::string::npos) << "no secret";
}

TEST_F(LookUpIssueCategoriesTest, APassedDeadlineSendsNothing) {
  jira::ClientOptions options;
  options.api_url = jira_.base_url();
  options.username = "jiralink-bot";
  options.token = "standin-token";
  options.deployment = jira::Deployment::kServer;
  options.deadline = std::chrono::steady_clock::now() - std::chrono::milliseconds(1);
  jira::Client client(options);
  IssueLookup lookup = LookUpIssueCategories(client, {"PROJ-1"});
  EXPECT_FALSE(lookup.answered);
  EXPECT_NE(lookup.problem.find("deadline passed"), std::string::npos) << lookup.problem;
  EXPECT_TRUE(jira_.Requests().empty());
}

TEST(LookUpIssueCategoriesCloud, MoreKeysThanJiraServesInAPageAreReadPageByPage) {
  standin::JiraStandin::Options standin_options;
  standin_options.personality = standin::Personality::kCloud;
  standin::JiraStandin jira(standin_options);
  ASSERT_TRUE(jira.Start());
  jira.AddProject("PROJ", "Project");
  std::vector<std::string> keys;
  for (int i = 1; i <= 60; ++i) {
    standin::IssueSeed seed;
    seed.key = "PROJ-" + std::to_string(i);
    seed.summary = "Issue";
    seed.status = i % 2 == 0 ? "Done" : "To Do";
    jira.AddIssue(seed);
    keys.push_back(seed.key);
  }
  jira::ClientOptions options;
  options.api_url = jira.base_url();
  options.username = "jiralink-bot";
  options.token = "standin-token";
  options.deployment = jira::Deployment::kCloud;
  jira::Client client(options);
  IssueLookup lookup = LookUpIssueCategories(client, keys);
  EXPECT_TRUE(lookup.answered) << lookup.problem;
  EXPECT_EQ(lookup.categories.size(), 60u);
  EXPECT_EQ(lookup.categories["PROJ-60"], kDone);
  EXPECT_EQ(lookup.categories["PROJ-59"], kToDo);
  auto requests = jira.Requests("GET", "/search/jql");
  EXPECT_EQ(requests.size(), 2u) << "the stand-in serves 50 issues a page";
  EXPECT_EQ(lookup.searches, static_cast<int>(requests.size()));
}

}  // namespace
}  // namespace jiralink::hooks
