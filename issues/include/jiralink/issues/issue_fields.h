// What an issue's answer (GET /issue/KEY?expand=renderedFields) carries
// beyond jira::Issue's typed fields: the rendered HTML of the description and
// of each comment, and how many comments the issue has in all.
#pragma once

#include <cstdint>
#include <string>

#include "jiralink/jira/client.h"

namespace jiralink::issues {

// renderedFields.description, or "" when Jira sent none (then show
// issue.description, Jira's wiki text, as plain text). Untrusted HTML.
std::string RenderedDescription(const jira::Issue& issue);

// The rendered body of `comment` (renderedFields.comment.comments, matched by
// id), or "" when Jira sent none (then show comment.body as plain text).
std::string RenderedCommentBody(const jira::Issue& issue, const jira::Comment& comment);

// fields.resolutiondate: when the issue was resolved (Jira's timestamp, with
// its offset), or "" when it is unresolved or Jira did not send it.
std::string ResolutionDate(const jira::Issue& issue);

// fields.comment.total: how many comments the issue has, which may be more
// than the answer carried; -1 when Jira did not say.
std::int64_t CommentTotal(const jira::Issue& issue);

}  // namespace jiralink::issues
