// [render] cache as true, false or a Redis URL, with the password in the URL,
// a file or the environment: parsing, layering, errors at file:line:column
// that never quote the password, and reading the password.
#include <sys/stat.h>

#include <cstdlib>
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

constexpr char kPath[] = "/etc/jiralink/config.toml";

std::vector<Diagnostic> Errors(const std::string& toml, Config* config) {
  std::vector<Diagnostic> diagnostics;
  Status status = Config::LoadFromString(toml, kPath, config, &diagnostics);
  std::vector<Diagnostic> errors;
  for (const Diagnostic& d : diagnostics) {
    if (d.severity == Diagnostic::Severity::kError) errors.push_back(d);
  }
  EXPECT_EQ(status.ok(), errors.empty());
  return errors;
}

Settings Loaded(const std::string& toml, std::string_view repo = "") {
  Config config;
  EXPECT_TRUE(Errors(toml, &config).empty()) << toml;
  return config.ForRepo(repo);
}

TEST(RenderCacheSettings, BooleansStillWork) {
  EXPECT_TRUE(Loaded("").render.cache);
  EXPECT_FALSE(Loaded("").render.redis);
  const Settings off = Loaded("[render]\ncache = false\n");
  EXPECT_FALSE(off.render.cache);
  EXPECT_FALSE(off.render.redis);
}

TEST(RenderCacheSettings, RedisUrl) {
  const Settings settings = Loaded("[render]\ncache = \"redis://10.1.2.3:6380/4\"\n");
  EXPECT_TRUE(settings.render.cache);
  EXPECT_TRUE(settings.render.redis);
  EXPECT_EQ(settings.render.redis_url.host, "10.1.2.3");
  EXPECT_EQ(settings.render.redis_url.port, 6380);
  EXPECT_EQ(settings.render.redis_url.db, 4);
  const Settings unix_socket = Loaded("[render]\ncache = \"redis+unix:///run/redis.sock\"\n");
  EXPECT_EQ(unix_socket.render.redis_url.socket_path, "/run/redis.sock");
}

TEST(RenderCacheSettings, LayersPerRepository) {
  const std::string toml =
      "[render]\ncache = \"redis://cache:6379\"\n"
      "[projects.\"solo/repo\".render]\ncache = true\n"
      "[projects.\"off/repo\".render]\ncache = false\n";
  EXPECT_TRUE(Loaded(toml).render.redis);
  const Settings solo = Loaded(toml, "solo/repo");
  EXPECT_TRUE(solo.render.cache);
  EXPECT_FALSE(solo.render.redis);
  EXPECT_FALSE(Loaded(toml, "off/repo").render.cache);
}

TEST(RenderCacheSettings, BadUrlIsReportedAtItsValueWithoutThePassword) {
  Config config;
  const std::vector<Diagnostic> errors = Errors(
      "[render]\nmax_bytes = 1000\ncache   =   \"redis://:hunter2@cache:70000/0\"\n", &config);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].file, kPath);
  EXPECT_EQ(errors[0].line, 3);
  EXPECT_EQ(errors[0].column, 13);
  EXPECT_EQ(errors[0].message,
            "[render] cache is not a valid Redis URL: port must be a number from 1 to 65535");
  EXPECT_EQ(errors[0].ToString().find("hunter2"), std::string::npos);
}

TEST(RenderCacheSettings, OtherStringsAndTypesAreRefused) {
  for (const char* value : {"\"yes\"", "\"http://cache:6379\"", "1"}) {
    Config config;
    const std::vector<Diagnostic> errors =
        Errors(std::string("[render]\ncache = ") + value + "\n", &config);
    ASSERT_EQ(errors.size(), 1u) << value;
    EXPECT_EQ(errors[0].line, 2);
    EXPECT_EQ(errors[0].column, 9);
    EXPECT_THAT(errors[0].message, HasSubstr("[render] cache ")) << value;
  }
  Config config;
  const std::vector<Diagnostic> errors = Errors("[render]\ncache = 1\n", &config);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors[0].message, HasSubstr("must be true, false, or a Redis URL"));
}

TEST(RenderCacheSettings, PasswordInOnePlaceOnly) {
  Config config;
  std::vector<Diagnostic> errors =
      Errors("[render]\ncache = \"redis://:pw@cache\"\ncache_password_env = \"REDIS_PASSWORD\"\n",
             &config);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].line, 3);
  EXPECT_THAT(errors[0].message, HasSubstr("already holds a password"));
  errors = Errors(
      "[render]\ncache = \"redis://cache\"\ncache_password_env = \"A\"\n"
      "cache_password_file = \"/x\"\n",
      &config);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors[0].message, HasSubstr("set exactly one"));
}

