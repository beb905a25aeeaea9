// The "View Jira issues" pages through HTTP: the real `jiralink serve`
// (jiralink execs jiralink-serve) on a loopback socket handed over the
// systemd way, against the stand-in Jira (Server and Cloud).
#include "jiralink/serve/issues_pages.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <httplib.h>

#include "socket_activated_serve.h"
#include "standin.h"
#include "support/test_support.h"

namespace jiralink::testing {
namespace {

constexpr char kList[] = "/platform/api/-/integrations/jira/issues";

standin::JiraStandin::Options StandinOptions(bool cloud) {
  standin::JiraStandin::Options options;
  options.personality = cloud ? standin::Personality::kCloud : standin::Personality::kServer;
  return options;
}

class IssuesPagesTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    ASSERT_TRUE(jira_.Start());
    jira_.AddProject("PROJ", "Project");
    jira_.AddProject("OTHER", "Other");
    auto add = [&](const std::string& key, const std::string& summary, const std::string& status,
                   std::vector<std::string> labels, const std::string& created,
                   const std::string& updated) {
      standin::IssueSeed seed;
      seed.key = key;
      seed.summary = summary;
      seed.description = "About " + summary;
      seed.status = status;
      seed.labels = std::move(labels);
      seed.assignee = key == "PROJ-2" ? "Grace Hopper" : "";
      seed.created = created;
      seed.updated = updated;
      jira_.AddIssue(seed);
    };
    add("PROJ-1", "First open", "To Do", {"backend"}, "2026-01-01T10:00:00.000+0000",
        "2026-01-09T10:00:00.000+0000");
    add("PROJ-2", "Second open", "In Progress", {"frontend"}, "2026-01-02T10:00:00.000+0000",
        "2026-01-03T10:00:00.000+0000");
    add("PROJ-3", "Old done", "Done", {}, "2026-01-03T10:00:00.000+0000",
        "2026-01-04T10:00:00.000+0000");
    add("PROJ-4", "New done", "Done", {}, "2026-01-04T10:00:00.000+0000",
        "2026-01-08T10:00:00.000+0000");
    add("OTHER-1", "Not ours", "To Do", {}, "2026-01-05T10:00:00.000+0000",
        "2026-01-05T10:00:00.000+0000");
    standin::IssueSeed hostile;
    hostile.key = "PROJ-5";
    hostile.summary = "<img src=x onerror=alert(1)>";
    hostile.description = "plain";
    hostile.rendered_description =
        "<p>Safe <strong>bold</strong></p><script>alert(2)</script>"
        "<a href=\"javascript:alert(3)\">click</a><img src=x onerror=alert(4)>";
    hostile.created = "2026-01-06T10:00:00.000+0000";
    hostile.updated = "2026-01-06T10:00:00.000+0000";
    jira_.AddIssue(hostile);
    WriteConfig(
        "[serve]\nweb = true\n[issues]\nenabled = true\nproject_keys = [\"PROJ\"]\n"
        "[projects.\"off/repo\".issues]\nenabled = false\n");
  }

  void TearDown() override {
    if (serve_pid_ > 0) {
      kill(serve_pid_, SIGTERM);
      int status = 0;
      waitpid(serve_pid_, &status, 0);
    }
    if (listen_fd_ >= 0) close(listen_fd_);
  }

  // The repositories live under [git] root: platform/api exists there, so
  // the settings name it (issues_pages.h).
  void WriteConfig(const std::string& extra) {
    config_ = dir_.Path("jiralink.toml");
    std::filesystem::create_directories(dir_.Path("git/platform/api.git"));
    WriteFile(config_, "[jira]\nweb_url = \"" + jira_.base_url() +
                           "\"\nusername = \"jiralink-bot\"\ntoken_env = \"JIRALINK_TEST_TOKEN\"\n"
                           "[state]\ndir = \"" +
                           dir_.Path("state") + "\"\n[git]\nroot = \"" + dir_.Path("git") + "\"\n" +
                           extra);
    ::chmod(config_.c_str(), 0600);
  }

  // `jiralink serve` with a listening socket as fd 3 (LISTEN_PID/LISTEN_FDS).
  void StartServe(const std::string& token = "standin-token") {
    listen_fd_ = ListenOnLoopback(&port_);
    ASSERT_GE(listen_fd_, 0);
    serve_pid_ = StartSocketActivatedServe(config_, listen_fd_, dir_.Path("serve.log"),
                                           {"JIRALINK_TEST_TOKEN=" + token});
    ASSERT_GT(serve_pid_, 0);
    ASSERT_TRUE(WaitFor([&] {
      httplib::Client client("127.0.0.1", port_);
      auto health = client.Get("/healthz");
      return health && health->status == 200;
    })) << ReadFile(dir_.Path("serve.log"));
  }

