// `jiralink hook pre-receive` end to end: real `git push` into a bare
// repository with `jiralink hook install`ed, the stand-in Jira on loopback.
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "hook_e2e_fixture.h"

namespace jiralink::testing {
namespace {

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// A loopback port nothing listens on (bound, then closed).
int ClosedPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

class PreReceive : public HookE2E {
 protected:
  void SetUp() override {
    HookE2E::SetUp();
    standin::IssueSeed done;
    done.key = "PROJ-31";
    done.summary = "Closed already";
    done.status = "Done";
    jira_.AddIssue(done);
  }

  // The settings, then `hook install` again, as an operator does after
  // setting a [policy]: pre-receive is installed only where it checks something.
  void WriteConfig(const std::string& extra, const std::string& transitions = "") {
    HookE2E::WriteConfig(extra, transitions);
    ProcessResult install = Jiralink({"hook", "install", git_.bare()});
    ASSERT_EQ(install.exit_code, 0) << install.err;
  }

  // `git push` that may be refused (HookE2E::Push expects success).
  ProcessResult TryPush(const std::vector<std::string>& args) {
    return git_.Push(args, {{"JIRALINK_BACKOFF_BASE_MS", "10"}});
  }

  // The settings with [jira] web_url pointing at `url` instead of the stand-in.
  void PointJiraAt(const std::string& url) {
    std::string text = ReadFile(config_);
    std::size_t at = text.find(jira_.base_url());
    ASSERT_NE(at, std::string::npos);
    text.replace(at, jira_.base_url().size(), url);
    WriteFile(config_, text);
  }
};

TEST_F(PreReceive, ACommitWithoutAKeyIsRefusedOnMainAndAcceptedOnAFeatureBranch) {
  WriteConfig("[policy]\nrequire_key = [\"main\", \"release/*\"]\n");
  git_.Commit("PROJ-1 a good start");
  Push({"origin", "main"});
  const std::string main_before = git_.ServerRev("refs/heads/main");
  std::string sha = git_.Commit("Tidy up without a key");

  ProcessResult refused = TryPush({"origin", "main"});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_TRUE(Contains(refused.err, "remote: jiralink: push refused by the Jira policy: 1 commit"))
      << refused.err;
  EXPECT_TRUE(Contains(refused.err, sha.substr(0, 11))) << refused.err;
  EXPECT_TRUE(
      Contains(refused.err, "Tidy up without a key: names no Jira issue key (required on main)"))
      << refused.err;
  EXPECT_TRUE(Contains(refused.err, "git commit --amend")) << refused.err;
  EXPECT_TRUE(Contains(refused.err, "pre-receive hook declined")) << refused.err;
  EXPECT_EQ(git_.ServerRev("refs/heads/main"), main_before) << "the ref did not move";
  EXPECT_FALSE(Contains(refused.err, "queued")) << "post-receive did not run";

  ProcessResult release = TryPush({"origin", "HEAD:refs/heads/release/1.0"});
  EXPECT_NE(release.exit_code, 0) << "release/* is protected too";

  ProcessResult feature = TryPush({"origin", "HEAD:refs/heads/feature/tidy"});
  EXPECT_EQ(feature.exit_code, 0) << feature.err;
  EXPECT_EQ(git_.ServerRev("refs/heads/feature/tidy"), sha);
  EXPECT_FALSE(Contains(feature.err, "refused")) << feature.err;
}

TEST_F(PreReceive, TheWholePushIsRefusedWhenOneBranchBreaksThePolicy) {
  WriteConfig("[policy]\nrequire_key = [\"main\"]\n");
  git_.Commit("PROJ-1 start");
  Push({"origin", "main"});
  git_.Run({"checkout", "-q", "-b", "topic"});
  std::string topic = git_.Commit("PROJ-2 topic work");
  git_.Run({"checkout", "-q", "main"});
  git_.Commit("no key");
  ProcessResult r = TryPush({"origin", "main", "topic"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(git_.ServerRev("refs/heads/topic"), std::string(40, '0'))
      << "git refuses every ref of a push its pre-receive refuses";
}

TEST_F(PreReceive, AnIssueInACategoryNotAllowedOrMissingIsRefusedInOneSearch) {
  // A budget no loaded machine exceeds: here Jira must answer.
  WriteConfig("[policy]\nallowed_states = [\"To Do\", \"In Progress\"]\ntimeout_ms = 60000\n");
  git_.Commit("PROJ-1 first");
  git_.Commit("PROJ-2 and PROJ-1 second");
  std::string done = git_.Commit("PROJ-31 reopen the closed one");
  std::string typo = git_.Commit("PROJ-999 typo");
  jira_.ClearRequests();

  ProcessResult r = TryPush({"origin", "main"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(Contains(r.err, done.substr(0, 11) + " PROJ-31 reopen the closed one: PROJ-31 is "
                                                   "Done (allowed: To Do, In Progress)"))
      << r.err;
  EXPECT_TRUE(Contains(r.err, typo.substr(0, 11) + " PROJ-999 typo: PROJ-999: no such issue"))
      << r.err;
  EXPECT_TRUE(Contains(r.err, "2 commits break it")) << r.err;
  auto searches = jira_.Requests("GET", "/search");
  ASSERT_EQ(searches.size(), 1u) << "one search for the whole push";
  for (const char* key : {"PROJ-1", "PROJ-2", "PROJ-31", "PROJ-999"}) {
    EXPECT_TRUE(Contains(searches[0].query, key)) << key << " in " << searches[0].query;
  }
  EXPECT_EQ(jira_.Requests().size(), 1u) << "no serverInfo or other request";
  EXPECT_FALSE(Contains(r.err, "standin-token"));

  // Without the two offenders the same issues pass.
  git_.Run({"reset", "-q", "--hard", "HEAD~2"});
  ProcessResult ok = TryPush({"origin", "main"});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
}

TEST_F(PreReceive, AnIssueMovedToAnotherProjectIsJudgedUnderItsOldKey) {
  jira_.AddProject("OPS", "Operations");
  standin::IssueSeed open;
  open.key = "OPS-2";
  open.previous_keys = {"PROJ-40"};
  open.status = "In Progress";
  jira_.AddIssue(open);
  standin::IssueSeed closed;
  closed.key = "OPS-3";
  closed.previous_keys = {"PROJ-41"};
  closed.status = "Done";
  jira_.AddIssue(closed);
  WriteConfig("[policy]\nallowed_states = [\"To Do\", \"In Progress\"]\ntimeout_ms = 60000\n");
  git_.Commit("PROJ-40 still open, under its old key");
  ProcessResult ok = TryPush({"origin", "main"});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;

  std::string done = git_.Commit("PROJ-41 closed since the move");
  ProcessResult refused = TryPush({"origin", "main"});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_TRUE(Contains(refused.err, done.substr(0, 11) + " PROJ-41 closed since the move: PROJ-41 "
                                                         "(now OPS-3) is Done"))
      << refused.err;
}

TEST_F(PreReceive, JiraDownIsAllowedWithAWarningWithinTheTimeout) {
  WriteConfig("[policy]\nallowed_states = [\"To Do\"]\ntimeout_ms = 1500\n");
  PointJiraAt("http://127.0.0.1:" + std::to_string(ClosedPort()));
  git_.Commit("PROJ-1 while Jira is down");
  ProcessResult closed = TryPush({"origin", "main"});
  EXPECT_EQ(closed.exit_code, 0) << closed.err;
  EXPECT_TRUE(Contains(closed.err,
                       "remote: jiralink: warning: Jira could not be asked about "
                       "PROJ-1"))
      << closed.err;
  EXPECT_TRUE(Contains(closed.err, "on_jira_unreachable = \"allow\"")) << closed.err;

  // A Jira that accepts the connection and never answers: the push waits
  // timeout_ms, not the stall nor [jira] timeout_seconds (both 120 s).
  WriteConfig("[policy]\nallowed_states = [\"To Do\"]\ntimeout_ms = 4000\n");
  std::string text = ReadFile(config_);
  std::size_t at = text.find("timeout_seconds = 10\n");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, 20, "timeout_seconds = 120");
  WriteFile(config_, text);
  standin::Fault stall;
  stall.path_contains = "/search";
  stall.status = 0;
  stall.delay_ms = 120000;
  jira_.InjectFault(stall);
  git_.Commit("PROJ-2 while Jira stalls");
  ProcessResult stalled = TryPush({"origin", "main"});
  EXPECT_EQ(stalled.exit_code, 0) << stalled.err;
  EXPECT_TRUE(Contains(stalled.err, "warning: Jira could not be asked about PROJ-2"))
      << stalled.err;
  // 4 s of check, plus starting git and both hooks on a loaded machine.
  EXPECT_LT(stalled.elapsed, std::chrono::milliseconds(4000 + 20000))
      << "took " << stalled.elapsed.count() << " ms";
  EXPECT_LE(jira_.Requests("GET", "/search").size(), 1u);
}

TEST_F(PreReceive, JiraDownIsRefusedWithReject) {
  WriteConfig(
      "[policy]\nallowed_states = [\"To Do\"]\non_jira_unreachable = \"reject\"\n"
      "timeout_ms = 1500\n");
  PointJiraAt("http://127.0.0.1:" + std::to_string(ClosedPort()));
  git_.Commit("PROJ-1 while Jira is down");
  ProcessResult r = TryPush({"origin", "main"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(Contains(r.err, "remote: jiralink: push refused by the Jira policy:")) << r.err;
  EXPECT_TRUE(Contains(r.err, "on_jira_unreachable = \"reject\"")) << r.err;
  EXPECT_TRUE(Contains(r.err, "Push again when Jira answers")) << r.err;
  EXPECT_EQ(git_.ServerRev("refs/heads/main"), std::string(40, '0'));
}

TEST_F(PreReceive, ExemptAuthorsAndMessagesAreNotChecked) {
  WriteConfig(
      "[policy]\nrequire_key = [\"main\"]\nexempt_authors = [\"Release Bot\", "
      "\"ci@example.com\"]\nexempt_message = \"^Merge \"\n");
  git_.Commit("PROJ-1 start");
  Push({"origin", "main"});
  git_.Run({"checkout", "-q", "-b", "side"});
  WriteFile(git_.work() + "/side.txt", "side\n");  // not file.txt: the merge stays clean
  git_.Run({"add", "side.txt"});
  git_.Run({"commit", "-q", "-m", "PROJ-2 side work"});
  git_.Run({"checkout", "-q", "main"});
  git_.Commit("PROJ-3 main work");
  git_.Run({"merge", "-q", "--no-ff", "--no-edit", "side"});  // "Merge branch 'side'"
  std::map<std::string, std::string> bot = GitIdentityEnv();
  bot["GIT_AUTHOR_NAME"] = "Release Bot";
  bot["GIT_AUTHOR_EMAIL"] = "bot@example.com";
  WriteFile(git_.work() + "/version.txt", "1.0\n");
  Git(git_.work(), {"add", "version.txt"}, bot);
  Git(git_.work(), {"commit", "-q", "-m", "Bump version"}, bot);
  bot["GIT_AUTHOR_NAME"] = "Someone Else";
  bot["GIT_AUTHOR_EMAIL"] = "CI@Example.com";
  WriteFile(git_.work() + "/version.txt", "1.1\n");
  Git(git_.work(), {"commit", "-q", "-am", "Bump again"}, bot);
  ProcessResult ok = TryPush({"origin", "main"});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;

  std::string mine = git_.Commit("Bump without being a bot");
  ProcessResult refused = TryPush({"origin", "main"});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_TRUE(Contains(refused.err, "1 commit breaks it")) << refused.err;
  EXPECT_TRUE(Contains(refused.err, mine.substr(0, 11))) << refused.err;
}

TEST_F(PreReceive, ManyOffendersFitOnAScreen) {
  WriteConfig("[policy]\nrequire_key = [\"main\"]\n");
  for (int i = 0; i < 30; ++i) git_.Commit("chore " + std::to_string(i));
  ProcessResult r = TryPush({"origin", "main"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(Contains(r.err, "30 commits break it")) << r.err;
  EXPECT_TRUE(Contains(r.err, "remote: jiralink:   and 10 more commits")) << r.err;
  int lines = 0;
  for (std::size_t at = 0; (at = r.err.find("remote: jiralink:", at)) != std::string::npos; ++at) {
    ++lines;
  }
  EXPECT_LE(lines, 24) << r.err;
}

TEST_F(PreReceive, BadSettingsAreReportedWithTheirPosition) {
  // A policy in force (pre-receive installed), then the file broken.
  WriteConfig("[policy]\nrequire_key = [\"main\"]\n");
  HookE2E::WriteConfig(
      "[policy]\nrequire_key = [\"main\", \"refs/heads/dev\", \"rel[ease\"]\n"
      "exempt_message = \"(Merge\"\non_jira_unreachable = \"maybe\"\ntimeout_ms = 0\n");
  ProcessResult check = Jiralink({"config", "check"});
  EXPECT_EQ(check.exit_code, 2);
  const std::string text = ReadFile(config_);
  auto line_of = [&](const std::string& needle) {
    std::size_t at = text.find(needle);
    return std::to_string(std::count(text.begin(), text.begin() + static_cast<long>(at), '\n') + 1);
  };
  const std::string file = config_ + ":";
  EXPECT_TRUE(Contains(check.err, file + line_of("require_key") +
                                      ":24: error: [policy] "
                                      "require_key[1] names branches, "
                                      "not refs: write \"dev\""))
      << check.err;
  EXPECT_TRUE(Contains(check.err, file + line_of("require_key") +
                                      ":42: error: [policy] "
                                      "require_key[2] has a '[' at "
                                      "character 4 that no ']' closes"))
      << check.err;
  EXPECT_TRUE(
      Contains(check.err, file + line_of("exempt_message") +
                              ":18: error: [policy] exempt_message does not compile in RE2"))
      << check.err;
  EXPECT_TRUE(Contains(check.err, file + line_of("on_jira_unreachable") +
                                      ":23: error: [policy] on_jira_unreachable must be "
                                      "\"allow\" or \"reject\", got \"maybe\""))
      << check.err;
  EXPECT_TRUE(Contains(check.err, file + line_of("timeout_ms") + ":")) << check.err;

  // The hook accepts the push with a warning, as post-receive does.
  git_.Commit("no key");
  ProcessResult push = TryPush({"origin", "main"});
  EXPECT_EQ(push.exit_code, 0) << push.err;
  EXPECT_TRUE(Contains(push.err, "the push policy was NOT checked")) << push.err;
}

TEST_F(PreReceive, GarbageOnStdinIsWarnedAboutAndNothingCrashes) {
  WriteConfig("[policy]\nrequire_key = [\"*\"]\n");
  ProcessOptions options;
  options.cwd = git_.bare();
  options.env = Env();
  options.env["GIT_DIR"] = ".";
  options.stdin_data = std::string("garbage\n\x01\x02\x1b[2J\n") + std::string(5000, 'z') + "\n";
  ProcessResult r = RunJiralink({"--config", config_, "hook", "pre-receive"}, options);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Contains(r.err, "jiralink: warning: stdin line 1: expected")) << r.err;
  EXPECT_TRUE(Contains(r.err, "stdin line 3")) << r.err;
  EXPECT_FALSE(Contains(r.err, "\x1b")) << "nothing reaches the terminal raw";

  // A well-formed line naming an object the repository lacks: refused.
  options.stdin_data = std::string(40, '0') + " " + std::string(40, 'b') + " refs/heads/main\n";
  ProcessResult missing = RunJiralink({"--config", config_, "hook", "pre-receive"}, options);
  EXPECT_EQ(missing.exit_code, 1) << missing.err;
  EXPECT_TRUE(Contains(missing.err, "push refused: the pushed commits cannot be read"))
      << missing.err;
}

TEST_F(PreReceive, AnExistingPreReceiveIsChainedAndRunsFirst) {
  ASSERT_EQ(Jiralink({"hook", "install", "--uninstall", git_.bare()}).exit_code, 0);
  EXPECT_FALSE(std::filesystem::exists(git_.bare() + "/hooks/pre-receive"));
  std::string seen = git_.Path("seen.txt");
  std::string hook = git_.bare() + "/hooks/pre-receive";
  WriteFile(hook,
            "#!/bin/sh\ncat > '" + seen + "'\nif grep -q refs/heads/frozen '" + seen +
                "'; then echo frozen by the old hook; exit 3; fi\necho old pre-receive ran\n");
  ::chmod(hook.c_str(), 0755);
  HookE2E::WriteConfig("[policy]\nrequire_key = [\"main\"]\n");
  ProcessResult install = Jiralink({"hook", "install", git_.bare()});
  ASSERT_EQ(install.exit_code, 0) << install.err;
  EXPECT_TRUE(Contains(install.out, "pre-receive.jiralink-chained")) << install.out;

  std::string sha = git_.Commit("PROJ-4 fine");
  ProcessResult ok = TryPush({"origin", "main"});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_TRUE(Contains(ok.err, "remote: old pre-receive ran")) << ok.err;
  EXPECT_EQ(ReadFile(seen), std::string(40, '0') + " " + sha + " refs/heads/main\n");

  git_.Commit("no key");
  ProcessResult ours = TryPush({"origin", "main"});
  EXPECT_NE(ours.exit_code, 0);
  EXPECT_TRUE(Contains(ours.err, "remote: old pre-receive ran")) << ours.err;
  EXPECT_TRUE(Contains(ours.err, "names no Jira issue key")) << ours.err;

  ProcessResult theirs = TryPush({"origin", "HEAD:refs/heads/frozen"});
  EXPECT_NE(theirs.exit_code, 0);
  EXPECT_TRUE(Contains(theirs.err, "remote: frozen by the old hook")) << theirs.err;
  EXPECT_EQ(git_.ServerRev("refs/heads/frozen"), std::string(40, '0'));

  ProcessResult uninstall = Jiralink({"hook", "install", "--uninstall", git_.bare()});
  EXPECT_TRUE(Contains(uninstall.out, "removed; the previous pre-receive is back"))
      << uninstall.out;
  EXPECT_TRUE(Contains(ReadFile(hook), "old pre-receive ran"));
}

TEST_F(PreReceive, WithoutAPolicyThePushIsUntouched) {
  git_.Commit("no key at all");
  ProcessResult r = TryPush({"origin", "main"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(Contains(r.err, "policy")) << r.err;
  EXPECT_TRUE(jira_.Requests().empty());
}

}  // namespace
}  // namespace jiralink::testing
