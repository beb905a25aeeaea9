// The .deb (packaging/cpack.cmake): built with CPack from this build tree
// into a scratch directory, then read back with dpkg-deb: control fields,
// maintainer scripts, no conffile, and the file list.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <sstream>
#include <string>

#include "support/test_support.h"

namespace jiralink::testing {
namespace {

namespace fs = std::filesystem;

bool Have(const std::string& program) {
  return RunProcess({"sh", "-c", "command -v \"$1\" >/dev/null", "sh", program}).exit_code == 0;
}

std::string Field(const std::string& deb, const std::string& name) {
  std::string value = RunProcess({"dpkg-deb", "-f", deb, name}).out;
  while (!value.empty() && value.back() == '\n') value.pop_back();
  return value;
}

// The package names of a Depends field ("libc6 (>= 2.34), git" -> libc6, git).
std::set<std::string> Packages(const std::string& depends) {
  std::set<std::string> names;
  std::stringstream stream(depends);
  for (std::string item; std::getline(stream, item, ',');) {
    std::size_t start = item.find_first_not_of(' ');
    std::size_t end = item.find_first_of(" (|", start);
    if (start != std::string::npos) names.insert(item.substr(start, end - start));
  }
  return names;
}

TEST(DebPackageTest, ControlFieldsScriptsAndFiles) {
  for (const char* program : {"dpkg-deb", "dpkg-shlibdeps", "file"}) {
    if (!Have(program)) {
      GTEST_SKIP() << program << " is not installed (apt-get install dpkg-dev file)";
    }
  }
  TempDir dir;
  // Uncompressed here: this build's binary is large (sanitizers) and the
  // compression is dpkg-deb's business; everything else is the release setting.
  ProcessResult cpack = RunProcess({JIRALINK_CPACK, "-G", "DEB", "--config",
                                    std::string(JIRALINK_BUILD_DIR) + "/CPackConfig.cmake", "-B",
                                    dir.path(), "-D", "CPACK_DEBIAN_COMPRESSION_TYPE=none"},
                                   {.timeout = std::chrono::milliseconds(280000)});
  ASSERT_EQ(cpack.exit_code, 0) << cpack.out << cpack.err;
  std::string deb;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir.path())) {
    if (entry.path().extension() == ".deb") deb = entry.path().string();
  }
  ASSERT_FALSE(deb.empty()) << cpack.out;

  const std::string arch = RunProcess({"dpkg", "--print-architecture"}).out;
  EXPECT_EQ(fs::path(deb).filename().string(),
            "jiralink_0.1.0_" + arch.substr(0, arch.find('\n')) + ".deb");
  EXPECT_EQ(Field(deb, "Package"), "jiralink");
  EXPECT_EQ(Field(deb, "Version"), "0.1.0");
  EXPECT_EQ(Field(deb, "Section"), "vcs");
  EXPECT_FALSE(Field(deb, "Maintainer").empty());
  EXPECT_EQ(Field(deb, "Recommends"), "ca-certificates");
  // hiredis is loaded with dlopen() only for a Redis render cache.
  EXPECT_EQ(Field(deb, "Suggests"), "libhiredis0.14");
  const std::set<std::string> depends = Packages(Field(deb, "Depends"));
  // libcurl4 is loaded with dlopen(): only the explicit entry declares it.
  // libstdc++6: jiralink-serve links it (jiralink itself does with
  // JIRALINK_STATIC_LIBS off).
  for (const char* needed : {"libcurl4", "git", "libc6", "libstdc++6", "libmicrohttpd12"}) {
    EXPECT_EQ(depends.count(needed), 1u) << needed << " missing from " << Field(deb, "Depends");
  }
  // The libraries compiled in with JIRALINK_STATIC_LIBS (cmake/static_libraries.cmake)
  // leave Depends and are named in Static-Built-Using instead, as source
  // packages with exact versions; the header-only ones are compiled in either way.
  const std::set<std::string> built_using = Packages(Field(deb, "Static-Built-Using"));
  for (const char* library :
       {"libre2-9", "libsqlite3-0", "libcmark-gfm0.29.0.gfm.6",
        "libcmark-gfm-extensions0.29.0.gfm.6", "libtomlplusplus3", "libxxhash0"}) {
    EXPECT_EQ(depends.count(library), JIRALINK_STATIC_LIBS ? 0u : 1u)
        << library << " in Depends: " << Field(deb, "Depends");
  }
  for (const char* source : {"re2", "sqlite3", "cmark-gfm", "xxhash", "tomlplusplus"}) {
    EXPECT_EQ(built_using.count(source), JIRALINK_STATIC_LIBS ? 1u : 0u)
        << source << " in Static-Built-Using: " << Field(deb, "Static-Built-Using");
  }
  for (const char* source : {"nlohmann-json3", "cli11"}) {
    EXPECT_EQ(built_using.count(source), 1u)
        << source << " missing from Static-Built-Using: " << Field(deb, "Static-Built-Using");
  }
  EXPECT_NE(Field(deb, "Static-Built-Using").find("(= "), std::string::npos)
      << "exact source versions";
  EXPECT_TRUE(Field(deb, "Built-Using").empty()) << "Built-Using is for license compliance only";

  // Maintainer scripts, and no conffile: nothing is shipped under /etc.
  TempDir control;
  ASSERT_EQ(RunProcess({"dpkg-deb", "--control", deb, control.path()}).exit_code, 0);
  EXPECT_TRUE(fs::exists(control.Path("postinst")));
  EXPECT_TRUE(fs::exists(control.Path("postrm")));
  EXPECT_FALSE(fs::exists(control.Path("conffiles")));
  EXPECT_NE(ReadFile(control.Path("postinst")).find("useradd --system"), std::string::npos);
  EXPECT_EQ(fs::status(control.Path("postinst")).permissions() & fs::perms::owner_exec,
            fs::perms::owner_exec);

  std::set<std::string> files;
  std::stringstream listing(RunProcess({"dpkg-deb", "--contents", deb}).out);
  for (std::string line; std::getline(listing, line);) {
    if (line.empty() || line[0] != '-') continue;  // regular files only
    files.insert(line.substr(line.rfind(" ./") + 2));
  }
  std::set<std::string> expected = {
      "/usr/bin/jiralink",
      "/usr/libexec/jiralink/jiralink-serve",
      "/usr/share/bash-completion/completions/jiralink",
      "/usr/lib/systemd/system/jiralink-deliver.service",
      "/usr/lib/systemd/system/jiralink-serve.service",
      "/usr/lib/systemd/system/jiralink-serve.socket",
      "/usr/share/doc/jiralink/examples/config.toml",
      "/usr/share/doc/jiralink/README.md",
  };
  if (!std::string(JIRALINK_MAN_PAGE).empty()) expected.insert("/usr/share/man/man1/jiralink.1.gz");
  EXPECT_EQ(files, expected);
}

}  // namespace
}  // namespace jiralink::testing
