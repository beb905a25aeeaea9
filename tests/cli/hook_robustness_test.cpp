// The hook never fails a push: garbage on stdin, broken settings, an
// existing post-receive that must keep running, and the install command.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "hook_e2e_fixture.h"

namespace jiralink::testing {
namespace {

using HookRobustness = HookE2E;

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST_F(HookRobustness, GarbageOnStdinIsWarnedAboutAndValidLinesAreQueued) {
  // Get the commit onto the server without the hook, then run it by hand.
  ASSERT_EQ(Jiralink({"hook", "install", "--uninstall", git_.bare()}).exit_code, 0);
  std::string sha = git_.Commit("PROJ-13 work");
  ProcessResult side = Push({"origin", "main:side"});
  EXPECT_FALSE(Contains(side.err, "jiralink")) << side.err;
  std::string input = "garbage line\n\x01\x02\n" + std::string(40, '0') + " " + sha +
                      " refs/heads/main\nmore garbage\n";
  ProcessOptions options;
  options.cwd = git_.bare();
  options.env = Env();
  options.env["GIT_DIR"] = ".";
  options.stdin_data = input;
  // The server as after a push of main alone (what the input says).
  Git(git_.bare(), {"update-ref", "-d", "refs/heads/side"}, Env());
  Git(git_.bare(), {"update-ref", "refs/heads/main", sha}, Env());
  ProcessResult r = RunJiralink({"--config", config_, "hook", "post-receive"}, options);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_TRUE(Contains(r.err, "jiralink: warning: stdin line 1: expected")) << r.err;
  EXPECT_TRUE(Contains(r.err, "stdin line 4")) << r.err;
  EXPECT_TRUE(Contains(r.out, "jiralink: 1 Jira mention queued")) << r.out;
}

// Issue #24: one commit naming 100,000 keys queued 100,000 jobs. Now it
// queues kMaxKeysPerSource (500) and the pusher is told what was left out.
TEST_F(HookRobustness, ACommitNamingTooManyKeysQueuesTheFirstAndSaysSo) {
  std::string message = "Rename everything\n\n";
  for (int i = 1; i <= 100000; ++i) message += "PROJ-" + std::to_string(i) + "\n";
  // Too long for one argument: the message comes from a file.
  const std::string file = git_.Path("message.txt");
  WriteFile(file, message);
  git_.Run({"commit", "-q", "--allow-empty", "-F", file});
  const std::string sha = git_.Rev("HEAD");
  ProcessResult push = Push({"origin", "main"});
  EXPECT_TRUE(Contains(push.err, "remote: jiralink: warning: commit " + sha.substr(0, 12) +
                                     " names 100000 Jira keys; only the first 500 are queued, "
                                     "99500 left out"))
      << push.err;
  EXPECT_TRUE(Contains(push.err, "remote: jiralink: 500 Jira mentions queued")) << push.err;
  ProcessResult list = Jiralink({"queue", "list", "--limit", "100000", "--json"});
  EXPECT_EQ(list.exit_code, 0) << list.err;
  std::size_t jobs = 0;
  for (std::size_t at = 0; (at = list.out.find("\"key\": \"PROJ-", at)) != std::string::npos;
       ++at) {
    ++jobs;
  }
  EXPECT_EQ(jobs, 500u);
  EXPECT_TRUE(Contains(list.out, "\"key\": \"PROJ-500\"")) << list.out.substr(0, 2000);
  EXPECT_FALSE(Contains(list.out, "\"key\": \"PROJ-501\"")) << list.out.substr(0, 2000);
}

TEST_F(HookRobustness, BrokenSettingsWarnButThePushSucceeds) {
  WriteFile(config_, "[jira\nweb_url = 1\n");
  git_.Commit("PROJ-14 work");
  ProcessResult push = Push({"origin", "main"});
  EXPECT_EQ(push.exit_code, 0);
  EXPECT_TRUE(Contains(push.err, "remote: jiralink: warning: the jiralink settings are broken"))
      << push.err;
  EXPECT_TRUE(Contains(push.err, "refs/heads/main")) << "the lines to replay are shown";
  EXPECT_TRUE(Contains(push.err, "jiralink.toml")) << "the file is named";
}

TEST_F(HookRobustness, AnExistingPostReceiveKeepsRunningWithTheSameInput) {
  // Start over with a foreign hook in place before installing.
  ASSERT_EQ(Jiralink({"hook", "install", "--uninstall", git_.bare()}).exit_code, 0);
  std::string seen = git_.Path("seen.txt");
  std::string hook = git_.bare() + "/hooks/post-receive";
  WriteFile(hook, "#!/bin/sh\ncat > '" + seen + "'\necho old hook ran\n");
  ::chmod(hook.c_str(), 0755);
  ProcessResult install = Jiralink({"hook", "install", git_.bare()});
  ASSERT_EQ(install.exit_code, 0) << install.err;
  EXPECT_TRUE(Contains(install.out, "post-receive.jiralink-chained")) << install.out;
  ProcessResult again = Jiralink({"hook", "install", git_.bare()});
  EXPECT_TRUE(Contains(again.out, "updated")) << again.out;

  std::string sha = git_.Commit("PROJ-15 work");
  ProcessResult push = Push({"origin", "main"});
  EXPECT_TRUE(Contains(push.err, "remote: old hook ran")) << push.err;
  EXPECT_TRUE(Contains(push.err, "remote: jiralink: 1 Jira mention queued")) << push.err;
  EXPECT_EQ(ReadFile(seen), std::string(40, '0') + " " + sha + " refs/heads/main\n");
}

TEST_F(HookRobustness, InstallRefusesNonBareAndMissingRepositories) {
  ProcessResult r = Jiralink({"hook", "install", git_.work(), git_.Path("missing.git")});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(Contains(r.err, "not a bare repository")) << r.err;
  EXPECT_TRUE(Contains(r.err, "missing.git: no such directory")) << r.err;
}

TEST_F(HookRobustness, QueueListRetryAndDrop) {
  git_.Commit("PROJ-404 does not exist, PROJ-16 does, PROJ-17 is refused");
  standin::Fault refused;
  refused.path_contains = "/PROJ-17/";
  refused.status = 400;
  jira_.InjectFault(refused);
  Push({"origin", "main"});
  ProcessResult deliver = Deliver();
  EXPECT_EQ(deliver.exit_code, 1) << "one job is dead";
  ProcessResult dead = Jiralink({"queue", "list", "--state", "dead"});
  EXPECT_EQ(dead.exit_code, 0);
  EXPECT_TRUE(Contains(dead.out, "PROJ-17")) << dead.out;
  EXPECT_FALSE(Contains(dead.out, "PROJ-16")) << dead.out;
  EXPECT_FALSE(Contains(dead.out, "PROJ-404")) << "a missing issue is skipped, not dead";
  ProcessResult skipped = Jiralink({"queue", "list", "--state", "skipped"});
  EXPECT_TRUE(Contains(skipped.out, "PROJ-404")) << skipped.out;
  ProcessResult json = Jiralink({"queue", "list", "--json"});
  EXPECT_TRUE(Contains(json.out, "\"state\": \"done\"")) << json.out;
  ProcessResult retry = Jiralink({"queue", "retry", "--dead"});
  EXPECT_EQ(retry.exit_code, 0);
  EXPECT_TRUE(Contains(retry.out, "1 job due now")) << retry.out;
  ProcessResult bad = Jiralink({"queue", "list", "--state", "sleeping"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_TRUE(Contains(bad.err, "--state sleeping")) << bad.err;
  ProcessResult missing = Jiralink({"queue", "drop", "99999"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_TRUE(Contains(missing.err, "no job with id 99999")) << missing.err;
}

}  // namespace
}  // namespace jiralink::testing
