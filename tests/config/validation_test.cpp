// Validation of the settings file: every problem is reported with the file,
// line, column and a message that says what to change.
#include <memory>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "jiralink/config/loader.h"
#include "jiralink/core/key_scanner.h"

namespace jiralink::config {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr char kPath[] = "/etc/jiralink/config.toml";

std::vector<Diagnostic> Errors(const std::string& toml) {
  Config config;
  std::vector<Diagnostic> diagnostics;
  Status status = Config::LoadFromString(toml, kPath, &config, &diagnostics);
  std::vector<Diagnostic> errors;
  for (const Diagnostic& d : diagnostics) {
    if (d.severity == Diagnostic::Severity::kError) errors.push_back(d);
  }
  EXPECT_EQ(status.ok(), errors.empty()) << status.ToString();
  return errors;
}

// The only error of `toml`, which must be at line:column.
void ExpectOneError(const std::string& toml, int line, int column, const std::string& message) {
  std::vector<Diagnostic> errors = Errors(toml);
  ASSERT_EQ(errors.size(), 1u) << toml;
  EXPECT_EQ(errors[0].file, kPath);
  EXPECT_EQ(errors[0].line, line) << errors[0].ToString();
  EXPECT_EQ(errors[0].column, column) << errors[0].ToString();
  EXPECT_EQ(errors[0].message, message);
}

TEST(ConfigValidation, AcceptsACompleteValidFile) {
  EXPECT_THAT(Errors(R"(
[jira]
web_url = "https://jira.example.com/"
api_url = "http://jira.internal:8080"
auth = "pat"
token_env = "JIRA_TOKEN"
timeout_seconds = 10
verify_tls = false
[matching]
regex = "[A-Z]{2,}-\\d+"
prefix = "JIRA#"
[transitions]
mode = "custom"
ids = "11, 21;31"
[git]
commit_url = "https://git.example.com/{repo}/-/commit/{sha}"
branch_url = "https://git.example.com/{repo}/-/tree/{branch}"
[issues]
project_keys = ["PROJ", "OPS"]
[vulnerabilities]
issue_type = "10001"
)"),
              ::testing::IsEmpty());
}

TEST(ConfigValidation, MalformedTomlNamesLineAndColumn) {
  std::vector<Diagnostic> errors = Errors("[jira]\nweb_url = \"https://x\nauth = \"pat\"\n");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].line, 2);
  EXPECT_GT(errors[0].column, 0);
  EXPECT_THAT(errors[0].message, StartsWith("malformed TOML: "));
  EXPECT_THAT(errors[0].ToString(), StartsWith(std::string(kPath) + ":2:"));
}

TEST(ConfigValidation, UnknownKeySuggestsTheNearestKnownKey) {
  ExpectOneError("[jira]\nweb_ur = \"https://jira.example.com\"\n", 2, 1,
                 "unknown key 'web_ur' in [jira]; did you mean 'web_url'?");
}

TEST(ConfigValidation, UnknownKeyFarFromAnyKnownKeyHasNoSuggestion) {
  ExpectOneError("[git]\n  colour = \"blue\"\n", 2, 3, "unknown key 'colour' in [git]");
}

TEST(ConfigValidation, UnknownTableSuggestsTheNearestTable) {
  ExpectOneError("[jria]\nweb_url = \"https://x.example.com\"\n", 1, 2,
                 "unknown table [jria]; did you mean [jira]?");
}

TEST(ConfigValidation, KeyOutsideAnyTableNamesTheTableItBelongsIn) {
  ExpectOneError("web_url = \"https://x.example.com\"\n", 1, 1,
                 "unknown key 'web_url' at the top level; it belongs in a table: did you mean "
                 "[jira] web_url?");
}

TEST(ConfigValidation, WrongTypeNamesExpectedAndActualType) {
  ExpectOneError("[jira]\ntimeout_seconds = \"30\"\n", 2, 19,
                 "[jira] timeout_seconds must be an integer, got string");
  ExpectOneError("[comments]\nenabled = \"yes\"\n", 2, 11,
                 "[comments] enabled must be true or false, got string");
  ExpectOneError("[triggers]\ncommit = \"no\"\n", 2, 10,
                 "[triggers] commit must be true or false, got string");
  ExpectOneError("[render]\nmax_bytes = 1.5\n", 2, 13,
                 "[render] max_bytes must be an integer, got float");
  ExpectOneError("[render]\nhardbreaks = 1\n", 2, 14,
                 "[render] hardbreaks must be true or false, got integer");
  ExpectOneError("jira = 3\n", 1, 1, "[jira] must be a table, got integer");
}

