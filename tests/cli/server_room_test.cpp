// The server room: one jiralink serving every user a real git server runs it
// as, at once (README: who runs what).
//   - the queue owner (the Debian package's `jiralink`), running
//     `deliver --daemon`, owning the state and the secret;
//   - two pushers with accounts of their own in one group, pushing to one
//     shared repository (core.sharedRepository = group): their hooks hand the
//     jobs over through the maildrop;
//   - gitolite3 as a user of its own, with a repo-specific hook of its own
//     beside jiralink's, both of which must run;
//   - cgit run as a CGI by www-data, with jiralink as its about- and
//     commit-filter, which needs no secret and writes nothing of the state;
//   - root running queue list, render, deliver --once, migrate and cache
//     invalidate between the pushes, leaving no file of its own;
//   - the program removed, and one more push, which must still succeed.
// Every push's jobs are delivered exactly once.
//
// The users are real: the test creates them (as root; it is skipped
// otherwise) with useradd and removes them after. Commands run as a user
// through setpriv(1), which execs the program itself, so signals reach it.
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <regex>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "../hooks/git_fixture.h"
#include "standin.h"
#include "support/test_support.h"

namespace jiralink::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kCgit = "/usr/lib/cgit/cgit.cgi";
constexpr const char* kGitoliteShell = "/usr/share/gitolite3/gitolite-shell";

struct User {
  std::string name;
  std::string group;  // primary
  std::string home;
};

class ServerRoomTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root, to create the server's users";
    for (const char* program : {"/usr/sbin/useradd", "/usr/bin/setpriv"}) {
      if (!fs::exists(program)) GTEST_SKIP() << program << " is missing";
    }
    if (::getpwnam("www-data") == nullptr) GTEST_SKIP() << "no user www-data";
    const std::string suffix = std::to_string(::getpid() % 100000);
    owner_ = {"jlq" + suffix, "jlq" + suffix, ""};
    alice_ = {"jla" + suffix, "jlg" + suffix, root_.Path("home/alice")};
    bob_ = {"jlb" + suffix, "jlg" + suffix, root_.Path("home/bob")};
    gitolite_ = {"jlo" + suffix, "jlo" + suffix, root_.Path("gitolite")};

    ASSERT_EQ(::chmod(root_.path().c_str(), 0755), 0);
    // As /etc/gitconfig on such a server: git refuses a repository of another
    // user unless told to trust it (safe.directory, read only from the
    // global or system settings).
    WriteFile(root_.Path("gitconfig"), "[safe]\n\tdirectory = *\n");
    ::chmod(root_.Path("gitconfig").c_str(), 0644);
    for (const std::string& group : {owner_.group, alice_.group, gitolite_.group}) {
      ASSERT_EQ(Root({"groupadd", "--system", group}).exit_code, 0);
      groups_.push_back(group);
    }
    AddUser(owner_, {});
    AddUser(alice_, {owner_.group});
    AddUser(bob_, {owner_.group});
    AddUser(gitolite_, {owner_.group});

    ASSERT_TRUE(jira_.Start());
    jira_.AddProject("PROJ", "Project");
    for (int i = 1; i <= 4; ++i) {
      standin::IssueSeed seed;
      seed.key = "PROJ-" + std::to_string(i);
      seed.summary = "Issue " + std::to_string(i);
      jira_.AddIssue(seed);
    }

    // What the Debian package installs and creates, under the test's root.
    fs::create_directories(root_.Path("bin"));
    fs::copy_file(JiralinkBin(), jiralink_);
    ::chmod(jiralink_.c_str(), 0755);
    fs::create_directories(root_.Path("etc"));
    WriteFile(token_, "standin-token\n");
    Own(token_, owner_, 0600);
    Directory(state_, owner_, 0700);
    Directory(root_.Path("spool"), {"root", "root", ""}, 0755);
    Directory(maildrop_, owner_, 03730);
    WriteFile(config_, "[jira]\nweb_url = \"" + jira_.base_url() +
                           "\"\nusername = \"jiralink-bot\"\ntoken_file = \"" + token_ +
                           "\"\n\n[git]\nroot = \"" + root_.Path("git") +
                           "\"\ncommit_url = \"https://git.example.com/{repo}/commit/{sha}\"\n\n"
                           "[state]\ndir = \"" +
                           state_ + "\"\nmaildrop = \"" + maildrop_ + "\"\n");
    ::chmod(config_.c_str(), 0644);

    // The shared repository: group-writable, as `git init --shared=group` makes it.
    Directory(root_.Path("git"), {"root", alice_.group, ""}, 02775);
    ASSERT_EQ(
        Root({"git", "init", "-q", "--bare", "--shared=group", "-b", "main", shared_}).exit_code,
        0);
    ASSERT_EQ(Root({"chgrp", "-R", alice_.group, shared_}).exit_code, 0);
    ProcessResult install = Root({jiralink_, "--config", config_, "hook", "install", shared_});
    ASSERT_EQ(install.exit_code, 0) << install.err;
    EXPECT_THAT(install.out, Not(HasSubstr("pre-receive"))) << "no [policy]: no pre-receive";
  }

  void TearDown() override {
    if (daemon_) daemon_->Stop(SIGTERM);
    for (const std::string& user : users_) Root({"userdel", user});
    for (const std::string& group : groups_) Root({"groupdel", group});
  }

  void AddUser(const User& user, const std::vector<std::string>& more_groups) {
    std::vector<std::string> args = {"useradd", "--system", "-M", "-N",
                                     "-g",      user.group, "-s", "/usr/sbin/nologin"};
    if (!more_groups.empty()) {
      std::string list;
      for (const std::string& group : more_groups) list += (list.empty() ? "" : ",") + group;
      args.insert(args.end(), {"-G", list});
    }
    if (!user.home.empty()) args.insert(args.end(), {"-d", user.home});
    args.push_back(user.name);
    ASSERT_EQ(Root(args).exit_code, 0);
    users_.push_back(user.name);
    if (!user.home.empty()) Directory(user.home, user, 0755);
  }

  void Own(const std::string& path, const User& user, mode_t mode) {
    ASSERT_EQ(Root({"chown", user.name + ":" + user.group, path}).exit_code, 0);
    ASSERT_EQ(::chmod(path.c_str(), mode), 0);
  }

  void Directory(const std::string& path, const User& user, mode_t mode) {
    fs::create_directories(path);
    Own(path, user, mode);
  }

  // The environment every command gets: git's identity, and safe.directory
  // (the shared repository belongs to another user than its pushers).
  std::map<std::string, std::string> Env(const std::string& home) const {
    std::map<std::string, std::string> env = GitIdentityEnv();
    env["HOME"] = home;
    env["GIT_CONFIG_GLOBAL"] = root_.Path("gitconfig");
    env["JIRALINK_BACKOFF_BASE_MS"] = "50";
    return env;
  }

  ProcessResult Root(const std::vector<std::string>& args, const std::string& cwd = "") {
    ProcessOptions options;
    options.env = Env(root_.Path("home"));
    options.unset_env = {"JIRALINK_CONFIG"};
    options.cwd = cwd;
    return RunProcess(args, options);
  }

  std::vector<std::string> AsArgs(const User& user, const std::vector<std::string>& args) const {
    std::vector<std::string> all = {"setpriv", "--reuid=" + user.name, "--regid=" + user.group,
                                    "--init-groups", "--"};
    all.insert(all.end(), args.begin(), args.end());
    return all;
  }

  ProcessResult As(const User& user, const std::vector<std::string>& args,
                   const std::string& cwd = "", const std::string& stdin_data = "") {
    ProcessOptions options;
    options.env = Env(user.home.empty() ? root_.path() : user.home);
    options.unset_env = {"JIRALINK_CONFIG"};
    options.cwd = cwd;
    options.stdin_data = stdin_data;
    return RunProcess(AsArgs(user, args), options);
  }

  // A pusher clones the shared repository (once), commits `message` and pushes.
  ProcessResult Push(const User& user, const std::string& message,
                     const std::string& branch = "main") {
    const std::string work = user.home + "/work";
    if (!fs::exists(work)) {
      ProcessResult clone = As(user, {"git", "clone", "-q", shared_, work}, user.home);
      EXPECT_EQ(clone.exit_code, 0) << clone.err;
      As(user, {"git", "checkout", "-q", "-B", "main"}, work);
    }
    As(user, {"sh", "-c", "echo \"$1\" >> notes.md", "sh", message}, work);
    As(user, {"git", "add", "notes.md"}, work);
    ProcessResult commit = As(user, {"git", "commit", "-q", "-m", message}, work);
    EXPECT_EQ(commit.exit_code, 0) << commit.err;
    return As(user, {"git", "push", "origin", "HEAD:" + branch}, work);
  }

  // Every file under `dir` that belongs to another user than `user`.
  std::vector<std::string> NotOwnedBy(const std::string& dir, const User& user) {
    const passwd* entry = ::getpwnam(user.name.c_str());
    std::vector<std::string> strangers;
    for (const auto& item : fs::recursive_directory_iterator(dir)) {
      struct stat info;
      if (::lstat(item.path().c_str(), &info) == 0 && info.st_uid != entry->pw_uid) {
        strangers.push_back(item.path().string() + " (uid " + std::to_string(info.st_uid) + ")");
      }
    }
    return strangers;
  }

  std::vector<std::string> Drops() {
    std::vector<std::string> names;
    for (const auto& item : fs::directory_iterator(maildrop_)) {
      if (item.path().extension() == ".push") names.push_back(item.path().filename().string());
    }
    return names;
  }

  std::size_t CommentsOn(const std::string& key) { return jira_.Comments(key).size(); }

  // The gitolite of the README: repo-specific hooks, jiralink's and one of
  // the server's own (`audit`, which records its input), on repository gl.
  void SetUpGitolite() {
    ProcessResult setup = As(gitolite_, {"gitolite", "setup", "-a", "admin"}, gitolite_.home);
    ASSERT_EQ(setup.exit_code, 0) << setup.err;
    const std::string rc_path = gitolite_.home + "/.gitolite.rc";
    std::string rc = ReadFile(rc_path);
    rc =
        std::regex_replace(rc, std::regex(R"(# (LOCAL_CODE\s+=>\s+"\$ENV\{HOME\}/local",))"), "$1");
    rc = std::regex_replace(rc, std::regex(R"(# ('repo-specific-hooks',))"), "$1");
    ASSERT_NE(rc.find("\n            'repo-specific-hooks',"), std::string::npos);
    WriteFile(rc_path, rc);
    const std::string hooks = gitolite_.home + "/local/hooks/repo-specific";
    fs::create_directories(hooks);
    WriteFile(hooks + "/jiralink",
              "#!/bin/sh\nexec " + jiralink_ + " --config " + config_ + " hook post-receive\n");
    WriteFile(hooks + "/audit", "#!/bin/sh\ncat >> " + gitolite_.home + "/audit.log\n");
    ::chmod((hooks + "/jiralink").c_str(), 0755);
    ::chmod((hooks + "/audit").c_str(), 0755);
    WriteFile(gitolite_ssh_,
              "#!/bin/sh\nSSH_CONNECTION='127.0.0.1 40000 127.0.0.1 22' "
              "SSH_ORIGINAL_COMMAND=\"$2\" exec " +
                  std::string(kGitoliteShell) + " admin\n");
    ::chmod(gitolite_ssh_.c_str(), 0755);
    ASSERT_EQ(
        Root({"chown", "-R", gitolite_.name + ":" + gitolite_.group, gitolite_.home}).exit_code, 0);
    const std::string admin = gitolite_.home + "/admin";
    ASSERT_EQ(GitoliteGit(gitolite_.home, {"clone", "-q", "git@gitolite:gitolite-admin", admin})
                  .exit_code,
              0);
    const std::string conf = admin + "/conf/gitolite.conf";
    As(gitolite_, {"sh", "-c",
                   "printf '\\nrepo gl\\n    RW+ = admin\\n    option hook.post-receive = audit "
                   "jiralink\\n' >> " +
                       conf});
    ASSERT_EQ(GitoliteGit(admin, {"commit", "-q", "-am", "gl with hooks"}).exit_code, 0);
    ProcessResult pushed = GitoliteGit(admin, {"push", "-q", "origin", "HEAD"});
    ASSERT_EQ(pushed.exit_code, 0) << pushed.err;
  }

  ProcessResult GitoliteGit(const std::string& cwd, std::vector<std::string> args) {
    args.insert(args.begin(),
                {"git", "-c", "ssh.variant=simple", "-c", "core.sshCommand=" + gitolite_ssh_});
    return As(gitolite_, args, cwd);
  }

  TempDir root_;
  standin::JiraStandin jira_{standin::JiraStandin::Options{}};
  User owner_, alice_, bob_, gitolite_;
  std::vector<std::string> users_, groups_;
  std::string jiralink_ = root_.Path("bin/jiralink");
  std::string config_ = root_.Path("etc/config.toml");
  std::string token_ = root_.Path("etc/jira-token");
  std::string state_ = root_.Path("state");
  std::string maildrop_ = root_.Path("spool/maildrop");
  std::string shared_ = root_.Path("git/team/app.git");
  std::string gitolite_ssh_ = root_.Path("gitolite-ssh");
  std::unique_ptr<BackgroundProcess> daemon_;
};

