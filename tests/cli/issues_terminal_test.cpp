// Terminal width and colour decisions, on a real pseudo-terminal.
#include "issues/issues_terminal.h"

#include <pty.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdlib>
#include <optional>
#include <string>

#include <gtest/gtest.h>

namespace jiralink::cli {
namespace {

// Sets or unsets an environment variable for one scope.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value == nullptr) {
      ::unsetenv(name);
    } else {
      ::setenv(name, value, 1);
    }
  }
  ~ScopedEnv() {
    if (old_) {
      ::setenv(name_, old_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

// A pseudo-terminal 132 columns wide; `stream` is its terminal side.
class Pty {
 public:
  Pty() {
    winsize size{};
    size.ws_col = 132;
    size.ws_row = 40;
    if (::openpty(&master_, &slave_, nullptr, nullptr, &size) == 0) {
      stream_ = ::fdopen(slave_, "w");
    }
  }
  ~Pty() {
    if (stream_ != nullptr) std::fclose(stream_);
    if (master_ >= 0) ::close(master_);
  }
  std::FILE* stream() const { return stream_; }

 private:
  int master_ = -1;
  int slave_ = -1;
  std::FILE* stream_ = nullptr;
};

// Issue #23: output to a pipe or a file has no width (0), so nothing is cut.
TEST(IssuesTerminalTest, WidthFromColumnsThenTheTerminalElseNoLimit) {
  Pty pty;
  ASSERT_NE(pty.stream(), nullptr);
  std::FILE* pipe_end = std::tmpfile();
  ASSERT_NE(pipe_end, nullptr);
  {
    ScopedEnv columns("COLUMNS", nullptr);
    EXPECT_EQ(TerminalWidth(pty.stream()), 132);
    EXPECT_EQ(TerminalWidth(pipe_end), 0);
  }
  {
    ScopedEnv columns("COLUMNS", "200");
    EXPECT_EQ(TerminalWidth(pty.stream()), 200);
    EXPECT_EQ(TerminalWidth(pipe_end), 200);
  }
  {
    ScopedEnv columns("COLUMNS", "wide");
    EXPECT_EQ(TerminalWidth(pty.stream()), 132);
  }
  std::fclose(pipe_end);
}

TEST(IssuesTerminalTest, ColourOnlyOnATerminalAndNeverWithNoColor) {
  Pty pty;
  ASSERT_NE(pty.stream(), nullptr);
  std::FILE* file = std::tmpfile();
  ASSERT_NE(file, nullptr);
  ScopedEnv term("TERM", "xterm-256color");
  {
    ScopedEnv no_color("NO_COLOR", nullptr);
    EXPECT_TRUE(UseColor(pty.stream()));
    EXPECT_FALSE(UseColor(file));
  }
  {
    ScopedEnv no_color("NO_COLOR", "1");
    EXPECT_FALSE(UseColor(pty.stream()));
  }
  {
    ScopedEnv no_color("NO_COLOR", nullptr);
    ScopedEnv dumb("TERM", "dumb");
    EXPECT_FALSE(UseColor(pty.stream()));
  }
  std::fclose(file);
}

}  // namespace
}  // namespace jiralink::cli
