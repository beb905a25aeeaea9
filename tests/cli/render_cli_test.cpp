// `jiralink render` run the way cgit and Gitea/Forgejo run it.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "support/test_support.h"

namespace jiralink {
namespace {

using testing::ProcessOptions;
using testing::ProcessResult;
using testing::RunJiralink;
using testing::TempDir;

constexpr const char* kLink =
    "<a href=\"https://jira.example.com/browse/PROJ-7\" class=\"gfm gfm-issue\" "
    "title=\"Issue in Jira\" data-external-issue=\"PROJ-7\">PROJ-7</a>";

class RenderCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config_ = dir_.Path("config.toml");
    testing::WriteFile(config_,
                       "[jira]\nweb_url = \"https://jira.example.com\"\n[state]\ndir = \"" +
                           dir_.Path("state") + "\"\n");
  }
  ProcessResult Run(const std::vector<std::string>& args, const std::string& stdin_data) {
    ProcessOptions options;
    options.stdin_data = stdin_data;
    options.unset_env = {"JIRALINK_CONFIG", "CGIT_REPO_URL"};
    std::vector<std::string> all = {"render", "--config", config_};
    all.insert(all.end(), args.begin(), args.end());
    return RunJiralink(all, options);
  }

  TempDir dir_;
  std::string config_;
};

TEST_F(RenderCliTest, GiteaContractStdinNoArguments) {
  ProcessResult result = Run({}, "# Title\n\nFixes PROJ-7.\n");
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "<h1>Title</h1>\n<p>Fixes " + std::string(kLink) + ".</p>\n");
  EXPECT_EQ(result.err, "");
}

TEST_F(RenderCliTest, CgitContractMarkdownName) {
  // cgit passes the README's name (not a path that exists) and the blob on stdin.
  ProcessResult result = Run({"README.md"}, "See PROJ-7\n");
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "<p>See " + std::string(kLink) + "</p>\n");
}

TEST_F(RenderCliTest, CgitContractOtherNamesArePreText) {
  ProcessResult result = Run({"README.txt"}, "*not* <b>markdown</b> PROJ-7\n");
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "<pre>*not* &lt;b&gt;markdown&lt;/b&gt; PROJ-7\n</pre>\n");
}

TEST_F(RenderCliTest, NameOfAnExistingFileIsNeverRead) {
  // cgit sends an empty stdin for an about path that is not in the
  // repository, and the visitor chose that path: it is only a name.
  testing::WriteFile(dir_.Path("notes.md"), "PROJ-7\n");
  for (const std::string& name : {dir_.Path("notes.md"), config_}) {
    ProcessResult result = Run({name}, "");
    EXPECT_EQ(result.exit_code, 0) << result.err;
    EXPECT_EQ(result.out, "") << name;
  }
}

TEST_F(RenderCliTest, EmptyStdinRendersNothingWhateverTheName) {
  for (const char* name : {"README.md", "README", "nope.txt"}) {
    ProcessResult result = Run({name}, "");
    EXPECT_EQ(result.exit_code, 0) << result.err;
    EXPECT_EQ(result.out, "") << name;
  }
}

TEST_F(RenderCliTest, InputOptionReadsTheFileAsMarkdown) {
  testing::WriteFile(dir_.Path("notes.txt"), "PROJ-7\n");
  ProcessResult result = Run({"--input", dir_.Path("notes.txt")}, "");
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "<p>" + std::string(kLink) + "</p>\n");
  result = Run({"--input", dir_.Path("nope.md")}, "");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("jiralink render: cannot read " + dir_.Path("nope.md")),
            std::string::npos)
      << result.err;
  result = Run({"README.md", "--input", dir_.Path("notes.txt")}, "");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_EQ(result.out, "");
}

