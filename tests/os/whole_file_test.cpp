// Bounded whole-file reads (os/whole_file.h): only regular files, at most
// the bound, and a clear word for everything else.
#include "jiralink/os/whole_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <string>

namespace jiralink {
namespace {

class WholeFile : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/jiralink-whole-file-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& text) {
    std::string path = dir_ + "/" + name;
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }

  std::string dir_;
};

TEST_F(WholeFile, ReadsARegularFileWhole) {
  std::string big(200000, 'x');
  big[199999] = '\0';
  std::string text = "stale";
  ASSERT_TRUE(ReadWholeFile(Write("f", big), 1 << 20, &text).ok());
  EXPECT_EQ(text, big);
  ASSERT_TRUE(ReadWholeFile(Write("empty", ""), 10, &text).ok());
  EXPECT_EQ(text, "");
}

TEST_F(WholeFile, ADirectoryIsNotAnEmptyFile) {
  std::string text;
  Status status = ReadWholeFile(dir_, 1 << 20, &text);
  EXPECT_EQ(status.code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(status.message(), "not a regular file (a directory)");
}

TEST_F(WholeFile, AFifoIsRefusedWithoutWaitingForAWriter) {
  std::string path = dir_ + "/fifo";
  ASSERT_EQ(::mkfifo(path.c_str(), 0600), 0);
  auto read = std::async(std::launch::async, [&] {
    std::string text;
    return ReadWholeFile(path, 1 << 20, &text).message();
  });
  ASSERT_EQ(read.wait_for(std::chrono::seconds(30)), std::future_status::ready);
  EXPECT_EQ(read.get(), "not a regular file (a FIFO)");
}

TEST_F(WholeFile, ALargerFileIsRefusedBeforeItIsRead) {
  std::string text = "stale";
  Status status = ReadWholeFile(Write("big", std::string(11, 'x')), 10, &text);
  EXPECT_EQ(status.code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(status.message(), "the file is 11 bytes; at most 10 are allowed");
  EXPECT_EQ(text, "");
  EXPECT_TRUE(ReadWholeFile(Write("exact", std::string(10, 'x')), 10, &text).ok());
}

TEST_F(WholeFile, MissingAndUnreadableFilesSayWhy) {
  std::string text;
  Status missing = ReadWholeFile(dir_ + "/none", 10, &text);
  EXPECT_EQ(missing.code(), Status::Code::kNotFound);
  EXPECT_EQ(missing.message(), "No such file or directory");
  if (::geteuid() != 0) {  // root reads a mode-000 file anyway
    std::string path = Write("secret", "x");
    ::chmod(path.c_str(), 0);
    Status denied = ReadWholeFile(path, 10, &text);
    EXPECT_EQ(denied.code(), Status::Code::kPermissionDenied);
  }
}

}  // namespace
}  // namespace jiralink