  httplib::Result Get(const std::string& path) {
    httplib::Client client("127.0.0.1", port_);
    client.set_read_timeout(60, 0);
    client.set_url_encode(false);  // send the query as a browser's form does ('+' = space)
    return client.Get(path);
  }

  int Searches() { return static_cast<int>(jira_.Requests("GET", "/search").size()); }

  // The JQL of the last list search (not of the tabs' counts, maxResults=0).
  std::string LastJql() {
    auto requests = jira_.Requests("GET", "/search");
    std::erase_if(requests, [](const standin::RecordedRequest& r) {
      return r.query.find("maxResults=0") != std::string::npos;
    });
    if (requests.empty()) return "";
    std::string query = requests.back().query;
    std::size_t at = query.find("jql=");
    std::string encoded = query.substr(at + 4, query.find('&', at) - at - 4);
    std::string out;
    for (std::size_t i = 0; i < encoded.size(); ++i) {
      if (encoded[i] == '%' && i + 2 < encoded.size()) {
        out.push_back(static_cast<char>(std::stoi(encoded.substr(i + 1, 2), nullptr, 16)));
        i += 2;
      } else {
        out.push_back(encoded[i] == '+' ? ' ' : encoded[i]);
      }
    }
    return out;
  }

  standin::JiraStandin jira_{StandinOptions(GetParam())};
  TempDir dir_;
  std::string config_;
  int listen_fd_ = -1;
  int port_ = 0;
  pid_t serve_pid_ = -1;
};

TEST_P(IssuesPagesTest, OpenTabIsTheDefaultAndSendsTheSecurityHeaders) {
  StartServe();
  auto page = Get(kList);
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200) << page->body;
  EXPECT_EQ(page->get_header_value("Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(page->get_header_value("Content-Security-Policy"),
            "default-src 'none'; style-src 'self'; img-src 'self' https:; form-action 'self'; "
            "frame-ancestors 'none'; base-uri 'none'");
  EXPECT_EQ(page->get_header_value("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(page->get_header_value("Referrer-Policy"), "no-referrer");
  EXPECT_NE(page->body.find("First open"), std::string::npos);
  EXPECT_NE(page->body.find("Second open"), std::string::npos);
  EXPECT_EQ(page->body.find("Old done"), std::string::npos);
  EXPECT_EQ(page->body.find("Not ours"), std::string::npos);
  EXPECT_NE(page->body.find(jira_.base_url() + "/browse/PROJ-1"), std::string::npos);
  EXPECT_EQ(LastJql(), "project in (\"PROJ\") AND statusCategory != Done order by created DESC");
  EXPECT_EQ(page->body.find("<script"), std::string::npos);
}

TEST_P(IssuesPagesTest, ClosedTabSortsByRecentlyUpdated) {
  StartServe();
  auto page = Get(std::string(kList) + "?state=closed");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_EQ(LastJql(), "project in (\"PROJ\") AND statusCategory = Done order by updated DESC");
  std::size_t newer = page->body.find("New done");
  std::size_t older = page->body.find("Old done");
  ASSERT_NE(newer, std::string::npos);
  ASSERT_NE(older, std::string::npos);
  EXPECT_LT(newer, older);
  EXPECT_EQ(page->body.find("First open"), std::string::npos);
}

TEST_P(IssuesPagesTest, FiltersBuildTheForgesJqlAndStayInTheForm) {
  StartServe();
  auto page = Get(std::string(kList) +
                  "?state=all&labels%5B%5D=frontend&status=In+Progress&assignee_username=Grace"
                  "+Hopper&author_username=Ada+Lovelace&search=Second&sort=updated_asc");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200) << page->body;
  EXPECT_EQ(LastJql(),
            "project in (\"PROJ\") AND labels = \"frontend\" AND status = \"In Progress\" AND "
            "reporter = \"Ada Lovelace\" AND assignee = \"Grace Hopper\" AND (summary ~ "
            "\"second\" OR description ~ \"second\") order by updated ASC");
  EXPECT_NE(page->body.find("Second open"), std::string::npos);
  EXPECT_EQ(page->body.find("First open"), std::string::npos);
  EXPECT_NE(page->body.find("name=\"status\" type=\"text\" value=\"In Progress\""),
            std::string::npos);
  EXPECT_NE(page->body.find("value=\"frontend\""), std::string::npos);
  EXPECT_NE(page->body.find("<option value=\"updated_asc\" selected>"), std::string::npos);
}

TEST_P(IssuesPagesTest, ProjectOutsideTheConfiguredKeysIsRefused) {
  StartServe();
  auto page = Get(std::string(kList) + "?project=OTHER");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 400);
  EXPECT_EQ(Searches(), 0);
}

