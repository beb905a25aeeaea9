// Jira Cloud's Development Information API client (jira/devinfo.h): the IDs,
// sequence numbers and bulk body it builds, and every call against the
// stand-in's token endpoint, tenant_info and devinfo routes, with their
// faults (429, 5xx, a lost reply, an expired token) and refusals.
#include "jiralink/jira/devinfo.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "standin.h"

namespace jiralink::jira {
namespace {

using nlohmann::json;
using standin::Fault;
using standin::JiraStandin;
using standin::Personality;
using standin::RecordedRequest;
using ::testing::HasSubstr;
using ::testing::Not;

// UTF-16 units, as Jira (Java) counts a field's length.
std::size_t JavaLength(const std::string& text) {
  std::size_t units = 0;
  for (unsigned char c : text) {
    if ((c & 0xC0) != 0x80) units += c >= 0xF0 ? 2 : 1;
  }
  return units;
}

DevinfoCommit MakeCommit(const std::string& id, std::vector<std::string> keys,
                         std::int64_t sequence) {
  DevinfoCommit commit;
  commit.id = id;
  commit.display_id = id.substr(0, 11);
  commit.message = "PROJ-1 a change";
  commit.author = {.name = "Ada Lovelace", .email = "ada@example.com"};
  commit.author_timestamp = "2026-12-08T00:30:00+01:00";
  commit.url = "https://git.example.com/platform/api/commit/" + id;
  commit.file_count = 2;
  commit.issue_keys = std::move(keys);
  commit.update_sequence_id = sequence;
  return commit;
}

DevinfoRepository MakeRepository(std::int64_t sequence) {
  DevinfoRepository repository;
  repository.id = DevinfoEntityId("platform/api");
  repository.name = "platform/api";
  repository.url = "https://git.example.com/platform/api";
  repository.update_sequence_id = sequence;
  return repository;
}

// --- IDs, sequence numbers, the body -------------------------------------------

TEST(DevinfoEntityIdTest, KeepsAllowedCharactersAndEscapesTheRest) {
  EXPECT_EQ(DevinfoEntityId("Feature_1.2-x"), "Feature_1.2-x");
  EXPECT_EQ(DevinfoEntityId("feature/PROJ-1"), "feature~2FPROJ-1");
  EXPECT_EQ(DevinfoEntityId("a~b"), "a~7Eb");
  EXPECT_EQ(DevinfoEntityId("caf\xC3\xA9"), "caf~C3~A9");
  // Escaping keeps distinct names distinct.
  EXPECT_NE(DevinfoEntityId("a/b"), DevinfoEntityId("a~2Fb"));
}

TEST(DevinfoEntityIdTest, LongNamesStayWithinJirasLimitAndDistinct) {
  const std::string a(3000, '/');
  const std::string b = std::string(2999, '/') + "x";
  const std::string id_a = DevinfoEntityId(a);
  const std::string id_b = DevinfoEntityId(b);
  EXPECT_LE(id_a.size(), 1024u);
  EXPECT_LE(id_b.size(), 1024u);
  EXPECT_NE(id_a, id_b);
  EXPECT_EQ(id_a, DevinfoEntityId(a)) << "stable";
  for (char c : id_a) {
    EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '~' || c == '.' || c == '-' ||
                c == '_');
  }
}

TEST(DevinfoSequenceTest, GrowsWithTimeAndKeepsAnEventsOrder) {
  EXPECT_LT(DevinfoSequence(1765150000000, 0), DevinfoSequence(1765150000000, 1));
  EXPECT_LT(DevinfoSequence(1765150000000, 999), DevinfoSequence(1765150000001, 0));
  EXPECT_EQ(DevinfoSequence(1765150000000, 5), 1765150000000005);
  // A counter out of range cannot reach the next millisecond's numbers.
  EXPECT_LT(DevinfoSequence(1765150000000, 5000), DevinfoSequence(1765150000001, 0));
  EXPECT_GE(DevinfoSequence(1765150000000, -3), DevinfoSequence(1765150000000, 0));
}

TEST(DevinfoBulkBodyTest, FollowsAtlassiansSchema) {
  DevinfoRepository repository = MakeRepository(7);
  repository.avatar = "https://git.example.com/avatar.png";
  DevinfoCommit merge = MakeCommit("a7727ee6350c33cdf90826dc21abaa26a5704370", {"PROJ-1"}, 11);
  merge.merge_commit = true;
  repository.commits = {merge, MakeCommit("b7727ee6350c33cdf90826dc21abaa26a5704370", {}, 12)};
  DevinfoBranch branch;
  branch.id = DevinfoEntityId("feature/PROJ-1");
  branch.name = "feature/PROJ-1";
  branch.url = "https://git.example.com/platform/api/tree/feature/PROJ-1";
  branch.last_commit = MakeCommit("c7727ee6350c33cdf90826dc21abaa26a5704370", {}, 13);
  branch.issue_keys = {"PROJ-1"};
  branch.update_sequence_id = 14;
  repository.branches = {branch};
  DevinfoPullRequest pr;
  pr.id = "42";
  pr.display_id = "!42";
  pr.title = "PROJ-1 login";
  pr.status = PullRequestStatus::kMerged;
  pr.author = {.name = "Ada Lovelace", .email = "ada@example.com"};
  pr.reviewers = {{.name = "Grace", .email = "grace@example.com", .approved = true},
                  {.name = "Linus", .email = "", .approved = false}};
  pr.comment_count = 3;
  pr.source_branch = "feature/PROJ-1";
  pr.destination_branch = "main";
  pr.last_update = "2026-12-08T01:00:00Z";
  pr.url = "https://git.example.com/platform/api/merge_requests/42";
  pr.issue_keys = {"PROJ-1"};
  pr.update_sequence_id = 15;
  repository.pull_requests = {pr};

  json body = DevinfoBulkBody({repository}, /*backfill=*/false);
  EXPECT_EQ(body["operationType"], "NORMAL");
  EXPECT_EQ(body["preventTransitions"], true);
  EXPECT_TRUE(body["properties"].is_object());
  ASSERT_EQ(body["repositories"].size(), 1u);
  const json& repo = body["repositories"][0];
  EXPECT_EQ(repo["id"], "platform~2Fapi");
  EXPECT_EQ(repo["name"], "platform/api");
  EXPECT_EQ(repo["updateSequenceId"], 7);
  EXPECT_EQ(repo["avatar"], "https://git.example.com/avatar.png");

  const json& commit = repo["commits"][0];
  EXPECT_EQ(commit["id"], merge.id);
  EXPECT_EQ(commit["hash"], merge.id);
  EXPECT_EQ(commit["displayId"], "a7727ee6350");
  EXPECT_EQ(commit["message"], "PROJ-1 a change");
  EXPECT_EQ(commit["author"], json({{"name", "Ada Lovelace"}, {"email", "ada@example.com"}}));
  EXPECT_EQ(commit["authorTimestamp"], "2026-12-08T00:30:00+01:00");
  EXPECT_EQ(commit["fileCount"], 2);
  EXPECT_EQ(commit["issueKeys"], json({"PROJ-1"}));
  EXPECT_EQ(commit["updateSequenceId"], 11);
  EXPECT_EQ(commit["flags"], json({"MERGE_COMMIT"}));
  EXPECT_FALSE(repo["commits"][1].contains("flags")) << "only merge commits carry flags";

  const json& b = repo["branches"][0];
  EXPECT_EQ(b["id"], "feature~2FPROJ-1");
  EXPECT_EQ(b["name"], "feature/PROJ-1");
  EXPECT_EQ(b["lastCommit"]["id"], branch.last_commit.id);
  EXPECT_EQ(b["lastCommit"]["issueKeys"], json({"PROJ-1"}))
      << "a last commit without keys carries the branch's (the schema wants one)";
  EXPECT_FALSE(b.contains("createPullRequestUrl")) << "empty optional fields are left out";

  const json& p = repo["pullRequests"][0];
  EXPECT_EQ(p["status"], "MERGED");
  EXPECT_EQ(p["displayId"], "!42");
  EXPECT_EQ(p["commentCount"], 3);
  EXPECT_EQ(p["sourceBranch"], "feature/PROJ-1");
  EXPECT_EQ(p["destinationBranch"], "main");
  EXPECT_FALSE(p.contains("sourceBranchUrl"));
  EXPECT_EQ(p["reviewers"][0]["approvalStatus"], "APPROVED");
  EXPECT_EQ(p["reviewers"][1]["approvalStatus"], "UNAPPROVED");
  EXPECT_EQ(p["reviewers"][1]["email"], "") << "the schema requires an email";

  EXPECT_EQ(DevinfoBulkBody({repository}, /*backfill=*/true)["operationType"], "BACKFILL");
}

TEST(DevinfoBulkBodyTest, CutsLongFieldsAndKeyListsToJirasLimits) {
  DevinfoRepository repository = MakeRepository(1);
  repository.name = std::string(300, 'r');
  DevinfoCommit commit = MakeCommit("a7727ee6350c33cdf90826dc21abaa26a5704370", {}, 1);
  // 2000 characters of which some need two UTF-16 units each.
  commit.message.clear();
  for (int i = 0; i < 500; ++i) commit.message += "ab\xC3\xA9\xF0\x9F\x98\x80";
  for (int i = 0; i < 150; ++i) commit.issue_keys.push_back("PROJ-" + std::to_string(i));
  commit.issue_keys.push_back("PROJ-0");  // a repeat
  commit.author.name = std::string(400, 'n');
  repository.commits = {commit};
  json body = DevinfoBulkBody({repository}, false);
  const json& repo = body["repositories"][0];
  EXPECT_EQ(JavaLength(repo["name"].get<std::string>()), kMaxDevinfoNameLength);
  const std::string message = repo["commits"][0]["message"].get<std::string>();
  EXPECT_LE(JavaLength(message), kMaxDevinfoMessageLength);
  EXPECT_GE(JavaLength(message), kMaxDevinfoMessageLength - 1);
  EXPECT_TRUE(message.ends_with("\xE2\x80\xA6")) << "a cut message ends with an ellipsis";
  EXPECT_TRUE(json::accept(json(message).dump())) << "cut at a character boundary";
  EXPECT_EQ(repo["commits"][0]["issueKeys"].size(), kMaxDevinfoIssueKeysPerEntity);
  EXPECT_LE(JavaLength(repo["commits"][0]["author"]["name"].get<std::string>()), 255u);
  // Short fields are left alone.
  EXPECT_EQ(DevinfoBulkBody({MakeRepository(1)}, false)["repositories"][0]["name"], "platform/api");
}

// --- The client against the stand-in -------------------------------------------

class DevinfoClientTest : public ::testing::Test {
 protected:
  void SetUp() override { Start(Personality::kCloud); }

