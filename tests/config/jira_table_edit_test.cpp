// The in-place editor of the [jira] table: only [jira] lines change, every
// other byte stays; replaced values keep their comments; missing keys go
// after the table's last setting; a missing table is created.
#include "jiralink/config/jira_table_edit.h"

#include <sys/stat.h>

#include <gtest/gtest.h>

#include "support/test_support.h"

namespace jiralink::config {
namespace {

std::string Edit(const std::string& text, const JiraTableEdit& edit,
                 std::vector<JiraTableChange>* changes = nullptr) {
  std::string out;
  std::vector<JiraTableChange> local;
  Status status = EditJiraTable(text, "settings.toml", edit, &out, changes ? changes : &local);
  EXPECT_TRUE(status.ok()) << status.ToString();
  return out;
}

TEST(JiraTableEditTest, ReplacesValuesAndKeepsEverythingElse) {
  const std::string text =
      "# jiralink settings\n"
      "[matching]\n"
      "prefix = \"web_url = \"  # not the jira table\n"
      "\n"
      "[jira]\n"
      "  web_url = \"https://jira.old.example\"   # the old server\n"
      "api_url='https://jira-internal.old.example'\n"
      "username = \"bot\"\n"
      "token_file = \"/etc/jiralink/token\"\n"
      "\n"
      "# The state lives here.\n"
      "[state]\n"
      "dir = \"/var/lib/jiralink\"\n";
  JiraTableEdit edit;
  edit.set = {{"web_url", TomlString("https://acme.atlassian.net")},
              {"username", TomlString("bot@acme.example")}};
  edit.remove = {"api_url"};
  std::vector<JiraTableChange> changes;
  EXPECT_EQ(Edit(text, edit, &changes),
            "# jiralink settings\n"
            "[matching]\n"
            "prefix = \"web_url = \"  # not the jira table\n"
            "\n"
            "[jira]\n"
            "  web_url = \"https://acme.atlassian.net\"   # the old server\n"
            "username = \"bot@acme.example\"\n"
            "token_file = \"/etc/jiralink/token\"\n"
            "\n"
            "# The state lives here.\n"
            "[state]\n"
            "dir = \"/var/lib/jiralink\"\n");
  ASSERT_EQ(changes.size(), 3u);
  EXPECT_EQ(changes[0].ToString(),
            "web_url: \"https://jira.old.example\" -> \"https://acme.atlassian.net\"");
  EXPECT_EQ(changes[2].ToString(), "api_url: removed (was 'https://jira-internal.old.example')");
}

// Found by the settings fuzz target (fresh-machine runs 3 and 5): a key the
// edit sets, written as the start of a dotted key, made the editor append a
// second, conflicting definition, which is not TOML.
TEST(JiraTableEditTest, RefusesAKeyWrittenAsADottedTable) {
  const std::string text =
      "[jira]\n"
      "web_url .web_1no  = \"https://jira.example.com/\"\n"
      "token_env = \"JIRA_TOKEN\"\n";
  JiraTableEdit edit;
  edit.set = {{"web_url", TomlString("https://acme.atlassian.net")}};
  std::string out;
  std::vector<JiraTableChange> changes;
  Status status = EditJiraTable(text, "settings.toml", edit, &out, &changes);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.message(),
            "settings.toml:2: [jira] web_url is written as a dotted key, not `web_url = value`; "
            "migrate only edits such lines, change this by hand");

  JiraTableEdit removal;
  removal.remove = {"web_url"};
  EXPECT_FALSE(EditJiraTable(text, "settings.toml", removal, &out, &changes).ok());

