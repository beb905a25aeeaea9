// Every Client call against the stand-in, in both personalities and both
// auth modes: the exact request sent (method, path, query, body,
// Authorization) and the parsed answer.
#include <gtest/gtest.h>

#include <string>
#include <tuple>

#include "jiralink/jira/client.h"
#include "standin.h"

namespace jiralink::jira {
namespace {

using standin::JiraStandin;
using standin::Personality;
using standin::RecordedRequest;

struct Mode {
  Personality personality;
  AuthMode auth;
};

std::string ModeName(const ::testing::TestParamInfo<Mode>& info) {
  return std::string(info.param.personality == Personality::kCloud ? "Cloud" : "Server") +
         (info.param.auth == AuthMode::kPat ? "Pat" : "Basic");
}

class ClientTest : public ::testing::TestWithParam<Mode> {
 protected:
  void SetUp() override {
    JiraStandin::Options options;
    options.personality = GetParam().personality;
    options.username = "ada@example.com";
    options.token = "cloud-token-1";
    standin_ = std::make_unique<JiraStandin>(options);
    ASSERT_TRUE(standin_->Start());
    standin_->AddProject("PROJ", "Project", "10100");
    standin_->AddIssue({.key = "PROJ-1", .summary = "First", .description = "Hello"});
    standin_->AddIssue({.key = "PROJ-2", .summary = "Second", .status = "Done", .labels = {"x"}});
    ClientOptions client_options;
    client_options.api_url = standin_->base_url();
    client_options.auth = GetParam().auth;
    client_options.username = "ada@example.com";
    client_options.token = "cloud-token-1";
    client_options.timeout_seconds = 10;
    client_ = std::make_unique<Client>(client_options);
  }

  bool cloud() const { return GetParam().personality == Personality::kCloud; }

  std::string ExpectedAuthorization() const {
    return GetParam().auth == AuthMode::kPat ? "Bearer cloud-token-1"
                                             : "Basic YWRhQGV4YW1wbGUuY29tOmNsb3VkLXRva2VuLTE=";
  }

  // The only request recorded since the last ClearRequests(), checked for
  // the headers every call must carry.
  RecordedRequest OnlyRequest() {
    std::vector<RecordedRequest> requests = standin_->Requests();
    EXPECT_EQ(requests.size(), 1u);
    if (requests.empty()) return {};
    RecordedRequest r = requests.back();
    EXPECT_EQ(r.headers["authorization"], ExpectedAuthorization());
    EXPECT_EQ(r.headers["accept"], "application/json");
    EXPECT_EQ(r.headers["user-agent"], UserAgent());
    EXPECT_EQ(std::string(UserAgent()).rfind("jiralink/", 0), 0u);
    standin_->ClearRequests();
    return r;
  }

