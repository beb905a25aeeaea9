// The anchor a Jira key becomes, written the same way by the Markdown
// renderer (the `jira` extension) and by the commit filter (LinkKeysInHtml):
//
//   <a href="{link_base}{KEY, percent-encoded}" class="gfm gfm-issue"
//      title="Issue in Jira" data-external-issue="{KEY, HTML-escaped}">TEXT</a>
//
// Internal to the renderer.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "url_safety.h"

namespace jiralink::renderer {

// `<a href="` followed by link_base ("<web_url>/browse/") HTML-escaped:
// computed once per renderer.
inline std::string KeyAnchorStart(std::string_view link_base) {
  std::string start = "<a href=\"";
  AppendHtmlEscaped(link_base, &start);
  return start;
}

// Hands out, through put(std::string_view), the anchor of `key` around the
// link text; put_text(std::string_view) writes the link text (`matched`, the
// key with its prefix) in whatever escaping the caller's context needs.
template <typename Put, typename PutText>
void PutKeyLink(std::string_view anchor_start, std::string_view key, std::string_view matched,
                Put&& put, PutText&& put_text) {
  put(anchor_start);
  ForEachPercentEncodedPiece(key, {}, put);  // leaves nothing that HTML would need escaped
  put("\" class=\"gfm gfm-issue\" title=\"Issue in Jira\" data-external-issue=\"");
  ForEachHtmlEscapedPiece(key, put);
  put("\">");
  put_text(matched);
  put("</a>");
}

}  // namespace jiralink::renderer