TEST(RenderCacheSettings, PasswordFromUrlFileOrEnvironment) {
  std::string password;
  Settings settings = Loaded("[render]\ncache = \"redis://:from%20url@cache\"\n");
  ASSERT_TRUE(ResolveRenderCachePassword(settings.render, &password).ok());
  EXPECT_EQ(password, "from url");

  settings = Loaded("[render]\ncache = \"redis://cache\"\n");
  ASSERT_TRUE(ResolveRenderCachePassword(settings.render, &password).ok());
  EXPECT_EQ(password, "");  // no AUTH

  TempDir dir;
  WriteFile(dir.Path("redis-password"), "from file\n");
  ::chmod(dir.Path("redis-password").c_str(), 0600);
  settings = Loaded("[render]\ncache = \"redis://cache\"\ncache_password_file = \"" +
                    dir.Path("redis-password") + "\"\n");
  ASSERT_TRUE(ResolveRenderCachePassword(settings.render, &password).ok());
  EXPECT_EQ(password, "from file");

  ::setenv("JIRALINK_TEST_REDIS_PASSWORD", "from env", 1);
  settings = Loaded(
      "[render]\ncache = \"redis://cache\"\ncache_password_env = "
      "\"JIRALINK_TEST_REDIS_PASSWORD\"\n");
  ASSERT_TRUE(ResolveRenderCachePassword(settings.render, &password).ok());
  EXPECT_EQ(password, "from env");
  ::unsetenv("JIRALINK_TEST_REDIS_PASSWORD");
  const Status unset = ResolveRenderCachePassword(settings.render, &password);
  EXPECT_FALSE(unset.ok());
  EXPECT_THAT(unset.message(), HasSubstr("JIRALINK_TEST_REDIS_PASSWORD"));
}

TEST(RenderCacheSettings, KeyFileIsReadCheckedAndNeverShown) {
  TempDir dir;
  const std::string path = dir.Path("render-cache.key");
  WriteFile(path, std::string(40, 'k') + "\n");
  ::chmod(path.c_str(), 0640);
  const std::string toml =
      "[render]\ncache = \"redis://cache\"\ncache_key_file = \"" + path + "\"\n";
  Config config;
  std::vector<Diagnostic> diagnostics;
  ASSERT_TRUE(Config::LoadFromString(toml, kPath, &config, &diagnostics).ok());
  EXPECT_TRUE(diagnostics.empty()) << diagnostics[0].ToString();
  EXPECT_TRUE(config.site_diagnostics().empty()) << config.site_diagnostics()[0].ToString();
  const Settings settings = config.ForRepo("");
  EXPECT_EQ(settings.render.cache_key_file, path);
  std::string key;
  ASSERT_TRUE(ResolveRenderCacheKey(settings.render, &key).ok());
  EXPECT_EQ(key, std::string(40, 'k'));  // the final newline dropped
  const std::string shown = Config::Describe(settings);
  EXPECT_THAT(shown, HasSubstr("cache_key_file = \"" + path + "\""));
  EXPECT_EQ(shown.find("kkkk"), std::string::npos);

  // Readable by others: a warning at the value.
  ::chmod(path.c_str(), 0644);
  diagnostics.clear();
  ASSERT_TRUE(Config::LoadFromString(toml, kPath, &config, &diagnostics).ok());
  ASSERT_EQ(diagnostics.size(), 1u);
  EXPECT_EQ(diagnostics[0].severity, Diagnostic::Severity::kWarning);
  EXPECT_EQ(diagnostics[0].line, 3);
  EXPECT_THAT(diagnostics[0].message, HasSubstr("is readable by others (mode 0644)"));

  // Too short, or missing: an error at the value that says what to do.
  WriteFile(path, "short\n");
  std::vector<Diagnostic> errors = Errors(toml, &config);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].line, 3);
  EXPECT_EQ(errors[0].column, 18);
  EXPECT_THAT(errors[0].message, HasSubstr("holds 5 bytes; at least 32 are needed: make one with "
                                           "openssl rand -hex 32 > " +
                                           path));
  EXPECT_EQ(errors[0].message.find("short"), std::string::npos);
  errors = Errors(
      "[render]\ncache = \"redis://cache\"\ncache_key_file = \"" + dir.Path("missing") + "\"\n",
      &config);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors[0].message, HasSubstr("cannot be read"));
}

TEST(RenderCacheSettings, ARedisCacheWithoutAKeyIsAllowedWithAWarning) {
  Config config;
  ASSERT_TRUE(Errors("[render]\nmax_bytes = 1000\ncache = \"redis://cache\"\n", &config).empty());
  ASSERT_EQ(config.site_diagnostics().size(), 1u);
  const Diagnostic& warning = config.site_diagnostics()[0];
  EXPECT_EQ(warning.severity, Diagnostic::Severity::kWarning);
  EXPECT_EQ(warning.line, 3);
  EXPECT_THAT(warning.message, HasSubstr("[render] cache is a shared Redis server but "
                                         "cache_key_file is not set"));
  // The SQLite cache needs no key.
  ASSERT_TRUE(Errors("[render]\ncache = true\n", &config).empty());
  EXPECT_TRUE(config.site_diagnostics().empty());
}

TEST(RenderCacheSettings, DescribeShowsTheUrlWithoutThePassword) {
  Config config;
  ASSERT_TRUE(Errors("[render]\ncache = \"redis://:hunter2@cache:6380/2\"\n", &config).empty());
  const std::string shown = Config::Describe(config.ForRepo(""));
  EXPECT_THAT(shown, HasSubstr("cache = \"redis://cache:6380/2\""));
  EXPECT_EQ(shown.find("hunter2"), std::string::npos) << shown;
}

}  // namespace
}  // namespace jiralink::config