  std::unique_ptr<JiraStandin> standin_;
  std::unique_ptr<Client> client_;
};

TEST_P(ClientTest, ServerInfoDetectsTheDeployment) {
  ServerInfo info;
  ApiStatus status = client_->GetServerInfo(&info);
  ASSERT_TRUE(status.ok()) << status.ToString();
  RecordedRequest r = OnlyRequest();
  EXPECT_EQ(r.method, "GET");
  EXPECT_EQ(r.path, "/rest/api/2/serverInfo");
  EXPECT_EQ(r.query, "");
  EXPECT_EQ(info.deployment, cloud() ? Deployment::kCloud : Deployment::kServer);
  EXPECT_EQ(info.deployment_type, cloud() ? "Cloud" : "Server");
  EXPECT_EQ(info.version, cloud() ? "1001.0.0-SNAPSHOT" : "9.12.2");
  ASSERT_FALSE(info.version_numbers.empty());
  EXPECT_EQ(info.version_numbers[0], cloud() ? 1001 : 9);
  // Detected once: deployment() does not ask again.
  EXPECT_EQ(client_->deployment(), info.deployment);
  EXPECT_TRUE(standin_->Requests().empty());
}

TEST_P(ClientTest, MyselfNamesTheUser) {
  User user;
  ApiStatus status = client_->GetMyself(&user);
  ASSERT_TRUE(status.ok()) << status.ToString();
  RecordedRequest r = OnlyRequest();
  EXPECT_EQ(r.method, "GET");
  EXPECT_EQ(r.path, "/rest/api/2/myself");
  EXPECT_EQ(user.display_name, "Jiralink Bot");
  if (cloud()) {
    EXPECT_FALSE(user.account_id.empty());
    EXPECT_EQ(user.name, "");
  } else {
    EXPECT_EQ(user.name, "ada@example.com");
    EXPECT_EQ(user.account_id, "");
  }
}

TEST_P(ClientTest, GetIssueSendsExpandAndFields) {
  Issue issue;
  ApiStatus status = client_->GetIssue("PROJ-1", "renderedFields,transitions",
                                       "summary,status,description", &issue);
  ASSERT_TRUE(status.ok()) << status.ToString();
  RecordedRequest r = OnlyRequest();
  EXPECT_EQ(r.method, "GET");
  EXPECT_EQ(r.path, "/rest/api/2/issue/PROJ-1");
  EXPECT_EQ(r.query, "fields=summary%2Cstatus%2Cdescription&expand=renderedFields%2Ctransitions");
  EXPECT_EQ(issue.key, "PROJ-1");
  EXPECT_EQ(issue.summary, "First");
  EXPECT_EQ(issue.description, "Hello");
  EXPECT_EQ(issue.status.name, "To Do");
  EXPECT_EQ(issue.status.category.key, "new");
  EXPECT_EQ(issue.issue_type, "");  // not among the requested fields
  EXPECT_EQ(issue.rendered_fields["description"], "<p>Hello</p>");
  ASSERT_EQ(issue.transitions.size(), 2u);  // to In Progress and Done
  EXPECT_EQ(issue.transitions[1].id, "31");
  EXPECT_EQ(issue.transitions[1].to.category.key, "done");
}

TEST_P(ClientTest, GetIssueWithoutOptionsSendsNoQuery) {
  Issue issue;
  ASSERT_TRUE(client_->GetIssue("PROJ-2", "", "", &issue).ok());
  RecordedRequest r = OnlyRequest();
  EXPECT_EQ(r.query, "");
  EXPECT_EQ(issue.resolution, "Done");
  EXPECT_EQ(issue.issue_type, "Bug");
  EXPECT_EQ(issue.labels, std::vector<std::string>{"x"});
  EXPECT_EQ(issue.reporter, "Ada Lovelace");
  EXPECT_EQ(issue.id, standin_->Issue("PROJ-2")["id"].get<std::string>());
}

TEST_P(ClientTest, AddCommentPostsTheBody) {
  Comment created;
  ApiStatus status = client_->AddComment("PROJ-1", "Mentioned in *commit* abc", &created);
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(status.http_status, 201);
  RecordedRequest r = OnlyRequest();
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.path, "/rest/api/2/issue/PROJ-1/comment");
  EXPECT_EQ(r.headers["content-type"], "application/json");
  EXPECT_EQ(nlohmann::json::parse(r.body), nlohmann::json({{"body", "Mentioned in *commit* abc"}}));
  EXPECT_FALSE(created.id.empty());
  EXPECT_EQ(created.body, "Mentioned in *commit* abc");
  EXPECT_EQ(created.author, "Jiralink Bot");
  ASSERT_EQ(standin_->Comments("PROJ-1").size(), 1u);
}

TEST_P(ClientTest, GetCommentsFollowsEveryPage) {
  for (int i = 0; i < 120; ++i) {
    ASSERT_TRUE(client_->AddComment("PROJ-1", "comment " + std::to_string(i), nullptr).ok());
  }
  standin_->ClearRequests();
  std::vector<Comment> comments;
  ApiStatus status = client_->GetComments("PROJ-1", &comments);
  ASSERT_TRUE(status.ok()) << status.ToString();
  ASSERT_EQ(comments.size(), 120u);
  EXPECT_EQ(comments[0].body, "comment 0");
  EXPECT_EQ(comments[119].body, "comment 119");
  // The stand-in caps pages at 50: three pages, each starting where the last ended.
  std::vector<RecordedRequest> requests = standin_->Requests("GET", "/comment");
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[0].query, "startAt=0&maxResults=100");
  EXPECT_EQ(requests[1].query, "startAt=50&maxResults=100");
  EXPECT_EQ(requests[2].query, "startAt=100&maxResults=100");
}

