#include "jiralink/hooks/installer.h"

#include <sys/stat.h>

#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "git_fixture.h"

namespace jiralink::hooks {
namespace {

namespace fs = std::filesystem;
using testing::GitFixture;
using testing::ReadFile;
using testing::WriteFile;

InstallOptions Options() { return {"/usr/local/bin/jira link", "/etc/jiralink/it's.toml"}; }

TEST(Installer, WritesAnExecutableHookCallingJiralinkByAbsolutePath) {
  GitFixture git;
  InstallResult result;
  ASSERT_TRUE(InstallHook(git.bare(), Options(), &result).ok());
  EXPECT_EQ(result.action, "installed");
  std::string hook = git.bare() + "/hooks/post-receive";
  EXPECT_EQ(result.hook_path, hook);
  std::string text = ReadFile(hook);
  EXPECT_NE(text.find(kHookMarker), std::string::npos);
  EXPECT_NE(text.find("jiralink='/usr/local/bin/jira link'\n"), std::string::npos) << text;
  EXPECT_NE(text.find("exec \"$jiralink\" --config '/etc/jiralink/it'\\''s.toml' "
                      "hook post-receive"),
            std::string::npos)
      << text;
  struct stat st {};
  ASSERT_EQ(stat(hook.c_str(), &st), 0);
  EXPECT_TRUE(st.st_mode & S_IXUSR);
}

TEST(Installer, FollowsCoreHooksPathWhereGitRunsTheHooks) {
  GitFixture git;
  testing::Git(git.bare(), {"config", "core.hooksPath", "custom-hooks"}, testing::GitIdentityEnv());
  InstallResult result;
  ASSERT_TRUE(
      InstallHook(git.bare(), {JIRALINK_BIN, git.Path("no-such-config.toml")}, &result).ok());
  EXPECT_EQ(result.hook_path, git.bare() + "/custom-hooks/post-receive");
  EXPECT_FALSE(fs::exists(git.bare() + "/hooks/post-receive"));
  // git runs it from there: its warning about the missing settings reaches the pusher.
  git.Commit("PROJ-1 first");
  testing::ProcessResult push = git.Push({"origin", "main"});
  EXPECT_EQ(push.exit_code, 0) << push.err;
  EXPECT_NE(push.err.find("no-such-config.toml"), std::string::npos) << push.err;
  ASSERT_TRUE(UninstallHook(git.bare(), &result).ok());
  EXPECT_FALSE(fs::exists(git.bare() + "/custom-hooks/post-receive"));
}

TEST(Installer, IsIdempotent) {
  GitFixture git;
  InstallResult result;
  ASSERT_TRUE(InstallHook(git.bare(), Options(), &result).ok());
  ASSERT_TRUE(InstallHook(git.bare(), Options(), &result).ok());
  EXPECT_EQ(result.action, "updated");
  EXPECT_FALSE(fs::exists(git.bare() + "/hooks/post-receive" + kChainedSuffix));
}

TEST(Installer, KeepsAnExistingHookChainedAndUninstallRestoresIt) {
  GitFixture git;
  std::string hook = git.bare() + "/hooks/post-receive";
  WriteFile(hook, "#!/bin/sh\necho mine\n");
  InstallResult result;
  ASSERT_TRUE(InstallHook(git.bare(), Options(), &result).ok());
  EXPECT_NE(result.action.find("kept as post-receive.jiralink-chained"), std::string::npos);
  EXPECT_EQ(ReadFile(hook + kChainedSuffix), "#!/bin/sh\necho mine\n");
  EXPECT_NE(ReadFile(hook).find("post-receive.jiralink-chained"), std::string::npos);
  // Again: still chained, the original not wrapped twice.
  ASSERT_TRUE(InstallHook(git.bare(), Options(), &result).ok());
  EXPECT_EQ(ReadFile(hook + kChainedSuffix), "#!/bin/sh\necho mine\n");
  ASSERT_TRUE(UninstallHook(git.bare(), &result).ok());
  EXPECT_EQ(result.action, "removed; the previous post-receive is back");
  EXPECT_EQ(ReadFile(hook), "#!/bin/sh\necho mine\n");
  EXPECT_FALSE(fs::exists(hook + kChainedSuffix));
}

TEST(Installer, UninstallLeavesSomeoneElsesHookAlone) {
  GitFixture git;
  std::string hook = git.bare() + "/hooks/post-receive";
  WriteFile(hook, "#!/bin/sh\n");
  InstallResult result;
  ASSERT_TRUE(UninstallHook(git.bare(), &result).ok());
  EXPECT_EQ(ReadFile(hook), "#!/bin/sh\n");
}

TEST(Installer, RefusesMissingAndNonBareRepositories) {
  GitFixture git;
  InstallResult result;
  Status missing = InstallHook(git.Path("nope.git"), Options(), &result);
  EXPECT_EQ(missing.code(), Status::Code::kNotFound);
  EXPECT_NE(missing.message().find("nope.git"), std::string::npos);
  Status not_bare = InstallHook(git.work(), Options(), &result);
  EXPECT_EQ(not_bare.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(not_bare.message().find("not a bare repository"), std::string::npos);
  Status plain_dir = InstallHook(git.root(), Options(), &result);
  EXPECT_NE(plain_dir.message().find("not a git repository"), std::string::npos);
}

// The installed scripts run for real with the program gone (the package
// removed): post-receive lets the push through with one line; pre-receive
// too, unless the policy says to refuse.
TEST(Installer, WithoutTheProgramPostReceiveFailsOpenAndPreReceiveAsThePolicySays) {
  GitFixture git;
  InstallOptions options{git.Path("gone/jiralink"), ""};
  InstallResult result;
  ASSERT_TRUE(InstallHook(git.bare(), options, &result).ok());
  options.hook = "pre-receive";
  ASSERT_TRUE(InstallHook(git.bare(), options, &result).ok());
  testing::ProcessOptions run;
  run.stdin_data = std::string(40, '0') + " " + std::string(40, '1') + " refs/heads/main\n";
  run.cwd = git.bare();
  testing::ProcessResult post = testing::RunProcess({git.bare() + "/hooks/post-receive"}, run);
  EXPECT_EQ(post.exit_code, 0);
  EXPECT_EQ(post.err, "jiralink: " + git.Path("gone/jiralink") +
                          " is not installed; this push was not queued for Jira\n");
  testing::ProcessResult pre = testing::RunProcess({git.bare() + "/hooks/pre-receive"}, run);
  EXPECT_EQ(pre.exit_code, 0);
  EXPECT_NE(pre.err.find("the Jira push policy was not checked"), std::string::npos) << pre.err;

  options.reject_when_missing = true;
  ASSERT_TRUE(InstallHook(git.bare(), options, &result).ok());
  pre = testing::RunProcess({git.bare() + "/hooks/pre-receive"}, run);
  EXPECT_EQ(pre.exit_code, 1);
  EXPECT_NE(pre.err.find("push refused ([policy] on_jiralink_missing = \"reject\")"),
            std::string::npos)
      << pre.err;

  // Chained behind an older hook, the older one still runs and decides.
  UninstallHook(git.bare(), &result);
  const std::string old_hook = git.bare() + "/hooks/post-receive";
  WriteFile(old_hook, "#!/bin/sh\ncat >/dev/null\necho old ran\nexit 3\n");
  ::chmod(old_hook.c_str(), 0755);
  options.hook = "post-receive";
  ASSERT_TRUE(InstallHook(git.bare(), options, &result).ok());
  post = testing::RunProcess({old_hook}, run);
  EXPECT_EQ(post.exit_code, 3);
  EXPECT_EQ(post.out, "old ran\n");
  EXPECT_NE(post.err.find("is not installed; this push was not queued"), std::string::npos);
}

TEST(Installer, InstallingAgainKeepsTheConfigOfTheInstalledHook) {
  GitFixture git;
  InstallResult result;
  ASSERT_TRUE(InstallHook(git.bare(), Options(), &result).ok());
  InstallOptions without_config{"/usr/bin/jiralink", ""};
  ASSERT_TRUE(InstallHook(git.bare(), without_config, &result).ok());
  EXPECT_EQ(result.action, "updated (kept --config /etc/jiralink/it's.toml)");
  EXPECT_EQ(InstalledConfigPath(git.bare() + "/hooks/post-receive"), "/etc/jiralink/it's.toml");
  without_config.keep_installed_config = false;
  ASSERT_TRUE(InstallHook(git.bare(), without_config, &result).ok());
  EXPECT_EQ(InstalledConfigPath(git.bare() + "/hooks/post-receive"), "");
}

TEST(Installer, LeavesAGitoliteRepositorysHooksToGitolite) {
  GitFixture git;
  // gitolite links its update hook into every repository it manages.
  std::filesystem::create_directories(git.Path("gitolite/.gitolite/hooks/common"));
  WriteFile(git.Path("gitolite/.gitolite/hooks/common/update"), "#!/bin/sh\n");
  std::filesystem::create_symlink(git.Path("gitolite/.gitolite/hooks/common/update"),
                                  git.bare() + "/hooks/update");
  const std::string driver = git.bare() + "/hooks/post-receive";
  WriteFile(driver, "#!/bin/sh\nfor h in $0.*; do echo \"$stdin\" | $h; done\n");
  InstallResult result;
  Status status = InstallHook(git.bare(), Options(), &result);
  EXPECT_EQ(status.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(status.message().find("is a gitolite repository"), std::string::npos);
  EXPECT_NE(status.message().find("option hook.post-receive = jiralink"), std::string::npos);
  EXPECT_TRUE(IsGitoliteRepository(git.bare()));
  EXPECT_FALSE(std::filesystem::exists(driver + ".jiralink-chained"));
  EXPECT_NE(ReadFile(driver).find("for h in $0.*"), std::string::npos);
}

}  // namespace
}  // namespace jiralink::hooks
