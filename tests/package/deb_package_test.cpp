// The .deb (packaging/cpack.cmake): built with CPack from this build tree
// (once per ctest run, by the fixture in tests/package/build_deb.cmake), then
// read back with dpkg-deb: control fields, maintainer scripts, no conffile,
// the file list, and lintian's verdict.
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

// The .deb, built once per ctest run by the fixture package.build_deb
// (tests/package/build_deb.cmake) into JIRALINK_TEST_DEB_DIR.
class DebPackageTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const fs::path dir = JIRALINK_TEST_DEB_DIR;
    if (fs::exists(dir / "SKIP")) {
      *skip_ = ReadFile((dir / "SKIP").string());
      return;
    }
    std::error_code error;
    for (const fs::directory_entry& entry : fs::directory_iterator(dir, error)) {
      if (entry.path().extension() == ".deb") *deb_ = entry.path().string();
    }
  }
  void SetUp() override {
    if (!skip_->empty()) GTEST_SKIP() << *skip_;
    ASSERT_FALSE(deb_->empty()) << "no .deb in " << JIRALINK_TEST_DEB_DIR
                                << ": run these tests with ctest, whose fixture package.build_deb "
                                   "builds it (ctest -R package)";
  }

  static inline std::string* const deb_ = new std::string;
  static inline std::string* const skip_ = new std::string;
};

TEST_F(DebPackageTest, ControlFieldsScriptsAndFiles) {
  const std::string& deb = *deb_;
  const std::string arch = RunProcess({"dpkg", "--print-architecture"}).out;
  EXPECT_EQ(fs::path(deb).filename().string(),
            "jiralink_0.1.0_" + arch.substr(0, arch.find('\n')) + ".deb");
  EXPECT_EQ(Field(deb, "Package"), "jiralink");
  EXPECT_EQ(Field(deb, "Version"), "0.1.0");
  EXPECT_EQ(Field(deb, "Section"), "vcs");
  EXPECT_FALSE(Field(deb, "Maintainer").empty());
  EXPECT_EQ(Field(deb, "Recommends"), "ca-certificates");
  // libpq5 and hiredis are loaded with dlopen() only for a PostgreSQL
  // outbox and a Redis render cache.
  EXPECT_EQ(Field(deb, "Suggests"), "libpq5, libhiredis0.14");
  // An address lintian accepts and that claims no one's mailbox (RFC 2606).
  EXPECT_EQ(Field(deb, "Maintainer"), "jiralink maintainers <maintainers@jiralink.invalid>");
  const std::set<std::string> depends = Packages(Field(deb, "Depends"));
  // libcurl4 is loaded with dlopen(): only the explicit entry declares it.
  // libstdc++6: jiralink-serve links it (jiralink itself does with
  // JIRALINK_STATIC_LIBS off).
  // adduser: postinst creates the queue's owner with it.
  for (const char* needed :
       {"libcurl4", "git", "adduser", "libc6", "libstdc++6", "libmicrohttpd12"}) {
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
  for (const char* script : {"postinst", "prerm", "postrm"}) {
    EXPECT_TRUE(fs::exists(control.Path(script))) << script;
    EXPECT_EQ(fs::status(control.Path(script)).permissions() & fs::perms::owner_exec,
              fs::perms::owner_exec)
        << script;
  }
  EXPECT_FALSE(fs::exists(control.Path("conffiles")));

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
      "/usr/share/doc/jiralink/copyright",
      "/usr/share/doc/jiralink/changelog.gz",
      "/usr/share/lintian/overrides/jiralink",
  };
  if (!std::string(JIRALINK_MAN_PAGE).empty()) expected.insert("/usr/share/man/man1/jiralink.1.gz");
  EXPECT_EQ(files, expected);
}

// Issue #23: the code compiled in keeps its notices. Every source package in
// Static-Built-Using has its stanza in the shipped copyright file, and every
// license a stanza names is written out there in full.
TEST_F(DebPackageTest, CopyrightCarriesTheNoticesOfEveryCompiledInSource) {
  TempDir tree;
  ASSERT_EQ(RunProcess({"dpkg-deb", "-x", *deb_, tree.path()}).exit_code, 0);
  const std::string copyright = ReadFile(tree.Path("usr/share/doc/jiralink/copyright"));
  ASSERT_FALSE(copyright.empty());
  for (const std::string& source : Packages(Field(*deb_, "Static-Built-Using"))) {
    EXPECT_NE(copyright.find("\nFiles: compiled-in/" + source + "/*\n"), std::string::npos)
        << source << " has no stanza in the copyright file";
  }
  std::set<std::string> named;
  std::set<std::string> written;
  std::stringstream lines(copyright);
  bool in_files = false;
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with("Files:")) in_files = true;
    if (line.empty()) in_files = false;
    if (!line.starts_with("License:")) continue;
    std::string name = line.substr(line.find_first_not_of(' ', 8));
    (in_files ? named : written).insert(name);
  }
  for (const std::string& name : named) {
    if (name == "jiralink-no-license-yet") continue;  // its text is in its own stanza
    EXPECT_EQ(written.count(name), 1u) << "license " << name << " is named but not written out";
  }
}