TEST(ConfigValidation, NumbersMustBePositive) {
  ExpectOneError("[delivery]\nmax_attempts = 0\n", 2, 16,
                 "[delivery] max_attempts must be greater than 0, got 0");
  ExpectOneError("[delivery]\npause_seconds = -1\n", 2, 17,
                 "[delivery] pause_seconds must be greater than 0, got -1");
  ExpectOneError("[delivery]\nkeep_done_days = 0\n", 2, 18,
                 "[delivery] keep_done_days must be greater than 0, got 0");
  ExpectOneError("[jira]\nconnect_timeout_seconds = -5\n", 2, 27,
                 "[jira] connect_timeout_seconds must be greater than 0, got -5");
  ExpectOneError("[git]\nmax_commits_per_push = 99999999999\n", 2, 24,
                 "[git] max_commits_per_push is too large, got 99999999999");
}

TEST(ConfigValidation, EveryErrorIsReportedNotJustTheFirst) {
  std::vector<Diagnostic> errors = Errors(R"([jira]
web_ur = "https://x.example.com"
timeout_seconds = "30"
[delivery]
lease_seconds = 0
[transitions]
ids = "eleven"
)");
  ASSERT_EQ(errors.size(), 4u);
  EXPECT_EQ(errors[0].line, 2);
  EXPECT_EQ(errors[1].line, 3);
  EXPECT_EQ(errors[2].line, 5);
  EXPECT_EQ(errors[3].line, 7);
}

TEST(ConfigValidation, UrlsMustBeAbsoluteHttp) {
  ExpectOneError("[jira]\nweb_url = \"jira.example.com\"\n", 2, 11,
                 "[jira] web_url must be an absolute http(s) URL such as "
                 "\"https://jira.example.com\", got \"jira.example.com\"");
  ExpectOneError("[jira]\napi_url = \"ftp://jira.example.com\"\n", 2, 11,
                 "[jira] api_url must be an absolute http(s) URL such as "
                 "\"https://jira.example.com\", got \"ftp://jira.example.com\"");
  ExpectOneError("[jira]\nweb_url = \"https:///path\"\n", 2, 11,
                 "[jira] web_url must name a host, got \"https:///path\"");
}

TEST(ConfigValidation, UrlWithPasswordIsRejectedWithoutEchoingIt) {
  std::vector<Diagnostic> errors =
      Errors("[jira]\nweb_url = \"https://me:s3cret@jira.example.com\"\n");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors[0].message, HasSubstr("must not contain a user name or password"));
  EXPECT_THAT(errors[0].message, ::testing::Not(HasSubstr("s3cret")));
}

TEST(ConfigValidation, LinkTemplatesNeedHttpAndTheirPlaceholder) {
  ExpectOneError("[git]\ncommit_url = \"https://git.example.com/{repo}/commit\"\n", 2, 14,
                 "[git] commit_url must contain {sha}, got "
                 "\"https://git.example.com/{repo}/commit\"");
  ExpectOneError("[git]\nbranch_url = \"git.example.com/{repo}/tree/{branch}\"\n", 2, 14,
                 "[git] branch_url must be an absolute http(s) URL such as "
                 "\"https://jira.example.com\", got \"git.example.com/{repo}/tree/{branch}\"");
  ExpectOneError("[git]\ncommit_url = \"https://git.example.com/{repo}/commit/{sah}\"\n", 2, 14,
                 "[git] commit_url has an unknown placeholder {sah} (known: {repo}, {sha})");
}

TEST(ConfigValidation, RegexLongerThan255CharactersIsRejected) {
  std::string regex(256, 'A');
  ExpectOneError("[matching]\nregex = \"" + regex + "\"\n", 2, 9,
                 "[matching] regex is 256 characters long; at most 255 are allowed");
  // 255 is still fine.
  EXPECT_THAT(Errors("[matching]\nregex = \"" + std::string(255, 'A') + "\"\n"),
              ::testing::IsEmpty());
}

