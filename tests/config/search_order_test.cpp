// Where the settings file is found: --config, $JIRALINK_CONFIG,
// $XDG_CONFIG_HOME (or ~/.config), /etc; and the default state directory.
#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "jiralink/config/loader.h"
#include "support/test_support.h"

namespace jiralink::config {
namespace {

using jiralink::testing::TempDir;
using jiralink::testing::WriteFile;
using ::testing::HasSubstr;

// Sets (or unsets, with nullopt) environment variables for one test.
class ScopedEnv {
 public:
  explicit ScopedEnv(const std::map<std::string, std::optional<std::string>>& values) {
    for (const auto& [name, value] : values) {
      const char* old = std::getenv(name.c_str());
      saved_[name] = old ? std::optional<std::string>(old) : std::nullopt;
      Set(name, value);
    }
  }
  ~ScopedEnv() {
    for (const auto& [name, value] : saved_) Set(name, value);
  }

 private:
  static void Set(const std::string& name, const std::optional<std::string>& value) {
    if (value) {
      setenv(name.c_str(), value->c_str(), 1);
    } else {
      unsetenv(name.c_str());
    }
  }
  std::map<std::string, std::optional<std::string>> saved_;
};

// A file whose [matching] prefix tells which file was read.
std::string Marker(const std::string& name) { return "[matching]\nprefix = \"" + name + "#\"\n"; }

struct Loaded {
  Status status;
  Config config;
  std::vector<Diagnostic> diagnostics;
};

Loaded LoadWith(const std::string& explicit_path) {
  Loaded loaded;
  LoadOptions options;
  options.explicit_path = explicit_path;
  loaded.status = Config::Load(options, &loaded.config, &loaded.diagnostics);
  return loaded;
}

class ConfigSearchOrder : public ::testing::Test {
 protected:
  void SetUp() override {
    WriteFile(dir_.Path("explicit.toml"), Marker("EXPLICIT"));
    WriteFile(dir_.Path("env.toml"), Marker("ENV"));
    std::filesystem::create_directories(dir_.Path("xdg/jiralink"));
    WriteFile(dir_.Path("xdg/jiralink/config.toml"), Marker("XDG"));
    std::filesystem::create_directories(dir_.Path("home/.config/jiralink"));
    WriteFile(dir_.Path("home/.config/jiralink/config.toml"), Marker("HOME"));
  }
  TempDir dir_;
};

TEST_F(ConfigSearchOrder, ExplicitPathWinsOverEverything) {
  ScopedEnv env({{"JIRALINK_CONFIG", dir_.Path("env.toml")},
                 {"XDG_CONFIG_HOME", dir_.Path("xdg")},
                 {"HOME", dir_.Path("home")}});
  Loaded loaded = LoadWith(dir_.Path("explicit.toml"));
  ASSERT_TRUE(loaded.status.ok()) << loaded.status.ToString();
  EXPECT_EQ(loaded.config.path(), dir_.Path("explicit.toml"));
  EXPECT_EQ(loaded.config.ForRepo("").matching.prefix, "EXPLICIT#");
}

TEST_F(ConfigSearchOrder, EnvironmentVariableComesNext) {
  ScopedEnv env({{"JIRALINK_CONFIG", dir_.Path("env.toml")},
                 {"XDG_CONFIG_HOME", dir_.Path("xdg")},
                 {"HOME", dir_.Path("home")}});
  Loaded loaded = LoadWith("");
  ASSERT_TRUE(loaded.status.ok());
  EXPECT_EQ(loaded.config.ForRepo("").matching.prefix, "ENV#");
}

TEST_F(ConfigSearchOrder, XdgConfigHomeBeforeHome) {
  ScopedEnv env({{"JIRALINK_CONFIG", std::nullopt},
                 {"XDG_CONFIG_HOME", dir_.Path("xdg")},
                 {"HOME", dir_.Path("home")}});
  Loaded loaded = LoadWith("");
  ASSERT_TRUE(loaded.status.ok());
  EXPECT_EQ(loaded.config.path(), dir_.Path("xdg/jiralink/config.toml"));
}

TEST_F(ConfigSearchOrder, HomeDotConfigWhenXdgIsUnset) {
  ScopedEnv env({{"JIRALINK_CONFIG", std::nullopt},
                 {"XDG_CONFIG_HOME", std::nullopt},
                 {"HOME", dir_.Path("home")}});
  Loaded loaded = LoadWith("");
  ASSERT_TRUE(loaded.status.ok());
  EXPECT_EQ(loaded.config.ForRepo("").matching.prefix, "HOME#");
}

TEST_F(ConfigSearchOrder, NoFileAnywhereMeansDefaults) {
  if (std::filesystem::exists("/etc/jiralink/config.toml"))
    GTEST_SKIP() << "host has /etc/jiralink";
  ScopedEnv env({{"JIRALINK_CONFIG", std::nullopt},
                 {"XDG_CONFIG_HOME", dir_.Path("empty")},
                 {"HOME", dir_.Path("empty")}});
  Loaded loaded = LoadWith("");
  ASSERT_TRUE(loaded.status.ok());
  EXPECT_TRUE(loaded.diagnostics.empty());
  EXPECT_EQ(loaded.config.path(), "");
  EXPECT_EQ(loaded.config.ForRepo("").matching.prefix, "");
}

TEST_F(ConfigSearchOrder, MissingExplicitPathIsAnErrorNamingIt) {
  Loaded loaded = LoadWith(dir_.Path("nope.toml"));
  EXPECT_FALSE(loaded.status.ok());
  ASSERT_EQ(loaded.diagnostics.size(), 1u);
  EXPECT_EQ(loaded.diagnostics[0].ToString(),
            dir_.Path("nope.toml") + ": error: settings file not found (named by --config)");
}

TEST_F(ConfigSearchOrder, MissingEnvironmentPathIsAnErrorNamingIt) {
  ScopedEnv env(
      {{"JIRALINK_CONFIG", dir_.Path("gone.toml")}, {"XDG_CONFIG_HOME", dir_.Path("xdg")}});
  Loaded loaded = LoadWith("");
  EXPECT_FALSE(loaded.status.ok());
  ASSERT_EQ(loaded.diagnostics.size(), 1u);
  EXPECT_EQ(loaded.diagnostics[0].file, dir_.Path("gone.toml"));
  EXPECT_THAT(loaded.diagnostics[0].message, HasSubstr("$JIRALINK_CONFIG"));
}

TEST_F(ConfigSearchOrder, ErrorsInTheFoundFileNameThatFile) {
  WriteFile(dir_.Path("bad.toml"), "[jira]\nauth = \"none\"\n");
  Loaded loaded = LoadWith(dir_.Path("bad.toml"));
  EXPECT_FALSE(loaded.status.ok());
  ASSERT_EQ(loaded.diagnostics.size(), 1u);
  EXPECT_THAT(loaded.diagnostics[0].ToString(),
              ::testing::StartsWith(dir_.Path("bad.toml") + ":2:8: error: [jira] auth"));
}

TEST_F(ConfigSearchOrder, ADirectoryIsNotASettingsFile) {
  Loaded loaded = LoadWith(dir_.Path("xdg"));
  EXPECT_FALSE(loaded.status.ok());
  ASSERT_EQ(loaded.diagnostics.size(), 1u);
  EXPECT_EQ(loaded.diagnostics[0].ToString(),
            dir_.Path("xdg") +
                ": error: cannot read the settings file: not a regular file (a directory)");
}

TEST(DefaultStateDir, FollowsXdgStateHomeThenHome) {
  const std::string no_package = "/nonexistent/var/lib/jiralink";
  {
    ScopedEnv env({{"XDG_STATE_HOME", "/x/state"}, {"HOME", "/home/u"}});
    EXPECT_EQ(DefaultStateDir(no_package), "/x/state/jiralink");
  }
  {
    ScopedEnv env({{"XDG_STATE_HOME", std::nullopt}, {"HOME", "/home/u"}});
    EXPECT_EQ(DefaultStateDir(no_package), "/home/u/.local/state/jiralink");
  }
  {
    // A relative XDG value is ignored, as the XDG specification asks.
    ScopedEnv env({{"XDG_STATE_HOME", "rel"}, {"HOME", "/home/u"}});
    EXPECT_EQ(DefaultStateDir(no_package), "/home/u/.local/state/jiralink");
  }
}

TEST(DefaultStateDir, ThePackagesStateWhenItExists) {
  // Every user of a host with the package shares its queue.
  TempDir system;
  ScopedEnv env({{"XDG_STATE_HOME", "/x/state"}, {"HOME", "/home/u"}});
  EXPECT_EQ(DefaultStateDir(system.path()), system.path());
}

}  // namespace
}  // namespace jiralink::config
