// `jiralink render` behind Debian's cgit (/usr/lib/cgit/cgit.cgi, run as a
// CGI program without a web server): the about-filter never reads a file a
// visitor names, and the commit-filter links keys on the commit page.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "support/test_support.h"

namespace jiralink {
namespace {

using testing::ProcessOptions;
using testing::ProcessResult;
using testing::TempDir;

constexpr const char* kCgit = "/usr/lib/cgit/cgit.cgi";
constexpr const char* kSecret = "api_token = \"s3cret-0f-the-jira-site\"";

std::string Link(const std::string& key) {
  return "<a href=\"https://jira.example.com/browse/" + key +
         "\" class=\"gfm gfm-issue\" title=\"Issue in Jira\" data-external-issue=\"" + key + "\">" +
         key + "</a>";
}

void WriteScript(const std::string& path, const std::string& body) {
  testing::WriteFile(path, "#!/bin/sh\n" + body + "\n");
  ASSERT_EQ(chmod(path.c_str(), 0755), 0);
}

class RenderCgitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (access(kCgit, X_OK) != 0) {
      GTEST_SKIP() << kCgit << " is missing: install Debian's `cgit` package to run this test";
    }
    // The repository: a README with a key, and a commit message whose text
    // cgit escapes before the filter sees it.
    const std::string work = dir_.Path("work");
    ASSERT_EQ(mkdir(work.c_str(), 0755), 0);
    testing::Git(work, {"init", "-q", "-b", "main"});
    testing::WriteFile(work + "/README.md", "# Demo\n\nTracked in PROJ-7.\n");
    testing::Git(work, {"add", "README.md"});
    testing::Git(work, {"commit", "-q", "-m",
                        "Fix PROJ-7: <b>bold</b> & \"quotes\" stay text\n\n"
                        "Also ABC-12; &amp;PROJ-8; and <a href=\"x\">PROJ-9</a>.\n"});
    testing::Git(dir_.path(), {"clone", "-q", "--bare", work, dir_.Path("repo.git")});

    // A settings file (the token) and a Markdown file beside it: what a
    // hostile about path aims at.
    testing::WriteFile(dir_.Path("secret.md"), std::string("# Secret\n\n") + kSecret + "\n");
    const std::string config = dir_.Path("config.toml");
    testing::WriteFile(config, "[jira]\nweb_url = \"https://jira.example.com\"\n[state]\ndir = \"" +
                                   dir_.Path("state") + "\"\n");
    const std::string jiralink =
        "'" + testing::JiralinkBin() + "' render --config '" + config + "'";
    WriteScript(dir_.Path("about-filter"), "exec " + jiralink + " \"$@\"");
    WriteScript(dir_.Path("commit-filter"), "exec " + jiralink + " --commit-filter");
    // Filters are inherited by the repositories defined after them.
    testing::WriteFile(dir_.Path("cgitrc"),
                       "cache-size=0\n"
                       "virtual-root=/\n"
                       "about-filter=" +
                           dir_.Path("about-filter") +
                           "\n"
                           "commit-filter=" +
                           dir_.Path("commit-filter") +
                           "\n"
                           "readme=:README.md\n"
                           "repo.url=demo\n"
                           "repo.path=" +
                           dir_.Path("repo.git") + "\n");
  }

  // One GET of `path_info` (and `query`) through cgit.
  ProcessResult Get(const std::string& path_info, const std::string& query = "") {
    ProcessOptions options;
    options.cwd = dir_.path();
    options.env = {{"CGIT_CONFIG", dir_.Path("cgitrc")},
                   {"GATEWAY_INTERFACE", "CGI/1.1"},
                   {"REQUEST_METHOD", "GET"},
                   {"SCRIPT_NAME", "/"},
                   {"PATH_INFO", path_info},
                   {"QUERY_STRING", query},
                   {"SERVER_NAME", "localhost"},
                   {"HOME", dir_.path()},
                   {"GIT_CONFIG_NOSYSTEM", "1"}};
    options.unset_env = {"JIRALINK_CONFIG", "CGIT_REPO_URL"};
    return testing::RunProcess({kCgit}, options);
  }

  TempDir dir_;
};

TEST_F(RenderCgitTest, AboutFilterRendersTheReadmeWithLinks) {
  ProcessResult result = Get("/demo/about/");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("<h1>Demo</h1>"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("Tracked in " + Link("PROJ-7")), std::string::npos) << result.out;
}

TEST_F(RenderCgitTest, HostileAboutPathNeverReadsTheNamedFile) {
  // cgit hands the visitor's path to the filter as its argument, with an
  // empty stdin because no such file is in the repository.
  const std::string up = "../../../../../../../../../../..";
  for (const std::string& path :
       {up + dir_.Path("secret.md"), up + dir_.Path("config.toml"), std::string("secret.md")}) {
    ProcessResult result = Get("/demo/about/" + path);
    EXPECT_EQ(result.exit_code, 0) << path << "\n" << result.err;
    EXPECT_NE(result.out.find("<div id='summary'>"), std::string::npos)
        << "cgit did not run the about-filter for " << path << ":\n"
        << result.out;
    EXPECT_EQ(result.out.find("s3cret"), std::string::npos) << path << "\n" << result.out;
    EXPECT_EQ(result.out.find("Secret"), std::string::npos) << path << "\n" << result.out;
    EXPECT_EQ(result.out.find("jira.example.com"), std::string::npos) << path << "\n" << result.out;
  }
}

TEST_F(RenderCgitTest, CommitFilterLinksKeysOnTheCommitPage) {
  ProcessResult result = Get("/demo/commit/");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  // The subject and the message both go through the filter.
  EXPECT_NE(result.out.find("Fix " + Link("PROJ-7") +
                            ": &lt;b&gt;bold&lt;/b&gt; &amp; \"quotes\" stay text"),
            std::string::npos)
      << result.out;
  // cgit's escaping is kept as it is: not escaped twice, not undone.
  EXPECT_NE(result.out.find("Also " + Link("ABC-12") + "; &amp;amp;" + Link("PROJ-8") +
                            "; and &lt;a href=\"x\"&gt;" + Link("PROJ-9") + "&lt;/a&gt;."),
            std::string::npos)
      << result.out;
  EXPECT_EQ(result.out.find("&amp;lt;"), std::string::npos) << result.out;
}

TEST_F(RenderCgitTest, LogPageStillWorksWithTheFilters) {
  // cgit 1.2.3 passes the log page's expanded messages through no filter
  // (ui-log.c prints them with html_txt): they stay plain, and intact.
  ProcessResult result = Get("/demo/log/", "showmsg=1");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("Also ABC-12; &amp;amp;PROJ-8;"), std::string::npos) << result.out;
}

}  // namespace
}  // namespace jiralink
