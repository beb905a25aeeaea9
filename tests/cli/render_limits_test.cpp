// `jiralink render` on hostile Markdown: every shape either renders or is
// refused fast, within 3 s of CPU and 512 MiB of peak memory, each run as a
// whole process of the *release* build (the suite itself is built with
// sanitizers, which change both figures). The child's CPU time and peak RSS
// come from wait4(2), so a loaded machine does not change the verdict.
//
// The release binary is named by the CMake cache variable JIRALINK_RELEASE_BIN,
// which `./quickstart.sh test` sets after building it.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "jiralink/renderer/renderer.h"
#include "support/test_support.h"

namespace jiralink {
namespace {

using testing::TempDir;

constexpr double kMaxCpuSeconds = 3.0;
constexpr long kMaxPeakRssKib = 512 * 1024;

struct Usage {
  int exit_code = -1;  // -1: killed by a signal
  int signal = 0;
  double cpu_seconds = 0;
  long peak_rss_kib = 0;
  std::size_t out_bytes = 0;
  std::string err;
};

// This process's resident set, in KiB (VmRSS of /proc/self/status).
long SelfRssKib() {
  const std::string status = testing::ReadFile("/proc/self/status");
  const std::size_t at = status.find("VmRSS:");
  return at == std::string::npos ? -1 : std::strtol(status.c_str() + at + 6, nullptr, 10);
}

// Runs `argv` with stdin from `input_path`, stdout and stderr to files, and
// measures it with wait4. RLIMIT_CPU stops a runaway child. The child's
// ru_maxrss is the larger of its own peak and the pages it shared with this
// process before exec (a maximum, not a sum): a figure under the limit is
// a pass on the safe side, and this process stays well below the limit
// (the output is never read into it; its size comes from stat).
Usage RunMeasured(const std::vector<std::string>& argv, const std::string& input_path,
                  const TempDir& dir) {
  const std::string out_path = dir.Path("out.html");
  const std::string err_path = dir.Path("err.txt");
  std::vector<char*> args;
  std::vector<std::string> words = argv;
  for (std::string& word : words) args.push_back(word.data());
  args.push_back(nullptr);
  Usage usage;
  pid_t pid = fork();
  if (pid == 0) {
    int in = open(input_path.c_str(), O_RDONLY);
    int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (in < 0 || out < 0 || err < 0) _exit(126);
    dup2(in, 0);
    dup2(out, 1);
    dup2(err, 2);
    rlimit cpu = {30, 31};
    setrlimit(RLIMIT_CPU, &cpu);
    execv(args[0], args.data());
    _exit(127);
  }
  if (pid < 0) {
    ADD_FAILURE() << "fork failed";
    return usage;
  }
  int status = 0;
  rusage ru{};
  while (wait4(pid, &status, 0, &ru) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) usage.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) usage.signal = WTERMSIG(status);
  usage.cpu_seconds = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                      static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
  usage.peak_rss_kib = ru.ru_maxrss;
  struct stat out_info {};
  usage.out_bytes =
      stat(out_path.c_str(), &out_info) == 0 ? static_cast<std::size_t>(out_info.st_size) : 0;
  usage.err = testing::ReadFile(err_path);
  return usage;
}

// A hostile input: prefix, then `repeated` as often as fits, then suffix,
// as large as the default [render] max_bytes lets in. Built when its test
// runs (listing the tests must stay cheap).
struct Shape {
  const char* name;
  const char* prefix;
  const char* repeated;
  const char* suffix;
  bool over_limit = false;  // one byte more than max_bytes: must be refused (exit 2)