  void Start(Personality personality) {
    JiraStandin::Options options;
    options.personality = personality;
    standin_ = std::make_unique<JiraStandin>(options);
    ASSERT_TRUE(standin_->Start());
    standin_->AddProject("PROJ", "Project", "10100");
    standin_->AddNumberedIssues("PROJ", 3);
    client_ = std::make_unique<DevinfoClient>(Options());
  }

  DevinfoOptions Options() const {
    DevinfoOptions options;
    options.api_url = standin_->base_url();
    options.site_url = standin_->base_url();
    options.client_id = "standin-client-id";
    options.client_secret = "standin-client-secret";
    options.timeout_seconds = 10;
    return options;
  }

  std::vector<RecordedRequest> Tokens() const { return standin_->Requests("POST", "/oauth/token"); }
  std::vector<RecordedRequest> Bulks() const { return standin_->Requests("POST", "/bulk"); }

  static DevinfoRepository OneCommit(const std::string& message, std::int64_t sequence) {
    DevinfoRepository repository = MakeRepository(sequence);
    DevinfoCommit commit =
        MakeCommit("a7727ee6350c33cdf90826dc21abaa26a5704370", {"PROJ-1"}, sequence);
    commit.message = message;
    repository.commits = {commit};
    return repository;
  }

  const json& StoredCommit() {
    state_ = standin_->DevinfoState();
    return state_["repositories"]["platform~2Fapi"]["commits"]
                 ["a7727ee6350c33cdf90826dc21abaa26a5704370"];
  }

