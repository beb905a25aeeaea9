// serve/webhook_handler.h: authentication, answers and jobs, against a real
// SQLite outbox, with the forges' recorded payloads.
#include "jiralink/serve/webhook_handler.h"

#include <atomic>
#include <map>
#include <optional>
#include <thread>

#include <gtest/gtest.h>

#include "jiralink/outbox/sqlite_outbox.h"
#include "webhook_fixtures.h"

namespace jiralink::serve {
namespace {

using testing::GiteaEvent;
using testing::GitHubEvent;
using testing::GitLabEvent;
using testing::TempDir;
using testing::WriteFile;

class WebhookHandlerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WriteFile(dir_.Path("instance.secret"), "instance-secret\n");
    WriteFile(dir_.Path("team.secret"), "team-secret");
    Load("");
  }

  void Load(const std::string& extra) {
    std::string toml =
        "[jira]\nweb_url = \"https://jira.example.com\"\n"
        "[serve]\nsecret_file = \"" +
        dir_.Path("instance.secret") +
        "\"\n"
        "[projects.\"team/app\".serve]\nsecret_file = \"" +
        dir_.Path("team.secret") + "\"\n" + extra;
    std::vector<config::Diagnostic> diagnostics;
    Status status =
        config::Config::LoadFromString(toml, dir_.Path("c.toml"), &config_, &diagnostics);
    ASSERT_TRUE(status.ok()) << status.message();
    std::unique_ptr<outbox::Outbox> outbox;
    ASSERT_TRUE(outbox::OpenSqliteOutbox(dir_.Path("outbox.sqlite3"), &outbox).ok());
    handler_ =
        std::make_unique<WebhookHandler>(config_, std::move(outbox), WebhookHandlerOptions{});
  }

  WebhookResponse Send(Forge forge, const nlohmann::json& body, const std::string& secret,
                       const std::string& event = "") {
    std::string text = body.dump();
    std::map<std::string, std::string> headers;
    switch (forge) {
      case Forge::kGitLab:
        headers["X-Gitlab-Token"] = secret;
        headers["X-Gitlab-Event"] = event.empty() ? "Merge Request Hook" : event;
        break;
      case Forge::kGitea:
        headers["X-Gitea-Signature"] = HmacSha256Hex(secret, text);
        headers["X-Gitea-Event"] = event.empty() ? "pull_request" : event;
        break;
      case Forge::kGitHub:
        headers["X-Hub-Signature-256"] = "sha256=" + HmacSha256Hex(secret, text);
        headers["X-GitHub-Event"] = event.empty() ? "pull_request" : event;
        break;
    }
    return SendRaw(forge, headers, text);
  }

  WebhookResponse SendRaw(Forge forge, const std::map<std::string, std::string>& headers,
                          const std::string& text) {
    HeaderLookup lookup = [&headers](std::string_view name) -> std::string_view {
      auto it = headers.find(std::string(name));
      return it == headers.end() ? std::string_view() : std::string_view(it->second);
    };
    return handler_->Handle(forge, lookup, text);
  }

  std::vector<outbox::Job> Jobs() {
    std::unique_ptr<outbox::Outbox> outbox;
    EXPECT_TRUE(outbox::OpenSqliteOutbox(dir_.Path("outbox.sqlite3"), &outbox).ok());
    std::vector<outbox::Job> jobs;
    EXPECT_TRUE(outbox->List(std::nullopt, 1000, &jobs).ok());
    return jobs;
  }

  TempDir dir_;
  config::Config config_;
  std::unique_ptr<WebhookHandler> handler_;
};

TEST_F(WebhookHandlerTest, GitLabOpenQueuesMentionsAndRedeliveryAddsNothing) {
  nlohmann::json body = GitLabEvent("open", "PROJ-1 viewport", "See PROJ-2");
  WebhookResponse first = Send(Forge::kGitLab, body, "instance-secret");
  EXPECT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(first.body, R"({"added":2,"duplicates":0})");
  WebhookResponse again = Send(Forge::kGitLab, body, "instance-secret");
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(again.body, R"({"added":0,"duplicates":2})");
  std::vector<outbox::Job> jobs = Jobs();
  ASSERT_EQ(jobs.size(), 2u);
  for (const outbox::Job& job : jobs) {
    EXPECT_EQ(job.repository, "gitlabhq/gitlab-test");
    EXPECT_EQ(job.commit, "!1");
    EXPECT_EQ(job.site, "https://jira.example.com");
  }
  EXPECT_EQ(handler_->metrics().accepted(Forge::kGitLab), 2u);
}