TEST_P(ClientTest, RemoteLinkUpsertSendsTheWholeObject) {
  RemoteLinkRequest link;
  link.global_id = "system=https://git.example.com&id=abc";
  link.url = "https://git.example.com/r/-/commit/abc";
  link.title = "Commit - Fix foo";
  link.icon_title = "jiralink";
  link.icon_url = "https://git.example.com/favicon.png";
  std::int64_t id = 0;
  ApiStatus status = client_->UpsertRemoteLink("PROJ-1", link, &id);
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(status.http_status, 201);
  EXPECT_GT(id, 0);
  RecordedRequest r = OnlyRequest();
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.path, "/rest/api/2/issue/PROJ-1/remotelink");
  EXPECT_EQ(nlohmann::json::parse(r.body),
            nlohmann::json::parse(R"({"globalId":"system=https://git.example.com&id=abc",
              "relationship":"mentioned on",
              "object":{"url":"https://git.example.com/r/-/commit/abc","title":"Commit - Fix foo",
                        "status":{"resolved":false},
                        "icon":{"title":"jiralink","url16x16":"https://git.example.com/favicon.png"}}})"));

  // Same globalId again: an update of the same link (200), not a second one.
  link.title = "Solved by commit abc.";
  link.resolved = true;
  std::int64_t second_id = 0;
  status = client_->UpsertRemoteLink("PROJ-1", link, &second_id);
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(status.http_status, 200);
  EXPECT_EQ(second_id, id);
  standin_->ClearRequests();

  std::vector<RemoteLink> links;
  ASSERT_TRUE(client_->GetRemoteLinks("PROJ-1", &links).ok());
  RecordedRequest get = OnlyRequest();
  EXPECT_EQ(get.method, "GET");
  EXPECT_EQ(get.path, "/rest/api/2/issue/PROJ-1/remotelink");
  ASSERT_EQ(links.size(), 1u);
  EXPECT_EQ(links[0].id, id);
  EXPECT_EQ(links[0].global_id, link.global_id);
  EXPECT_EQ(links[0].title, "Solved by commit abc.");
  EXPECT_TRUE(links[0].resolved);
  EXPECT_EQ(links[0].relationship, "mentioned on");
}

TEST_P(ClientTest, RemoteLinkWithoutIconLeavesIconOut) {
  RemoteLinkRequest link;
  link.global_id = "g";
  link.url = "https://x.example/1";
  link.title = "t";
  ASSERT_TRUE(client_->UpsertRemoteLink("PROJ-1", link, nullptr).ok());
  nlohmann::json body = nlohmann::json::parse(OnlyRequest().body);
  EXPECT_FALSE(body["object"].contains("icon"));
}

TEST_P(ClientTest, TransitionsListAndPerform) {
  std::vector<Transition> transitions;
  ASSERT_TRUE(client_->GetTransitions("PROJ-1", &transitions).ok());
  RecordedRequest r = OnlyRequest();
  EXPECT_EQ(r.method, "GET");
  EXPECT_EQ(r.path, "/rest/api/2/issue/PROJ-1/transitions");
  EXPECT_EQ(r.query, "expand=transitions.fields");
  ASSERT_EQ(transitions.size(), 2u);
  EXPECT_EQ(transitions[0].id, "21");
  EXPECT_EQ(transitions[0].name, "In Progress");
  EXPECT_EQ(transitions[0].to.category.key, "indeterminate");
  EXPECT_EQ(transitions[0].to.category.id, 4);

  ApiStatus status = client_->DoTransition("PROJ-1", "31");
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(status.http_status, 204);
  RecordedRequest post = OnlyRequest();
  EXPECT_EQ(post.method, "POST");
  EXPECT_EQ(post.path, "/rest/api/2/issue/PROJ-1/transitions");
  EXPECT_EQ(nlohmann::json::parse(post.body),
            nlohmann::json::parse(R"({"transition":{"id":"31"}})"));
  EXPECT_EQ(standin_->Status("PROJ-1"), "Done");
  EXPECT_EQ(standin_->Resolution("PROJ-1"), "Done");
}

