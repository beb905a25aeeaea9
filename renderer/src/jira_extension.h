// The `jira` cmark-gfm syntax extension (internal to the renderer).
//
// It is a postprocess-only extension, modelled on the e-mail half of
// cmark-gfm's extensions/autolink.c: after inline parsing it walks the tree,
// splits TEXT nodes that are not inside a LINK or IMAGE around each key the
// KeyScanner finds, and puts every key in a LINK node of its own. Code spans,
// code blocks and raw HTML are other node types, so they are never looked
// at. The same walk empties link and image destinations that
// IsDangerousUrl() rejects (cmark's safe mode lets data:image/... through).
//
// How the anchor gets its class and data attribute: a plain LINK renders only
// href and title. The key links carry this extension
// (cmark_node_set_syntax_extension), and cmark-gfm's HTML renderer hands any
// node with an extension to that extension's html_render_func, which writes
// the forge's anchor. A LINK (rather than a custom node type) is used because
// every inline container accepts one: table cells refuse unknown types. The
// render function appends to the renderer's buffer, whose struct
// (cmark_html_renderer, <cmark-gfm/render.h>) and append function
// (cmark_strbuf_put, <cmark-gfm/buffer.h>) come from cmark-gfm's private
// headers that Debian installs (bug #1022183) and the shared library exports;
// nothing else private is used. The key is kept in the node's string
// content, which the node frees itself.
//
// Attach it after the GFM core extensions: postprocess runs in attach order,
// so autolink's e-mail links (PROJ-12@example.com) are made first and win.
#pragma once

#include <string>

#include "jiralink/core/key_scanner.h"

struct cmark_syntax_extension;

namespace jiralink::renderer {

struct JiraLinkConfig {
  std::string link_base;                // "<web_url>/browse/"; empty = scrub URLs only
  const KeyScanner* scanner = nullptr;  // required when link_base is set
};

// A new, unregistered extension named "jira" that reads *config (which must
// outlive it). Free it with cmark_syntax_extension_free(default allocator).
cmark_syntax_extension* NewJiraExtension(const JiraLinkConfig* config);

}  // namespace jiralink::renderer