TEST_P(IssuesPagesTest, JiraTextIsEscapedAndTheDescriptionSanitized) {
  StartServe();
  auto list = Get(kList);
  ASSERT_TRUE(list);
  EXPECT_EQ(list->body.find("<img"), std::string::npos);
  EXPECT_NE(list->body.find("&lt;img src=x onerror=alert(1)&gt;"), std::string::npos);

  jira_.ClearRequests();
  auto detail = Get(std::string(kList) + "/PROJ-5");
  ASSERT_TRUE(detail);
  EXPECT_EQ(detail->status, 200) << detail->body;
  EXPECT_EQ(jira_.Requests().size(), 1u) << "the detail page makes one Jira call";
  EXPECT_NE(detail->body.find("<strong>bold</strong>"), std::string::npos);
  EXPECT_EQ(detail->body.find("<script"), std::string::npos);
  EXPECT_EQ(detail->body.find("<img"), std::string::npos);
  EXPECT_EQ(detail->body.find("javascript:"), std::string::npos);
  EXPECT_NE(detail->body.find("click"), std::string::npos);
}

TEST_P(IssuesPagesTest, DetailShowsFieldsAndComments) {
  StartServe();
  auto detail = Get(std::string(kList) + "/PROJ-2");
  ASSERT_TRUE(detail);
  EXPECT_EQ(detail->status, 200) << detail->body;
  EXPECT_NE(detail->body.find("Second open"), std::string::npos);
  EXPECT_NE(detail->body.find("In Progress"), std::string::npos);
  EXPECT_NE(detail->body.find("frontend"), std::string::npos);
  EXPECT_NE(detail->body.find("About Second open"), std::string::npos);
  // Outside [issues] project_keys: not found, and Jira is not asked.
  jira_.ClearRequests();
  auto other = Get(std::string(kList) + "/OTHER-1");
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 404);
  EXPECT_TRUE(jira_.Requests().empty());
}

TEST_P(IssuesPagesTest, PagingFollowsTheDeployment) {
  StartServe();
  std::string first_url = std::string(kList) + "?state=all&per_page=2&sort=created_asc";
  auto first = Get(first_url);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 200) << first->body;
  EXPECT_NE(first->body.find("First open"), std::string::npos);
  EXPECT_EQ(first->body.find("Old done"), std::string::npos);
  // The Next link, as the page wrote it (&amp; in the attribute).
  std::size_t next = first->body.find("\" rel=\"next\"");
  ASSERT_NE(next, std::string::npos) << first->body;
  std::size_t start = first->body.rfind("href=\"", next) + 6;
  std::string href = first->body.substr(start, next - start);
  EXPECT_NE(href.find(GetParam() ? "next_page_token=" : "&amp;page=2"), std::string::npos) << href;
  std::string url;
  for (std::size_t i = 0; i < href.size(); ++i) {
    if (href.compare(i, 5, "&amp;") == 0) {
      url += '&';
      i += 4;
    } else {
      url += href[i];
    }
  }
  auto second = Get(url);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->status, 200) << second->body;
  EXPECT_NE(second->body.find("Old done"), std::string::npos) << url;
  EXPECT_EQ(second->body.find("First open"), std::string::npos);
}

TEST_P(IssuesPagesTest, AnswersAreCachedPerQuery) {
  StartServe();
  ASSERT_TRUE(Get(kList));
  int after_first = Searches();
  ASSERT_TRUE(Get(kList));
  EXPECT_EQ(Searches(), after_first);
  ASSERT_TRUE(Get(std::string(kList) + "?state=closed"));
  EXPECT_EQ(Searches(), after_first + 1);
}

TEST_P(IssuesPagesTest, CacheSecondsZeroAsksJiraEveryTime) {
  WriteConfig("[serve]\nweb = true\n[issues]\nenabled = true\ncache_seconds = 0\n");
  StartServe();
  ASSERT_TRUE(Get(kList));
  int after_first = Searches();
  ASSERT_TRUE(Get(kList));
  EXPECT_EQ(Searches(), after_first + 1);
}

TEST_P(IssuesPagesTest, JiraOutageShowsTheForgesMessage) {
  StartServe();
  standin::Fault fault;
  fault.path_contains = "/search";
  fault.status = 503;
  jira_.InjectFault(fault);
  auto page = Get(kList);
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 503);
  EXPECT_NE(page->body.find("An error occurred while requesting data from Jira"), std::string::npos)
      << page->body;
  EXPECT_NE(page->body.find("role=\"alert\""), std::string::npos);
}

