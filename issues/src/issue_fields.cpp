#include "jiralink/issues/issue_fields.h"

namespace jiralink::issues {

using nlohmann::json;

std::string RenderedDescription(const jira::Issue& issue) {
  const json& rendered = issue.rendered_fields;
  if (!rendered.is_object()) return {};
  auto it = rendered.find("description");
  return it != rendered.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string RenderedCommentBody(const jira::Issue& issue, const jira::Comment& comment) {
  const json& rendered = issue.rendered_fields;
  if (!rendered.is_object() || !rendered.contains("comment") || !rendered["comment"].is_object()) {
    return {};
  }
  const json& comments = rendered["comment"].value("comments", json::array());
  if (!comments.is_array()) return {};
  for (const json& item : comments) {
    if (item.is_object() && item.contains("id") && item["id"].is_string() &&
        item["id"].get<std::string>() == comment.id && item.contains("body") &&
        item["body"].is_string()) {
      return item["body"].get<std::string>();
    }
  }
  return {};
}

std::int64_t CommentTotal(const jira::Issue& issue) {
  const json& raw = issue.raw;
  if (!raw.is_object() || !raw.contains("fields") || !raw["fields"].is_object()) return -1;
  const json& fields = raw["fields"];
  if (!fields.contains("comment") || !fields["comment"].is_object()) return -1;
  const json& total = fields["comment"].value("total", json());
  return total.is_number_integer() ? total.get<std::int64_t>() : -1;
}

std::string ResolutionDate(const jira::Issue& issue) {
  const json& raw = issue.raw;
  if (!raw.is_object() || !raw.contains("fields") || !raw["fields"].is_object()) return {};
  const json& date = raw["fields"].value("resolutiondate", json());
  return date.is_string() ? date.get<std::string>() : std::string();
}

}  // namespace jiralink::issues
