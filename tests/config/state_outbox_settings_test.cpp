// [state] outbox and its password: a PostgreSQL URI or an SQLite path,
// validated with file:line:column, top level only, never shown with its
// password.
#include <cstdlib>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "jiralink/config/loader.h"
#include "support/test_support.h"

namespace jiralink::config {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kPath[] = "/etc/jiralink/config.toml";

std::vector<Diagnostic> Diagnostics(const std::string& toml, Config* config,
                                    Diagnostic::Severity severity) {
  std::vector<Diagnostic> diagnostics;
  Config::LoadFromString(toml, kPath, config, &diagnostics);
  std::vector<Diagnostic> out;
  for (const Diagnostic& d : diagnostics) {
    if (d.severity == severity) out.push_back(d);
  }
  return out;
}

std::vector<Diagnostic> Errors(const std::string& toml) {
  Config config;
  return Diagnostics(toml, &config, Diagnostic::Severity::kError);
}

TEST(StateOutboxSettings, DefaultIsTheSqliteFileInTheStateDir) {
  Config config;
  ASSERT_TRUE(Diagnostics("[state]\ndir = \"/var/lib/jl\"\n", &config, Diagnostic::Severity::kError)
                  .empty());
  Settings settings = config.ForRepo("");
  EXPECT_EQ(settings.state.outbox, "");
  EXPECT_EQ(SqliteOutboxPath(settings.state), "/var/lib/jl/outbox.sqlite3");
}

TEST(StateOutboxSettings, APostgresUriIsKeptAndTheSpoolStaysInTheStateDir) {
  Config config;
  ASSERT_TRUE(
      Diagnostics("[state]\ndir = \"/var/lib/jl\"\noutbox = "
                  "\"postgresql://jiralink@db.example.com:5432/jiralink?sslmode=verify-full\"\n",
                  &config, Diagnostic::Severity::kError)
          .empty());
  Settings settings = config.ForRepo("platform/api");
  EXPECT_EQ(settings.state.outbox,
            "postgresql://jiralink@db.example.com:5432/jiralink?sslmode=verify-full");
  EXPECT_EQ(SqliteOutboxPath(settings.state), "/var/lib/jl/outbox.sqlite3");
}

TEST(StateOutboxSettings, ARelativeSqlitePathIsRelativeToTheSettingsFile) {
  Config config;
  ASSERT_TRUE(
      Diagnostics("[state]\noutbox = \"queue/outbox.db\"\n", &config, Diagnostic::Severity::kError)
          .empty());
  Settings settings = config.ForRepo("");
  EXPECT_EQ(settings.state.outbox, "/etc/jiralink/queue/outbox.db");
  EXPECT_EQ(SqliteOutboxPath(settings.state), "/etc/jiralink/queue/outbox.db");
}

TEST(StateOutboxSettings, AnotherSchemeIsAnErrorAtTheValue) {
  std::vector<Diagnostic> errors = Errors("[state]\noutbox = \"mysql://db/jl\"\n");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].line, 2);
  EXPECT_EQ(errors[0].column, 10);
  EXPECT_THAT(errors[0].ToString(), HasSubstr("/etc/jiralink/config.toml:2:10"));
  EXPECT_THAT(errors[0].message, HasSubstr("postgresql:// URI or an SQLite file path"));
}

TEST(StateOutboxSettings, AUriWithoutServerOrWithSpacesIsAnError) {
  std::vector<Diagnostic> errors = Errors("[state]\noutbox = \"postgresql://\"\n");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors[0].message, HasSubstr("names no server"));
  errors = Errors("[state]\n\noutbox = \"postgresql://db/j l\"\n");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].line, 3);
  EXPECT_THAT(errors[0].message, HasSubstr("white space"));
}

TEST(StateOutboxSettings, OnlyTheTopLevelMaySetTheOutbox) {
  std::vector<Diagnostic> errors =
      Errors("[projects.\"platform/api\".state]\noutbox = \"postgresql://db/jl\"\n");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].line, 2);
  EXPECT_EQ(errors[0].column, 1);
  EXPECT_THAT(errors[0].message, HasSubstr("top-level [state]"));
}

TEST(StateOutboxSettings, APasswordInTheUriIsWarnedAboutAndNeverShown) {
  Config config;
  std::vector<Diagnostic> warnings =
      Diagnostics("[state]\noutbox = \"postgresql://jl:hunter2@db/jl?password=hunter3\"\n", &config,
                  Diagnostic::Severity::kWarning);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0].line, 2);
  EXPECT_THAT(warnings[0].message, HasSubstr("outbox_password_file"));
  EXPECT_THAT(warnings[0].ToString(), Not(HasSubstr("hunter")));
  std::string shown = Config::Describe(config.ForRepo(""));
  EXPECT_THAT(shown, HasSubstr("outbox = \"postgresql://db/jl\""));
  EXPECT_THAT(shown, Not(HasSubstr("hunter")));
  EXPECT_THAT(shown, Not(HasSubstr("jl:")));
}

TEST(StateOutboxSettings, ThePasswordComesFromAFileOrTheEnvironment) {
  testing::TempDir dir;
  testing::WriteFile(dir.Path("pw"), "s3cret\n");
  Config config;
  ASSERT_TRUE(Diagnostics("[state]\noutbox = \"postgresql://db/jl\"\noutbox_password_file = \"" +
                              dir.Path("pw") + "\"\n",
                          &config, Diagnostic::Severity::kError)
                  .empty());
  std::string password;
  ASSERT_TRUE(ResolveOutboxPassword(config.ForRepo("").state, &password).ok());
  EXPECT_EQ(password, "s3cret");
  EXPECT_THAT(Config::Describe(config.ForRepo("")), Not(HasSubstr("s3cret")));

  ASSERT_TRUE(Diagnostics("[state]\noutbox = \"postgresql://db/jl\"\noutbox_password_env = "
                          "\"JL_TEST_OUTBOX_PW\"\n",
                          &config, Diagnostic::Severity::kError)
                  .empty());
  ::unsetenv("JL_TEST_OUTBOX_PW");
  Status missing = ResolveOutboxPassword(config.ForRepo("").state, &password);
  EXPECT_FALSE(missing.ok());
  EXPECT_THAT(missing.message(), HasSubstr("JL_TEST_OUTBOX_PW"));
  ::setenv("JL_TEST_OUTBOX_PW", "from-env", 1);
  ASSERT_TRUE(ResolveOutboxPassword(config.ForRepo("").state, &password).ok());
  EXPECT_EQ(password, "from-env");
  ::unsetenv("JL_TEST_OUTBOX_PW");

  std::vector<Diagnostic> both =
      Errors("[state]\noutbox_password_file = \"/x\"\noutbox_password_env = \"Y\"\n");
  ASSERT_EQ(both.size(), 1u);
  EXPECT_EQ(both[0].line, 3);
  EXPECT_THAT(both[0].message, HasSubstr("set exactly one"));
}

}  // namespace
}  // namespace jiralink::config
