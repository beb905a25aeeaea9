// `git push` into a bare repository with the jiralink hook installed: which
// pushes queue which Jira work, and what Jira shows after `deliver --once`.
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "hook_e2e_fixture.h"

namespace jiralink::testing {
namespace {

using HookPush = HookE2E;

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST_F(HookPush, NewBranchThenFastForwardEachCommentOnce) {
  std::string first = git_.Commit("Start the parser, PROJ-1");
  ProcessResult push = Push({"origin", "main"});
  EXPECT_TRUE(Contains(push.err, "remote: jiralink: 1 Jira mention queued")) << push.err;
  ProcessResult deliver = Deliver();
  EXPECT_EQ(deliver.exit_code, 0) << deliver.out << deliver.err;
  std::vector<std::string> comments = CommentBodies("PROJ-1");
  ASSERT_EQ(comments.size(), 1u);
  EXPECT_EQ(comments[0],
            "Ada Lovelace mentioned this issue in [a "
            "commit|https://git.example.com/platform/api/-/commit/" +
                first +
                "] of [platform/api|https://git.example.com/platform/api] on branch "
                "[main|https://git.example.com/platform/api/-/tree/main]:{quote}Start the parser, "
                "PROJ-1{quote}");
  ASSERT_EQ(jira_.RemoteLinks("PROJ-1").size(), 1u);

  git_.Commit("Finish the parser, PROJ-1");
  Push({"origin", "main"});
  Deliver();
  EXPECT_EQ(CommentBodies("PROJ-1").size(), 2u);
  EXPECT_EQ(jira_.RemoteLinks("PROJ-1").size(), 2u);
}

// Issue #24: Jira wiki markup from a commit's author, message and branch is
// shown as text in the posted comment (the stand-in records the body as
// posted), and the message still reads as written once Jira drops the
// backslashes.
TEST_F(HookPush, MarkupFromTheCommitIsShownAsTextInTheComment) {
  WriteConfig("[comments]\ndetail = \"all_details\"\n");
  git_.Commit("base");
  Push({"origin", "main"});
  const std::string branch = "evil!x.png!{color}(y)|-b";
  git_.Run({"checkout", "-q", "-b", branch});
  git_.Run({"commit", "-q", "--allow-empty", "--author",
            "Eve !https://evil.example/a.png! *bold* [~admin] <eve@example.com>", "-m",
            "Fix PROJ-4 !https://evil.example/t.png! *now*\n\n"
            "----\n{color:red}red{color} (color:red) (~admin) [~admin] (y)\n"
            "{quote}inner{quote} ||a||b|| +in+ -del- snake_case a-b\n"
            "# one\nh1. Title\nbq. quoted\ntrailing \\"});
  Push({"origin", branch});
  ProcessResult deliver = Deliver();
  EXPECT_EQ(deliver.exit_code, 0) << deliver.out << deliver.err;
  std::vector<std::string> comments = CommentBodies("PROJ-4");
  ASSERT_EQ(comments.size(), 1u);
  const std::string& body = comments[0];
  const std::string zwsp = "\xE2\x80\x8B";
  EXPECT_TRUE(Contains(body,
                       "Eve \\!https://evil.example/a.png\\! \\*bold\\* \\[\\~admin\\] "
                       "mentioned this issue in [commit "))
      << body;
  EXPECT_TRUE(Contains(body, " on branch [evil\\!x.png\\!\\{color\\}\\(y\\)/\\-b|")) << body;
  EXPECT_TRUE(Contains(body,
                       ":{quote}Fix PROJ-4 \\!https://evil.example/t.png\\! \\*now\\*\n\n"
                       "\\-\\-\\-\\-\n\\{color:red\\}red\\{color\\} \\(color:red\\) "
                       "\\(\\~admin\\) \\[\\~admin\\] \\(y\\)\n"
                       "\\{quote\\}inner\\{quote\\} \\|\\|a\\|\\|b\\|\\| \\+in\\+ "
                       "\\-del\\- snake_case a-b\n" +
                           zwsp + "# one\n" + zwsp + "h1. Title\n" + zwsp +
                           "bq. quoted\ntrailing /{quote}"))
      << body;
  // Nothing of it is left bare: each marker has its backslash.
  for (const char* raw : {" !https://", " *bold*", "\n----", "\n{color", "[~admin]", "(y)"}) {
    EXPECT_FALSE(Contains(body, raw)) << raw << "\n" << body;
  }
}

TEST_F(HookPush, SameCommitOnASecondBranchGetsNoSecondComment) {
  git_.Commit("PROJ-2 work");
  Push({"origin", "main"});
  Deliver();
  ProcessResult again = Push({"origin", "main:release"});
  EXPECT_FALSE(Contains(again.err, "queued")) << again.err;
  Deliver();
  EXPECT_EQ(CommentBodies("PROJ-2").size(), 1u);
}

TEST_F(HookPush, MergeForcePushDeletionAndTag) {
  git_.Commit("base");
  Push({"origin", "main"});
  git_.Run({"checkout", "-q", "-b", "feature"});
  git_.Commit("Feature for PROJ-3");
  Push({"origin", "feature"});
  git_.Run({"checkout", "-q", "main"});
  git_.Run({"merge", "-q", "--no-ff", "-m", "Merge branch 'feature'", "feature"});
  // main's update brings the merge and the feature's commit, queued already.
  ProcessResult merge = Push({"origin", "main"});
  EXPECT_TRUE(Contains(merge.err, "jiralink: nothing new for Jira (1 job already queued)"))
      << merge.err;

  git_.Run({"checkout", "-q", "feature"});
  git_.Run({"commit", "-q", "--amend", "-m", "Feature for PROJ-3, reworded with PROJ-4"});
  ProcessResult force = Push({"--force", "origin", "feature"});
  EXPECT_TRUE(Contains(force.err, "jiralink: 2 Jira mentions queued")) << force.err;

  ProcessResult deletion = Push({"origin", "--delete", "feature"});
  EXPECT_FALSE(Contains(deletion.err, "jiralink:")) << deletion.err;
  git_.Run({"tag", "-a", "-m", "PROJ-5 release", "v1.0"});
  ProcessResult tag = Push({"origin", "v1.0"});
  EXPECT_FALSE(Contains(tag.err, "jiralink:")) << tag.err;

  Deliver();
  EXPECT_EQ(CommentBodies("PROJ-3").size(), 2u) << "the original and the amended commit";
  EXPECT_EQ(CommentBodies("PROJ-4").size(), 1u);
  EXPECT_TRUE(CommentBodies("PROJ-5").empty());
}

TEST_F(HookPush, SeveralRefsInOnePush) {
  git_.Commit("base");
  Push({"origin", "main"});
  git_.Run({"checkout", "-q", "-b", "one"});
  git_.Commit("PROJ-6 on one");
  git_.Run({"checkout", "-q", "-b", "two", "main"});
  git_.Commit("PROJ-7 on two");
  ProcessResult push = Push({"origin", "one", "two"});
  EXPECT_TRUE(Contains(push.err, "jiralink: 2 Jira mentions queued")) << push.err;
  Deliver();
  ASSERT_EQ(CommentBodies("PROJ-6").size(), 1u);
  EXPECT_TRUE(Contains(CommentBodies("PROJ-6")[0], "on branch [one|"));
  ASSERT_EQ(CommentBodies("PROJ-7").size(), 1u);
  EXPECT_TRUE(Contains(CommentBodies("PROJ-7")[0], "on branch [two|"));
}

TEST_F(HookPush, ClosingOnlyOnTheDefaultBranchDoneMode) {
  git_.Commit("base");
  Push({"origin", "main"});
  git_.Run({"checkout", "-q", "-b", "feature"});
  std::string on_feature = git_.Commit("Fixes PROJ-8");
  Push({"origin", "feature"});
  Deliver();
  EXPECT_EQ(jira_.Status("PROJ-8"), "To Do");
  EXPECT_EQ(CommentBodies("PROJ-8").size(), 1u) << "a mention only";

  git_.Run({"checkout", "-q", "main"});
  std::string on_main = git_.Commit("Resolves PROJ-9, mentions PROJ-10");
  ProcessResult push = Push({"origin", "main"});
  EXPECT_TRUE(Contains(push.err, "jiralink: 1 Jira mention and 1 close queued")) << push.err;
  Deliver();
  EXPECT_EQ(jira_.Status("PROJ-9"), "Done");
  EXPECT_EQ(jira_.Resolution("PROJ-9"), "Done");
  std::vector<std::string> comments = CommentBodies("PROJ-9");
  ASSERT_EQ(comments.size(), 1u) << "no separate mention for a closed key";
  EXPECT_EQ(comments[0], "Issue solved with [" + on_main +
                             "|https://git.example.com/platform/api/-/commit/" + on_main + "].");
  EXPECT_EQ(jira_.Status("PROJ-10"), "To Do");
  EXPECT_EQ(CommentBodies("PROJ-10").size(), 1u);
}

// Issue #25: a closing statement that lists forge references with Jira keys
// closes the keys, as GitLab's %{issue_ref} takes its own references.
TEST_F(HookPush, ForgeReferencesInAClosingStatementStillCloseTheKeys) {
  git_.Commit("Fixes #12 and PROJ-13");
  std::string last = git_.Commit("Fixes #12, PROJ-14\n\nResolves group/project#4 and PROJ-15");
  ProcessResult push = Push({"origin", "main"});
  EXPECT_TRUE(Contains(push.err, "jiralink: 3 Jira closes queued")) << push.err;
  ProcessResult deliver = Deliver();
  EXPECT_EQ(deliver.exit_code, 0) << deliver.out << deliver.err;
  for (const char* key : {"PROJ-13", "PROJ-14", "PROJ-15"}) {
    EXPECT_EQ(jira_.Status(key), "Done") << key;
  }
  std::vector<std::string> comments = CommentBodies("PROJ-14");
  ASSERT_EQ(comments.size(), 1u);
  EXPECT_EQ(comments[0], "Issue solved with [" + last +
                             "|https://git.example.com/platform/api/-/commit/" + last + "].");
}

// Issue #25: a workflow without a Done transition is not an outage: the
// close is skipped with the reason and `deliver` exits 0.
TEST_F(HookPush, NoDoneTransitionOfferedIsSkippedAndDeliverExitsZero) {
  git_.Commit("Fixes PROJ-17");
  Push({"origin", "main"});
  standin::Fault fault;
  fault.method = "GET";
  fault.path_contains = "/issue/PROJ-17";
  fault.status = 200;
  fault.body = R"({"id":"10017","key":"PROJ-17","fields":{"summary":"Issue 17",)"
               R"("status":{"name":"To Do","statusCategory":{"key":"new","name":"To Do"}},)"
               R"("resolution":null},"transitions":[{"id":"21","name":"Start",)"
               R"("to":{"name":"In Progress","statusCategory":{"key":"indeterminate"}}}]})";
  fault.times = 1;
  jira_.InjectFault(fault);
  ProcessResult deliver = Jiralink({"deliver", "--once", "--json"});
  EXPECT_EQ(deliver.exit_code, 0) << deliver.out << deliver.err;
  nlohmann::json summary = nlohmann::json::parse(deliver.out, nullptr, false);
  ASSERT_FALSE(summary.is_discarded()) << deliver.out;
  EXPECT_EQ(summary["skipped"], 1) << deliver.out;
  EXPECT_EQ(summary["dead"], 0) << deliver.out;
  EXPECT_TRUE(Contains(deliver.err, "no transition to Done is offered from status \"To Do\""))
      << deliver.err;
  EXPECT_EQ(jira_.Status("PROJ-17"), "To Do");
  EXPECT_TRUE(jira_.Requests("POST", "/transitions").empty());
  ProcessResult list = Jiralink({"queue", "list", "--state", "skipped"});
  EXPECT_TRUE(Contains(list.out, "PROJ-17")) << list.out << list.err;
}

TEST_F(HookPush, CustomTransitionIds) {
  WriteConfig("", "mode = \"custom\"\nids = \"21\"\n");
  git_.Commit("Closes PROJ-11");
  Push({"origin", "main"});
  Deliver();
  EXPECT_EQ(jira_.Status("PROJ-11"), "In Progress");
  EXPECT_TRUE(CommentBodies("PROJ-11").empty()) << "not resolved, so no solved comment";
}

TEST_F(HookPush, DefaultBranchSettingOverridesHead) {
  WriteConfig("", "");
  {
    std::string text = ReadFile(config_);
    text.replace(text.find("[git]\n"), 6, "[git]\ndefault_branch = \"trunk\"\n");
    WriteFile(config_, text);
  }
  git_.Commit("Fixes PROJ-12");
  ProcessResult push = Push({"origin", "main"});
  EXPECT_TRUE(Contains(push.err, "[git] default_branch names \"trunk\"")) << push.err;
  Deliver();
  EXPECT_EQ(jira_.Status("PROJ-12"), "To Do") << "main is not the default branch here";
  // Creating the default branch brings its newest commits, and so the close.
  push = Push({"origin", "main:trunk"});
  EXPECT_TRUE(Contains(push.err, "jiralink: 1 Jira close queued")) << push.err;
  Deliver();
  EXPECT_EQ(jira_.Status("PROJ-12"), "Done");
}

TEST_F(HookPush, TwentyConcurrentPushes) {
  git_.Commit("base");
  Push({"origin", "main"});
  constexpr int kPushes = 20;
  for (int i = 0; i < kPushes; ++i) {
    git_.Run({"checkout", "-q", "-b", "b" + std::to_string(i), "main"});
    git_.Commit("Work on PROJ-" + std::to_string(i + 1));
  }
  std::vector<std::thread> threads;
  std::vector<ProcessResult> results(kPushes);
  for (int i = 0; i < kPushes; ++i) {
    threads.emplace_back([&, i] {
      ProcessOptions options;
      options.cwd = git_.work();
      options.env = Env();
      std::string branch = "b" + std::to_string(i);
      results[static_cast<std::size_t>(i)] =
          RunProcess({"git", "push", "-q", git_.bare(), branch + ":refs/heads/" + branch}, options);
    });
  }
  for (std::thread& t : threads) t.join();
  for (const ProcessResult& r : results) {
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(Contains(r.err, "jiralink: 1 Jira mention queued")) << r.err;
  }
  ProcessResult deliver = Deliver();
  EXPECT_EQ(deliver.exit_code, 0) << deliver.out;
  for (int i = 1; i <= kPushes; ++i) {
    EXPECT_EQ(CommentBodies("PROJ-" + std::to_string(i)).size(), 1u) << i;
  }
}

}  // namespace
}  // namespace jiralink::testing
