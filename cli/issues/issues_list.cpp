// jiralink issues list: the forge's "View Jira issues" list in a terminal.
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "common.h"
#include "issue_table.h"
#include "issue_view.h"
#include "issues_commands.h"
#include "issues_terminal.h"
#include "jiralink/core/jql.h"
#include "jiralink/issues/issue_paging.h"
#include "jiralink/issues/jira_errors.h"

namespace jiralink::cli {

using issues::DescribeJiraFailure;
using issues::FetchIssuePage;
using issues::IssuePage;
using issues::PageRequest;
namespace {

constexpr int kMaxPerPage = 5000;  // Jira Cloud's own ceiling for one search

struct ListFlags {
  std::string repo;
  std::vector<std::string> labels;
  std::string status;
  std::string reporter;
  std::string assignee;
  std::vector<std::string> projects;
  std::string search;
  std::string state = "opened";
  std::string sort = "created_desc";
  int page = 1;
  int per_page = 100;
  bool print_jql = false;
  bool json = false;
  bool urls = false;
};

// "Page 2 of 5 (issues 101-200 of 437); more: --page 3".
std::string PageLine(const ListFlags& flags, const IssuePage& page) {
  std::string line = "Page " + std::to_string(flags.page);
  std::int64_t first = static_cast<std::int64_t>(flags.page - 1) * flags.per_page + 1;
  std::int64_t last = first + static_cast<std::int64_t>(page.issues.size()) - 1;
  if (page.total >= 0) {
    std::int64_t pages = (page.total + flags.per_page - 1) / flags.per_page;
    line += " of " + std::to_string(pages);
  }
  if (page.issues.empty()) {
    line += ": no issues on this page";
    if (page.total >= 0) line += " (" + std::to_string(page.total) + " in all)";
    return line;
  }
  line += " (issues " + std::to_string(first) + "-" + std::to_string(last);
  if (page.total >= 0) line += " of " + std::to_string(page.total);
  line += ")";
  line += page.more ? "; more: --page " + std::to_string(flags.page + 1) : "; last page";
  return line;
}

}  // namespace

int RunIssuesList(Context& ctx, int argc, char** argv) {
  ListFlags flags;
  CLI::App app(
      "List Jira issues of the configured projects, filtered as the forge's issue "
      "list.",
      argv[0]);
  AddConfigOption(app, ctx);
  app.add_option("--repo", flags.repo, "use the settings of this repository ([projects] table)");
  app.add_option("--label", flags.labels,
                 "only issues with this label (repeatable; all must match)");
  app.add_option("--status", flags.status, "only issues in this status, e.g. \"In Progress\"");
  app.add_option("--reporter", flags.reporter, "only issues reported by this user");
  app.add_option("--assignee", flags.assignee, "only issues assigned to this user");
  app.add_option("--project", flags.projects,
                 "only this project key (repeatable; within [issues] project_keys)");
  app.add_option("--search", flags.search, "text in the summary or description");
  app.add_option("--state", flags.state, "opened (default), closed or all");
  app.add_option("--sort", flags.sort,
                 "created_desc (default), created_asc, updated_desc or updated_asc "
                 "(anything else: created_desc, with a warning)");
  app.add_option("--page", flags.page, "page number, from 1 (default 1)");
  app.add_option("--per-page", flags.per_page, "issues per page (default 100)");
  app.add_flag("--jql", flags.print_jql, "print the JQL query and exit without a request");
  app.add_flag("--json", flags.json, "print JSON (documented shape) instead of a table");
  app.add_flag("--urls", flags.urls, "add each issue's Jira URL to the table");
  if (int code = ParseOrExit(app, argc, argv); code >= 0) return code;

  jql::IssueQuery query;
  if (Status s = jql::ParseIssueState(flags.state, &query.state); !s.ok()) {
    std::fprintf(stderr, "%s: --state: %s\n", argv[0], s.message().c_str());
    return 2;
  }
  if (Status s = jql::ParseIssueSort(flags.sort, &query.sort); !s.ok()) {
    // As GitLab (and the issue pages): an unknown sort is created, newest first.
    query.sort = jql::IssueSort{};
    std::fprintf(stderr, "%s: warning: --sort: %s; sorting by created_desc, as GitLab does\n",
                 argv[0], s.message().c_str());
  }
  if (flags.page < 1) {
    std::fprintf(stderr, "%s: --page must be 1 or more (got %d)\n", argv[0], flags.page);
    return 2;
  }
  if (flags.per_page < 1 || flags.per_page > kMaxPerPage) {
    std::fprintf(stderr, "%s: --per-page must be between 1 and %d (got %d)\n", argv[0], kMaxPerPage,
                 flags.per_page);
    return 2;
  }

  config::Settings settings;
  if (!LoadSettingsFor(ctx, flags.repo, &settings)) return 2;
  if (!settings.issues.enabled) {
    std::fprintf(stderr, "%s: viewing Jira issues is turned off by [issues] enabled = false\n",
                 argv[0]);
    return 2;
  }
  std::vector<std::string> allowed = ConfiguredProjectKeys(settings.issues);
  for (const std::string& project : flags.projects) {
    if (!ProjectKeyAllowed(settings.issues, project)) {
      std::fprintf(stderr, "%s: --project %s: not one of [issues] project_keys (%s)\n", argv[0],
                   project.c_str(), JoinKeys(allowed).c_str());
      return 2;
    }
  }
  query.project_keys = flags.projects.empty() ? allowed : flags.projects;
  query.labels = flags.labels;
  query.status = flags.status;
  query.reporter = flags.reporter;
  query.assignee = flags.assignee;
  query.search = flags.search;
  std::string jql_text = jql::BuildJql(query);
  if (flags.print_jql) {
    std::printf("%s\n", jql_text.c_str());
    return 0;
  }

  std::unique_ptr<jira::Client> client = MakeJiraClient(settings, "jiralink issues list");
  if (client == nullptr) return 2;
  PageRequest request;
  request.jql = jql_text;
  request.page = flags.page;
  request.per_page = flags.per_page;
  request.fields = issues::ListFields();
  request.cloud = client->deployment() == jira::Deployment::kCloud;
  IssuePage page;
  jira::ApiStatus status = FetchIssuePage(*client, request, &page);
  if (!status.ok()) {
    std::fprintf(stderr, "%s: %s\n", argv[0],
                 DescribeJiraFailure(status, client->options().api_url).c_str());
    return 1;
  }

  const std::string web_url = JiraWebUrl(settings.jira);
  if (flags.json) {
    nlohmann::json issues = nlohmann::json::array();
    for (const jira::Issue& issue : page.issues) issues.push_back(IssueListJson(issue, web_url));
    nlohmann::json out = {{"jql", jql_text},
                          {"deployment", request.cloud ? "Cloud" : "Server"},
                          {"page", flags.page},
                          {"per_page", flags.per_page},
                          {"total", page.total >= 0 ? nlohmann::json(page.total) : nullptr},
                          {"more", page.more},
                          {"issues", std::move(issues)}};
    std::printf("%s\n", out.dump(2).c_str());
    return 0;
  }
  if (page.issues.empty() && flags.page == 1) {
    std::printf("No issues match.\n");
    return 0;
  }
  std::vector<IssueRow> rows;
  rows.reserve(page.issues.size());
  for (const jira::Issue& issue : page.issues) rows.push_back(ToIssueRow(issue, web_url));
  TableOptions table;
  table.width = TerminalWidth(stdout);
  table.color = UseColor(stdout);
  table.show_urls = flags.urls;
  if (!rows.empty()) std::fputs(FormatIssueTable(rows, table).c_str(), stdout);
  std::printf("%s\n", PageLine(flags, page).c_str());
  return 0;
}

}  // namespace jiralink::cli
