// End-to-end fixture for the hook: a loopback Jira stand-in, a bare
// repository with `jiralink hook install`ed, a clone to push from, a real
// settings file and a real outbox. Delivery is explicit (`deliver --once`)
// unless a test turns JIRALINK_NO_AUTO_DELIVER off.
#pragma once

#include <sys/stat.h>

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "../hooks/git_fixture.h"
#include "standin.h"
#include "support/test_support.h"

namespace jiralink::testing {

class HookE2E : public ::testing::Test {
 protected:
  HookE2E() = default;
  // A stand-in Jira with these options (e.g. the Cloud personality).
  explicit HookE2E(standin::JiraStandin::Options options) : jira_(std::move(options)) {}

  void SetUp() override {
    ASSERT_TRUE(jira_.Start());
    jira_.AddProject("PROJ", "Project");
    jira_.AddNumberedIssues("PROJ", 30);
    config_ = git_.Path("jiralink.toml");
    WriteConfig("");
    ProcessResult install = Jiralink({"hook", "install", git_.bare()});
    ASSERT_EQ(install.exit_code, 0) << install.err;
  }

  // The settings file, with `extra` TOML appended (tables may repeat keys only
  // in new tables, so pass whole tables).
  void WriteConfig(const std::string& extra, const std::string& transitions = "") {
    std::string text = "[jira]\nweb_url = \"" + jira_.base_url() +
                       "\"\nusername = \"jiralink-bot\"\ntoken = \"standin-token\"\n"
                       "timeout_seconds = 10\n\n"
                       "[git]\nroot = \"" +
                       git_.root() +
                       "\"\ncommit_url = \"https://git.example.com/{repo}/-/commit/{sha}\"\n"
                       "repo_url = \"https://git.example.com/{repo}\"\n"
                       "branch_url = \"https://git.example.com/{repo}/-/tree/{branch}\"\n\n"
                       "[state]\ndir = \"" +
                       git_.Path("state") + "\"\n" + state_extra_ +
                       "\n[delivery]\nlease_seconds = 1\n\n" +
                       (transitions.empty() ? "" : "[transitions]\n" + transitions + "\n") + extra;
    WriteFile(config_, text);
    ::chmod(config_.c_str(), 0600);
  }

  std::map<std::string, std::string> Env() const {
    std::map<std::string, std::string> env = GitIdentityEnv();
    env["JIRALINK_BACKOFF_BASE_MS"] = "10";
    return env;
  }

  ProcessResult Jiralink(const std::vector<std::string>& args, const std::string& stdin_data = "",
                         std::chrono::milliseconds timeout = std::chrono::milliseconds(60000)) {
    std::vector<std::string> full = {"--config", config_};
    full.insert(full.end(), args.begin(), args.end());
    ProcessOptions options;
    options.env = Env();
    options.stdin_data = stdin_data;
    options.timeout = timeout;
    return RunJiralink(full, options);
  }

  ProcessResult Push(const std::vector<std::string>& args,
                     const std::map<std::string, std::string>& extra_env = {}) {
    std::map<std::string, std::string> env = {{"JIRALINK_BACKOFF_BASE_MS", "10"}};
    for (const auto& [k, v] : extra_env) env[k] = v;
    ProcessResult r = git_.Push(args, env);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r;
  }

  ProcessResult Deliver() { return Jiralink({"deliver", "--once"}); }

  std::vector<std::string> CommentBodies(const std::string& key) {
    std::vector<std::string> bodies;
    for (const auto& c : jira_.Comments(key)) bodies.push_back(c.value("body", ""));
    return bodies;
  }

  standin::JiraStandin jira_{standin::JiraStandin::Options{}};
  GitFixture git_;
  std::string config_;
  std::string state_extra_;  // more [state] lines, e.g. "outbox = \"postgresql://...\"\n"
};

}  // namespace jiralink::testing