TEST_F(WebhookHandlerTest, AnEditAddsOnlyTheNewKey) {
  ASSERT_EQ(Send(Forge::kGitHub, GitHubEvent("opened", "PROJ-1", ""), "instance-secret").status,
            200);
  nlohmann::json edit = GitHubEvent("edited", "PROJ-1", "and PROJ-3");
  edit["changes"] = {{"body", {{"from", ""}}}};
  WebhookResponse response = Send(Forge::kGitHub, edit, "instance-secret");
  EXPECT_EQ(response.body, R"({"added":1,"duplicates":1})");
  EXPECT_EQ(Jobs().size(), 2u);
}

TEST_F(WebhookHandlerTest, WrongOrMissingSecretsAre401OnEveryForgeAndQueueNothing) {
  nlohmann::json gitlab = GitLabEvent("open", "PROJ-1", "");
  EXPECT_EQ(Send(Forge::kGitLab, gitlab, "wrong").status, 401);
  EXPECT_EQ(Send(Forge::kGitea, GiteaEvent("opened", "PROJ-1", ""), "wrong").status, 401);
  EXPECT_EQ(Send(Forge::kGitHub, GitHubEvent("opened", "PROJ-1", ""), "wrong").status, 401);
  WebhookResponse missing =
      SendRaw(Forge::kGitLab, {{"X-Gitlab-Event", "Merge Request Hook"}}, gitlab.dump());
  EXPECT_EQ(missing.status, 401);
  EXPECT_NE(missing.body.find("X-Gitlab-Token"), std::string::npos);
  // A signature over other bytes than those sent.
  std::string text = GitHubEvent("opened", "PROJ-1", "").dump();
  WebhookResponse tampered =
      SendRaw(Forge::kGitHub,
              {{"X-GitHub-Event", "pull_request"},
               {"X-Hub-Signature-256", "sha256=" + HmacSha256Hex("instance-secret", text)}},
              text + " ");
  EXPECT_EQ(tampered.status, 401);
  EXPECT_TRUE(Jobs().empty());
  EXPECT_EQ(handler_->metrics().rejected(Forge::kGitHub, RejectReason::kUnauthorized), 2u);
}

TEST_F(WebhookHandlerTest, ForgejoHeadersAreAccepted) {
  std::string text = GiteaEvent("opened", "PROJ-4", "").dump();
  WebhookResponse response =
      SendRaw(Forge::kGitea,
              {{"X-Forgejo-Event", "pull_request"},
               {"X-Forgejo-Signature", HmacSha256Hex("instance-secret", text)}},
              text);
  EXPECT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(Jobs().size(), 1u);
}

TEST_F(WebhookHandlerTest, AProjectsOwnSecretReplacesTheInstanceOne) {
  nlohmann::json body = GiteaEvent("opened", "PROJ-5", "");
  body["repository"]["full_name"] = "team/app";
  EXPECT_EQ(Send(Forge::kGitea, body, "instance-secret").status, 401);
  EXPECT_EQ(Send(Forge::kGitea, body, "team-secret").status, 200);
  std::vector<outbox::Job> jobs = Jobs();
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].repository, "team/app");
}

TEST_F(WebhookHandlerTest, BadBodiesAre400) {
  std::map<std::string, std::string> headers = {{"X-Gitlab-Token", "instance-secret"},
                                                {"X-Gitlab-Event", "Merge Request Hook"}};
  std::string text = GitLabEvent("open", "PROJ-1", "").dump();
  WebhookResponse truncated = SendRaw(Forge::kGitLab, headers, text.substr(0, text.size() / 2));
  EXPECT_EQ(truncated.status, 400);
  EXPECT_EQ(SendRaw(Forge::kGitLab, headers, "[1,2]").status, 400);
  EXPECT_EQ(SendRaw(Forge::kGitLab, headers, std::string(100000, '[')).status, 400);
  nlohmann::json no_title = GitLabEvent("open", "PROJ-1", "");
  no_title["object_attributes"].erase("title");
  WebhookResponse missing = Send(Forge::kGitLab, no_title, "instance-secret");
  EXPECT_EQ(missing.status, 400);
  EXPECT_NE(missing.body.find("object_attributes.title"), std::string::npos);
  EXPECT_TRUE(Jobs().empty());
  EXPECT_EQ(handler_->metrics().rejected(Forge::kGitLab, RejectReason::kBadJson), 3u);
  EXPECT_EQ(handler_->metrics().rejected(Forge::kGitLab, RejectReason::kMissingField), 1u);
}