TEST_F(RenderCliTest, CommitFilterLinksKeysInEscapedText) {
  ProcessResult result =
      Run({"--commit-filter"}, "Fix PROJ-7: &lt;b&gt; &amp; \"q\"\n\nBody PROJ-7.\n");
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "Fix " + std::string(kLink) + ": &lt;b&gt; &amp; \"q\"\n\nBody " +
                            std::string(kLink) + ".\n");
  EXPECT_EQ(result.err, "");
}

TEST_F(RenderCliTest, CommitFilterPassesAnOverlongMessageThroughUnlinked) {
  testing::WriteFile(config_,
                     "[jira]\nweb_url = \"https://jira.example.com\"\n[render]\n"
                     "max_bytes = 100\n[state]\ndir = \"" +
                         dir_.Path("state") + "\"\n");
  const std::string message = "PROJ-7 " + std::string(200, 'x') + " &amp;";
  ProcessResult result = Run({"--commit-filter"}, message);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, message);
  EXPECT_NE(result.err.find("warning: message longer than [render] max_bytes = 100"),
            std::string::npos)
      << result.err;
}

TEST_F(RenderCliTest, OverMaxBytesIsRefusedWithExit2) {
  testing::WriteFile(config_,
                     "[render]\nmax_bytes = 100\n[state]\ndir = \"" + dir_.Path("state") + "\"\n");
  ProcessResult result = Run({}, std::string(101, 'a'));
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_EQ(result.out, "");
  EXPECT_NE(result.err.find("jiralink render: <stdin>: more than [render] max_bytes = 100"),
            std::string::npos)
      << result.err;
  EXPECT_EQ(Run({}, std::string(100, 'a')).exit_code, 0);
}

TEST_F(RenderCliTest, NoWebUrlRendersWithoutLinks) {
  testing::WriteFile(config_, "[state]\ndir = \"" + dir_.Path("state") + "\"\n");
  ProcessResult result = Run({}, "PROJ-7\n");
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "<p>PROJ-7</p>\n");
}

TEST_F(RenderCliTest, HardbreaksSettingTurnsLineBreaksIntoBrAndIsCachedApart) {
  std::string text = "first line PROJ-7\nsecond line\n";
  EXPECT_EQ(Run({}, text).out, "<p>first line " + std::string(kLink) + "\nsecond line</p>\n");
  testing::WriteFile(config_,
                     "[jira]\nweb_url = \"https://jira.example.com\"\n[render]\n"
                     "hardbreaks = true\n[state]\ndir = \"" +
                         dir_.Path("state") + "\"\n");
  // The same input, now a cache hit for the old settings: the epoch differs.
  EXPECT_EQ(Run({}, text).out, "<p>first line " + std::string(kLink) + "<br />\nsecond line</p>\n");
}

TEST_F(RenderCliTest, CorruptCacheIsMovedAsideWithOneWarning) {
  std::string state = dir_.Path("state");
  ASSERT_EQ(Run({}, "warm\n").exit_code, 0);  // creates the cache
  testing::WriteFile(state + "/render-cache.sqlite3", std::string(10000, '\x5a'));
  for (const char* wal : {"/render-cache.sqlite3-wal", "/render-cache.sqlite3-shm"}) {
    std::remove((state + wal).c_str());
  }
  ProcessResult result = Run({}, "PROJ-7\n");
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "<p>" + std::string(kLink) + "</p>\n");
  std::size_t first = result.err.find("jiralink render: warning:");
  ASSERT_NE(first, std::string::npos) << result.err;
  EXPECT_EQ(result.err.find("warning:", first + 25), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("render-cache.sqlite3"), std::string::npos) << result.err;
  // It was moved aside: the next render neither warns nor misses the cache.
  result = Run({}, "PROJ-7\n");
  EXPECT_EQ(result.err, "");
}

TEST_F(RenderCliTest, NoCacheFlagLeavesNoCacheFile) {
  ProcessResult result = Run({"--no-cache"}, "PROJ-7\n");
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_FALSE(std::ifstream(dir_.Path("state/render-cache.sqlite3")).good());
}

}  // namespace
}  // namespace jiralink
