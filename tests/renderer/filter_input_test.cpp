// How `jiralink render [NAME] [--input FILE]` picks its input: a NAME is never opened.
#include "jiralink/renderer/filter_input.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

#include "support/test_support.h"

namespace jiralink::renderer {
namespace {

using jiralink::testing::TempDir;

// A file descriptor reading `data` (a regular file, like a redirected stdin).
int StdinWith(const TempDir& dir, const std::string& data) {
  jiralink::testing::WriteFile(dir.Path("stdin"), data);
  return open(dir.Path("stdin").c_str(), O_RDONLY);
}

TEST(FilterInputTest, MarkdownNames) {
  for (const char* name : {"README.md", "a.markdown", "x.MKD", "y.mdown", "dir/z.Md"}) {
    EXPECT_TRUE(IsMarkdownName(name)) << name;
  }
  for (const char* name : {"README", "README.txt", "md", "a.md.txt", "a.rst"}) {
    EXPECT_FALSE(IsMarkdownName(name)) << name;
  }
}

TEST(FilterInputTest, NoArgumentReadsStdin) {
  TempDir dir;
  int fd = StdinWith(dir, "# Hi");
  FilterInput input;
  ASSERT_TRUE(ReadFilterInput({}, fd, 100, &input).ok());
  close(fd);
  EXPECT_EQ(input.text, "# Hi");
  EXPECT_EQ(input.kind, InputKind::kMarkdown);
}

TEST(FilterInputTest, ArgumentWithStdinDataIsTheName) {
  TempDir dir;
  int fd = StdinWith(dir, "content");
  FilterInput input;
  // The name need not exist: cgit passes the blob's name, not a path.
  ASSERT_TRUE(ReadFilterInput({.name = "README.txt"}, fd, 100, &input).ok());
  close(fd);
  EXPECT_EQ(input.text, "content");
  EXPECT_EQ(input.kind, InputKind::kPlainText);
}

TEST(FilterInputTest, NameOfAnExistingFileWithEmptyStdinIsNeverOpened) {
  // cgit sends an empty stdin for an about path that is not in the
  // repository; the visitor chose the name. It must not be read from disk.
  TempDir dir;
  jiralink::testing::WriteFile(dir.Path("secret.md"), "token = \"s3cret\"");
  for (const std::string& name : {dir.Path("secret.md"), "../../../.." + dir.Path("secret.md")}) {
    int fd = StdinWith(dir, "");
    FilterInput input;
    ASSERT_TRUE(ReadFilterInput({.name = name}, fd, 100, &input).ok());
    close(fd);
    EXPECT_EQ(input.text, "") << name;
    EXPECT_EQ(input.kind, InputKind::kMarkdown);
  }
}

TEST(FilterInputTest, InputOptionReadsTheFileAsMarkdown) {
  TempDir dir;
  jiralink::testing::WriteFile(dir.Path("notes.txt"), "from file");
  int fd = StdinWith(dir, "ignored stdin");
  FilterInput input;
  ASSERT_TRUE(ReadFilterInput({.input_path = dir.Path("notes.txt")}, fd, 100, &input).ok());
  close(fd);
  EXPECT_EQ(input.text, "from file");
  EXPECT_EQ(input.kind, InputKind::kMarkdown);
  EXPECT_EQ(input.source, dir.Path("notes.txt"));
}

TEST(FilterInputTest, InputOptionNamesAMissingFile) {
  TempDir dir;
  FilterInput input;
  Status status = ReadFilterInput({.input_path = dir.Path("nope.md")}, -1, 100, &input);
  EXPECT_EQ(status.code(), Status::Code::kNotFound);
  EXPECT_NE(status.message().find(dir.Path("nope.md")), std::string::npos) << status.message();
}

TEST(FilterInputTest, NameAndInputTogetherAreRefused) {
  TempDir dir;
  jiralink::testing::WriteFile(dir.Path("a.md"), "x");
  FilterInput input;
  Status status =
      ReadFilterInput({.name = "README.md", .input_path = dir.Path("a.md")}, -1, 100, &input);
  EXPECT_EQ(status.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(status.message().find("not both"), std::string::npos) << status.message();
}

TEST(FilterInputTest, OverLimitIsFlagged) {
  TempDir dir;
  int fd = StdinWith(dir, std::string(50, 'x'));
  FilterInput input;
  ASSERT_TRUE(ReadFilterInput({}, fd, 10, &input).ok());
  close(fd);
  EXPECT_TRUE(input.truncated);
  EXPECT_EQ(input.text.size(), 11u);
}

TEST(FilterInputTest, PlainTextIsEscapedInPre) {
  EXPECT_EQ(RenderPlainText("<b>&\"PROJ-1\"</b>"),
            "<pre>&lt;b&gt;&amp;&quot;PROJ-1&quot;&lt;/b&gt;</pre>\n");
}

}  // namespace
}  // namespace jiralink::renderer
