// The state directory end to end (issue #11): whatever the umask, the hook,
// `deliver` and `render` leave a 0700 directory of 0600 files (the outbox
// with its -wal/-shm, the lock, the render cache), and a state directory
// that others can write is refused with a clear message, without failing
// the push. Also issue #14: the hook names a repository by $GL_PROJECT_PATH.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
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

// Issue #23: a full disk is told, not suffered. The state directory is a
// 256 KiB tmpfs (root mounts it, as CI runs), filled up before a push: the
// push succeeds, says the file system is full and how to see it, and prints
// the lines that queue it; once space is freed, those lines queue it.
TEST_F(PrivateState, AFullDiskIsNamedAndThePushSucceedsAndCanBeQueuedLater) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to mount a small file system";
  const std::string state = git_.Path("state");
  std::filesystem::create_directories(state);
  ProcessResult mount =
      RunProcess({"mount", "-t", "tmpfs", "-o", "size=256k,mode=0700", "tmpfs", state});
  if (mount.exit_code != 0) GTEST_SKIP() << "cannot mount a tmpfs here: " << mount.err;
  struct Unmount {
    std::string dir;
    ~Unmount() { RunProcess({"umount", "-l", dir}); }
  } unmount{state};
  // Fill it: writes until the file system says no.
  {
    std::FILE* filler = std::fopen((state + "/filler").c_str(), "w");
    ASSERT_NE(filler, nullptr);
    std::string block(4096, 'x');
    while (std::fwrite(block.data(), 1, block.size(), filler) == block.size() &&
           std::fflush(filler) == 0) {
    }
    std::fclose(filler);
  }

  git_.Commit("Start the parser, PROJ-1");
  ProcessResult push = Push({"origin", "main"});  // exit 0 asserted by Push
  EXPECT_THAT(push.err, HasSubstr("the file system of " + state + " is full (df -h " + state +
                                  " shows it): free space there"));
  EXPECT_THAT(push.err, HasSubstr("this push was NOT queued for Jira"));
  // The pusher's copy of the lines, to be fed to the hook once fixed.
  const std::string marker = "jiralink:     ";
  std::size_t at = push.err.find(marker);
  ASSERT_NE(at, std::string::npos) << push.err;
  std::string line = push.err.substr(at + marker.size());
  line = line.substr(0, line.find('\n'));

  std::filesystem::remove(state + "/filler");
  ProcessOptions in_repository;
  in_repository.cwd = git_.bare();
  in_repository.env = Env();
  in_repository.stdin_data = line + "\n";
  ProcessResult queued = RunJiralink({"--config", config_, "hook", "post-receive"}, in_repository);
  ASSERT_EQ(queued.exit_code, 0) << queued.err;
  EXPECT_THAT(queued.err, ::testing::Not(HasSubstr("NOT queued"))) << queued.err;
  ProcessResult deliver = Deliver();
  ASSERT_EQ(deliver.exit_code, 0) << deliver.err;
  EXPECT_EQ(CommentBodies("PROJ-1").size(), 1u) << queued.out << queued.err << deliver.out << line;
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
