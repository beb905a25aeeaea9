// RepositoryName: the one answer to "which repository is this?" for the
// hook, `config check --repo`, `render` and a future webhook service.
#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "jiralink/config/loader.h"
#include "support/test_support.h"

namespace jiralink::config {
namespace {

TEST(RepositoryNameTest, DirectoryUnderTheRootIsItsPathThere) {
  EXPECT_EQ(RepositoryName("/srv/git/platform/api.git", "/srv/git"), "platform/api");
  EXPECT_EQ(RepositoryName("/srv/git/platform/api.git/", "/srv/git/"), "platform/api");
  EXPECT_EQ(RepositoryName("/srv/git/a/b.git/", "/srv/git"), "a/b");
  EXPECT_EQ(RepositoryName("/srv/git/./a//b.git", "/srv/git"), "a/b");
}

// Where the hook and `config check` used to disagree: outside the root (or
// with none) the hook said "x", the settings said "srv/other/x".
TEST(RepositoryNameTest, DirectoryOutsideTheRootIsItsOwnName) {
  EXPECT_EQ(RepositoryName("/srv/other/x.git", "/srv/git"), "x");
  EXPECT_EQ(RepositoryName("/srv/gitx/platform/api.git", "/srv/git"), "api");
  EXPECT_EQ(RepositoryName("/srv/git/tools.git", ""), "tools");
  EXPECT_EQ(RepositoryName("/srv/work/.git", "/elsewhere"), "work");
  EXPECT_EQ(RepositoryName("/srv/git", "/srv/git"), "git");  // the root itself
}

TEST(RepositoryNameTest, RelativePathIsAName) {
  EXPECT_EQ(RepositoryName("platform/api", "/srv/git"), "platform/api");
  EXPECT_EQ(RepositoryName("platform/api.git/", ""), "platform/api");
  EXPECT_EQ(RepositoryName("platform/api/.git", ""), "platform/api");
  EXPECT_EQ(RepositoryName("platform//api", ""), "platform/api");
  EXPECT_EQ(RepositoryName("", "/srv/git"), "");
}

// GitLab self-managed keeps repositories under hashed paths (issue #14).
TEST(RepositoryNameTest, GitLabProjectPathWinsOverTheHashedDirectory) {
  const std::string hashed =
      "/var/opt/gitlab/git-data/repositories/@hashed/6b/86/"
      "6b86b273ff34fce19d6b804eff5a3f5747ada4eaa22f1d49c01e52ddb7875b4b.git";
  EXPECT_EQ(RepositoryName(hashed, "/var/opt/gitlab/git-data/repositories", "platform/api"),
            "platform/api");
  EXPECT_EQ(RepositoryName(hashed, "", "/group/sub/project.git"), "group/sub/project");
  // Unset (empty): the directory decides.
  EXPECT_EQ(RepositoryName(hashed, "/var/opt/gitlab/git-data/repositories", ""),
            "@hashed/6b/86/6b86b273ff34fce19d6b804eff5a3f5747ada4eaa22f1d49c01e52ddb7875b4b");
}

TEST(RepositoryNameTest, SymbolicLinksToTheRootAreResolved) {
  testing::TempDir dir;
  ASSERT_EQ(::mkdir(dir.Path("data").c_str(), 0700), 0);
  ASSERT_EQ(::mkdir(dir.Path("data/team").c_str(), 0700), 0);
  ASSERT_EQ(::mkdir(dir.Path("data/team/app.git").c_str(), 0700), 0);
  ASSERT_EQ(::symlink(dir.Path("data").c_str(), dir.Path("git").c_str()), 0);
  EXPECT_EQ(RepositoryName(dir.Path("data/team/app.git"), dir.Path("git")), "team/app");
  EXPECT_EQ(RepositoryName(dir.Path("git/team/app.git"), dir.Path("data")), "team/app");
}

// The name selects the settings: a webhook payload's path and the hook's
// directory reach the same [projects] table.
TEST(RepositoryNameTest, NameAndDirectorySelectTheSameSettings) {
  Config config;
  std::vector<Diagnostic> diagnostics;
  ASSERT_TRUE(Config::LoadFromString(R"(
[git]
root = "/srv/git"
[projects."team/app".comments]
enabled = false
)",
                                     "/etc/jiralink/config.toml", &config, &diagnostics)
                  .ok());
  EXPECT_FALSE(config.ForRepo("team/app").comments.enabled);
  EXPECT_FALSE(config.ForRepo("/srv/git/team/app.git").comments.enabled);
  EXPECT_FALSE(config.ForRepo(RepositoryName("/anything/hashed.git", "/srv/git", "team/app"))
                   .comments.enabled);
  EXPECT_TRUE(config.ForRepo("/srv/other/team/app.git").comments.enabled);  // "app"
}

}  // namespace
}  // namespace jiralink::config
