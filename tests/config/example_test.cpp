// examples/config.toml and the README's config reference stay complete and
// true: the example loads cleanly, sets only defaults, and names every key;
// the reference documents every key, and no key the settings do not have.
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "jiralink/config/loader.h"
#include "support/test_support.h"

namespace jiralink::config {
namespace {

// Every key of the settings, as reading a file knows them.
std::vector<std::pair<std::string, std::string>> SchemaKeys() {
  std::vector<std::pair<std::string, std::string>> keys;
  for (const auto& [table, key] : Config::Keys()) keys.emplace_back(table, key);
  return keys;
}

TEST(ExampleConfig, LoadsWithoutDiagnosticsAndHoldsOnlyDefaults) {
  Config config;
  std::vector<Diagnostic> diagnostics;
  LoadOptions options;
  options.explicit_path = testing::SourceDir() + "/examples/config.toml";
  Status status = Config::Load(options, &config, &diagnostics);
  ASSERT_TRUE(status.ok()) << status.ToString();
  for (const Diagnostic& d : diagnostics) ADD_FAILURE() << d.ToString();
  EXPECT_EQ(Config::Describe(config.ForRepo("platform/api")),
            Config::Describe(Config().ForRepo("")));
}

TEST(ExampleConfig, NamesEveryKey) {
  std::string example = testing::ReadFile(testing::SourceDir() + "/examples/config.toml");
  for (const auto& [table, key] : SchemaKeys()) {
    EXPECT_TRUE(std::regex_search(example, std::regex("(^|\\n)(# )?" + key + " = ")))
        << "[" << table << "] " << key << " is missing from examples/config.toml";
  }
}

TEST(ConfigReference, DocumentsEveryTableAndKey) {
  // The reference is the README's "Settings" section.
  const std::string readme = testing::ReadFile(testing::SourceDir() + "/README.md");
  const std::size_t begin = readme.find("\n## Settings\n");
  ASSERT_NE(begin, std::string::npos) << "README.md has no \"## Settings\" section";
  const std::size_t end = readme.find("\n## ", begin + 1);
  const std::string doc = readme.substr(begin, end - begin);
  std::set<std::string> tables;
  for (const auto& [table, key] : SchemaKeys()) {
    tables.insert(table);
    EXPECT_THAT(doc, ::testing::HasSubstr("`" + key + "`"))
        << "[" << table << "] " << key << " is missing from the README's settings reference";
  }
  for (const std::string& table : tables) {
    EXPECT_THAT(doc, ::testing::HasSubstr("[" + table + "]")) << table;
  }
}

// The reverse (issue #26): every row of the reference names a key the
// settings have, in the table its heading names. A key renamed or removed in
// the code leaves no row behind.
TEST(ConfigReference, DocumentsNoKeyTheSettingsDoNotHave) {
  std::set<std::pair<std::string, std::string>> schema;
  for (const auto& key : SchemaKeys()) schema.insert(key);
  const std::string readme = testing::ReadFile(testing::SourceDir() + "/README.md");
  const std::size_t begin = readme.find("\n### Reference\n");
  ASSERT_NE(begin, std::string::npos) << "README.md has no \"### Reference\" section";
  std::istringstream lines(readme.substr(begin, readme.find("\n## ", begin + 1) - begin));
  const std::regex heading("^#### `\\[([a-z_]+)\\]`");
  const std::regex row("^\\| `([a-z_]+)` \\|");
  std::string table;
  int rows = 0;
  for (std::string line; std::getline(lines, line);) {
    std::smatch match;
    if (std::regex_search(line, match, heading)) {
      table = match[1];
    } else if (!table.empty() && std::regex_search(line, match, row)) {
      ++rows;
      EXPECT_EQ(schema.count({table, match[1]}), 1u)
          << "the README's reference documents [" << table << "] " << match[1]
          << ", which the settings do not have";
    }
  }
  EXPECT_GT(rows, 50) << "the reference's rows were not found";
}

}  // namespace
}  // namespace jiralink::config
