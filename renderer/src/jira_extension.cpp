#include "jira_extension.h"

// Public cmark-gfm API first; render.h (private, see jira_extension.h) for
// the HTML renderer's output buffer; node.h (private) to read a text node's
// literal in place: cmark_node_get_literal() copies every literal it is asked
// for into a new NUL-terminated buffer, which made the key pass cost one
// allocation per text node of the document even where no key is.
#include <cmark-gfm-extension_api.h>
#include <cmark-gfm.h>
#include <cmark-gfm/node.h>
#include <cmark-gfm/render.h>

#include <string_view>
#include <vector>

#include "url_safety.h"

namespace jiralink::renderer {
namespace {

const JiraLinkConfig& ConfigOf(cmark_syntax_extension* extension) {
  return *static_cast<const JiraLinkConfig*>(cmark_syntax_extension_get_private(extension));
}

std::string_view LiteralOf(cmark_node* text_node) {
  const cmark_chunk& literal = text_node->as.literal;
  return {reinterpret_cast<const char*>(literal.data), static_cast<std::size_t>(literal.len)};
}

cmark_node* NewTextNode(std::string_view text) {
  cmark_node* node = cmark_node_new_with_mem(CMARK_NODE_TEXT, cmark_get_default_mem_allocator());
  std::string copy(text);
  cmark_node_set_literal(node, copy.c_str());
  return node;
}

// A LINK node owned by the extension: its href is complete (base and
// percent-encoded key), the key itself is kept in the string content.
cmark_node* NewKeyNode(cmark_syntax_extension* extension, std::string_view key,
                       std::string_view matched_text) {
  cmark_node* node = cmark_node_new_with_mem(CMARK_NODE_LINK, cmark_get_default_mem_allocator());
  cmark_node_set_syntax_extension(node, extension);
  std::string href = ConfigOf(extension).link_base;
  AppendPercentEncoded(key, &href);
  cmark_node_set_url(node, href.c_str());
  cmark_node_set_title(node, "Issue in Jira");
  std::string key_copy(key);
  cmark_node_set_string_content(node, key_copy.c_str());
  cmark_node_append_child(node, NewTextNode(matched_text));
  return node;
}

// Splits one TEXT node around the keys in it. The node keeps the text before
// the first key (or is removed when that is empty).
void LinkKeysInText(cmark_syntax_extension* extension, cmark_node* text_node) {
  const JiraLinkConfig& config = ConfigOf(extension);
  const std::string_view view = LiteralOf(text_node);
  // The default key pattern always contains '-': skip most text at memchr speed.
  if (config.scanner->options().regex.empty() && view.find('-') == std::string_view::npos) {
    return;
  }
  std::vector<KeyMatch> matches = config.scanner->FindAll(view);
  if (matches.empty()) return;
  // The literal dies when the node's literal is set again: split a copy.
  const std::string text(view);
  cmark_node* cursor = text_node;
  std::size_t done = 0;
  for (const KeyMatch& match : matches) {
    if (match.length == 0) continue;  // an empty custom-regex match links nothing
    std::string_view before(text.data() + done, match.offset - done);
    if (!before.empty() && cursor != text_node) {
      cmark_node* piece = NewTextNode(before);
      cmark_node_insert_after(cursor, piece);
      cursor = piece;
    }
    std::string_view key(text.data() + match.key_offset, match.key.size());
    cmark_node* key_node = NewKeyNode(extension, key, text.substr(match.offset, match.length));
    if (!cmark_node_insert_after(cursor, key_node)) {
      // A parent that takes no link (none in cmark-gfm 0.29): keep the text.
      cmark_node_free(key_node);
      if (cursor == text_node) return;
      break;
    }
    if (cursor == text_node) {
      std::string head(before);
      cmark_node_set_literal(text_node, head.c_str());
    }
    cursor = key_node;
    done = match.offset + match.length;
  }
  if (done < text.size()) cmark_node_insert_after(cursor, NewTextNode(text.substr(done)));
  const char* head = cmark_node_get_literal(text_node);
  if (cursor != text_node && (head == nullptr || *head == '\0')) cmark_node_free(text_node);
}

void ScrubDangerousUrl(cmark_node* node) {
  const char* url = cmark_node_get_url(node);
  if (url != nullptr && IsDangerousUrl(url)) cmark_node_set_url(node, "");
}

bool IsLinkOrImage(const cmark_node* node) {
  return node->type == CMARK_NODE_LINK || node->type == CMARK_NODE_IMAGE;
}

// Scrubs every link and image URL and collects the TEXT nodes outside links
// and images. Walks the node links directly (node.h): the generic cmark_iter
// costs two library calls per node, which was half of this pass's time.
void ScrubAndCollect(cmark_node* root, bool collect, std::vector<cmark_node*>* texts) {
  int link_depth = 0;  // how many links/images enclose `node`
  cmark_node* node = root;
  for (;;) {
    if (IsLinkOrImage(node)) {
      ScrubDangerousUrl(node);
    } else if (collect && node->type == CMARK_NODE_TEXT && link_depth == 0) {
      texts->push_back(node);
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
  // Collect first, split after the walk: splitting inserts siblings.
  std::vector<cmark_node*> texts;
  ScrubAndCollect(root, /*collect=*/!ConfigOf(extension).link_base.empty(), &texts);
  for (cmark_node* text : texts) LinkKeysInText(extension, text);
  return nullptr;  // the root is unchanged
}

// Asked about the key links only (they are the nodes carrying this extension).
int CanContain(cmark_syntax_extension*, cmark_node*, cmark_node_type child_type) {
  return child_type == CMARK_NODE_TEXT;
}

void RenderHtml(cmark_syntax_extension*, cmark_html_renderer* renderer, cmark_node* node,
                cmark_event_type event, int) {
  if (event == CMARK_EVENT_EXIT) {
    cmark_strbuf_puts(renderer->html, "</a>");
    return;
  }
  const std::string_view key = cmark_node_get_string_content(node);
  std::string tag = "<a href=\"";
  AppendHtmlEscaped(cmark_node_get_url(node), &tag);
  tag.append("\" class=\"gfm gfm-issue\" title=\"Issue in Jira\" data-external-issue=\"");
  AppendHtmlEscaped(key, &tag);
  tag.append("\">");
  cmark_strbuf_put(renderer->html, reinterpret_cast<const unsigned char*>(tag.data()),
                   static_cast<bufsize_t>(tag.size()));
}

}  // namespace

cmark_syntax_extension* NewJiraExtension(const JiraLinkConfig* config) {
  cmark_syntax_extension* extension = cmark_syntax_extension_new("jira");
  cmark_syntax_extension_set_private(extension, const_cast<JiraLinkConfig*>(config), nullptr);
  cmark_syntax_extension_set_postprocess_func(extension, Postprocess);
  cmark_syntax_extension_set_can_contain_func(extension, CanContain);
  cmark_syntax_extension_set_html_render_func(extension, RenderHtml);
  return extension;
}

}  // namespace jiralink::renderer