TEST(ConfigValidation, PrefixLengthCountsCharactersNotBytes) {
  std::string prefix;
  for (int i = 0; i < 200; ++i) prefix += "\xc3\xa9";  // 200 x 'é' = 400 bytes
  EXPECT_THAT(Errors("[matching]\nprefix = \"" + prefix + "\"\n"), ::testing::IsEmpty());
}

TEST(ConfigValidation, RegexThatDoesNotCompileQuotesRe2) {
  std::vector<Diagnostic> errors = Errors("[matching]\nregex = \"([A-Z]+-\\\\d+\"\n");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].line, 2);
  EXPECT_EQ(errors[0].column, 9);
  EXPECT_THAT(errors[0].message, StartsWith("[matching] regex does not compile in RE2: "));
  EXPECT_THAT(errors[0].message, HasSubstr("missing )"));
}

TEST(ConfigValidation, PrefixThatDoesNotCompileQuotesRe2) {
  std::vector<Diagnostic> errors = Errors("[matching]\nprefix = \"JIRA[\"\n");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].column, 10);
  EXPECT_THAT(errors[0].message, StartsWith("[matching] prefix does not compile in RE2: "));
  EXPECT_THAT(errors[0].message, HasSubstr("missing ]"));
}

TEST(ConfigValidation, TransitionIdsMustHaveANumber) {
  ExpectOneError("[transitions]\nids = \"done\"\n", 2, 7,
                 "[transitions] transition IDs must be a list of numbers that can be split with "
                 ", or ; (e.g. \"11, 21\"), got \"done\"");
  EXPECT_THAT(Errors("[transitions]\nids = \" 11 ;21,\"\n"), ::testing::IsEmpty());
}

TEST(ConfigValidation, CustomModeWithoutIdsIsAnError) {
  ExpectOneError("[transitions]\nmode = \"custom\"\n", 2, 1,
                 "[transitions] mode = \"custom\" needs ids, e.g. ids = \"11, 21\"");
  // Disabled transitions do not need ids.
  EXPECT_THAT(Errors("[transitions]\nenabled = false\nmode = \"custom\"\n"), ::testing::IsEmpty());
}

TEST(ConfigValidation, EnumValuesAreChecked) {
  ExpectOneError("[jira]\nauth = \"oauth\"\n", 2, 8,
                 "[jira] auth must be \"basic\" or \"pat\", got \"oauth\"");
  ExpectOneError("[transitions]\nmode = \"close\"\n", 2, 8,
                 "[transitions] mode must be \"done\" or \"custom\", got \"close\"");
  ExpectOneError("[comments]\ndetail = \"full\"\n", 2, 10,
                 "[comments] detail must be \"standard\" or \"all_details\", got \"full\"");
}

TEST(ConfigValidation, PatWithJiraCloudIsRejected) {
  ExpectOneError("[jira]\nweb_url = \"https://acme.atlassian.net\"\nauth = \"pat\"\n", 3, 1,
                 "[jira] auth = \"pat\" cannot be used with Jira Cloud "
                 "(https://acme.atlassian.net): Cloud has no personal access tokens; use auth = "
                 "\"basic\" with the account's email as username and an API token");
  EXPECT_THAT(Errors("[jira]\nweb_url = \"https://jira.acme.com\"\nauth = \"pat\"\n"),
              ::testing::IsEmpty());
}

TEST(ConfigValidation, SeveralTokenSourcesAreRejected) {
  std::vector<Diagnostic> errors =
      Errors("[jira]\ntoken = \"abc\"\ntoken_env = \"JIRA_TOKEN\"\ntoken_file = \"/t\"\n");
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].line, 3);
  EXPECT_EQ(errors[0].column, 1);
  EXPECT_EQ(errors[0].message,
            "[jira] sets both token and token_env; set exactly one of token, token_file or "
            "token_env");
  EXPECT_EQ(errors[1].line, 4);
  EXPECT_EQ(errors[1].message,
            "[jira] sets both token and token_file; set exactly one of token, token_file or "
            "token_env");
  for (const Diagnostic& d : errors) EXPECT_THAT(d.message, ::testing::Not(HasSubstr("abc")));
}

