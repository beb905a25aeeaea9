// Root acting as the state's owner, and who may keep files where
// (state/state_owner.h, state/private_files.h). Most of these need root, to
// become another user; each runs the switch in a forked child, which
// reports through its exit status and a pipe.
#include "jiralink/state/state_owner.h"

#include <pwd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "jiralink/state/private_files.h"
#include "support/test_support.h"

namespace jiralink::state {
namespace {

using ::testing::HasSubstr;

// Runs `body` in a child process; returns its exit status (-1 when it did
// not exit) and what it wrote into *text.
int InChild(const std::function<int(std::string*)>& body, std::string* text) {
  int fds[2];
  if (::pipe(fds) != 0) return -1;
  pid_t child = ::fork();
  if (child == 0) {
    ::close(fds[0]);
    std::string out;
    int code = body(&out);
    (void)!::write(fds[1], out.data(), out.size());
    _exit(code);
  }
  ::close(fds[1]);
  char buffer[1024];
  ssize_t n;
  while ((n = ::read(fds[0], buffer, sizeof buffer)) > 0) text->append(buffer, n);
  ::close(fds[0]);
  int status = 0;
  ::waitpid(child, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

class StateOwnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root, to act as another user";
    nobody_ = ::getpwnam("nobody");
    if (nobody_ == nullptr) GTEST_SKIP() << "no user nobody";
    ASSERT_EQ(::chmod(dir_.path().c_str(), 0755), 0);
  }

  // A directory of nobody's, mode 0700.
  std::string NobodysDirectory(const std::string& name) {
    std::string path = dir_.Path(name);
    EXPECT_EQ(::mkdir(path.c_str(), 0700), 0);
    EXPECT_EQ(::chown(path.c_str(), nobody_->pw_uid, nobody_->pw_gid), 0);
    return path;
  }

  testing::TempDir dir_;
  const passwd* nobody_ = nullptr;
};

TEST_F(StateOwnerTest, RootBecomesTheOwnerForGoodAndWhatItMakesIsTheOwners) {
  const std::string state = NobodysDirectory("state");
  const uid_t uid = nobody_->pw_uid;
  std::string text;
  int code = InChild(
      [&](std::string* out) {
        std::string became;
        Status status = ActAsOwnerOf(state, "", "jiralink state init", &became);
        if (!status.ok()) {
          *out = status.message();
          return 1;
        }
        *out = became + " " + std::getenv("HOME");
        if (::geteuid() != uid || ::getuid() != uid) return 2;
        if (::setuid(0) == 0) return 3;  // root cannot come back
        // What it makes in the state is the owner's, and passes the checks.
        if (!PreparePrivateDatabase(state + "/outbox.sqlite3").ok()) return 4;
        return 0;
      },
      &text);
  EXPECT_EQ(code, 0) << text;
  EXPECT_THAT(text, HasSubstr("nobody " + std::string(nobody_->pw_dir)));
  struct stat info;
  ASSERT_EQ(::stat((state + "/outbox.sqlite3").c_str(), &info), 0);
  EXPECT_EQ(info.st_uid, uid);
}

TEST_F(StateOwnerTest, RootOnItsOwnStateStaysRoot) {
  std::string became = "x";
  ASSERT_TRUE(ActAsOwnerOf(dir_.path(), "", "jiralink state init", &became).ok());
  EXPECT_EQ(became, "");
  EXPECT_EQ(::geteuid(), 0u);
}

TEST_F(StateOwnerTest, RootDoesNotCreateTheStateOfAnotherUsersRepositories) {
  const std::string git_root = NobodysDirectory("git");
  std::string became;
  Status status =
      ActAsOwnerOf(dir_.Path("missing/state"), git_root, "jiralink state init", &became);
  EXPECT_EQ(status.code(), Status::Code::kNotFound);
  EXPECT_THAT(status.message(), HasSubstr("the state directory " + dir_.Path("missing/state") +
                                          " does not exist, and root does not create it"));
  EXPECT_THAT(status.message(), HasSubstr("runuser -u nobody -- jiralink state init"));
  EXPECT_EQ(::geteuid(), 0u);
  // Without another user's repositories, root may make its own state.
  EXPECT_TRUE(ActAsOwnerOf(dir_.Path("missing/state"), "", "jiralink state init", &became).ok());
  EXPECT_TRUE(ActAsOwnerOf(dir_.Path("missing/state"), dir_.path(), "x", &became).ok());
}

TEST_F(StateOwnerTest, RootWritingIntoAnotherUsersStateIsRefusedWithTheLineToRun) {
  const std::string state = NobodysDirectory("state");
  Status status = EnsurePrivateDirectory(state);
  EXPECT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr("belongs to nobody, and root does not write into it"));
  EXPECT_THAT(status.message(), HasSubstr("runuser -u nobody -- jiralink"));
  EXPECT_FALSE(std::filesystem::exists(state + "/outbox.sqlite3"));
}

TEST_F(StateOwnerTest, WhoMayKeepFilesWhere) {
  const std::string state = NobodysDirectory("state");
  EXPECT_TRUE(MayKeepStateIn(dir_.path()));
  EXPECT_TRUE(MayKeepStateIn(dir_.Path("not/yet/made")));
  EXPECT_FALSE(MayKeepStateIn(state)) << "root keeps nothing in nobody's state";
  EXPECT_FALSE(MayKeepStateIn(state + "/deeper"));
  std::string text;
  int code = InChild(
      [&](std::string*) {
        if (::setgid(nobody_->pw_gid) != 0 || ::setuid(nobody_->pw_uid) != 0) return 9;
        if (!MayKeepStateIn(state)) return 1;
        if (MayKeepStateIn(dir_.path())) return 2;  // root's: the web server's case
        if (!BelongsToAnotherUser(dir_.path())) return 3;
        if (BelongsToAnotherUser(state)) return 4;
        return 0;
      },
      &text);
  EXPECT_EQ(code, 0);
}

}  // namespace
}  // namespace jiralink::state
