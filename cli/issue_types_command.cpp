// jiralink issue-types: the forge's "Fetch issue types for this project key",
// the issue types a project offers for new issues, without sub-tasks.
#include <algorithm>
#include <cstdio>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "common.h"
#include "issues/issue_table.h"
#include "issues/issues_commands.h"
#include "issues/issues_terminal.h"
#include "jiralink/core/terminal_text.h"
#include "jiralink/issues/jira_errors.h"

namespace jiralink::cli {

using issues::DescribeJiraFailure;
namespace {

std::string TypesTable(std::vector<jira::IssueType> types, int width) {
  // Names and descriptions are Jira text: made safe before they are measured.
  for (jira::IssueType& type : types) {
    type.id = SafeTerminalText(type.id, LineBreaks::kFlatten);
    type.name = SafeTerminalText(type.name, LineBreaks::kFlatten);
    type.description = SafeTerminalText(type.description, LineBreaks::kFlatten);
  }
  std::size_t id_width = 2;
  std::size_t name_width = 4;
  for (const jira::IssueType& type : types) {
    id_width = std::max(id_width, static_cast<std::size_t>(ColumnWidth(type.id)));
    name_width = std::max(name_width, static_cast<std::size_t>(ColumnWidth(type.name)));
  }
  auto pad = [](const std::string& text, std::size_t to) {
    return text + std::string(to - std::min<std::size_t>(to, ColumnWidth(text)), ' ');
  };
  int room = std::max(11, width - static_cast<int>(id_width + name_width) - 4);
  auto line = [&](const std::string& id, const std::string& name, const std::string& text) {
    std::string out =
        pad(id, id_width) + "  " + pad(name, name_width) + "  " + TruncateToColumns(text, room);
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out + "\n";
  };
  std::string out = line("ID", "NAME", "DESCRIPTION");
  for (const jira::IssueType& type : types) out += line(type.id, type.name, type.description);
  return out;
}

}  // namespace

int RunIssueTypes(Context& ctx, int argc, char** argv) {
  std::string project;
  std::string repo;
  bool json = false;
  CLI::App app(
      "List the issue types of a Jira project (without sub-tasks); their ids are what "
      "[vulnerabilities] issue_type takes.",
      argv[0]);
  AddConfigOption(app, ctx);
  app.add_option("--project", project, "project key (default: [vulnerabilities] project_key)");
  app.add_option("--repo", repo, "use the settings of this repository ([projects] table)");
  app.add_flag("--json", json, "print JSON: [{\"id\", \"name\", \"description\"}]");
  if (int code = ParseOrExit(app, argc, argv); code >= 0) return code;

  config::Settings settings;
  if (!LoadSettingsFor(ctx, repo, &settings)) return 2;
  if (project.empty()) project = settings.vulnerabilities.project_key;
  if (project.empty()) {
    std::fprintf(stderr,
                 "%s: name the project: --project KEY (or set [vulnerabilities] "
                 "project_key)\n",
                 argv[0]);
    return 2;
  }
  std::unique_ptr<jira::Client> client = MakeJiraClient(settings, "jiralink issue-types");
  if (client == nullptr) return 2;
  std::vector<jira::IssueType> all;
  jira::ApiStatus status = client->GetCreateIssueTypes(project, &all);
  if (status.http_status == 404) {
    std::fprintf(stderr,
                 "%s: project %s does not exist or you may not create issues in it (HTTP 404)\n",
                 argv[0], project.c_str());
    return 1;
  }
  if (!status.ok()) {
    std::fprintf(stderr, "%s: %s\n", argv[0],
                 DescribeJiraFailure(status, client->options().api_url).c_str());
    return 1;
  }
  std::vector<jira::IssueType> types;
  std::copy_if(all.begin(), all.end(), std::back_inserter(types),
               [](const jira::IssueType& type) { return !type.subtask; });

  if (json) {
    nlohmann::json out = nlohmann::json::array();
    for (const jira::IssueType& type : types) {
      out.push_back({{"id", type.id}, {"name", type.name}, {"description", type.description}});
    }
    std::printf("%s\n", out.dump(2).c_str());
    return 0;
  }
  if (types.empty()) {
    std::printf("Project %s offers no issue types for new issues.\n", project.c_str());
    return 0;
  }
  std::fputs(TypesTable(types, TerminalWidth(stdout)).c_str(), stdout);
  return 0;
}

}  // namespace jiralink::cli