TEST_P(ClientTest, SearchUsesTheDeploymentsEndpointAndPaging) {
  for (int i = 3; i <= 60; ++i) {
    standin_->AddIssue(
        {.key = "PROJ-" + std::to_string(i), .summary = "Issue " + std::to_string(i)});
  }
  SearchRequest request;
  request.jql = "project = \"PROJ\" ORDER BY key ASC";
  request.max_results = 100;
  request.fields = {"summary", "status"};
  SearchPage page;
  ApiStatus status = client_->Search(request, &page);
  ASSERT_TRUE(status.ok()) << status.ToString();
  std::vector<RecordedRequest> requests = standin_->Requests();
  // Deployment detection first, then the search.
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].path, "/rest/api/2/serverInfo");
  const RecordedRequest& r = requests[1];
  EXPECT_EQ(r.method, "GET");
  EXPECT_EQ(r.headers.at("authorization"), ExpectedAuthorization());
  ASSERT_EQ(page.issues.size(), 50u);  // capped by the stand-in, as Jira may
  EXPECT_EQ(page.issues[0].key, "PROJ-1");
  EXPECT_EQ(page.issues[0].summary, "First");
  EXPECT_FALSE(page.is_last);
  if (cloud()) {
    EXPECT_EQ(r.path, "/rest/api/2/search/jql");
    EXPECT_EQ(r.query,
              "jql=project%20%3D%20%22PROJ%22%20ORDER%20BY%20key%20ASC&maxResults=100&fields="
              "summary%2Cstatus");
    EXPECT_EQ(page.total, -1);
    EXPECT_FALSE(page.next_page_token.empty());
    request.next_page_token = page.next_page_token;
  } else {
    EXPECT_EQ(r.path, "/rest/api/2/search");
    EXPECT_EQ(r.query,
              "jql=project%20%3D%20%22PROJ%22%20ORDER%20BY%20key%20ASC&startAt=0&maxResults=100&"
              "fields=summary%2Cstatus");
    EXPECT_EQ(page.total, 60);
    EXPECT_EQ(page.max_results, 50);
    request.start_at = page.start_at + static_cast<int>(page.issues.size());
  }
  standin_->ClearRequests();
  SearchPage second;
  ASSERT_TRUE(client_->Search(request, &second).ok());
  ASSERT_EQ(second.issues.size(), 10u);
  EXPECT_EQ(second.issues[0].key, "PROJ-51");
  EXPECT_TRUE(second.is_last);
  RecordedRequest r2 = OnlyRequest();
  if (cloud()) {
    EXPECT_NE(r2.query.find("&nextPageToken=" + request.next_page_token), std::string::npos)
        << r2.query;
  } else {
    EXPECT_NE(r2.query.find("&startAt=50&"), std::string::npos) << r2.query;
  }
}

TEST_P(ClientTest, CountIssuesAsksForTheCountOnly) {
  std::int64_t count = -1;
  ApiStatus status = client_->CountIssues("project = \"PROJ\" AND statusCategory != Done", &count);
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(count, 1);
  const RecordedRequest r = standin_->Requests().back();
  if (cloud()) {
    EXPECT_EQ(r.method, "POST");
    EXPECT_EQ(r.path, "/rest/api/2/search/approximate-count");
    EXPECT_EQ(r.body, R"({"jql":"project = \"PROJ\" AND statusCategory != Done"})");
  } else {
    EXPECT_EQ(r.path, "/rest/api/2/search");
    EXPECT_NE(r.query.find("&maxResults=0&"), std::string::npos) << r.query;
  }
  // Jira's 400 on the JQL is the call's.
  EXPECT_EQ(client_->CountIssues("project = ", &count).http_status, 400);
}

TEST_P(ClientTest, SearchWithoutFieldsAsksForNavigableFields) {
  SearchRequest request;
  request.jql = "project = PROJ";
  SearchPage page;
  ASSERT_TRUE(client_->Search(request, &page).ok());
  EXPECT_NE(standin_->Requests().back().query.find("fields=%2Anavigable"), std::string::npos);
  ASSERT_EQ(page.issues.size(), 2u);
  EXPECT_FALSE(page.issues[0].key.empty());
  EXPECT_FALSE(page.issues[0].summary.empty());
}

TEST_P(ClientTest, LongJqlIsPosted) {
  SearchRequest request;
  request.jql = "project = PROJ AND (";
  for (int i = 0; i < 300; ++i) {
    request.jql += (i == 0 ? "" : " OR ") + std::string("description ~ \"vulnerability ") +
                   std::to_string(i) + "\"";
  }
  request.jql += " OR summary ~ \"First\")";
  request.fields = {"summary"};
  request.max_results = 10;
  SearchPage page;
  ApiStatus status = client_->Search(request, &page);
  ASSERT_TRUE(status.ok()) << status.ToString();
  ASSERT_EQ(page.issues.size(), 1u);
  EXPECT_EQ(page.issues[0].summary, "First");
  const RecordedRequest r = standin_->Requests().back();
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.path, cloud() ? "/rest/api/2/search/jql" : "/rest/api/2/search");
  EXPECT_EQ(r.query, "");
  nlohmann::json body = nlohmann::json::parse(r.body);
  EXPECT_EQ(body["jql"], request.jql);
  EXPECT_EQ(body["maxResults"], 10);
  EXPECT_EQ(body["fields"], nlohmann::json::array({"summary"}));
  EXPECT_EQ(body.contains("startAt"), !cloud());
}

