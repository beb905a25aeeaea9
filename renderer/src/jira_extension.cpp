#include "jira_extension.h"

// Public cmark-gfm API first, then the private headers (see
// jira_extension.h): node.h to read literals and URLs in place, since
// cmark_node_get_literal() and cmark_node_get_url() may copy them into a new
// buffer; render.h for the output buffer; houdini.h for cmark's own escaping.
#include <cmark-gfm-extension_api.h>
#include <cmark-gfm.h>
#include <cmark-gfm/houdini.h>
#include <cmark-gfm/node.h>
#include <cmark-gfm/render.h>

#include <string>
#include <string_view>

#include "key_link.h"
#include "url_safety.h"

namespace jiralink::renderer {
namespace {

// What the extension keeps (its private data), prepared once per renderer.
struct ExtensionState {
  const KeyScanner* scanner = nullptr;  // null when no keys are linked
  // Every key of the default key regex contains '-': text without one is
  // skipped at memchr speed.
  bool keys_contain_dash = false;
  std::string anchor_start;  // <a href="{link_base, HTML-escaped}
  std::size_t max_links = 0;
  // Links still allowed in the document being rendered: reset by each
  // postprocess. Renders are serialized (renderer.h), so one counter serves.
  std::size_t links_left = 0;
};

ExtensionState& StateOf(cmark_syntax_extension* extension) {
  return *static_cast<ExtensionState*>(cmark_syntax_extension_get_private(extension));
}

void FreeState(cmark_mem*, void* state) { delete static_cast<ExtensionState*>(state); }

std::string_view ViewOf(const cmark_chunk& chunk) {
  return {reinterpret_cast<const char*>(chunk.data), static_cast<std::size_t>(chunk.len)};
}

bool IsLinkOrImage(const cmark_node* node) {
  return node->type == CMARK_NODE_LINK || node->type == CMARK_NODE_IMAGE;
}

void ScrubDangerousUrl(cmark_node* node) {
  if (IsDangerousUrl(ViewOf(node->as.link.url))) cmark_node_set_url(node, "");
}

// Most text holds no key; only the text that does is left to RenderHtml.
bool HoldsKey(const ExtensionState& state, std::string_view text) {
  if (state.keys_contain_dash && text.find('-') == std::string_view::npos) return false;
  bool found = false;
  state.scanner->ForEach(text, [&found](const KeyMatch&) {
    found = true;
    return false;  // the first key is enough
  });
  return found;
}

// Scrubs every link and image URL and, when keys are linked, marks the TEXT
// nodes outside links and images that hold a key. Walks the node links
// directly (node.h): the generic cmark_iter costs two library calls per node.
void ScrubAndMark(cmark_node* root, cmark_syntax_extension* extension) {
  const ExtensionState& state = StateOf(extension);
  int link_depth = 0;  // how many links/images enclose `node`
  cmark_node* node = root;
  for (;;) {
    if (IsLinkOrImage(node)) {
      ScrubDangerousUrl(node);
    } else if (node->type == CMARK_NODE_TEXT && link_depth == 0 && state.scanner != nullptr &&
               HoldsKey(state, ViewOf(node->as.literal))) {
      cmark_node_set_syntax_extension(node, extension);
    }
    if (node->first_child != nullptr) {
      if (IsLinkOrImage(node)) ++link_depth;
      node = node->first_child;
      continue;
    }
    while (node != root && node->next == nullptr) {
      node = node->parent;
      if (IsLinkOrImage(node)) --link_depth;
    }
    if (node == root) return;
    node = node->next;
  }
}

cmark_node* Postprocess(cmark_syntax_extension* extension, cmark_parser*, cmark_node* root) {
  StateOf(extension).links_left = StateOf(extension).max_links;
  ScrubAndMark(root, extension);
  return nullptr;  // the root is unchanged
}

void Put(cmark_strbuf* html, std::string_view bytes) {
  cmark_strbuf_put(html, reinterpret_cast<const unsigned char*>(bytes.data()),
                   static_cast<bufsize_t>(bytes.size()));
}

// Escaped exactly as cmark-gfm's HTML renderer escapes a TEXT node, so that
// marking a node changes nothing in its output but the keys.
void PutText(cmark_strbuf* html, std::string_view text) {
  houdini_escape_html0(html, reinterpret_cast<const uint8_t*>(text.data()),
                       static_cast<bufsize_t>(text.size()), /*secure=*/0);
}

// Called for the marked TEXT nodes only (leaves: entered, never exited).
void RenderHtml(cmark_syntax_extension* extension, cmark_html_renderer* renderer, cmark_node* node,
                cmark_event_type, int) {
  ExtensionState& state = StateOf(extension);
  cmark_strbuf* html = renderer->html;
  const std::string_view text = ViewOf(node->as.literal);
  std::size_t done = 0;  // bytes of `text` written
  state.scanner->ForEach(text, [&](const KeyMatch& match) {
    if (state.links_left == 0) return false;  // the rest of the document stays text
    --state.links_left;
    PutText(html, text.substr(done, match.offset - done));
    PutKeyLink(
        state.anchor_start, match.key, text.substr(match.offset, match.length),
        [html](std::string_view piece) { Put(html, piece); },
        [html](std::string_view piece) { PutText(html, piece); });
    done = match.offset + match.length;
    return true;
  });
  PutText(renderer->html, text.substr(done));
}

}  // namespace

cmark_syntax_extension* NewJiraExtension(const JiraLinkConfig& config) {
  auto* state = new ExtensionState();
  if (!config.link_base.empty()) {
    state->scanner = config.scanner;
    state->keys_contain_dash = config.scanner->key_regex() == kDefaultKeyRegex;
    state->anchor_start = KeyAnchorStart(config.link_base);
    state->max_links = config.max_links;
  }
  cmark_syntax_extension* extension = cmark_syntax_extension_new("jira");
  cmark_syntax_extension_set_private(extension, state, FreeState);
  cmark_syntax_extension_set_postprocess_func(extension, Postprocess);
  cmark_syntax_extension_set_html_render_func(extension, RenderHtml);
  return extension;
}

}  // namespace jiralink::renderer
