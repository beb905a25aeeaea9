// Fixture for the CLI tests of `issues`, `issue-types` and `vulnerability`:
// an in-process Jira stand-in (Cloud or Server, per test parameter), a temp
// settings file whose token comes from the environment, and an environment
// isolated from the user's (HOME, XDG dirs, JIRALINK_CONFIG, NO_COLOR).
#pragma once

#include <sys/stat.h>

#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "standin.h"
#include "support/test_support.h"

namespace jiralink::testing {

class IssuesCliTest : public ::testing::TestWithParam<standin::Personality> {
 protected:
  IssuesCliTest() : jira_(StandinOptions(GetParam())) {}

  static standin::JiraStandin::Options StandinOptions(standin::Personality personality) {
    standin::JiraStandin::Options options;
    options.personality = personality;
    options.max_results_cap = 4;  // small pages, so paging is exercised with few issues
    return options;
  }

  void SetUp() override {
    ASSERT_TRUE(jira_.Start());
    config_ = dir_.Path("jiralink.toml");
    WriteConfig("");
  }

  bool cloud() const { return GetParam() == standin::Personality::kCloud; }

  // The settings file: [jira] pointing at the stand-in, then `extra` TOML.
  void WriteConfig(const std::string& extra) {
    std::string text = "[jira]\nweb_url = \"" + jira_.base_url() +
                       "\"\nusername = \"jiralink-bot\"\ntoken_env = \"JIRALINK_TEST_TOKEN\"\n"
                       "timeout_seconds = 10\n\n" +
                       extra;
    WriteFile(config_, text);
    ::chmod(config_.c_str(), 0600);
  }

  ProcessResult Run(const std::vector<std::string>& args,
                    const std::map<std::string, std::string>& extra_env = {}) {
    std::vector<std::string> full = {"--config", config_};
    full.insert(full.end(), args.begin(), args.end());
    ProcessOptions options;
    options.env = {{"HOME", dir_.Path("home")},
                   {"XDG_CONFIG_HOME", dir_.Path("xdg-config")},
                   {"XDG_STATE_HOME", dir_.Path("xdg-state")},
                   {"JIRALINK_TEST_TOKEN", "standin-token"},
                   {"COLUMNS", "200"}};
    for (const auto& [name, value] : extra_env) options.env[name] = value;
    options.unset_env = {"JIRALINK_CONFIG", "NO_COLOR", "JIRALINK_DEBUG"};
    options.timeout = std::chrono::milliseconds(30000);
    return RunJiralink(full, options);
  }

  // The JQL of every search request the stand-in saw.
  std::vector<std::string> SearchJql() const {
    std::vector<std::string> jql;
    for (const standin::RecordedRequest& request : jira_.Requests()) {
      if (request.path.find("/search") == std::string::npos || request.status == 410) continue;
      std::string value = QueryValue(request.query, "jql");
      if (value.empty() && !request.body.empty()) {
        nlohmann::json body = nlohmann::json::parse(request.body, nullptr, false);
        if (body.is_object() && body.contains("jql")) value = body["jql"].get<std::string>();
      }
      jql.push_back(value);
    }
    return jql;
  }

  std::vector<standin::RecordedRequest> SearchRequests() const {
    std::vector<standin::RecordedRequest> out;
    for (const standin::RecordedRequest& request : jira_.Requests()) {
      if (request.path.find("/search") != std::string::npos && request.status != 410) {
        out.push_back(request);
      }
    }
    return out;
  }

  static std::string QueryValue(const std::string& query, const std::string& name) {
    std::size_t pos = 0;
    while (pos <= query.size()) {
      std::size_t end = query.find('&', pos);
      if (end == std::string::npos) end = query.size();
      std::string pair = query.substr(pos, end - pos);
      if (pair.rfind(name + "=", 0) == 0) return UrlDecode(pair.substr(name.size() + 1));
      pos = end + 1;
    }
    return {};
  }

  static std::string UrlDecode(const std::string& text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '+') {
        out.push_back(' ');
      } else if (text[i] == '%' && i + 2 < text.size()) {
        out.push_back(static_cast<char>(std::stoi(text.substr(i + 1, 2), nullptr, 16)));
        i += 2;
      } else {
        out.push_back(text[i]);
      }
    }
    return out;
  }

  TempDir dir_;
  standin::JiraStandin jira_;
  std::string config_;
};

inline std::string PersonalityName(const ::testing::TestParamInfo<standin::Personality>& info) {
  return info.param == standin::Personality::kCloud ? "Cloud" : "Server";
}

}  // namespace jiralink::testing