TEST_F(WebhookHandlerTest, IgnoredEventsAre202) {
  EXPECT_EQ(
      Send(Forge::kGitHub, GitHubEvent("opened", "PROJ-1", ""), "instance-secret", "ping").status,
      202);
  EXPECT_EQ(Send(Forge::kGitLab, GitLabEvent("approved", "PROJ-1", ""), "instance-secret").status,
            202);
  EXPECT_TRUE(Jobs().empty());
  EXPECT_EQ(handler_->metrics().ignored(Forge::kGitLab), 1u);
}

TEST_F(WebhookHandlerTest, MergeRequestTriggerOffIgnoresEvents) {
  Load("[triggers]\nmerge_request = false\n");
  WebhookResponse response =
      Send(Forge::kGitLab, GitLabEvent("open", "PROJ-1", ""), "instance-secret");
  EXPECT_EQ(response.status, 202);
  EXPECT_NE(response.body.find("merge_request = false"), std::string::npos);
  EXPECT_TRUE(Jobs().empty());
}

// Issue #25: GitLab cross-references a key named in a merge request's
// comment; once per (merge request, key), whether the description or a
// comment named it first.
TEST_F(WebhookHandlerTest, MergeRequestCommentsMentionNewKeysOnce) {
  nlohmann::json opened = GitLabEvent("open", "Viewport", "PROJ-1");
  opened["project"]["path_with_namespace"] = "gitlab-org/gitlab-test";
  opened["object_attributes"]["iid"] = 1;
  ASSERT_EQ(Send(Forge::kGitLab, opened, "instance-secret").body, R"({"added":1,"duplicates":0})");
  WebhookResponse note = Send(Forge::kGitLab, testing::GitLabNote("PROJ-1 and PROJ-2"),
                              "instance-secret", "Note Hook");
  EXPECT_EQ(note.status, 200) << note.body;
  EXPECT_EQ(note.body, R"({"added":1,"duplicates":1})");
  note = Send(Forge::kGitLab, testing::GitLabNote("again PROJ-2"), "instance-secret", "Note Hook");
  EXPECT_EQ(note.body, R"({"added":0,"duplicates":1})");
  std::vector<outbox::Job> jobs = Jobs();
  ASSERT_EQ(jobs.size(), 2u);
  const outbox::Job& from_note = jobs[0].key == "PROJ-2" ? jobs[0] : jobs[1];
  EXPECT_EQ(from_note.key, "PROJ-2");
  EXPECT_EQ(from_note.kind, outbox::JobKind::kMention);
  EXPECT_EQ(from_note.commit, "!1");
  EXPECT_EQ(from_note.commit_url, "http://example.com/gitlab-org/gitlab-test/merge_requests/1");
  EXPECT_EQ(from_note.message,
            "Tempora et eos debitis quae laborum et.\n\nEt voluptas corrupti assumenda "
            "temporibus. Architecto cum animi eveniet amet asperiores. Vitae numquam voluptate "
            "est natus sit et ad id.");

  WebhookResponse github = Send(Forge::kGitHub, testing::GitHubPullRequestComment("See PROJ-7"),
                                "instance-secret", "issue_comment");
  EXPECT_EQ(github.body, R"({"added":1,"duplicates":0})");
  nlohmann::json gitea_comment =
      testing::LoadWebhookFixture("gitea/issue_comment.pull_request.json");
  gitea_comment["comment"]["body"] = "changes requested for PROJ-8";
  WebhookResponse gitea = Send(Forge::kGitea, gitea_comment, "instance-secret", "issue_comment");
  EXPECT_EQ(gitea.body, R"({"added":1,"duplicates":0})");
  EXPECT_EQ(Jobs().size(), 4u);
}

TEST_F(WebhookHandlerTest, MergeRequestTriggerOffIgnoresComments) {
  Load("[triggers]\nmerge_request = false\n");
  WebhookResponse response =
      Send(Forge::kGitLab, testing::GitLabNote("PROJ-1"), "instance-secret", "Note Hook");
  EXPECT_EQ(response.status, 202);
  EXPECT_TRUE(Jobs().empty());
}

