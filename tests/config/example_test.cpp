// examples/config.toml and the README's config reference stay complete and
// true: the example loads cleanly, sets only defaults, and names every key.
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

// Every "table.key" that Describe prints, i.e. every key of the schema.
std::vector<std::pair<std::string, std::string>> SchemaKeys() {
  Settings settings;
  settings.jira.token_source = TokenSource::kInline;  // prints "token = ..."
  std::istringstream lines(Config::Describe(settings));
  std::vector<std::pair<std::string, std::string>> keys;
  std::string table;
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with("[")) {
      table = line.substr(1, line.size() - 2);
    } else if (std::size_t eq = line.find(" = "); eq != std::string::npos && line[0] != '#') {
      keys.emplace_back(table, line.substr(0, eq));
    }
  }
  keys.emplace_back("jira", "token_file");
  keys.emplace_back("jira", "token_env");
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

}  // namespace
}  // namespace jiralink::config
