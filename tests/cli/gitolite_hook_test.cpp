// The README's gitolite3 instructions, run against Debian's gitolite3: a
// repo-specific post-receive hook (LOCAL_CODE + 'repo-specific-hooks' in
// .gitolite.rc, `option hook.post-receive = jiralink` in gitolite.conf) that
// execs `jiralink hook post-receive`. Pushes go through gitolite-shell as
// sshd would run it (SSH_ORIGINAL_COMMAND), with no sshd: git's ssh command
// is a small script. One push leaves a comment on the stand-in Jira.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <map>
#include <regex>
#include <string>

#include "../hooks/git_fixture.h"
#include "standin.h"
#include "support/test_support.h"

namespace jiralink::testing {
namespace {

constexpr const char* kGitoliteShell = "/usr/share/gitolite3/gitolite-shell";

class GitoliteHookTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (RunProcess({"gitolite", "version"}).exit_code == 127 ||
        !std::filesystem::exists(kGitoliteShell)) {
      GTEST_SKIP() << "gitolite3 is not installed (apt-get install gitolite3)";
    }
    ASSERT_TRUE(jira_.Start());
    jira_.AddProject("PROJ", "Project");
    standin::IssueSeed seed;
    seed.key = "PROJ-7";
    seed.summary = "Pushed through gitolite";
    jira_.AddIssue(seed);
    home_ = dir_.Path("gitolite");
    std::filesystem::create_directories(home_);
  }

  // The environment of everything gitolite runs: its own HOME.
  std::map<std::string, std::string> Env() const {
    std::map<std::string, std::string> env = GitIdentityEnv();
    env["HOME"] = home_;
    return env;
  }

  // git with the ssh command that hands the request to gitolite-shell.
  ProcessResult Git(const std::string& cwd, std::vector<std::string> args) {
    args.insert(args.begin(), {"git", "-c", "ssh.variant=simple", "-c",
                               "core.sshCommand=" + dir_.Path("gitolite-ssh")});
    ProcessOptions options;
    options.cwd = cwd;
    options.env = Env();
    options.timeout = std::chrono::milliseconds(60000);
    ProcessResult result = RunProcess(args, options);
    EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
    return result;
  }

  standin::JiraStandin jira_{standin::JiraStandin::Options{}};
  TempDir dir_;
  std::string home_;
};

TEST_F(GitoliteHookTest, RepoSpecificHookLeavesAJiraComment) {
  ProcessOptions as_gitolite;
  as_gitolite.env = Env();
  as_gitolite.cwd = home_;
  ProcessResult setup = RunProcess({"gitolite", "setup", "-a", "admin"}, as_gitolite);
  ASSERT_EQ(setup.exit_code, 0) << setup.err;

  // ~/.gitolite.rc: LOCAL_CODE => "$ENV{HOME}/local" and 'repo-specific-hooks'.
  std::string rc = ReadFile(home_ + "/.gitolite.rc");
  const std::string rc_before = rc;
  rc = std::regex_replace(rc, std::regex(R"(# (LOCAL_CODE\s+=>\s+"\$ENV\{HOME\}/local",))"), "$1");
  rc = std::regex_replace(rc, std::regex(R"(# ('repo-specific-hooks',))"), "$1");
  ASSERT_NE(rc.find("\n        LOCAL_CODE"), std::string::npos) << "the rc file changed shape";
  ASSERT_NE(rc.find("\n            'repo-specific-hooks',"), std::string::npos);
  WriteFile(home_ + "/.gitolite.rc", rc);

  // The hook script of the README, and the settings it names.
  const std::string config = dir_.Path("jiralink.toml");
  WriteFile(config, "[jira]\nweb_url = \"" + jira_.base_url() +
                        "\"\nusername = \"jiralink-bot\"\ntoken = \"standin-token\"\n\n"
                        "[git]\nroot = \"" +
                        home_ +
                        "/repositories\"\n"
                        "commit_url = \"https://git.example.com/{repo}/commit/{sha}\"\n\n"
                        "[state]\ndir = \"" +
                        dir_.Path("state") + "\"\n");
  ::chmod(config.c_str(), 0600);
  std::filesystem::create_directories(home_ + "/local/hooks/repo-specific");
  const std::string hook = home_ + "/local/hooks/repo-specific/jiralink";
  WriteFile(hook,
            "#!/bin/sh\nexec " + JiralinkBin() + " --config " + config + " hook post-receive\n");
  ::chmod(hook.c_str(), 0755);

  // sshd would run: gitolite-shell admin, with the client's command.
  const std::string ssh = dir_.Path("gitolite-ssh");
  WriteFile(ssh,
            "#!/bin/sh\n# git runs: gitolite-ssh HOST COMMAND\n"
            "SSH_CONNECTION='127.0.0.1 40000 127.0.0.1 22' SSH_ORIGINAL_COMMAND=\"$2\" "
            "exec " +
                std::string(kGitoliteShell) + " admin\n");
  ::chmod(ssh.c_str(), 0755);

  // The admin adds the repository with the hook option, through gitolite-admin.
  Git(dir_.path(), {"clone", "-q", "git@gitolite:gitolite-admin", dir_.Path("admin")});
  const std::string conf = dir_.Path("admin/conf/gitolite.conf");
  WriteFile(conf, ReadFile(conf) +
                      "\nrepo platform/api\n    RW+ = admin\n    option hook.post-receive = "
                      "jiralink\n");
  Git(dir_.Path("admin"), {"commit", "-q", "-am", "platform/api with the jiralink hook"});
  Git(dir_.Path("admin"), {"push", "-q", "origin", "HEAD"});
  ASSERT_TRUE(std::filesystem::is_symlink(home_ + "/repositories/platform/api.git/hooks/"
                                                  "post-receive.h00-jiralink"));

  // A developer pushes a commit that mentions PROJ-7.
  const std::string work = dir_.Path("work");
  Git(dir_.path(), {"init", "-q", "-b", "main", work});
  WriteFile(work + "/a.txt", "a\n");
  Git(work, {"add", "a.txt"});
  Git(work, {"commit", "-q", "-m", "PROJ-7 handle the gitolite case"});
  const std::string sha = Git(work, {"rev-parse", "HEAD"}).out.substr(0, 40);
  Git(work, {"push", "-q", "git@gitolite:platform/api", "main"});

  ProcessOptions deliver_options;
  deliver_options.env = Env();
  ProcessResult deliver = RunJiralink({"--config", config, "deliver", "--once"}, deliver_options);
  EXPECT_EQ(deliver.exit_code, 0) << deliver.out << deliver.err;
  std::vector<nlohmann::json> comments = jira_.Comments("PROJ-7");
  ASSERT_EQ(comments.size(), 1u) << deliver.out;
  const std::string body = comments[0].value("body", "");
  EXPECT_NE(body.find("https://git.example.com/platform/api/commit/" + sha), std::string::npos)
      << body;
  EXPECT_NE(body.find("platform/api"), std::string::npos) << body;
  EXPECT_NE(rc, rc_before);
}

}  // namespace
}  // namespace jiralink::testing