TEST_F(WebhookHandlerTest, MergeToDefaultClosesAndElsewhereDoesNot) {
  nlohmann::json merged = GitLabEvent("merge", "Fixes PROJ-1", "");
  merged["object_attributes"]["target_branch"] = "stable";
  EXPECT_EQ(Send(Forge::kGitLab, merged, "instance-secret").body, R"({"added":0,"duplicates":0})");
  merged["object_attributes"]["target_branch"] = "master";
  EXPECT_EQ(Send(Forge::kGitLab, merged, "instance-secret").body, R"({"added":1,"duplicates":0})");
  std::vector<outbox::Job> jobs = Jobs();
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].kind, outbox::JobKind::kClose);
  // Issue #25: as GitLab, the close names the head commit (last_commit.id).
  EXPECT_EQ(jobs[0].commit, "da1560886d4f094c3e6c9ef40349f7d38b5d27d7");
  EXPECT_EQ(jobs[0].commit_url,
            "http://example.com/gitlabhq/gitlab-test/-/commit/"
            "da1560886d4f094c3e6c9ef40349f7d38b5d27d7");
}

TEST_F(WebhookHandlerTest, NoSecretAnywhereRejectsEverything) {
  std::vector<config::Diagnostic> diagnostics;
  ASSERT_TRUE(
      config::Config::LoadFromString("", dir_.Path("empty.toml"), &config_, &diagnostics).ok());
  std::unique_ptr<outbox::Outbox> outbox;
  ASSERT_TRUE(outbox::OpenSqliteOutbox(dir_.Path("outbox.sqlite3"), &outbox).ok());
  handler_ = std::make_unique<WebhookHandler>(config_, std::move(outbox), WebhookHandlerOptions{});
  WebhookResponse response = Send(Forge::kGitLab, GitLabEvent("open", "PROJ-1", ""), "anything");
  EXPECT_EQ(response.status, 401);
  EXPECT_NE(response.body.find("no webhook secret"), std::string::npos);
}

TEST_F(WebhookHandlerTest, MetricsShowCountersAndQueueDepth) {
  ASSERT_EQ(Send(Forge::kGitLab, GitLabEvent("open", "PROJ-1", ""), "instance-secret").status, 200);
  ASSERT_EQ(Send(Forge::kGitLab, GitLabEvent("open", "PROJ-1", ""), "nope").status, 401);
  std::string text = handler_->MetricsText();
  EXPECT_NE(text.find("jiralink_webhooks_accepted_total{forge=\"gitlab\"} 1\n"), std::string::npos)
      << text;
  EXPECT_NE(
      text.find("jiralink_webhooks_rejected_total{forge=\"gitlab\",reason=\"unauthorized\"} 1\n"),
      std::string::npos);
  EXPECT_NE(text.find("jiralink_jobs_queued_total{forge=\"gitlab\",kind=\"mention\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("jiralink_outbox_jobs{state=\"pending\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("jiralink_outbox_jobs{state=\"dead\"} 0\n"), std::string::npos);
}

TEST_F(WebhookHandlerTest, ConcurrentRequestsShareCommitsAndEachLearnsItsOwnOutcome) {
  // 16 threads: each sends its own merge request (2 new jobs) and then the
  // same shared one (2 jobs, new for exactly one of them).
  constexpr int kThreads = 16;
  std::atomic<int> added{0};
  std::atomic<int> duplicates{0};
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      nlohmann::json own = GitLabEvent("open", "PROJ-1 and PROJ-2", "");
      own["object_attributes"]["iid"] = 100 + t;
      for (const nlohmann::json& body : {own, GitLabEvent("open", "PROJ-3", "PROJ-4")}) {
        WebhookResponse response = Send(Forge::kGitLab, body, "instance-secret");
        if (response.status != 200) {
          failures++;
          continue;
        }
        nlohmann::json counts = nlohmann::json::parse(response.body);
        added += counts["added"].get<int>();
        duplicates += counts["duplicates"].get<int>();
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(added.load(), kThreads * 2 + 2);
  EXPECT_EQ(duplicates.load(), (kThreads - 1) * 2);
  EXPECT_EQ(Jobs().size(), static_cast<std::size_t>(kThreads * 2 + 2));
}

}  // namespace
}  // namespace jiralink::serve
