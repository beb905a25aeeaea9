// packaging/systemd: the units pass `systemd-analyze verify`, run commands
// and flags the program has, and carry the hardening the package promises.
#include <gtest/gtest.h>

#include <string>

#include "cli_help.h"
#include "support/test_support.h"

namespace jiralink::testing {
namespace {

const char* const kUnits[] = {"jiralink-deliver.service", "jiralink-serve.service",
                              "jiralink-serve.socket"};

std::string Unit(const std::string& name) {
  return ReadFile(SourceDir() + "/packaging/systemd/" + name);
}

// The value of the first `key=` line of a unit.
std::string Value(const std::string& unit, const std::string& key) {
  std::size_t at = unit.find("\n" + key + "=");
  if (at == std::string::npos) return {};
  at += key.size() + 2;
  return unit.substr(at, unit.find('\n', at) - at);
}

TEST(SystemdUnitsTest, VerifyCleanly) {
  if (RunProcess({"systemd-analyze", "--version"}).exit_code == 127) {
    GTEST_SKIP() << "systemd-analyze is not installed (apt-get install systemd)";
  }
  // Copies whose ExecStart is this build's program (verify checks that it exists).
  TempDir dir;
  std::vector<std::string> argv = {"systemd-analyze", "verify", "--man=no"};
  for (const char* name : kUnits) {
    std::string text = Unit(name);
    for (std::size_t at; (at = text.find("/usr/bin/jiralink")) != std::string::npos;) {
      text.replace(at, 17, JiralinkBin());
    }
    WriteFile(dir.Path(name), text);
    argv.push_back(dir.Path(name));
  }
  ProcessResult verify = RunProcess(argv);
  EXPECT_EQ(verify.exit_code, 0) << verify.err;
  EXPECT_EQ(verify.err, "");
}

TEST(SystemdUnitsTest, DeliverRunsTheDaemonWithFlagsThatExist) {
  const std::string unit = Unit("jiralink-deliver.service");
  EXPECT_EQ(Value(unit, "ExecStart"),
            "/usr/bin/jiralink --config /etc/jiralink/config.toml deliver --daemon");
  EXPECT_EQ(OptionsOf("deliver").count("--daemon"), 1u);
  // The hook does not inherit the unit's environment: a setting there would
  // stop nothing (issue #23; README, "Delivery").
  EXPECT_EQ(unit.find("JIRALINK_NO_AUTO_DELIVER"), std::string::npos);
  EXPECT_EQ(Value(unit, "Environment"), "");
  // It takes the jobs hooks of other users drop into the maildrop.
  EXPECT_EQ(Value(unit, "ReadWritePaths"), "/var/spool/jiralink");
}

// Issue #23: the units run as shipped, without `systemctl edit`: as the
// queue's owner, and only once the settings exist, so that the package may
// enable them before the admin writes /etc/jiralink/config.toml.
TEST(SystemdUnitsTest, UnitsWaitForTheSettings) {
  for (const char* name : kUnits) {
    EXPECT_EQ(Value(Unit(name), "ConditionPathExists"), "/etc/jiralink/config.toml") << name;
  }
}

TEST(SystemdUnitsTest, ServeIsSocketActivatedOnTheDefaultListenAddress) {
  EXPECT_EQ(Value(Unit("jiralink-serve.socket"), "ListenStream"), "127.0.0.1:8787");
  const std::string service = Unit("jiralink-serve.service");
  EXPECT_EQ(Value(service, "Requires"), "jiralink-serve.socket");
  EXPECT_EQ(Value(service, "ExecStart"),
            "/usr/bin/jiralink --config /etc/jiralink/config.toml serve");
}

TEST(SystemdUnitsTest, ServicesRunHardenedAsTheSystemUser) {
  for (const char* name : {"jiralink-deliver.service", "jiralink-serve.service"}) {
    const std::string unit = Unit(name);
    EXPECT_EQ(Value(unit, "User"), "jiralink") << name;
    EXPECT_EQ(Value(unit, "Group"), "jiralink") << name;
    EXPECT_EQ(Value(unit, "StateDirectory"), "jiralink") << name;
    EXPECT_EQ(Value(unit, "NoNewPrivileges"), "yes") << name;
    EXPECT_EQ(Value(unit, "ProtectSystem"), "strict") << name;
    EXPECT_EQ(Value(unit, "ProtectHome"), "yes") << name;
    EXPECT_EQ(Value(unit, "PrivateTmp"), "yes") << name;
    EXPECT_EQ(Value(unit, "CapabilityBoundingSet"), "") << name;
    EXPECT_NE(unit.find("\nCapabilityBoundingSet=\n"), std::string::npos) << name;
  }
}

}  // namespace
}  // namespace jiralink::testing