TEST(ConfigValidation, UnreadableTokenFileIsAnErrorAtLoad) {
  std::vector<Diagnostic> errors = Errors("[jira]\ntoken_file = \"/nonexistent/jiralink-token\"\n");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].line, 2);
  EXPECT_EQ(errors[0].column, 14);
  EXPECT_EQ(errors[0].message,
            "[jira] token_file \"/nonexistent/jiralink-token\" cannot be read: No such file or "
            "directory");
}

TEST(ConfigValidation, ProjectKeysMustBeStrings) {
  ExpectOneError("[issues]\nproject_keys = [\"PROJ\", 12]\n", 2, 25,
                 "[issues] project_keys[1] must be a string, got integer");
  ExpectOneError("[issues]\nproject_keys = \"PROJ\"\n", 2, 16,
                 "[issues] project_keys must be an array of strings, got string");
}

TEST(ConfigValidation, IssueTypeMustBeANumericId) {
  ExpectOneError("[vulnerabilities]\nissue_type = \"Bug\"\n", 2, 14,
                 "[vulnerabilities] issue_type must be the numeric id of an issue type (see "
                 "`jiralink issue-types`), e.g. \"10001\", got \"Bug\"");
}

TEST(ConfigValidation, ValuesInGroupsAndProjectsAreValidatedWithPositions) {
  std::vector<Diagnostic> errors = Errors(R"([groups."platform".jira]
timeout_seconds = "slow"

[projects."platform/api".matching]
prefx = "X#"

[projects."platform/web".transitions]
ids = "a;b"
)");
  ASSERT_EQ(errors.size(), 3u);
  EXPECT_EQ(errors[0].line, 2);
  EXPECT_EQ(errors[0].column, 19);
  EXPECT_EQ(errors[0].message,
            "[groups.\"platform\".jira] timeout_seconds must be an integer, got string");
  EXPECT_EQ(errors[1].line, 5);
  EXPECT_EQ(errors[1].column, 1);
  EXPECT_EQ(errors[1].message,
            "unknown key 'prefx' in [projects.\"platform/api\".matching]; did you mean 'prefix'?");
  EXPECT_EQ(errors[2].line, 8);
  EXPECT_EQ(errors[2].column, 7);
  EXPECT_THAT(errors[2].message, StartsWith("[projects.\"platform/web\".transitions] transition "
                                            "IDs must be a list of numbers"));
}

TEST(ConfigValidation, UnknownTableInsideAProject) {
  ExpectOneError("[projects.\"a/b\".jra]\nweb_url = \"https://x.example.com\"\n", 1, 17,
                 "unknown table [projects.\"a/b\".jra]; did you mean [projects.\"a/b\".jira]?");
}

TEST(ConfigValidation, GroupsMustHoldTables) {
  ExpectOneError("groups = 5\n", 1, 1,
                 "[groups] must be a table of tables such as [groups.\"platform\"], got integer");
  ExpectOneError("[groups]\nplatform = 5\n", 2, 1,
                 "[groups.\"platform\"] must be a table, got integer");
}

TEST(ConfigValidation, PatWithCloudUrlSetInAProjectPointsAtTheProject) {
  std::vector<Diagnostic> errors = Errors(R"([jira]
auth = "pat"
web_url = "https://jira.example.com"

[projects."cloud/app".jira]
web_url = "https://acme.atlassian.net"
)");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].line, 6);
  EXPECT_THAT(errors[0].message,
              StartsWith("[projects.\"cloud/app\".jira] auth = \"pat\" cannot be used with Jira "
                         "Cloud (https://acme.atlassian.net)"));
}

TEST(ConfigValidation, DiagnosticToStringLeavesOutUnknownParts) {
  Diagnostic d;
  d.file = "c.toml";
  d.line = 3;
  d.column = 7;
  d.message = "bad";
  EXPECT_EQ(d.ToString(), "c.toml:3:7: error: bad");
  d.column = 0;
  EXPECT_EQ(d.ToString(), "c.toml:3: error: bad");
  d.line = 0;
  d.severity = Diagnostic::Severity::kWarning;
  EXPECT_EQ(d.ToString(), "c.toml: warning: bad");
  d.file.clear();
  EXPECT_EQ(d.ToString(), "warning: bad");
}