  std::string Build() const {
    const auto max = static_cast<std::size_t>(renderer::kDefaultMaxBytes);
    std::string out = prefix;
    const std::string piece = repeated;
    const std::size_t end = max - std::string_view(suffix).size();
    out.reserve(max);
    while (out.size() + piece.size() <= end) out += piece;
    out += suffix;
    if (over_limit) out += 'x';
    return out;
  }
};

// Test names and failure messages show the shape's name, not its bytes.
void PrintTo(const Shape& shape, std::ostream* out) { *out << shape.name; }

// Measured slow or memory-hungry in cmark-gfm 0.29.0.gfm.6 (issue #11), and
// the other runs of special characters.
const Shape kShapes[] = {
    {"cdata_openers", "a", "<![CDATA[", ""},
    {"processing_instruction_openers", "a", "<?", ""},
    {"comment_openers", "a", "<!--", ""},
    {"declaration_openers", "a", "<!A", ""},
    {"emphasis", "", "*a* ", ""},
    {"strong", "", "**a** ", ""},
    {"list_items", "", "- a\n", ""},
    {"open_brackets", "", "[", ""},
    {"link_openers", "", "[a](", ""},
    {"image_openers", "", "![", ""},
    {"backticks", "", "`a", ""},
    {"blockquote_nesting", "", ">", ""},
    {"list_nesting", "", "- ", ""},
    {"entities", "", "&amp;", ""},
    {"keys", "", "PROJ-1 ", ""},
    {"wide_table", "|", "a|", "\n|-|\n"},
    {"table_rows", "a|b\n-|-\n", "1|2\n", ""},
    {"autolinks", "", "www.a.co ", ""},
    {"html_tags", "", "<a>", ""},
    {"underscores", "", "_a", ""},
    {"tildes", "", "~a", ""},
    {"lines", "", "a\n", ""},
    {"list_blockquotes", "", "- >", ""},
    {"open_emphasis", "", "*a", ""},
    {"email_autolinks", "", "a@b.co ", ""},
    {"www_autolinks_without_space", "", "www.a_", ""},  // fuzz finding: quadratic
    {"over_max_bytes", "", "a", "", true},
};

class RenderLimitsTest : public ::testing::TestWithParam<Shape> {
 protected:
  void SetUp() override {
    release_bin_ = JIRALINK_RELEASE_BIN;
    if (release_bin_.empty()) {
      GTEST_SKIP() << "JIRALINK_RELEASE_BIN is not set: configure with "
                      "-DJIRALINK_RELEASE_BIN=<release build>/cli/jiralink (./quickstart.sh test "
                      "does) to measure the release build on hostile input";
    }
    ASSERT_EQ(access(release_bin_.c_str(), X_OK), 0) << release_bin_ << " is not runnable";
    config_ = dir_.Path("config.toml");
    testing::WriteFile(config_,
                       "[jira]\nweb_url = \"https://jira.example.com\"\n[state]\ndir = \"" +
                           dir_.Path("state") + "\"\n");
  }

  std::string release_bin_;
  TempDir dir_;
  std::string config_;
};

TEST_P(RenderLimitsTest, RendersOrRefusesWithinTimeAndMemory) {
  const Shape& shape = GetParam();
  testing::WriteFile(dir_.Path("input.md"), shape.Build());
  const long self_rss_kib = SelfRssKib();
  Usage usage = RunMeasured({release_bin_, "render", "--config", config_, "--no-cache"},
                            dir_.Path("input.md"), dir_);
  EXPECT_EQ(usage.signal, 0) << shape.name << " was killed";
  if (shape.over_limit) {
    EXPECT_EQ(usage.exit_code, 2);
    EXPECT_NE(usage.err.find("more than [render] max_bytes"), std::string::npos) << usage.err;
  } else {
    EXPECT_EQ(usage.exit_code, 0) << shape.name << "\n" << usage.err;
    EXPECT_GT(usage.out_bytes, 0u) << shape.name;
  }
  EXPECT_LE(usage.cpu_seconds, kMaxCpuSeconds) << shape.name;
  EXPECT_LE(usage.peak_rss_kib, kMaxPeakRssKib) << shape.name;
  std::printf("%-32s exit %d  cpu %.2f s  peak %ld MiB (this process: %ld MiB)  out %zu bytes\n",
              shape.name, usage.exit_code, usage.cpu_seconds, usage.peak_rss_kib / 1024,
              self_rss_kib / 1024, usage.out_bytes);
}

INSTANTIATE_TEST_SUITE_P(HostileShapes, RenderLimitsTest, ::testing::ValuesIn(kShapes),
                         [](const ::testing::TestParamInfo<Shape>& param_info) {
                           return std::string(param_info.param.name);
                         });

}  // namespace
}  // namespace jiralink