  // A dotted key the edit does not name is left alone.
  JiraTableEdit other;
  other.set = {{"api_url", TomlString("https://jira.internal")}};
  out.clear();
  ASSERT_TRUE(EditJiraTable(text, "settings.toml", other, &out, &changes).ok());
  EXPECT_NE(out.find("web_url .web_1no"), std::string::npos);
}

TEST(JiraTableEditTest, AppendsMissingKeysAfterTheLastSetting) {
  const std::string text =
      "[jira]\n"
      "web_url = \"https://jira.old.example\"\n"
      "token = \"s3cret\"\n"
      "\n"
      "# comment of the next table\n"
      "[git]\n"
      "root = \"/srv/git\"\n";
  JiraTableEdit edit;
  edit.set = {{"web_url", TomlString("https://acme.atlassian.net")},
              {"token_env", TomlString("JIRA_TOKEN")}};
  edit.remove = {"token", "token_file"};
  std::vector<JiraTableChange> changes;
  EXPECT_EQ(Edit(text, edit, &changes),
            "[jira]\n"
            "web_url = \"https://acme.atlassian.net\"\n"
            "token_env = \"JIRA_TOKEN\"\n"
            "\n"
            "# comment of the next table\n"
            "[git]\n"
            "root = \"/srv/git\"\n");
  for (const JiraTableChange& change : changes) {
    EXPECT_EQ(change.ToString().find("s3cret"), std::string::npos) << change.ToString();
  }
  EXPECT_EQ(changes.back().ToString(), "token: removed (was <redacted>)");
}

TEST(JiraTableEditTest, CreatesTheTableWhenAbsent) {
  JiraTableEdit edit;
  edit.set = {{"web_url", TomlString("https://acme.atlassian.net")}};
  EXPECT_EQ(Edit("[git]\nroot = \"/srv\"", edit),
            "[git]\nroot = \"/srv\"\n\n[jira]\nweb_url = \"https://acme.atlassian.net\"\n");
  EXPECT_EQ(Edit("", edit), "[jira]\nweb_url = \"https://acme.atlassian.net\"\n");
}

TEST(JiraTableEditTest, KeepsCrlfLineEndingsAndSubTables) {
  const std::string text =
      "[jira]\r\nweb_url = \"https://old\"\r\n[groups.\"platform\".jira]\r\nweb_url = "
      "\"https://group\"\r\n";
  JiraTableEdit edit;
  edit.set = {{"web_url", TomlString("https://new")}, {"auth", TomlString("basic")}};
  EXPECT_EQ(Edit(text, edit),
            "[jira]\r\nweb_url = \"https://new\"\r\nauth = \"basic\"\r\n[groups.\"platform\".jira]"
            "\r\nweb_url = \"https://group\"\r\n");
}

TEST(JiraTableEditTest, MultiLineValuesAreNotMistakenForTables) {
  const std::string text =
      "[issues]\n"
      "project_keys = [\n"
      "  \"A\",\n"
      "]\n"
      "[jira]\n"
      "web_url = \"https://old\"\n"
      "username = \"\"\"\n"
      "[not a table]\n"
      "\"\"\"\n";
  JiraTableEdit edit;
  edit.set = {{"username", TomlString("bot")}};
  EXPECT_EQ(Edit(text, edit),
            "[issues]\n"
            "project_keys = [\n"
            "  \"A\",\n"
            "]\n"
            "[jira]\n"
            "web_url = \"https://old\"\n"
            "username = \"bot\"\n");
}

TEST(JiraTableEditTest, SameValueIsNoChange) {
  JiraTableEdit edit;
  edit.set = {{"web_url", TomlString("https://same")}};
  std::vector<JiraTableChange> changes;
  const std::string text = "[jira]\nweb_url = \"https://same\"  # ok\n";
  EXPECT_EQ(Edit(text, edit, &changes), text);
  EXPECT_TRUE(changes.empty());
}

TEST(JiraTableEditTest, RefusesJiraSettingsOutsideATable) {
  JiraTableEdit edit;
  edit.set = {{"web_url", TomlString("https://new")}};
  std::string out;
  std::vector<JiraTableChange> changes;
  Status status = EditJiraTable("title = \"x\"\njira = { web_url = \"https://old\" }\n",
                                "settings.toml", edit, &out, &changes);
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("settings.toml:2:"), std::string::npos) << status.message();
  status = EditJiraTable("jira.web_url = \"https://old\"\n", "settings.toml", edit, &out, &changes);
  EXPECT_FALSE(status.ok());
}