TEST_P(IssuesPagesTest, WrongCredentialsShowTheForgesMessageAndNoToken) {
  StartServe("wrong-secret-token");
  auto page = Get(kList);
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 502) << page->body;
  EXPECT_NE(page->body.find("The credentials for accessing Jira are not valid"), std::string::npos)
      << page->body;
  EXPECT_EQ(page->body.find("wrong-secret-token"), std::string::npos);
}

TEST_P(IssuesPagesTest, StoppedJiraShowsAConnectionError) {
  StartServe();
  jira_.Stop();
  auto page = Get(kList);
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 502) << page->body;
  EXPECT_NE(page->body.find("A connection error occurred while connecting to Jira"),
            std::string::npos)
      << page->body;
}

TEST_P(IssuesPagesTest, ARepositoryWithoutUsableJiraSettingsGetsA503AndNoJiraCall) {
  StartServe("");  // the token's variable is empty: no client can be made
  for (const std::string& path : {std::string(kList), std::string(kList) + "/PROJ-1"}) {
    auto page = Get(path);
    ASSERT_TRUE(page) << path;
    EXPECT_EQ(page->status, 503) << path << "\n" << page->body;
    EXPECT_NE(page->body.find("The Jira integration of this repository is not configured"),
              std::string::npos)
        << page->body;
  }
  EXPECT_TRUE(jira_.Requests().empty());
  // The reason is in the service's log, for the operator.
  EXPECT_NE(ReadFile(dir_.Path("serve.log")).find("Jira issues: "), std::string::npos);
}

TEST_P(IssuesPagesTest, OffUnlessTurnedOnForTheRepository) {
  StartServe();
  auto off = Get("/off/repo/-/integrations/jira/issues");
  ASSERT_TRUE(off);
  EXPECT_EQ(off->status, 404);
  // A repository no settings name, though [issues] enabled = true is written
  // at the top level, and one that tries to climb out of [git] root.
  for (const char* path :
       {"/made/up/-/integrations/jira/issues", "/../git/platform/api/-/integrations/jira/issues"}) {
    auto unknown = Get(path);
    ASSERT_TRUE(unknown) << path;
    EXPECT_EQ(unknown->status, 404) << path;
  }
  EXPECT_TRUE(jira_.Requests().empty());
  auto css = Get("/-/jiralink.css");
  ASSERT_TRUE(css);
  EXPECT_EQ(css->status, 200);
  EXPECT_EQ(css->get_header_value("Content-Type"), "text/css; charset=utf-8");
  EXPECT_NE(css->get_header_value("Cache-Control").find("max-age="), std::string::npos);
}

TEST_P(IssuesPagesTest, BuiltInDefaultDoesNotTurnThePagesOn) {
  // [issues] enabled is true by default for the command line; the web page
  // needs it written.
  WriteConfig("[serve]\nweb = true\n");
  StartServe();
  auto page = Get(kList);
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 404);
  EXPECT_EQ(Searches(), 0);
}

TEST_P(IssuesPagesTest, WebOffMeansNoPages) {
  WriteConfig("[issues]\nenabled = true\n");
  StartServe();
  auto page = Get(kList);
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 404);
}

INSTANTIATE_TEST_SUITE_P(Deployments, IssuesPagesTest, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& param) {
                           return param.param ? "Cloud" : "Server";
                         });

TEST(IssuesPagesRoutes, ParsesQueriesAsFormsSendThem) {
  using Pairs = serve::QueryParameters;
  EXPECT_EQ(serve::IssuesPages::ParseQuery("state=closed&labels%5B%5D=a+b&labels[]=c%2Bd&x"),
            (Pairs{{"state", "closed"}, {"labels[]", "a b"}, {"labels[]", "c+d"}, {"x", ""}}));
  EXPECT_EQ(serve::IssuesPages::ParseQuery("=v&&search=%3Cimg%3E%zz"),
            (Pairs{{"search", "<img>%zz"}}));
  std::string many;
  for (int i = 0; i < 100; ++i) many += "a=1&";
  EXPECT_EQ(serve::IssuesPages::ParseQuery(many).size(), 64u);
}

TEST(IssuesPagesRoutes, KnowsItsPaths) {
  EXPECT_TRUE(serve::IssuesPages::Handles("/a/b/-/integrations/jira/issues"));
  EXPECT_TRUE(serve::IssuesPages::Handles("/a/-/integrations/jira/issues/PROJ-1"));
  EXPECT_TRUE(serve::IssuesPages::Handles("/-/jiralink.css"));
  EXPECT_FALSE(serve::IssuesPages::Handles("/-/integrations/jira/issues"));
  EXPECT_FALSE(serve::IssuesPages::Handles("/a/-/integrations/jira/issues/PROJ-1/x"));
  EXPECT_FALSE(serve::IssuesPages::Handles("/hooks/gitlab"));
}

}  // namespace
}  // namespace jiralink::testing
