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
  EXPECT_NE(text.find("exec '/usr/local/bin/jira link' --config '/etc/jiralink/it'\\''s.toml' "
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

}  // namespace
}  // namespace jiralink::hooks