// Issue #12: a site URL with a query or fragment cannot take API paths.
TEST(ConfigValidation, SiteUrlWithQueryOrFragmentIsRefusedWithThePosition) {
  ExpectOneError("[jira]\nweb_url = \"https://jira.example.com/?x=1\"\n", 2, 11,
                 "[jira] web_url must not have a query string (character 26, \"?x=1\"): Jira "
                 "API paths are appended to this URL; got \"https://jira.example.com/?x=1\"");
  ExpectOneError("[jira]\napi_url = \"https://jira.example.com#top\"\n", 2, 11,
                 "[jira] api_url must not have a fragment (character 25, \"#top\"): Jira API "
                 "paths are appended to this URL; got \"https://jira.example.com#top\"");
  // Link templates may hold a query string (cgit's commit links do).
  EXPECT_TRUE(
      Errors("[git]\ncommit_url = \"https://git.example.com/{repo}/commit/?id={sha}\"\n").empty());
}

TEST(ConfigValidation, EmptyOrNonNumericPortIsRefused) {
  ExpectOneError("[jira]\nweb_url = \"http://host:\"\n", 2, 11,
                 "[jira] web_url has an empty port after ':', got \"http://host:\"");
  ExpectOneError("[jira]\nweb_url = \"http://host:/jira\"\n", 2, 11,
                 "[jira] web_url has an empty port after ':', got \"http://host:/jira\"");
  ExpectOneError("[jira]\nweb_url = \"http://host:80a\"\n", 2, 11,
                 "[jira] web_url must have a port of 1 to 5 digits after ':', got "
                 "\"http://host:80a\"");
  EXPECT_TRUE(Errors("[jira]\nweb_url = \"http://host:8080/jira\"\n").empty());
}

Config LoadWithWarnings(const std::string& toml, std::vector<Diagnostic>* diagnostics) {
  Config config;
  Status status = Config::LoadFromString(toml, kPath, &config, diagnostics);
  EXPECT_TRUE(status.ok()) << status.ToString();
  return config;
}

// Issue #25: GitLab takes every run of digits ("foo 23 bar" is 23); so does
// jiralink, with a warning that says what was read.
TEST(ConfigValidation, TransitionIdsInGitLabsLooseFormAreReadWithAWarning) {
  std::vector<Diagnostic> diagnostics;
  Config config =
      LoadWithWarnings("[transitions]\nmode = \"custom\"\nids = \"foo 23 bar\"\n", &diagnostics);
  EXPECT_EQ(config.ForRepo("").transitions.id_list, (std::vector<std::string>{"23"}));
  ASSERT_EQ(diagnostics.size(), 1u);
  EXPECT_EQ(diagnostics[0].severity, Diagnostic::Severity::kWarning);
  EXPECT_EQ(diagnostics[0].ToString(),
            std::string(kPath) +
                ":3:7: warning: [transitions] ids \"foo 23 bar\" was read as 23 (as GitLab reads "
                "it: every run of digits is an ID); write \"23\" to say so");

  diagnostics.clear();
  config = LoadWithWarnings("[transitions]\nids = \"11 21/31\"\n", &diagnostics);
  EXPECT_EQ(config.ForRepo("").transitions.id_list, (std::vector<std::string>{"11", "21", "31"}));
  ASSERT_EQ(diagnostics.size(), 1u);
  EXPECT_NE(diagnostics[0].message.find("was read as 11, 21, 31"), std::string::npos)
      << diagnostics[0].message;

  // The documented form reads without a word.
  diagnostics.clear();
  config = LoadWithWarnings("[transitions]\nids = \" 11 ;21,,\"\n", &diagnostics);
  EXPECT_EQ(config.ForRepo("").transitions.id_list, (std::vector<std::string>{"11", "21"}));
  EXPECT_TRUE(diagnostics.empty());
}

