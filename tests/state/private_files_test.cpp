// Private state files: 0700 directories, 0600 files whatever the umask, no
// symbolic links followed, and a state directory others can write refused.
#include "jiralink/state/private_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/test_support.h"

namespace jiralink::state {
namespace {

using ::testing::HasSubstr;

mode_t ModeOf(const std::string& path) {
  struct stat info;
  EXPECT_EQ(::lstat(path.c_str(), &info), 0) << path;
  return info.st_mode & 07777;
}

// Runs the test body under a permissive umask and restores the old one.
class PrivateFilesTest : public ::testing::Test {
 protected:
  void SetUp() override { old_umask_ = ::umask(0); }
  void TearDown() override { ::umask(old_umask_); }

  testing::TempDir dir_;
  mode_t old_umask_ = 0;
};

TEST_F(PrivateFilesTest, CreatesTheDirectoryAndMissingParents0700) {
  std::string state = dir_.path() + "/a/b/state";
  ASSERT_TRUE(EnsurePrivateDirectory(state).ok());
  EXPECT_EQ(ModeOf(state), 0700u);
  EXPECT_EQ(ModeOf(dir_.path() + "/a/b"), 0700u);
  EXPECT_EQ(ModeOf(dir_.path() + "/a"), 0700u);
}

TEST_F(PrivateFilesTest, AcceptsAnExistingPrivateDirectoryAndLeavesItsMode) {
  std::string state = dir_.path() + "/state";
  ASSERT_EQ(::mkdir(state.c_str(), 0750), 0);
  EXPECT_TRUE(EnsurePrivateDirectory(state).ok());
  EXPECT_EQ(ModeOf(state), 0750u);
}

TEST_F(PrivateFilesTest, RefusesADirectoryOthersCanWrite) {
  for (mode_t mode : {0777u, 0770u, 01777u, 0702u}) {
    std::string state = dir_.path() + "/shared" + std::to_string(mode);
    ASSERT_EQ(::mkdir(state.c_str(), mode), 0);
    ASSERT_EQ(::chmod(state.c_str(), mode), 0);
    Status status = EnsurePrivateDirectory(state);
    EXPECT_FALSE(status.ok()) << std::oct << mode;
    EXPECT_THAT(status.message(),
                HasSubstr("the state directory " + state + " is writable by group or others"));
    EXPECT_THAT(status.message(), HasSubstr("chmod 700 " + state));
  }
}

TEST_F(PrivateFilesTest, RefusesAFileWhereTheDirectoryShouldBe) {
  std::string state = dir_.path() + "/file";
  std::ofstream(state) << "x";
  Status status = EnsurePrivateDirectory(state);
  EXPECT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr("is not a directory"));
}

TEST_F(PrivateFilesTest, CreatesFiles0600AndTightensExistingOnes) {
  std::string path = dir_.path() + "/lock";
  int fd = -1;
  ASSERT_TRUE(OpenPrivateFile(path, O_RDWR, &fd).ok());
  ::close(fd);
  EXPECT_EQ(ModeOf(path), 0600u);

  std::string old = dir_.path() + "/old";
  std::ofstream(old) << "x";
  ASSERT_EQ(::chmod(old.c_str(), 0644), 0);
  ASSERT_TRUE(OpenPrivateFile(old, O_RDWR, &fd).ok());
  ::close(fd);
  EXPECT_EQ(ModeOf(old), 0600u);
}

TEST_F(PrivateFilesTest, NeverFollowsASymbolicLink) {
  std::string target = dir_.path() + "/elsewhere";
  std::string link = dir_.path() + "/deliver.lock";
  ASSERT_EQ(::symlink(target.c_str(), link.c_str()), 0);
  int fd = -1;
  Status status = OpenPrivateFile(link, O_RDWR, &fd);
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(fd, -1);
  EXPECT_THAT(status.message(), HasSubstr(link + " is a symbolic link"));
  EXPECT_FALSE(std::filesystem::exists(target));  // nothing was created through the link
}

TEST_F(PrivateFilesTest, PreparesADatabaseAndItsCompanionFiles) {
  std::string state = dir_.path() + "/state";
  std::string db = state + "/outbox.sqlite3";
  ASSERT_TRUE(PreparePrivateDatabase(db).ok());
  EXPECT_EQ(ModeOf(state), 0700u);
  EXPECT_EQ(ModeOf(db), 0600u);

  // Companions left by an older version with a lax mode are tightened.
  for (const char* suffix : {"-wal", "-shm"}) {
    std::ofstream(db + suffix) << "x";
    ASSERT_EQ(::chmod((db + suffix).c_str(), 0644), 0);
  }
  ASSERT_EQ(::chmod(db.c_str(), 0644), 0);
  ASSERT_TRUE(PreparePrivateDatabase(db).ok());
  EXPECT_EQ(ModeOf(db), 0600u);
  EXPECT_EQ(ModeOf(db + "-wal"), 0600u);
  EXPECT_EQ(ModeOf(db + "-shm"), 0600u);
}

TEST_F(PrivateFilesTest, RefusesASymlinkedCompanionFile) {
  std::string db = dir_.path() + "/cache.sqlite3";
  std::string target = dir_.path() + "/target";
  std::ofstream(target) << "x";
  ASSERT_EQ(::symlink(target.c_str(), (db + "-wal").c_str()), 0);
  Status status = PreparePrivateDatabase(db);
  EXPECT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr("-wal is a symbolic link"));
}

}  // namespace
}  // namespace jiralink::state
