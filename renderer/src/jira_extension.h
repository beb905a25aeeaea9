// The `jira` cmark-gfm syntax extension (internal to the renderer).
//
// It adds no syntax, so inline parsing runs exactly as without it. Its work
// is split in two:
//  - postprocess walks the tree once. It empties link and image destinations
//    that IsDangerousUrl() rejects (cmark's safe mode lets data:image/...
//    through), and marks the TEXT nodes that hold a key and are not inside a
//    LINK or IMAGE as this extension's (cmark_node_set_syntax_extension).
//    Code spans, code blocks and raw HTML are other node types, so they are
//    never marked.
//  - cmark-gfm's HTML renderer hands every node carrying an extension to
//    that extension's html_render_func. For a marked TEXT node it writes the
//    text escaped exactly as cmark does, with each key the KeyScanner finds
//    in an anchor: <a href="..." class="gfm gfm-issue" ...>KEY</a>
//    (key_link.h), up to max_links per document.
// Linking while rendering, rather than splitting TEXT nodes into LINK nodes,
// makes no node and no copy of the text: a key costs only its scan and the
// bytes written. Text without a key is rendered by cmark itself.
//
// The render function appends to the renderer's buffer, whose struct
// (cmark_html_renderer, <cmark-gfm/render.h>), append and escape functions
// (cmark_strbuf_put, <cmark-gfm/buffer.h>; houdini_escape_html0,
// <cmark-gfm/houdini.h>) and node fields (<cmark-gfm/node.h>) come from
// cmark-gfm's private headers that Debian installs (bug #1022183) and the
// shared library exports.
//
// Attach it after the GFM core extensions: postprocess runs in attach order,
// so autolink's links (PROJ-12@example.com, http://x.org/PROJ-1) exist by
// the time it runs, and their text is left alone.
#pragma once

#include <cstddef>
#include <string>

#include "jiralink/core/key_scanner.h"

struct cmark_syntax_extension;

namespace jiralink::renderer {

struct JiraLinkConfig {
  std::string link_base;                // "<web_url>/browse/"; empty = scrub URLs only
  const KeyScanner* scanner = nullptr;  // required when link_base is set
  std::size_t max_links = 0;            // keys linked per document; later ones stay text
};

// A new, unregistered extension named "jira" with its own copy of what it
// needs from `config` (config.scanner must outlive it). Free it with
// cmark_syntax_extension_free(default allocator).
cmark_syntax_extension* NewJiraExtension(const JiraLinkConfig& config);

}  // namespace jiralink::renderer
