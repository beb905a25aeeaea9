// Renderer::LinkKeysInHtml: Jira keys linked in text that is already HTML
// (cgit's commit-filter input), with the scanner and the anchor of the
// Markdown path (key_link.h).
#include <cstddef>
#include <string>
#include <string_view>

#include "jiralink/renderer/renderer.h"
#include "key_link.h"

namespace jiralink::renderer {
namespace {

// Longest character reference taken as one: "&CounterClockwiseContourIntegral;" is 33.
constexpr std::size_t kMaxEntityLength = 40;

bool IsEntityByte(char c) { return IsAsciiAlnum(c) || c == '#'; }

// Length of the character reference `&name;` / `&#123;` / `&#x1F;` at the
// start of `html`, or 0 when there is none.
std::size_t EntityLength(std::string_view html) {
  std::size_t i = 1;
  while (i < html.size() && i < kMaxEntityLength && IsEntityByte(html[i])) ++i;
  return i > 1 && i < html.size() && html[i] == ';' ? i + 1 : 0;
}

// True for "<a" followed by a blank, '>' or '/': the start of an anchor tag.
bool OpensAnchor(std::string_view tag) {
  return tag.size() > 2 && (tag[1] == 'a' || tag[1] == 'A') &&
         (tag[2] == ' ' || tag[2] == '\t' || tag[2] == '\n' || tag[2] == '>' || tag[2] == '/');
}

bool ClosesAnchor(std::string_view tag) {
  return tag.size() > 3 && tag[1] == '/' && (tag[2] == 'a' || tag[2] == 'A') &&
         (tag[3] == '>' || tag[3] == ' ' || tag[3] == '\t' || tag[3] == '\n');
}

}  // namespace

void Renderer::LinkKeysInHtml(std::string_view html, std::string* out) const {
  out->clear();
  if (!links_keys()) {
    out->assign(html);
    return;
  }
  out->reserve(html.size() + html.size() / 4);
  const auto put = [out](std::string_view piece) { out->append(piece); };
  std::size_t links_left = options_.max_links;
  int anchor_depth = 0;  // text inside an existing <a> is left alone
  std::size_t text = 0;  // start of the text run not yet written
  const auto flush_text = [&](std::size_t end) {
    std::string_view run = html.substr(text, end - text);
    std::size_t done = 0;
    if (anchor_depth == 0) {
      scanner_->ForEach(run, [&](const KeyMatch& match) {
        if (links_left == 0) return false;
        --links_left;
        out->append(run.substr(done, match.offset - done));
        // The matched text is already HTML, as the rest of the input.
        PutKeyLink(anchor_start_, match.key, run.substr(match.offset, match.length), put, put);
        done = match.offset + match.length;
        return true;
      });
    }
    out->append(run.substr(done));
  };
  // The next '>' at or after i (npos: none left), found once per tag, so
  // that a run of '<' without '>' stays linear.
  std::size_t next_close = html.find('>');
  std::size_t i = 0;
  while (i < html.size()) {
    const char c = html[i];
    if (c != '<' && c != '&') {
      ++i;
      continue;
    }
    std::size_t length = 1;  // a lone '<' or '&' is kept as is, as text
    if (c == '&') {
      length = EntityLength(html.substr(i));
      if (length == 0) {
        ++i;
        continue;
      }
    } else {
      if (next_close != std::string_view::npos && next_close < i) next_close = html.find('>', i);
      if (next_close != std::string_view::npos) length = next_close - i + 1;
    }
    flush_text(i);
    std::string_view piece = html.substr(i, length);
    if (c == '<' && OpensAnchor(piece)) ++anchor_depth;
    if (c == '<' && ClosesAnchor(piece) && anchor_depth > 0) --anchor_depth;
    out->append(piece);
    i += length;
    text = i;
  }
  flush_text(html.size());
}

}  // namespace jiralink::renderer