  std::unique_ptr<JiraStandin> standin_;
  std::unique_ptr<DevinfoClient> client_;
  json state_;
};

TEST_F(DevinfoClientTest, ConnectTakesATokenAndTheCloudIdWithoutSendingAuthorization) {
  std::string cloud_id;
  ApiStatus status = client_->Connect(&cloud_id);
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(cloud_id, standin::DevinfoOptions().cloud_id);
  ASSERT_EQ(Tokens().size(), 1u);
  const RecordedRequest token = Tokens()[0];
  json body = json::parse(token.body);
  EXPECT_EQ(body["grant_type"], "client_credentials");
  EXPECT_EQ(body["audience"], "api.atlassian.com");
  EXPECT_EQ(body["client_id"], "standin-client-id");
  EXPECT_EQ(body["client_secret"], "standin-client-secret");
  EXPECT_EQ(token.headers.count("authorization"), 0u);
  std::vector<RecordedRequest> tenant = standin_->Requests("GET", "/_edge/tenant_info");
  ASSERT_EQ(tenant.size(), 1u);
  EXPECT_EQ(tenant[0].headers.count("authorization"), 0u) << "the site never sees the token";
}

TEST_F(DevinfoClientTest, SubmitBulkStoresEntitiesAndCachesTheToken) {
  DevinfoBulkResult result;
  ApiStatus status = client_->SubmitBulk({OneCommit("PROJ-1 first", 100)}, false, &result);
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(status.http_status, 202);
  EXPECT_TRUE(result.failed_entities.empty());
  EXPECT_TRUE(result.unknown_issue_keys.empty());
  EXPECT_EQ(StoredCommit()["message"], "PROJ-1 first");
  ASSERT_EQ(Bulks().size(), 1u);
  EXPECT_EQ(Bulks()[0].path,
            "/jira/devinfo/0.1/cloud/" + standin::DevinfoOptions().cloud_id + "/bulk");
  EXPECT_EQ(Bulks()[0].headers.at("authorization"), "Bearer standin-devinfo-token-1");

  ASSERT_TRUE(client_->SubmitBulk({OneCommit("PROJ-1 second", 200)}, false, &result).ok());
  EXPECT_EQ(StoredCommit()["message"], "PROJ-1 second");
  EXPECT_EQ(Tokens().size(), 1u) << "the token is reused until a minute before it expires";
  EXPECT_EQ(standin_->Requests("GET", "/_edge/tenant_info").size(), 1u) << "the cloud ID too";
}

TEST_F(DevinfoClientTest, ATokenThatExpiresWithinAMinuteIsNotReused) {
  standin_->SetDevinfoTokenLifetime(59);
  client_ = std::make_unique<DevinfoClient>(Options());
  ASSERT_TRUE(client_->SubmitBulk({OneCommit("one", 1)}, false, nullptr).ok());
  ASSERT_TRUE(client_->SubmitBulk({OneCommit("two", 2)}, false, nullptr).ok());
  EXPECT_EQ(Tokens().size(), 2u);
  standin_->SetDevinfoTokenLifetime(61);
  client_ = std::make_unique<DevinfoClient>(Options());
  ASSERT_TRUE(client_->SubmitBulk({OneCommit("three", 3)}, false, nullptr).ok());
  ASSERT_TRUE(client_->SubmitBulk({OneCommit("four", 4)}, false, nullptr).ok());
  EXPECT_EQ(Tokens().size(), 3u);
}

TEST_F(DevinfoClientTest, AnExpiredTokenIsRefreshedOnceAndTheBulkSentAgain) {
  ASSERT_TRUE(client_->SubmitBulk({OneCommit("before", 1)}, false, nullptr).ok());
  Fault fault;
  fault.method = "POST";
  fault.path_contains = "/bulk";
  fault.expire_token = true;
  fault.times = 1;
  standin_->InjectFault(fault);
  ApiStatus status = client_->SubmitBulk({OneCommit("after", 2)}, false, nullptr);
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(StoredCommit()["message"], "after");
  std::vector<RecordedRequest> bulks = Bulks();
  ASSERT_EQ(bulks.size(), 3u);
  EXPECT_EQ(bulks[1].status, 401);
  EXPECT_EQ(bulks[2].status, 202);
  EXPECT_EQ(bulks[2].headers.at("authorization"), "Bearer standin-devinfo-token-2");
  EXPECT_EQ(Tokens().size(), 2u);
}

TEST_F(DevinfoClientTest, A401AfterARefreshIsReturnedNotRetriedForever) {
  Fault fault;
  fault.path_contains = "/bulk";
  fault.expire_token = true;  // every bulk finds its token expired
  standin_->InjectFault(fault);
  ApiStatus status = client_->SubmitBulk({OneCommit("x", 1)}, false, nullptr);
  EXPECT_EQ(status.http_status, 401);
  EXPECT_FALSE(status.retryable);
  EXPECT_EQ(Bulks().size(), 2u);
  EXPECT_EQ(Tokens().size(), 2u);
}

TEST_F(DevinfoClientTest, AWrongClientSecretSaysSoAndIsNeverShown) {
  DevinfoOptions options = Options();
  options.client_secret = "wrong-secret-value";
  options.debug = true;
  client_ = std::make_unique<DevinfoClient>(options);
  ::testing::internal::CaptureStderr();
  ApiStatus status = client_->SubmitBulk({OneCommit("x", 1)}, false, nullptr);
  const std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(status.http_status, 401);
  EXPECT_EQ(status.path, "/oauth/token");
  EXPECT_THAT(status.ToString(), HasSubstr("client ID or secret"));
  EXPECT_THAT(status.ToString(), Not(HasSubstr("wrong-secret-value")));
  EXPECT_THAT(log, HasSubstr("/oauth/token"));
  EXPECT_THAT(log, Not(HasSubstr("wrong-secret-value")));
  EXPECT_TRUE(Bulks().empty());
}

TEST_F(DevinfoClientTest, TheDebugLogNeverShowsTheSecretOrTheToken) {
  DevinfoOptions options = Options();
  options.debug = true;
  client_ = std::make_unique<DevinfoClient>(options);
  ::testing::internal::CaptureStderr();
  ApiStatus status = client_->SubmitBulk({OneCommit("x", 1)}, false, nullptr);
  const std::string log = ::testing::internal::GetCapturedStderr();
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_THAT(log, HasSubstr("/bulk"));
  EXPECT_THAT(log, HasSubstr("Authorization: <redacted>"));
  EXPECT_THAT(log, Not(HasSubstr("standin-client-secret")));
  EXPECT_THAT(log, Not(HasSubstr("standin-devinfo-token")));
}

TEST_F(DevinfoClientTest, CredentialsWithoutThePermissionAre403) {
  standin_->SetDevinfoPermitted(false);
  ApiStatus status = client_->SubmitBulk({OneCommit("x", 1)}, false, nullptr);
  EXPECT_EQ(status.http_status, 403);
  EXPECT_FALSE(status.retryable);
  EXPECT_THAT(status.ToString(), HasSubstr("Development information"));
  EXPECT_EQ(client_->CheckAccess().http_status, 403);
}

TEST_F(DevinfoClientTest, CheckAccessReadsNothingAndWritesNothing) {
  ApiStatus status = client_->CheckAccess();
  EXPECT_TRUE(status.ok()) << status.ToString();
  std::vector<RecordedRequest> probes = standin_->Requests("GET", "/repository/");
  ASSERT_EQ(probes.size(), 1u);
  EXPECT_EQ(probes[0].status, 404);
  EXPECT_TRUE(Bulks().empty());
  EXPECT_TRUE(standin_->DevinfoState()["repositories"].empty());
}

TEST_F(DevinfoClientTest, A429WithRetryAfterAndA5xxAreRetryable) {
  Fault fault;
  fault.path_contains = "/bulk";
  fault.status = 429;
  fault.retry_after = "7";
  fault.times = 1;
  standin_->InjectFault(fault);
  ApiStatus status = client_->SubmitBulk({OneCommit("x", 1)}, false, nullptr);
  EXPECT_EQ(status.http_status, 429);
  EXPECT_TRUE(status.retryable);
  EXPECT_EQ(status.retry_after_seconds, 7);
  fault.status = 503;
  fault.retry_after.clear();
  standin_->InjectFault(fault);
  status = client_->SubmitBulk({OneCommit("x", 1)}, false, nullptr);
  EXPECT_EQ(status.http_status, 503);
  EXPECT_TRUE(status.retryable);
  EXPECT_TRUE(client_->SubmitBulk({OneCommit("x", 1)}, false, nullptr).ok());
  EXPECT_EQ(Bulks().size(), 3u) << "the client itself never resends";
}

TEST_F(DevinfoClientTest, ALostReplyIsUnknownAndSendingAgainChangesNothing) {
  Fault fault;
  fault.path_contains = "/bulk";
  fault.close_connection = true;
  fault.after_processing = true;
  fault.times = 1;
  standin_->InjectFault(fault);
  ApiStatus status = client_->SubmitBulk({OneCommit("lost", 5)}, false, nullptr);
  EXPECT_EQ(status.http_status, 0);
  EXPECT_TRUE(status.retryable);
  EXPECT_EQ(Bulks().size(), 1u) << "a write is never resent by libcurl";
  const json applied = StoredCommit();
  EXPECT_EQ(applied["message"], "lost");
  ASSERT_TRUE(client_->SubmitBulk({OneCommit("lost", 5)}, false, nullptr).ok());
  EXPECT_EQ(StoredCommit(), applied);
}

TEST_F(DevinfoClientTest, AnOlderUpdateArrivingLateDoesNotOverwriteANewerOne) {
  ASSERT_TRUE(client_->SubmitBulk({OneCommit("newer", 20)}, false, nullptr).ok());
  ASSERT_TRUE(client_->SubmitBulk({OneCommit("older", 10)}, false, nullptr).ok());
  EXPECT_EQ(StoredCommit()["message"], "newer");
  ASSERT_TRUE(client_->SubmitBulk({OneCommit("same number", 20)}, false, nullptr).ok());
  EXPECT_EQ(StoredCommit()["message"], "newer") << "only a greater number replaces";
  EXPECT_EQ(state_["repositories"]["platform~2Fapi"]["updateSequenceId"], 20);
}

TEST_F(DevinfoClientTest, UnknownIssueKeysAndRefusedEntitiesAreReported) {
  DevinfoRepository repository = OneCommit("PROJ-1 NOPE-9", 1);
  repository.commits[0].issue_keys = {"PROJ-1", "NOPE-9"};
  repository.commits.push_back(
      MakeCommit("d7727ee6350c33cdf90826dc21abaa26a5704370", {"GONE-1"}, 1));
  DevinfoBulkResult result;
  ApiStatus status = client_->SubmitBulk({repository}, false, &result);
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(
      std::set<std::string>(result.unknown_issue_keys.begin(), result.unknown_issue_keys.end()),
      (std::set<std::string>{"NOPE-9", "GONE-1"}));
  ASSERT_EQ(result.failed_entities.size(), 1u);
  EXPECT_EQ(result.failed_entities[0].first, "commits/d7727ee6350c33cdf90826dc21abaa26a5704370");
  EXPECT_THAT(result.failed_entities[0].second, HasSubstr("GONE-1"));
  EXPECT_EQ(StoredCommit()["issueKeys"], json({"PROJ-1", "NOPE-9"}));
}

TEST_F(DevinfoClientTest, ABodyOverJirasLimitsIs400WithJirasMessage) {
  std::vector<DevinfoRepository> repositories;
  for (int i = 0; i <= static_cast<int>(kMaxDevinfoRepositoriesPerRequest); ++i) {
    DevinfoRepository repository = MakeRepository(1);
    repository.id = "repo" + std::to_string(i);
    repositories.push_back(repository);
  }
  ApiStatus status = client_->SubmitBulk(repositories, false, nullptr);
  EXPECT_EQ(status.http_status, 400);
  EXPECT_FALSE(status.retryable);
  EXPECT_THAT(status.ToString(), HasSubstr("at most 100"));

  DevinfoRepository big = MakeRepository(1);
  for (int i = 0; i <= static_cast<int>(kMaxDevinfoCommitsPerRepository); ++i) {
    big.commits.push_back(MakeCommit("c" + std::to_string(i), {"PROJ-1"}, 1));
  }
  status = client_->SubmitBulk({big}, false, nullptr);
  EXPECT_EQ(status.http_status, 400);
  EXPECT_THAT(status.ToString(), HasSubstr("at most 400"));
  big.commits.pop_back();
  EXPECT_TRUE(client_->SubmitBulk({big}, false, nullptr).ok()) << "400 commits are allowed";
}

TEST_F(DevinfoClientTest, DeleteEntityRemovesWhatIsNotNewer) {
  DevinfoRepository repository = MakeRepository(1);
  DevinfoBranch branch;
  branch.id = DevinfoEntityId("feature/PROJ-2");
  branch.name = "feature/PROJ-2";
  branch.url = "https://git.example.com/b";
  branch.last_commit = MakeCommit("e7727ee6350c33cdf90826dc21abaa26a5704370", {"PROJ-2"}, 30);
  branch.issue_keys = {"PROJ-2"};
  branch.update_sequence_id = 30;
  repository.branches = {branch};
  ASSERT_TRUE(client_->SubmitBulk({repository}, false, nullptr).ok());

  ApiStatus status = client_->DeleteEntity(repository.id, "branch", branch.id, 29);
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(standin_->DevinfoState()["repositories"]["platform~2Fapi"]["branches"].size(), 1u)
      << "a delete older than the stored update leaves it";
  ASSERT_TRUE(client_->DeleteEntity(repository.id, "branch", branch.id, 31).ok());
  EXPECT_TRUE(standin_->DevinfoState()["repositories"]["platform~2Fapi"]["branches"].empty());
  std::vector<RecordedRequest> deletes = standin_->Requests("DELETE", "/repository/");
  ASSERT_EQ(deletes.size(), 2u);
  EXPECT_EQ(deletes[1].path, "/jira/devinfo/0.1/cloud/" + standin::DevinfoOptions().cloud_id +
                                 "/repository/platform~2Fapi/branch/feature~2FPROJ-2");
  EXPECT_EQ(deletes[1].query, "_updateSequenceId=31");
}

TEST_F(DevinfoClientTest, AJiraServerSiteHasNoCloudId) {
  Start(Personality::kServer);
  std::string cloud_id;
  ApiStatus status = client_->Connect(&cloud_id);
  EXPECT_EQ(status.http_status, 404);
  EXPECT_EQ(status.path, "/_edge/tenant_info");
  EXPECT_THAT(status.ToString(), HasSubstr("did not give its cloud ID"));
  EXPECT_TRUE(cloud_id.empty());
}

TEST_F(DevinfoClientTest, ANetworkErrorNamesTheCall) {
  DevinfoOptions options = Options();
  options.api_url = "http://127.0.0.1:1";
  options.connect_timeout_seconds = 5;
  client_ = std::make_unique<DevinfoClient>(options);
  ApiStatus status = client_->SubmitBulk({OneCommit("x", 1)}, false, nullptr);
  EXPECT_EQ(status.http_status, 0);
  EXPECT_TRUE(status.retryable);
  EXPECT_EQ(status.path, "/oauth/token");
}

}  // namespace
}  // namespace jiralink::jira
