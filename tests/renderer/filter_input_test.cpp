// How `jiralink render [ARG]` picks its input (cgit name vs file path).
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
  ASSERT_TRUE(ReadFilterInput(std::nullopt, fd, 100, &input).ok());
  close(fd);
  EXPECT_EQ(input.text, "# Hi");
  EXPECT_EQ(input.kind, InputKind::kMarkdown);
}

TEST(FilterInputTest, ArgumentWithStdinDataIsTheName) {
  TempDir dir;
  int fd = StdinWith(dir, "content");
  FilterInput input;
  // The name need not exist: cgit passes the blob's name, not a path.
  ASSERT_TRUE(ReadFilterInput(std::string("README.txt"), fd, 100, &input).ok());
  close(fd);
  EXPECT_EQ(input.text, "content");
  EXPECT_EQ(input.kind, InputKind::kPlainText);
}

TEST(FilterInputTest, ArgumentWithEmptyStdinIsAPath) {
  TempDir dir;
  jiralink::testing::WriteFile(dir.Path("notes.txt"), "from file");
  int fd = StdinWith(dir, "");
  FilterInput input;
  ASSERT_TRUE(ReadFilterInput(dir.Path("notes.txt"), fd, 100, &input).ok());
  close(fd);
  EXPECT_EQ(input.text, "from file");
  EXPECT_EQ(input.kind, InputKind::kMarkdown);
}

TEST(FilterInputTest, OverLimitIsFlagged) {
  TempDir dir;
  int fd = StdinWith(dir, std::string(50, 'x'));
  FilterInput input;
  ASSERT_TRUE(ReadFilterInput(std::nullopt, fd, 10, &input).ok());
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
