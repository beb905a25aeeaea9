// `cmake --install` into a scratch prefix (packaging/CMakeLists.txt): exactly
// the documented files, with the modes a package needs, and a binary that runs.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <set>
#include <string>

#include "support/test_support.h"

namespace jiralink::testing {
namespace {

namespace fs = std::filesystem;

// Every regular file under `root`, as a path relative to it.
std::set<std::string> FilesUnder(const std::string& root) {
  std::set<std::string> files;
  for (const fs::directory_entry& entry : fs::recursive_directory_iterator(root)) {
    if (entry.is_regular_file()) files.insert(fs::relative(entry.path(), root).string());
  }
  return files;
}

std::set<std::string> ExpectedFiles() {
  std::set<std::string> files = {
      "bin/jiralink",
      "libexec/jiralink/jiralink-serve",
      "share/bash-completion/completions/jiralink",
      "lib/systemd/system/jiralink-deliver.service",
      "lib/systemd/system/jiralink-serve.service",
      "lib/systemd/system/jiralink-serve.socket",
      "share/doc/jiralink/examples/config.toml",
      "share/doc/jiralink/README.md",
      "share/doc/jiralink/changelog.gz",
      "share/doc/jiralink/copyright",
      "share/lintian/overrides/jiralink",
  };
  if (!std::string(JIRALINK_MAN_PAGE).empty()) files.insert("share/man/man1/jiralink.1.gz");
  return files;
}

TEST(InstallTest, ScratchPrefixGetsTheDocumentedFiles) {
  TempDir dir;
  const std::string prefix = dir.Path("prefix");
  ProcessResult install =
      RunProcess({JIRALINK_CMAKE, "--install", JIRALINK_BUILD_DIR, "--prefix", prefix},
                 {.timeout = std::chrono::milliseconds(120000)});
  ASSERT_EQ(install.exit_code, 0) << install.out << install.err;
  EXPECT_EQ(FilesUnder(prefix), ExpectedFiles());

  struct stat info {};
  ASSERT_EQ(::stat((prefix + "/bin/jiralink").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0755u);
  ASSERT_EQ(::stat((prefix + "/lib/systemd/system/jiralink-deliver.service").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0644u);

  // The installed program is this build's, and the example is the one in examples/.
  ProcessResult version = RunProcess({prefix + "/bin/jiralink", "-V"});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_EQ(version.out, RunJiralink({"--version"}).out);
  EXPECT_EQ(ReadFile(prefix + "/share/doc/jiralink/examples/config.toml"),
            ReadFile(SourceDir() + "/examples/config.toml"));
}

}  // namespace
}  // namespace jiralink::testing
