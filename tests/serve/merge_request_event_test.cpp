// serve/merge_request_event.h over the forges' recorded payloads.
#include "jiralink/serve/merge_request_event.h"

#include <gtest/gtest.h>

#include "webhook_fixtures.h"

namespace jiralink::serve {
namespace {

using testing::GiteaEvent;
using testing::GitHubEvent;
using testing::GitLabEvent;
using testing::LoadWebhookFixture;

TEST(MergeRequestEvent, ReadsGitLabsDocumentedExample) {
  nlohmann::json body = LoadWebhookFixture("gitlab/merge_request.open.json");
  EXPECT_EQ(RepositoryOf(Forge::kGitLab, body), "gitlabhq/gitlab-test");
  MergeRequestEvent event;
  ASSERT_TRUE(ParseMergeRequestEvent(Forge::kGitLab, "Merge Request Hook", body, &event).ok());
  EXPECT_EQ(event.action, MergeRequestAction::kOpened);
  EXPECT_EQ(event.repository, "gitlabhq/gitlab-test");
  EXPECT_EQ(event.iid, 1);
  EXPECT_EQ(event.title, "MS-Viewport");
  EXPECT_EQ(event.description, "");
  EXPECT_EQ(event.url, "http://example.com/diaspora/merge_requests/1");
  EXPECT_EQ(event.author, "Administrator");
  EXPECT_EQ(event.source_branch, "ms-viewport");
  EXPECT_EQ(event.target_branch, "master");
  EXPECT_EQ(event.default_branch, "master");
  EXPECT_EQ(event.repo_url, "http://example.com/gitlabhq/gitlab-test");
  EXPECT_EQ(event.source_repo_url, "http://example.com/awesome_space/awesome_project");
  // GitLab's close names the head commit (diff_head_sha): last_commit.id.
  EXPECT_EQ(event.head_sha, "da1560886d4f094c3e6c9ef40349f7d38b5d27d7");
}

TEST(MergeRequestEvent, GitLabActions) {
  MergeRequestEvent event;
  ASSERT_TRUE(ParseMergeRequestEvent(Forge::kGitLab, "Merge Request Hook",
                                     GitLabEvent("merge", "t", ""), &event)
                  .ok());
  EXPECT_EQ(event.action, MergeRequestAction::kMerged);
  ASSERT_TRUE(ParseMergeRequestEvent(Forge::kGitLab, "Merge Request Hook",
                                     GitLabEvent("reopen", "t", ""), &event)
                  .ok());
  EXPECT_EQ(event.action, MergeRequestAction::kOpened);

  // The documented example's `changes` hold no title or description.
  ASSERT_TRUE(ParseMergeRequestEvent(Forge::kGitLab, "Merge Request Hook",
                                     GitLabEvent("update", "t", ""), &event)
                  .ok());
  EXPECT_EQ(event.action, MergeRequestAction::kIgnored);
  nlohmann::json edited = GitLabEvent("update", "t", "PROJ-1");
  edited["changes"]["description"] = {{"previous", ""}, {"current", "PROJ-1"}};
  ASSERT_TRUE(ParseMergeRequestEvent(Forge::kGitLab, "Merge Request Hook", edited, &event).ok());
  EXPECT_EQ(event.action, MergeRequestAction::kEdited);

  ASSERT_TRUE(ParseMergeRequestEvent(Forge::kGitLab, "Merge Request Hook",
                                     GitLabEvent("approved", "t", ""), &event)
                  .ok());
  EXPECT_EQ(event.action, MergeRequestAction::kIgnored);
  EXPECT_NE(event.ignored_because.find("approved"), std::string::npos);
}

TEST(MergeRequestEvent, OtherGitLabEventsAreIgnored) {
  MergeRequestEvent event;
  ASSERT_TRUE(
      ParseMergeRequestEvent(Forge::kGitLab, "Push Hook", GitLabEvent("open", "t", ""), &event)
          .ok());
  EXPECT_EQ(event.action, MergeRequestAction::kIgnored);
}

TEST(MergeRequestEvent, MissingFieldsAreNamed) {
  nlohmann::json body = GitLabEvent("open", "t", "");
  body["object_attributes"].erase("iid");
  MergeRequestEvent event;
  Status status = ParseMergeRequestEvent(Forge::kGitLab, "Merge Request Hook", body, &event);
  EXPECT_EQ(status.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(status.message().find("object_attributes.iid"), std::string::npos) << status.message();

  body = GitHubEvent("opened", "t", "");
  body["pull_request"]["title"] = 42;
  status = ParseMergeRequestEvent(Forge::kGitHub, "pull_request", body, &event);
  EXPECT_NE(status.message().find("pull_request.title"), std::string::npos) << status.message();

  EXPECT_FALSE(
      ParseMergeRequestEvent(Forge::kGitea, "pull_request", nlohmann::json::array(), &event).ok());
}

TEST(MergeRequestEvent, ReadsOctokitsPullRequestExamples) {
  nlohmann::json body = LoadWebhookFixture("github/pull_request.opened.json");
  EXPECT_EQ(RepositoryOf(Forge::kGitHub, body), "Codertocat/Hello-World");
  MergeRequestEvent event;
  ASSERT_TRUE(ParseMergeRequestEvent(Forge::kGitHub, "pull_request", body, &event).ok());
  EXPECT_EQ(event.action, MergeRequestAction::kOpened);
  EXPECT_EQ(event.iid, 2);
  EXPECT_EQ(event.title, "Update the README with new information.");
  EXPECT_EQ(event.url, "https://github.com/Codertocat/Hello-World/pull/2");
  EXPECT_EQ(event.author, "Codertocat");
  EXPECT_EQ(event.source_branch, "changes");
  EXPECT_EQ(event.target_branch, "master");
  EXPECT_EQ(event.default_branch, "master");
  EXPECT_EQ(event.repo_url, "https://github.com/Codertocat/Hello-World");
  EXPECT_EQ(event.head_sha, "ec26c3e57ca3a959ca5aad62de7213c562f8c821");

  // A pull request without a description has "body": null.
  body = LoadWebhookFixture("github/pull_request.opened.null-body.json");
  ASSERT_TRUE(ParseMergeRequestEvent(Forge::kGitHub, "pull_request", body, &event).ok());
  EXPECT_EQ(event.description, "");

  // Closed without merging, and new commits: nothing to do.
  body = LoadWebhookFixture("github/pull_request.closed.json");
  ASSERT_TRUE(ParseMergeRequestEvent(Forge::kGitHub, "pull_request", body, &event).ok());
  EXPECT_EQ(event.action, MergeRequestAction::kIgnored);
  body["pull_request"]["merged"] = true;
  ASSERT_TRUE(ParseMergeRequestEvent(Forge::kGitHub, "pull_request", body, &event).ok());
  EXPECT_EQ(event.action, MergeRequestAction::kMerged);
  body = LoadWebhookFixture("github/pull_request.synchronize.json");
  ASSERT_TRUE(ParseMergeRequestEvent(Forge::kGitHub, "pull_request", body, &event).ok());
  EXPECT_EQ(event.action, MergeRequestAction::kIgnored);

  // An edit counts when the title or body changed.
  body = GitHubEvent("edited", "t", "");
  ASSERT_TRUE(ParseMergeRequestEvent(Forge::kGitHub, "pull_request", body, &event).ok());
  EXPECT_EQ(event.action, MergeRequestAction::kIgnored);
  body["changes"] = {{"body", {{"from", "old"}}}};
  ASSERT_TRUE(ParseMergeRequestEvent(Forge::kGitHub, "pull_request", body, &event).ok());
  EXPECT_EQ(event.action, MergeRequestAction::kEdited);

  ASSERT_TRUE(ParseMergeRequestEvent(Forge::kGitHub, "ping", body, &event).ok());
  EXPECT_EQ(event.action, MergeRequestAction::kIgnored);
}

TEST(MergeRequestEvent, ReadsGiteasPullRequestPayload) {
  nlohmann::json body = LoadWebhookFixture("gitea/pull_request.opened.json");
  EXPECT_EQ(RepositoryOf(Forge::kGitea, body), "test/repo");
  MergeRequestEvent event;
  ASSERT_TRUE(ParseMergeRequestEvent(Forge::kGitea, "pull_request", body, &event).ok());
  EXPECT_EQ(event.action, MergeRequestAction::kOpened);
  EXPECT_EQ(event.iid, 12);
  EXPECT_EQ(event.title, "Fix bug");
  EXPECT_EQ(event.description, "fixes bug #2");
  EXPECT_EQ(event.url, "http://localhost:3000/test/repo/pulls/12");
  EXPECT_EQ(event.author, "user1");  // full_name is empty: the login
  EXPECT_EQ(event.source_branch, "branch1");
  EXPECT_EQ(event.target_branch, "main");
  EXPECT_EQ(event.default_branch, "main");
  EXPECT_EQ(event.head_sha, "2020fae6c7e0b6ff8dcfc81d75db72e9a21a5a9b");

  body["sender"]["full_name"] = "User One";
  ASSERT_TRUE(ParseMergeRequestEvent(Forge::kGitea, "pull_request", body, &event).ok());
  EXPECT_EQ(event.author, "User One");
  body["action"] = "closed";
  body["pull_request"]["merged"] = true;
  ASSERT_TRUE(ParseMergeRequestEvent(Forge::kGitea, "pull_request", body, &event).ok());
  EXPECT_EQ(event.action, MergeRequestAction::kMerged);
}

// What a payload filtered by ParsePayload reads as, field by field.
void ExpectSameEvent(const MergeRequestEvent& slim, const MergeRequestEvent& full) {
  EXPECT_EQ(slim.action, full.action);
  EXPECT_EQ(slim.iid, full.iid);
  EXPECT_EQ(slim.title, full.title);
  EXPECT_EQ(slim.description, full.description);
  EXPECT_EQ(slim.url, full.url);
  EXPECT_EQ(slim.author, full.author);
  EXPECT_EQ(slim.source_branch, full.source_branch);
  EXPECT_EQ(slim.target_branch, full.target_branch);
  EXPECT_EQ(slim.default_branch, full.default_branch);
  EXPECT_EQ(slim.repo_url, full.repo_url);
  EXPECT_EQ(slim.source_repo_url, full.source_repo_url);
  EXPECT_EQ(slim.head_sha, full.head_sha);
  EXPECT_EQ(slim.comment, full.comment);
}

TEST(MergeRequestEvent, ParsePayloadKeepsEverythingThatIsRead) {
  struct Case {
    Forge forge;
    const char* event;
    nlohmann::json body;
  };
  nlohmann::json edited = GitLabEvent("update", "PROJ-1", "PROJ-2");
  edited["changes"]["title"] = {{"previous", "x"}, {"current", "PROJ-1"}};
  nlohmann::json merged = LoadWebhookFixture("github/pull_request.closed.json");
  merged["pull_request"]["merged"] = true;
  const Case cases[] = {
      {Forge::kGitLab, "Merge Request Hook", LoadWebhookFixture("gitlab/merge_request.open.json")},
      {Forge::kGitLab, "Merge Request Hook", edited},
      {Forge::kGitea, "pull_request", LoadWebhookFixture("gitea/pull_request.opened.json")},
      {Forge::kGitHub, "pull_request", LoadWebhookFixture("github/pull_request.opened.json")},
      {Forge::kGitHub, "pull_request", merged},
  };
  // Comments: every field read survives the filter too.
  nlohmann::json review = LoadWebhookFixture("github/pull_request_review.submitted.json");
  review["review"]["body"] = "PROJ-6";
  const Case comments[] = {
      {Forge::kGitLab, "Note Hook", LoadWebhookFixture("gitlab/note.merge_request.json")},
      {Forge::kGitea, "issue_comment", LoadWebhookFixture("gitea/issue_comment.pull_request.json")},
      {Forge::kGitHub, "issue_comment", testing::GitHubPullRequestComment("PROJ-5")},
      {Forge::kGitHub, "pull_request_review", review},
  };
  for (const Case& c : comments) {
    MergeRequestEvent full;
    MergeRequestEvent slim;
    ASSERT_TRUE(ParseMergeRequestEvent(c.forge, c.event, c.body, &full).ok());
    ASSERT_TRUE(ParseMergeRequestEvent(c.forge, c.event, ParsePayload(c.body.dump()), &slim).ok());
    EXPECT_EQ(full.action, MergeRequestAction::kCommented) << c.event;
    ExpectSameEvent(slim, full);
  }
  for (const Case& c : cases) {
    nlohmann::json filtered = ParsePayload(c.body.dump());
    ASSERT_FALSE(filtered.is_discarded());
    EXPECT_LT(filtered.dump().size(), c.body.dump().size());
    MergeRequestEvent full;
    MergeRequestEvent slim;
    ASSERT_TRUE(ParseMergeRequestEvent(c.forge, c.event, c.body, &full).ok());
    ASSERT_TRUE(ParseMergeRequestEvent(c.forge, c.event, filtered, &slim).ok());
    EXPECT_EQ(RepositoryOf(c.forge, filtered), RepositoryOf(c.forge, c.body));
    ExpectSameEvent(slim, full);
    EXPECT_FALSE(full.head_sha.empty());
  }
  EXPECT_TRUE(ParsePayload("{\"a\":").is_discarded());
}

TEST(MergeRequestEvent, ParsePayloadDropsWholeValuesOfUnreadKeys) {
  // "labels" and "assignees" are not read: nothing inside them (not even a
  // read key such as "title") reaches the result; read keys keep all of
  // their value, arrays and scalars of every type included.
  nlohmann::json parsed = ParsePayload(R"({
    "labels": [{"title": "bug", "url": "u"}, [1, {"name": "x"}]],
    "object_attributes": {"title": "PROJ-1", "iid": 7, "assignees": [{"name": "n"}],
                          "url": null, "source": {"web_url": "w", "extra": {"ref": 1}}},
    "changes": {"title": {"previous": "a", "current": "b"}},
    "title": [true, false, 1.5, -2, "s", {"ref": "r", "deep": [1]}],
    "title": "last wins"
  })");
  nlohmann::json expected = {
      {"object_attributes",
       {{"title", "PROJ-1"}, {"iid", 7}, {"url", nullptr}, {"source", {{"web_url", "w"}}}}},
      {"changes", {{"title", nlohmann::json::object()}}},
      {"title", "last wins"}};
  EXPECT_EQ(parsed, expected) << parsed.dump();
  EXPECT_EQ(ParsePayload(R"([{"labels": 1, "title": [2]}, 3])"),
            nlohmann::json::parse(R"([{"title": [2]}, 3])"));
  EXPECT_EQ(ParsePayload("\"text\""), nlohmann::json("text"));
  EXPECT_TRUE(ParsePayload("{\"labels\": [1, 2}").is_discarded());
  EXPECT_TRUE(ParsePayload("{\"title\": \"a\"} trailing").is_discarded());
  EXPECT_TRUE(ParsePayload("").is_discarded());
}

// Issue #25: comments on a merge request, as each forge sends them.
TEST(MergeRequestEvent, ReadsGitLabsDocumentedMergeRequestComment) {
  nlohmann::json body = LoadWebhookFixture("gitlab/note.merge_request.json");
  EXPECT_EQ(RepositoryOf(Forge::kGitLab, body), "gitlab-org/gitlab-test");
  MergeRequestEvent event;
  ASSERT_TRUE(ParseMergeRequestEvent(Forge::kGitLab, "Note Hook", body, &event).ok());
  EXPECT_EQ(event.action, MergeRequestAction::kCommented);
  EXPECT_EQ(event.comment, "This MR needs work.");
  EXPECT_EQ(event.repository, "gitlab-org/gitlab-test");
  EXPECT_EQ(event.iid, 1);
  EXPECT_EQ(event.title, "Tempora et eos debitis quae laborum et.");
  EXPECT_EQ(event.url, "http://example.com/gitlab-org/gitlab-test/merge_requests/1");
  EXPECT_EQ(event.author, "Administrator");
  EXPECT_EQ(event.source_branch, "master");
  EXPECT_EQ(event.target_branch, "markdown");
  EXPECT_EQ(event.repo_url, "http://example.com/gitlab-org/gitlab-test");
  EXPECT_EQ(event.source_repo_url, "http://example.com/gitlab-org/gitlab-test");

  body["object_attributes"]["action"] = "update";
  ASSERT_TRUE(ParseMergeRequestEvent(Forge::kGitLab, "Note Hook", body, &event).ok());
  EXPECT_EQ(event.action, MergeRequestAction::kCommented);
  body["object_attributes"]["system"] = true;
  ASSERT_TRUE(ParseMergeRequestEvent(Forge::kGitLab, "Note Hook", body, &event).ok());
  EXPECT_EQ(event.action, MergeRequestAction::kIgnored);
  body["object_attributes"]["system"] = false;
  body["object_attributes"]["noteable_type"] = "Issue";
  ASSERT_TRUE(ParseMergeRequestEvent(Forge::kGitLab, "Note Hook", body, &event).ok());
  EXPECT_EQ(event.action, MergeRequestAction::kIgnored);
  EXPECT_NE(event.ignored_because.find("Issue"), std::string::npos) << event.ignored_because;

  body = LoadWebhookFixture("gitlab/note.merge_request.json");
  body["object_attributes"].erase("note");
  Status status = ParseMergeRequestEvent(Forge::kGitLab, "Note Hook", body, &event);
  EXPECT_NE(status.message().find("object_attributes.note"), std::string::npos) << status.message();
}

TEST(MergeRequestEvent, ReadsGitHubsPullRequestCommentAndReview) {
  MergeRequestEvent event;
  // A comment on an issue is not one on a pull request.
  nlohmann::json issue = LoadWebhookFixture("github/issue_comment.created.json");
  ASSERT_TRUE(ParseMergeRequestEvent(Forge::kGitHub, "issue_comment", issue, &event).ok());
  EXPECT_EQ(event.action, MergeRequestAction::kIgnored);

  nlohmann::json body = testing::GitHubPullRequestComment("Related to PROJ-5");
  ASSERT_TRUE(ParseMergeRequestEvent(Forge::kGitHub, "issue_comment", body, &event).ok());
  EXPECT_EQ(event.action, MergeRequestAction::kCommented);
  EXPECT_EQ(event.comment, "Related to PROJ-5");
  EXPECT_EQ(event.repository, "Codertocat/Hello-World");
  EXPECT_EQ(event.iid, 1);
  EXPECT_EQ(event.title, "Spelling error in the README file");
  EXPECT_EQ(event.url, "https://github.com/Codertocat/Hello-World/pull/1");
  EXPECT_EQ(event.author, "Codertocat");
  EXPECT_EQ(event.repo_url, "https://github.com/Codertocat/Hello-World");
  body["action"] = "deleted";
  ASSERT_TRUE(ParseMergeRequestEvent(Forge::kGitHub, "issue_comment", body, &event).ok());
  EXPECT_EQ(event.action, MergeRequestAction::kIgnored);

  body = LoadWebhookFixture("github/pull_request_review.submitted.json");
  ASSERT_TRUE(ParseMergeRequestEvent(Forge::kGitHub, "pull_request_review", body, &event).ok());
  EXPECT_EQ(event.action, MergeRequestAction::kIgnored) << "a review without a body";
  body["review"]["body"] = "Needs PROJ-6 first";
  ASSERT_TRUE(ParseMergeRequestEvent(Forge::kGitHub, "pull_request_review", body, &event).ok());
  EXPECT_EQ(event.action, MergeRequestAction::kCommented);
  EXPECT_EQ(event.comment, "Needs PROJ-6 first");
  EXPECT_EQ(event.iid, 2);
  EXPECT_EQ(event.source_branch, "changes");
  EXPECT_EQ(event.url, "https://github.com/Codertocat/Hello-World/pull/2");
}

TEST(MergeRequestEvent, ReadsGiteasPullRequestComment) {
  nlohmann::json body = LoadWebhookFixture("gitea/issue_comment.pull_request.json");
  MergeRequestEvent event;
  ASSERT_TRUE(ParseMergeRequestEvent(Forge::kGitea, "issue_comment", body, &event).ok());
  EXPECT_EQ(event.action, MergeRequestAction::kCommented);
  EXPECT_EQ(event.comment, "changes requested");
  EXPECT_EQ(event.repository, "test/repo");
  EXPECT_EQ(event.iid, 12);
  EXPECT_EQ(event.title, "Fix bug");
  EXPECT_EQ(event.description, "fixes bug #2");
  EXPECT_EQ(event.url, "http://localhost:3000/test/repo/pulls/12");
  EXPECT_EQ(event.author, "user1");
  body["is_pull"] = false;
  ASSERT_TRUE(ParseMergeRequestEvent(Forge::kGitea, "issue_comment", body, &event).ok());
  EXPECT_EQ(event.action, MergeRequestAction::kIgnored);
}

TEST(MergeRequestEvent, AHeadShaThatIsNotAFullShaIsLeftOut) {
  MergeRequestEvent event;
  for (const char* sha : {"da15608", "DA1560886D4F094C3E6C9EF40349F7D38B5D27D7",
                          "da1560886d4f094c3e6c9ef40349f7d38b5d27d7/../x", ""}) {
    nlohmann::json body = GitLabEvent("merge", "Fixes PROJ-1", "");
    body["object_attributes"]["last_commit"] = {{"id", sha}};
    ASSERT_TRUE(ParseMergeRequestEvent(Forge::kGitLab, "Merge Request Hook", body, &event).ok());
    EXPECT_EQ(event.head_sha, "") << sha;
  }
  nlohmann::json body = GitHubEvent("closed", "t", "");
  body["pull_request"]["head"]["sha"] = 42;
  ASSERT_TRUE(ParseMergeRequestEvent(Forge::kGitHub, "pull_request", body, &event).ok());
  EXPECT_EQ(event.head_sha, "");
}

TEST(MergeRequestEvent, CommitUrlsPerForge) {
  const std::string sha = "da1560886d4f094c3e6c9ef40349f7d38b5d27d7";
  EXPECT_EQ(CommitUrl(Forge::kGitLab, "https://gl.example/g/p/", sha),
            "https://gl.example/g/p/-/commit/" + sha);
  EXPECT_EQ(CommitUrl(Forge::kGitea, "http://localhost:3000/test/repo", sha),
            "http://localhost:3000/test/repo/commit/" + sha);
  EXPECT_EQ(CommitUrl(Forge::kGitHub, "https://github.com/o/r", sha),
            "https://github.com/o/r/commit/" + sha);
  EXPECT_EQ(CommitUrl(Forge::kGitHub, "", sha), "");
  EXPECT_EQ(CommitUrl(Forge::kGitHub, "https://github.com/o/r", ""), "");
}

TEST(MergeRequestEvent, BranchUrlsPerForge) {
  EXPECT_EQ(BranchUrl(Forge::kGitLab, "https://gl.example/g/p", "feature/x y"),
            "https://gl.example/g/p/-/tree/feature/x%20y");
  EXPECT_EQ(BranchUrl(Forge::kGitea, "http://localhost:3000/test/repo/", "branch1"),
            "http://localhost:3000/test/repo/src/branch/branch1");
  EXPECT_EQ(BranchUrl(Forge::kGitHub, "https://github.com/o/r", "a#b"),
            "https://github.com/o/r/tree/a%23b");
  EXPECT_EQ(BranchUrl(Forge::kGitHub, "", "main"), "");
}

}  // namespace
}  // namespace jiralink::serve
