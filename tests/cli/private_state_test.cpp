// The state directory end to end (issue #11): whatever the umask, the hook,
// `deliver` and `render` leave a 0700 directory of 0600 files (the outbox
// with its -wal/-shm, the lock, the render cache), and a state directory
// that others can write is refused with a clear message, without failing
// the push. Also issue #14: the hook names a repository by $GL_PROJECT_PATH.
#include <sys/stat.h>

#include <filesystem>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "hook_e2e_fixture.h"

namespace jiralink::testing {
namespace {

using ::testing::HasSubstr;

class PrivateState : public HookE2E {
 protected:
  void SetUp() override {
    old_umask_ = ::umask(022);  // the usual umask: files would be 0644 without care
    HookE2E::SetUp();
  }
  void TearDown() override { ::umask(old_umask_); }

  static mode_t ModeOf(const std::string& path) {
    struct stat info;
    EXPECT_EQ(::lstat(path.c_str(), &info), 0) << path;
    return info.st_mode & 07777;
  }

  mode_t old_umask_ = 0;
};

TEST_F(PrivateState, HookDeliverAndRenderLeaveOnlyPrivateFiles) {
  git_.Commit("Start the parser, PROJ-1");
  Push({"origin", "main"});
  ProcessResult deliver = Deliver();
  ASSERT_EQ(deliver.exit_code, 0) << deliver.err;
  ProcessResult render = Jiralink({"render", "README.md"}, "See PROJ-1.\n");
  ASSERT_EQ(render.exit_code, 0) << render.err;

  const std::string state = git_.Path("state");
  EXPECT_EQ(ModeOf(state), 0700u);
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(state)) {
    ++files;
    EXPECT_EQ(ModeOf(entry.path().string()), 0600u) << entry.path();
  }
  // The outbox, its WAL companions, the delivery lock and the render cache.
  // (The loop above checked every file, -shm ones included, that exists.)
  for (const char* name :
       {"outbox.sqlite3", "outbox.sqlite3-wal", "deliver.lock", "render-cache.sqlite3"}) {
    EXPECT_TRUE(std::filesystem::exists(state + "/" + name)) << name;
  }
  EXPECT_GE(files, 4);
}

TEST_F(PrivateState, AStateDirectoryOthersCanWriteIsRefusedButThePushSucceeds) {
  const std::string state = git_.Path("state");
  std::filesystem::create_directories(state);
  ASSERT_EQ(::chmod(state.c_str(), 0777), 0);
  git_.Commit("Start the parser, PROJ-1");
  ProcessResult push = Push({"origin", "main"});  // exit 0 asserted by Push
  EXPECT_THAT(push.err, HasSubstr("the state directory " + state +
                                  " is writable by group or others (mode 0777)"));
  EXPECT_THAT(push.err, HasSubstr("chmod 700 " + state));
  EXPECT_THAT(push.err, HasSubstr("this push was NOT queued for Jira"));
  EXPECT_FALSE(std::filesystem::exists(state + "/outbox.sqlite3"));

  ProcessResult render = Jiralink({"render", "README.md"}, "See PROJ-1.\n");
  EXPECT_THAT(render.err, HasSubstr("is writable by group or others"));
}

// GitLab self-managed keeps repositories under hashed paths; the hook takes
// the name from $GL_PROJECT_PATH, so links and settings use the real path.
TEST_F(PrivateState, HookNamesTheRepositoryByGitLabProjectPath) {
  git_.Commit("Start the parser, PROJ-1");
  Push({"origin", "main"}, {{"GL_PROJECT_PATH", "acme/web"}});
  ProcessResult deliver = Deliver();
  ASSERT_EQ(deliver.exit_code, 0) << deliver.err;
  std::vector<std::string> bodies = CommentBodies("PROJ-1");
  ASSERT_EQ(bodies.size(), 1u);
  EXPECT_THAT(bodies[0], HasSubstr("https://git.example.com/acme/web/-/commit/"));
}

}  // namespace
}  // namespace jiralink::testing
