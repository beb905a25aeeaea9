// Plain text from the HTML that Jira's renderedFields carry, for showing an
// issue's description and comments in a terminal.
//
// Block elements (p, div, h1-h6, li, tr, pre, blockquote, br) end lines;
// list items start with "- "; a link whose text differs from its href shows
// as "text <href>"; scripts and styles are dropped; entities (named basics,
// &#N; and &#xN;) are decoded; whitespace outside <pre> is collapsed and
// runs of blank lines are reduced to one.
#pragma once

#include <string>
#include <string_view>

namespace jiralink::cli {

std::string HtmlToText(std::string_view html);

}  // namespace jiralink::cli