// Issue #12: migrate moves groups and projects too.
TEST(JiraTableEditTest, EditsTheJiraTableOfOneGroupOnly) {
  const std::string text =
      "[jira]\n"
      "web_url = \"https://old\"\n"
      "[groups.\"ops\".jira]\n"
      "web_url = \"https://old\"  # ops\n"
      "[groups.ops.matching]\n"
      "prefix = \"OPS#\"\n"
      "[ groups . \"ops/deep\" . jira ]\n"
      "web_url = \"https://old\"\n"
      "username = \"deep\"\n"
      "[projects.\"a/b\".jira]\n"
      "web_url = \"https://old\"\n";
  JiraTableEdit edit;
  edit.table = {"groups", "ops/deep"};
  edit.set = {{"web_url", TomlString("https://new")}, {"username", TomlString("bot")}};
  edit.remove = {"api_url"};
  std::vector<JiraTableChange> changes;
  EXPECT_EQ(Edit(text, edit, &changes),
            "[jira]\n"
            "web_url = \"https://old\"\n"
            "[groups.\"ops\".jira]\n"
            "web_url = \"https://old\"  # ops\n"
            "[groups.ops.matching]\n"
            "prefix = \"OPS#\"\n"
            "[ groups . \"ops/deep\" . jira ]\n"
            "web_url = \"https://new\"\n"
            "username = \"bot\"\n"
            "[projects.\"a/b\".jira]\n"
            "web_url = \"https://old\"\n");
  ASSERT_EQ(changes.size(), 2u);

  edit.table = {"groups", "ops"};  // a bare key in the header matches too
  EXPECT_NE(Edit(text, edit)
                .find("[groups.\"ops\".jira]\nweb_url = \"https://new\"  # ops\n"
                      "username = \"bot\"\n[groups.ops.matching]"),
            std::string::npos);
  edit.table = {"projects", "a/b"};
  EXPECT_TRUE(
      Edit(text, edit)
          .ends_with("[projects.\"a/b\".jira]\nweb_url = \"https://new\"\nusername = \"bot\"\n"));
}

TEST(JiraTableEditTest, RefusesAGroupsJiraSettingsOutsideATableWithTheLine) {
  JiraTableEdit edit;
  edit.table = {"groups", "ops"};
  edit.set = {{"web_url", TomlString("https://new")}};
  std::string out;
  std::vector<JiraTableChange> changes;
  for (const char* text : {"[groups.\"ops\"]\njira.web_url = \"https://old\"\n",
                           "[groups.ops]\njira = { web_url = \"https://old\" }\n",
                           "[groups]\nops = { jira = { web_url = \"https://old\" } }\n"}) {
    Status status = EditJiraTable(text, "settings.toml", edit, &out, &changes);
    EXPECT_FALSE(status.ok()) << text;
    EXPECT_EQ(status.message(),
              "settings.toml:2: the jira settings of groups.ops are not written as a "
              "[groups.ops.jira] table; migrate only edits a [groups.ops.jira] table, change "
              "this by hand");
  }
  // Another group's dotted keys are not in the way.
  EXPECT_TRUE(EditJiraTable("[groups.\"x\"]\njira.web_url = \"https://old\"\n[groups.ops.jira]\n",
                            "settings.toml", edit, &out, &changes)
                  .ok());
}

TEST(JiraTableEditTest, TomlStringEscapes) {
  EXPECT_EQ(TomlString("a\"b\\c\nd"), "\"a\\\"b\\\\c\\nd\"");
  EXPECT_EQ(TomlString(std::string("\x01", 1)), "\"\\u0001\"");
}

TEST(ReplaceFileAtomicallyTest, KeepsTheModeAndFollowsSymlinks) {
  jiralink::testing::TempDir dir;
  std::string path = dir.Path("config.toml");
  jiralink::testing::WriteFile(path, "old\n");
  ASSERT_EQ(chmod(path.c_str(), 0640), 0);
  std::string link = dir.Path("link.toml");
  ASSERT_EQ(symlink(path.c_str(), link.c_str()), 0);
  Status status = ReplaceFileAtomically(link, "new\n");
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(jiralink::testing::ReadFile(path), "new\n");
  struct stat info {};
  ASSERT_EQ(lstat(link.c_str(), &info), 0);
  EXPECT_TRUE(S_ISLNK(info.st_mode));
  ASSERT_EQ(stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0640u);
  EXPECT_FALSE(ReplaceFileAtomically(dir.Path("missing.toml"), "x").ok());
}

}  // namespace
}  // namespace jiralink::config