// Issue #12: blanks and surrounding spaces are trimmed as the forge does.
TEST(ConfigValidation, ProjectKeysAreTrimmedAndDeBlankedWithAWarning) {
  std::vector<Diagnostic> diagnostics;
  Config config = LoadWithWarnings(
      "[issues]\nproject_keys = [\" PROJ , ABC \", \"PROJ,,ABC\", \"\", \"OPS\"]\n", &diagnostics);
  EXPECT_EQ(config.ForRepo("").issues.project_keys,
            (std::vector<std::string>{"PROJ", "ABC", "OPS"}));
  ASSERT_EQ(diagnostics.size(), 1u);
  EXPECT_EQ(diagnostics[0].severity, Diagnostic::Severity::kWarning);
  EXPECT_EQ(diagnostics[0].ToString(),
            std::string(kPath) +
                ":2:16: warning: [issues] project_keys was read as [\"PROJ\", \"ABC\", \"OPS\"] "
                "(entries are split on ',', stripped, and blank or repeated ones dropped)");

  diagnostics.clear();
  config = LoadWithWarnings("[issues]\nproject_keys = [\"PROJ\", \"OPS\"]\n", &diagnostics);
  EXPECT_TRUE(diagnostics.empty());
}

// Keys the forge would accept are not refused; JQL quotes them (jql_test).
TEST(ConfigValidation, OddProjectKeysAreKeptWithAWarning) {
  std::vector<Diagnostic> diagnostics;
  Config config = LoadWithWarnings(
      "[issues]\nproject_keys = [\"A\\\\B\", \"C\\\"D\", \"my project\"]\n", &diagnostics);
  EXPECT_EQ(config.ForRepo("").issues.project_keys,
            (std::vector<std::string>{"A\\B", "C\"D", "my project"}));
  ASSERT_EQ(diagnostics.size(), 3u);
  EXPECT_EQ(diagnostics[2].message,
            "[issues] project_keys holds \"my project\", which does not look like a Jira project "
            "key (e.g. \"PROJ\"); it is searched for as written");
}

TEST(ConfigValidation, MoreThanAHundredProjectKeysAreRefused) {
  std::string keys;
  for (int i = 0; i < 101; ++i) keys += (i ? ", \"K" : "\"K") + std::to_string(i) + "\"";
  ExpectOneError("[issues]\nproject_keys = [" + keys + "]\n", 2, 16,
                 "[issues] project_keys holds 101 keys; at most 100 are allowed");
}

// Issue #11: cleartext credentials and verify_tls = false are warned about,
// apart from the load diagnostics (only `config check` prints them all).
TEST(ConfigValidation, UnsafeConnectionsAreWarnedAboutPerScope) {
  std::vector<Diagnostic> diagnostics;
  Config config = LoadWithWarnings(R"([jira]
web_url = "http://jira.example.com"
username = "bot"
token_env = "T"

[projects."a/b".jira]
web_url = "https://jira.example.com"
verify_tls = false

[projects."c/d".comments]
enabled = false
)",
                                   &diagnostics);
  EXPECT_TRUE(diagnostics.empty());
  const std::vector<Diagnostic>& site = config.site_diagnostics();
  ASSERT_EQ(site.size(), 2u);
  EXPECT_EQ(site[0].ToString(),
            std::string(kPath) +
                ":2:1: warning: [jira] api_url \"http://jira.example.com\" is plain http:// and "
                "a token or password is set: the credentials travel in cleartext; use https://");
  EXPECT_EQ(site[1].ToString(),
            std::string(kPath) +
                ":8:1: warning: [projects.\"a/b\".jira] verify_tls = false: any TLS certificate "
                "is accepted, so whoever sits between here and Jira can read the credentials; "
                "trust a private CA with ca_file instead");

  // What commands that use the site print, in one line.
  EXPECT_EQ(SiteWarnings(config.ForRepo("c/d").jira).size(), 1u);
  EXPECT_EQ(SiteWarnings(config.ForRepo("a/b").jira),
            std::vector<std::string>{"[jira] verify_tls = false: any TLS certificate is accepted, "
                                     "so whoever sits between here and Jira can read the "
                                     "credentials; trust a private CA with ca_file instead"});
  // No credentials, no cleartext warning.
  JiraSettings plain;
  plain.api_url = "http://jira.example.com";
  EXPECT_TRUE(SiteWarnings(plain).empty());
}

}  // namespace
}  // namespace jiralink::config