TEST_P(ClientTest, GetProjectListsIssueTypes) {
  Project project;
  ASSERT_TRUE(client_->GetProject("PROJ", &project).ok());
  RecordedRequest r = OnlyRequest();
  EXPECT_EQ(r.path, "/rest/api/2/project/PROJ");
  EXPECT_EQ(project.id, "10100");
  EXPECT_EQ(project.name, "Project");
  ASSERT_EQ(project.issue_types.size(), 4u);
  EXPECT_EQ(project.issue_types[3].name, "Sub-task");
  EXPECT_TRUE(project.issue_types[3].subtask);
}

TEST_P(ClientTest, CreateIssueTypesUseTheNewEndpoint) {
  std::vector<IssueType> types;
  ApiStatus status = client_->GetCreateIssueTypes("PROJ", &types);
  ASSERT_TRUE(status.ok()) << status.ToString();
  RecordedRequest r = OnlyRequest();
  EXPECT_EQ(r.path, "/rest/api/2/issue/createmeta/PROJ/issuetypes");
  EXPECT_EQ(r.query, "startAt=0&maxResults=50");
  ASSERT_EQ(types.size(), 4u);
  EXPECT_EQ(types[0].id, "10004");
  EXPECT_EQ(types[0].name, "Bug");
}

TEST_P(ClientTest, CreateIssueTypesFollowPages) {
  std::vector<standin::IssueTypeSeed> many;
  for (int i = 0; i < 70; ++i) {
    many.push_back({std::to_string(20000 + i), "Type " + std::to_string(i), "", false});
  }
  standin_->SetIssueTypes("PROJ", many);
  std::vector<IssueType> types;
  ASSERT_TRUE(client_->GetCreateIssueTypes("PROJ", &types).ok());
  ASSERT_EQ(types.size(), 70u);
  EXPECT_EQ(types[69].name, "Type 69");
  std::vector<RecordedRequest> requests = standin_->Requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[1].query, "startAt=50&maxResults=50");
}

TEST_P(ClientTest, CreateIssuePostsFields) {
  CreateIssueRequest request;
  request.project_id = "10100";
  request.issue_type_id = "10004";
  request.summary = "Investigate vulnerability: SQL injection";
  request.description = "h3. Details";
  request.labels = {"security"};
  CreatedIssue created;
  ApiStatus status = client_->CreateIssue(request, &created);
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(status.http_status, 201);
  RecordedRequest r = OnlyRequest();
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.path, "/rest/api/2/issue");
  EXPECT_EQ(nlohmann::json::parse(r.body), nlohmann::json::parse(R"({"fields":{
      "project":{"id":"10100"},"issuetype":{"id":"10004"},
      "summary":"Investigate vulnerability: SQL injection","description":"h3. Details",
      "labels":["security"]}})"));
  EXPECT_EQ(created.key, "PROJ-3");
  EXPECT_FALSE(created.id.empty());
  EXPECT_NE(created.self.find("/rest/api/2/issue/" + created.id), std::string::npos);
  EXPECT_EQ(standin_->Issue("PROJ-3")["fields"]["summary"],
            "Investigate vulnerability: SQL injection");
}

TEST_P(ClientTest, OneConnectionServesManyCalls) {
  User user;
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(client_->GetMyself(&user).ok());
  std::vector<RecordedRequest> requests = standin_->Requests();
  ASSERT_EQ(requests.size(), 5u);
  for (const RecordedRequest& r : requests) EXPECT_EQ(r.remote_port, requests[0].remote_port);
}

INSTANTIATE_TEST_SUITE_P(Modes, ClientTest,
                         ::testing::Values(Mode{Personality::kServer, AuthMode::kBasic},
                                           Mode{Personality::kServer, AuthMode::kPat},
                                           Mode{Personality::kCloud, AuthMode::kBasic},
                                           Mode{Personality::kCloud, AuthMode::kPat}),
                         ModeName);

}  // namespace
}  // namespace jiralink::jira
