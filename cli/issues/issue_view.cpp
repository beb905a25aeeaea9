#include "issue_view.h"

#include "html_text.h"
#include "jiralink/core/terminal_text.h"
#include "jiralink/issues/issue_fields.h"

namespace jiralink::cli {
namespace {

using nlohmann::json;

json OrNull(const std::string& text) { return text.empty() ? json(nullptr) : json(text); }

std::string JoinLabels(const std::vector<std::string>& labels) {
  std::string out;
  for (const std::string& label : labels) {
    if (!out.empty()) out.append(", ");
    out.append(label);
  }
  return out;
}

std::string DescriptionText(const jira::Issue& issue) {
  std::string html = issues::RenderedDescription(issue);
  return html.empty() ? issue.description : HtmlToText(html);
}

// The rendered body of a comment as text, else its wiki text.
std::string CommentText(const jira::Issue& issue, const jira::Comment& comment) {
  std::string html = issues::RenderedCommentBody(issue, comment);
  return html.empty() ? comment.body : HtmlToText(html);
}

std::string Indent(std::string_view text, std::string_view prefix) {
  std::string out(prefix);
  for (char c : text) {
    out.push_back(c);
    if (c == '\n') out.append(prefix);
  }
  return out;
}

std::string Underlined(const std::string& title) {
  return title + "\n" + std::string(static_cast<std::size_t>(ColumnWidth(title)), '-') + "\n";
}

}  // namespace

IssueRow ToIssueRow(const jira::Issue& issue, std::string_view web_url) {
  IssueRow row;
  row.key = issue.key;
  row.type = issue.issue_type;
  row.status = issue.status.name;
  row.status_category = issue.status.category.key;
  row.summary = issue.summary;
  row.assignee = issue.assignee;
  row.labels = issue.labels;
  row.created = issue.created;
  row.url = IssueUrl(web_url, issue.key);
  return row;
}

json IssueListJson(const jira::Issue& issue, std::string_view web_url) {
  return json{{"key", issue.key},
              {"id", issue.id},
              {"url", IssueUrl(web_url, issue.key)},
              {"type", issue.issue_type},
              {"status", issue.status.name},
              {"status_category", issue.status.category.key},
              {"summary", issue.summary},
              {"assignee", OrNull(issue.assignee)},
              {"reporter", OrNull(issue.reporter)},
              {"priority", OrNull(issue.priority)},
              {"labels", issue.labels},
              {"created", issue.created},
              {"updated", issue.updated}};
}

json IssueDetailJson(const jira::Issue& issue, std::string_view web_url) {
  json detail = IssueListJson(issue, web_url);
  detail["resolution"] = OrNull(issue.resolution);
  detail["description"] = DescriptionText(issue);
  json comments = json::array();
  for (const jira::Comment& comment : issue.comments) {
    comments.push_back({{"id", comment.id},
                        {"author", comment.author},
                        {"created", comment.created},
                        {"body", CommentText(issue, comment)}});
  }
  detail["comments"] = std::move(comments);
  return detail;
}

std::string IssueDetailText(const jira::Issue& issue, std::string_view web_url) {
  // Every string below may be Jira text: one line for fields, running text
  // for the description and comments, never raw control characters.
  auto line = [](std::string_view text) { return SafeTerminalText(text, LineBreaks::kFlatten); };
  auto running = [](std::string_view text) { return SafeTerminalText(text, LineBreaks::kKeep); };
  std::string out = line(issue.key) + "  " + line(issue.summary) + "\n" +
                    line(IssueUrl(web_url, issue.key)) + "\n\n";
  auto field = [&out, &line](const char* name, const std::string& value, const char* if_empty) {
    out += name;
    out += value.empty() ? if_empty : line(value);
    out += "\n";
  };
  field("Type:        ", issue.issue_type, "-");
  field("Status:      ", issue.status.name, "-");
  field("Resolution:  ", issue.resolution, "Unresolved");
  field("Priority:    ", issue.priority, "-");
  field("Reporter:    ", issue.reporter, "-");
  field("Assignee:    ", issue.assignee, "Unassigned");
  field("Labels:      ", JoinLabels(issue.labels), "-");
  field("Created:     ", issue.created, "-");
  field("Updated:     ", issue.updated, "-");

  std::string description = running(DescriptionText(issue));
  out += "\n" + Underlined("Description");
  out += description.empty() ? "(none)\n" : description + "\n";

  if (!issue.comments.empty()) {
    out += "\n" + Underlined("Comments (" + std::to_string(issue.comments.size()) + ")");
    for (std::size_t i = 0; i < issue.comments.size(); ++i) {
      const jira::Comment& comment = issue.comments[i];
      if (i > 0) out += "\n";
      out += line(comment.author) + ", " + line(comment.created) + ":\n";
      out += Indent(running(CommentText(issue, comment)), "  ") + "\n";
    }
  }
  return out;
}

}  // namespace jiralink::cli