// Issue #23: lintian finds no error and no warning. Its overrides are
// shipped with their reasons (packaging/debian/lintian-overrides).
TEST_F(DebPackageTest, LintianReportsNoErrorOrWarning) {
  if (!Have("lintian")) GTEST_SKIP() << "lintian is not installed (apt-get install lintian)";
  ProcessResult lintian =
      RunProcess({"lintian", "--fail-on", "none", *deb_}, {.timeout = std::chrono::minutes(4)});
  ASSERT_EQ(lintian.exit_code, 0) << lintian.err;
  std::stringstream lines(lintian.out);
  for (std::string line; std::getline(lines, line);) {
    EXPECT_FALSE(line.starts_with("E: ") || line.starts_with("W: ")) << line;
  }
  const std::string overrides = ReadFile(SourceDir() + "/packaging/debian/lintian-overrides");
  EXPECT_NE(overrides.find("\n# "), std::string::npos) << "each override says why";
}

// The maintainer scripts: the queue's owner and directories with the modes of
// the deployment model, each honouring dpkg-statoverride, and the delivery
// unit enabled, started, stopped and purged as debhelper's snippets do.
TEST_F(DebPackageTest, MaintainerScriptsCreateTheModelAndManageTheUnits) {
  TempDir control;
  ASSERT_EQ(RunProcess({"dpkg-deb", "--control", *deb_, control.path()}).exit_code, 0);
  const std::string postinst = ReadFile(control.Path("postinst"));
  for (const char* text :
       {"adduser --quiet --system --ingroup jiralink --home /var/lib/jiralink --no-create-home",
        "addgroup --quiet --system jiralink", "dpkg-statoverride --list",
        "jiralink_directory /var/lib/jiralink jiralink jiralink 0700",
        "jiralink_directory /var/spool/jiralink root root 0755",
        "jiralink_directory /var/spool/jiralink/maildrop jiralink jiralink 3730",
        "jiralink_directory /etc/jiralink root root 0755",
        "deb-systemd-helper enable jiralink-deliver.service",
        "deb-systemd-invoke $jiralink_action jiralink-deliver.service"}) {
    EXPECT_NE(postinst.find(text), std::string::npos) << text;
  }
  const std::string prerm = ReadFile(control.Path("prerm"));
  EXPECT_NE(prerm.find("deb-systemd-invoke stop jiralink-deliver.service"), std::string::npos);
  const std::string postrm = ReadFile(control.Path("postrm"));
  EXPECT_NE(postrm.find("deb-systemd-helper purge jiralink-deliver.service"), std::string::npos);
  EXPECT_NE(postrm.find("rm -rf /var/lib/jiralink /var/spool/jiralink"), std::string::npos);
  // POSIX sh, as dpkg runs them.
  for (const char* script : {"postinst", "prerm", "postrm"}) {
    ProcessResult check = RunProcess({"sh", "-n", control.Path(script)});
    EXPECT_EQ(check.exit_code, 0) << script << ": " << check.err;
  }
}

// Issue #23: the README builds the package after `./quickstart.sh demo`, which
// builds the target jiralink only: the files the install rules need (the
// manual page, the changelog) must be built with it.
TEST(DebPackageBuildTest, TheProgramsTargetBuildsWhatThePackageInstalls) {
  if (!Have("ninja")) GTEST_SKIP() << "ninja is not installed (apt-get install ninja-build)";
  ProcessResult inputs =
      RunProcess({"ninja", "-C", JIRALINK_BUILD_DIR, "-t", "inputs", "jiralink"});
  if (inputs.exit_code != 0) GTEST_SKIP() << "not a Ninja build directory: " << inputs.err;
  std::set<std::string> built;
  std::stringstream lines(inputs.out);
  for (std::string line; std::getline(lines, line);) built.insert(line);
  EXPECT_EQ(built.count("packaging/jiralink_changelog"), 1u) << inputs.out;
  if (!std::string(JIRALINK_MAN_PAGE).empty()) {
    EXPECT_EQ(built.count("packaging/jiralink_man"), 1u) << inputs.out;
  }
}

}  // namespace
}  // namespace jiralink::testing