TEST_F(ServerRoomTest, EveryUserWorksAndEveryPushIsDeliveredOnce) {
  if (access(kCgit, X_OK) != 0 || !fs::exists(kGitoliteShell)) {
    GTEST_SKIP() << "needs Debian's cgit and gitolite3";
  }
  // 1. Alice pushes while no daemon runs: the jobs wait in the maildrop.
  ProcessResult alice = Push(alice_, "PROJ-1 alice's change\n\nSee README.md");
  ASSERT_EQ(alice.exit_code, 0) << alice.err;
  EXPECT_THAT(alice.out + alice.err, HasSubstr("handed to the queue's owner through"));
  EXPECT_THAT(alice.err, Not(HasSubstr("NOT queued")));
  EXPECT_EQ(Drops().size(), 1u);

  // 2. Root, between the pushes: every command works, as the state's owner.
  ProcessResult list = Root({jiralink_, "--config", config_, "queue", "list"});
  EXPECT_EQ(list.exit_code, 0) << list.err;
  ProcessOptions root_render;
  root_render.stdin_data = "Fixed in PROJ-1.\n";
  root_render.unset_env = {"JIRALINK_CONFIG"};
  ProcessResult render = RunProcess({jiralink_, "--config", config_, "render"}, root_render);
  EXPECT_EQ(render.exit_code, 0) << render.err;
  EXPECT_THAT(render.out, HasSubstr("/browse/PROJ-1"));
  EXPECT_EQ(render.err, "");
  ProcessResult once = Root({jiralink_, "--config", config_, "deliver", "--once"});
  EXPECT_EQ(once.exit_code, 0) << once.out << once.err;
  EXPECT_EQ(CommentsOn("PROJ-1"), 1u) << once.out << once.err;
  EXPECT_TRUE(Drops().empty());
  ProcessResult invalidate = Root({jiralink_, "--config", config_, "cache", "invalidate"});
  EXPECT_EQ(invalidate.exit_code, 0) << invalidate.err;
  ProcessResult migrate =
      Root({jiralink_, "--config", config_, "migrate", "--web-url", jira_.base_url(), "--auth",
            "basic", "--username", "jiralink-bot", "--token-file", token_});
  EXPECT_EQ(migrate.exit_code, 0) << migrate.out << migrate.err;
  EXPECT_THAT(NotOwnedBy(state_, owner_), ::testing::IsEmpty());

  // 3. The service starts; Bob pushes, and the daemon takes it at once.
  daemon_ = std::make_unique<BackgroundProcess>();
  ProcessOptions daemon_options;
  daemon_options.env = Env(root_.path());
  ASSERT_TRUE(daemon_->Start(AsArgs(owner_, {jiralink_, "--config", config_, "deliver", "--daemon",
                                             "--poll-seconds", "30"}),
                             daemon_options, root_.Path("deliver.out")));
  ProcessResult bob = Push(bob_, "PROJ-2 bob's fix");
  ASSERT_EQ(bob.exit_code, 0) << bob.err;
  EXPECT_TRUE(WaitFor([&] { return CommentsOn("PROJ-2") == 1; }))
      << ReadFile(root_.Path("deliver.out"));

  // The same commit pushed again, to another branch: nothing new.
  ProcessResult again = As(alice_, {"git", "push", "origin", "HEAD:topic"}, alice_.home + "/work");
  ASSERT_EQ(again.exit_code, 0) << again.err;

  // 4. gitolite: its own repo-specific hook and jiralink's both run.
  SetUpGitolite();
  const std::string gitolite_work = gitolite_.home + "/work";
  ASSERT_EQ(As(gitolite_, {"git", "init", "-q", "-b", "main", gitolite_work}).exit_code, 0);
  As(gitolite_, {"sh", "-c", "echo g > g.txt && git add g.txt"}, gitolite_work);
  ASSERT_EQ(As(gitolite_, {"git", "commit", "-q", "-m", "PROJ-3 through gitolite"}, gitolite_work)
                .exit_code,
            0);
  ProcessResult through_gitolite =
      GitoliteGit(gitolite_work, {"push", "-q", "git@gitolite:gl", "main"});
  ASSERT_EQ(through_gitolite.exit_code, 0) << through_gitolite.err;
  EXPECT_TRUE(WaitFor([&] { return CommentsOn("PROJ-3") == 1; }))
      << ReadFile(root_.Path("deliver.out"));
  EXPECT_THAT(ReadFile(gitolite_.home + "/audit.log"), HasSubstr("refs/heads/main"));
  // `hook install` leaves a gitolite repository's hooks to gitolite, and says how.
  const std::string gl_repo = gitolite_.home + "/repositories/gl.git";
  ProcessResult refused = Root({jiralink_, "--config", config_, "hook", "install", gl_repo});
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_THAT(refused.err, HasSubstr("is a gitolite repository"));
  EXPECT_TRUE(fs::is_symlink(gl_repo + "/hooks/post-receive"));

  // 5. cgit as www-data: the about page and the commit page carry the links,
  // with nothing on stderr, although www-data may read neither the secret
  // nor the state.
  const std::string cgit_dir = root_.Path("cgit");
  fs::create_directories(cgit_dir);
  WriteFile(cgit_dir + "/about-filter",
            "#!/bin/sh\nexec " + jiralink_ + " --config " + config_ + " render \"$@\"\n");
  WriteFile(cgit_dir + "/commit-filter",
            "#!/bin/sh\nexec " + jiralink_ + " --config " + config_ + " render --commit-filter\n");
  ::chmod((cgit_dir + "/about-filter").c_str(), 0755);
  ::chmod((cgit_dir + "/commit-filter").c_str(), 0755);
  WriteFile(cgit_dir + "/cgitrc", "cache-size=0\nvirtual-root=/\nabout-filter=" + cgit_dir +
                                      "/about-filter\ncommit-filter=" + cgit_dir +
                                      "/commit-filter\nreadme=:notes.md\nrepo.url=app\n"
                                      "repo.path=" +
                                      shared_ + "\n");
  User www{"www-data", "www-data", ""};
  for (const char* page : {"/app/commit/", "/app/about/"}) {
    ProcessOptions cgi;
    cgi.env = {{"CGIT_CONFIG", cgit_dir + "/cgitrc"},
               {"GATEWAY_INTERFACE", "CGI/1.1"},
               {"REQUEST_METHOD", "GET"},
               {"SCRIPT_NAME", "/"},
               {"PATH_INFO", page},
               {"QUERY_STRING", ""},
               {"SERVER_NAME", "localhost"},
               {"HOME", cgit_dir},
               {"GIT_CONFIG_GLOBAL", root_.Path("gitconfig")}};
    cgi.unset_env = {"JIRALINK_CONFIG", "CGIT_REPO_URL"};
    cgi.cwd = cgit_dir;
    ProcessResult page_result = RunProcess(AsArgs(www, {kCgit}), cgi);
    EXPECT_EQ(page_result.exit_code, 0) << page;
    EXPECT_EQ(page_result.err, "") << page;
    EXPECT_THAT(page_result.out, HasSubstr(jira_.base_url() + "/browse/PROJ-")) << page << "\n"
                                                                                << page_result.out;
  }

  // 6. The program removed (apt remove): the next push still succeeds, and
  // says in one line what happened.
  fs::remove(jiralink_);
  ProcessResult last = Push(alice_, "PROJ-4 after the package went", "after-removal");
  EXPECT_EQ(last.exit_code, 0) << last.err;
  EXPECT_THAT(last.err, HasSubstr("jiralink: " + jiralink_ +
                                  " is not installed; this push was not queued for Jira"));

  // Each push's jobs were delivered exactly once, and the state is the owner's.
  EXPECT_EQ(CommentsOn("PROJ-1"), 1u);
  EXPECT_EQ(CommentsOn("PROJ-2"), 1u);
  EXPECT_EQ(CommentsOn("PROJ-3"), 1u);
  EXPECT_EQ(CommentsOn("PROJ-4"), 0u);
  EXPECT_TRUE(Drops().empty());
  EXPECT_THAT(NotOwnedBy(state_, owner_), ::testing::IsEmpty());
  EXPECT_THAT(ReadFile(root_.Path("deliver.out")), Not(HasSubstr("refused")));
}

}  // namespace
}  // namespace jiralink::testing
