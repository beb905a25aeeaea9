// libFuzzer target: settings files, read the way `jiralink` reads them.
//
// The input is the text of a settings file. Checked contracts:
//   - Config::LoadFromString fails exactly when it reports an error
//     diagnostic, and every diagnostic has a message;
//   - for a loaded file, ForRepo() on a few repository paths and Describe()
//     of the result work, and the description is valid TOML (loader.h);
//   - migrate's [jira] editor (EditJiraTable), given a file that is valid
//     TOML and told to set web_url and remove token, either refuses or
//     writes valid TOML in which jira.web_url is the new value and
//     jira.token is gone.
// The file is named under a directory that does not exist, so relative
// token_file settings name no real file.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "jiralink/config/jira_table_edit.h"
#include "jiralink/config/loader.h"

namespace {

using jiralink::config::Config;
using jiralink::config::Diagnostic;

constexpr std::string_view kPath = "/nonexistent-jiralink-fuzz/config.toml";
constexpr std::string_view kNewWebUrl = "https://fuzz.example.com";

[[noreturn]] void Fail(const char* what, std::string_view text) {
  std::fprintf(stderr, "settings_fuzzer: %s:\n%.*s\n", what, static_cast<int>(text.size()),
               text.data());
  std::abort();
}

std::optional<toml::table> ParseToml(std::string_view text) {
  try {
    return toml::parse(text);
  } catch (const toml::parse_error&) {
    return std::nullopt;
  }
}

void CheckLoad(std::string_view text) {
  Config config;
  std::vector<Diagnostic> diagnostics;
  const bool ok = Config::LoadFromString(text, kPath, &config, &diagnostics).ok();
  bool any_error = false;
  for (const Diagnostic& d : diagnostics) {
    if (d.message.empty() || d.ToString().empty()) Fail("diagnostic without a message", text);
    if (d.severity == Diagnostic::Severity::kError) any_error = true;
  }
  if (ok == any_error) Fail("status and error diagnostics disagree", text);
  if (!ok) return;
  for (std::string_view repo : {"", "platform/api", "/srv/git/platform/api.git", "a/b/c"}) {
    const std::string described = Config::Describe(config.ForRepo(repo));
    if (!ParseToml(described)) Fail("Describe() wrote invalid TOML", described);
  }
}

void CheckJiraEdit(std::string_view text) {
  if (!ParseToml(text)) return;  // the editor's promise is about valid files
  jiralink::config::JiraTableEdit edit;
  edit.set.emplace_back("web_url", jiralink::config::TomlString(kNewWebUrl));
  edit.remove.emplace_back("token");
  std::string edited;
  std::vector<jiralink::config::JiraTableChange> changes;
  if (!jiralink::config::EditJiraTable(text, kPath, edit, &edited, &changes).ok()) return;
  const std::optional<toml::table> result = ParseToml(edited);
  if (!result) Fail("EditJiraTable wrote invalid TOML", edited);
  if ((*result)["jira"]["web_url"].value<std::string>() != std::string(kNewWebUrl)) {
    Fail("EditJiraTable did not set jira.web_url", edited);
  }
  if ((*result)["jira"]["token"]) Fail("EditJiraTable left jira.token", edited);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  CheckLoad(text);
  CheckJiraEdit(text);
  return 0;
}
