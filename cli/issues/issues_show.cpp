// jiralink issues show KEY: one issue with its description and comments.
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "common.h"
#include "issue_view.h"
#include "issues_commands.h"
#include "jiralink/issues/issue_fields.h"
#include "jiralink/issues/jira_errors.h"

namespace jiralink::cli {

using issues::DescribeJiraFailure;
namespace {

std::string Upper(std::string text) {
  for (char& c : text) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return text;
}

bool CommentsWereCut(const jira::Issue& issue) {
  return issues::CommentTotal(issue) > static_cast<std::int64_t>(issue.comments.size());
}

}  // namespace

int RunIssuesShow(Context& ctx, int argc, char** argv) {
  std::string key;
  std::string repo;
  bool json = false;
  CLI::App app("Show one Jira issue: fields, description and comments.", argv[0]);
  AddConfigOption(app, ctx);
  app.add_option("KEY", key, "the issue key, e.g. PROJ-123")->required();
  app.add_option("--repo", repo, "use the settings of this repository ([projects] table)");
  app.add_flag("--json", json, "print JSON instead of text");
  if (int code = ParseOrExit(app, argc, argv); code >= 0) return code;

  // Jira project keys are upper case; Jira itself finds "proj-1" too.
  key = Upper(key);
  std::string project = ProjectOfIssueKey(key);
  if (project.empty()) {
    std::fprintf(stderr, "%s: '%s' is not an issue key (expected PROJECT-NUMBER, e.g. PROJ-123)\n",
                 argv[0], key.c_str());
    return 2;
  }
  config::Settings settings;
  if (!LoadSettingsFor(ctx, repo, &settings)) return 2;
  if (!settings.issues.enabled) {
    std::fprintf(stderr, "%s: viewing Jira issues is turned off by [issues] enabled = false\n",
                 argv[0]);
    return 2;
  }
  // As the forge: a key outside the configured projects is refused without a request.
  if (!ProjectKeyAllowed(settings.issues, project)) {
    std::fprintf(stderr, "%s: %s: project %s is not one of [issues] project_keys (%s)\n", argv[0],
                 key.c_str(), project.c_str(),
                 JoinKeys(ConfiguredProjectKeys(settings.issues)).c_str());
    return 2;
  }

  std::unique_ptr<jira::Client> client = MakeJiraClient(settings, "jiralink issues show");
  if (client == nullptr) return 2;
  jira::Issue issue;
  jira::ApiStatus status = client->GetIssue(key, "renderedFields", "", &issue);
  if (status.http_status == 404) {
    std::fprintf(stderr, "%s: %s does not exist or you do not have permission to see it\n", argv[0],
                 key.c_str());
    return 1;
  }
  if (!status.ok()) {
    std::fprintf(stderr, "%s: %s\n", argv[0],
                 DescribeJiraFailure(status, client->options().api_url).c_str());
    return 1;
  }
  // Jira answers a moved issue under its new key; it must still be allowed.
  if (!issue.key.empty() && issue.key != key &&
      !ProjectKeyAllowed(settings.issues, ProjectOfIssueKey(issue.key))) {
    std::fprintf(stderr, "%s: %s moved to %s, outside [issues] project_keys\n", argv[0],
                 key.c_str(), issue.key.c_str());
    return 2;
  }
  if (issue.key.empty()) issue.key = key;
  // The issue answer carries only the first comments; fetch them all when cut.
  if (CommentsWereCut(issue)) {
    std::vector<jira::Comment> comments;
    jira::ApiStatus comments_status = client->GetComments(issue.key, &comments);
    if (!comments_status.ok()) {
      std::fprintf(stderr, "%s: %s\n", argv[0],
                   DescribeJiraFailure(comments_status, client->options().api_url).c_str());
      return 1;
    }
    issue.comments = std::move(comments);
  }

  const std::string web_url = JiraWebUrl(settings.jira);
  if (json) {
    std::printf("%s\n", IssueDetailJson(issue, web_url).dump(2).c_str());
  } else {
    std::fputs(IssueDetailText(issue, web_url).c_str(), stdout);
  }
  return 0;
}

}  // namespace jiralink::cli
