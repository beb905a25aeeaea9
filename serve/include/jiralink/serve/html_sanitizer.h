// SanitizeHtml: untrusted HTML (Jira's renderedFields: an issue's description
// and comments) made safe to place inside a page, by an allow-list.
//
// The text is parsed by libxml2's HTML parser (Debian's libxml2-dev; the
// parser browsers' quirks are modelled on), so malformed and nested markup,
// entities and unclosed tags are resolved the way a browser would resolve
// them, and the tree is written out again from scratch:
//
//  - kept (with only the attributes listed): p br hr div
//    a[href,title] ul ol[start] li dl dt dd strong b em i u s del ins sub sup
//    code pre kbd samp blockquote q cite h1-h6 table caption thead tbody tfoot
//    tr th[colspan,rowspan,scope] td[colspan,rowspan];
//  - dropped with everything inside: script style iframe frame frameset
//    object embed applet svg math template noscript noembed textarea select
//    button form input head title meta link base video audio source;
//  - img is never written (the browser would fetch Jira's attachments, and a
//    page must not lean on the bot's access). A Jira emoticon (class
//    "emoticon", or a src under /images/icons/emoticons/) becomes its emoji:
//    (x) error -> ❌, (/) check -> ✅, (!) warning -> ⚠️ and the others of
//    Jira's wiki renderer; an unknown one its alt text. Any other image
//    becomes text: "ALT (image in Jira)", or "Image in Jira" without alt; a
//    link to its src (ExternalLinkHtml, made absolute as links are) when the
//    src is a link kept below and the image is not already inside a link;
//  - a p or a whose written content is only whitespace is dropped (no empty
//    paragraph, no focusable link without a name);
//  - any other element is unwrapped: its children are kept, the tag is not;
//  - every other attribute (on*, style, class, id, src, data-*...) is dropped;
//  - a[href] is kept only for http:, https: and mailto: (the scheme is read
//    after removing whitespace and control characters, and after entities are
//    decoded, as a browser reads it); a path starting with one '/' is made
//    absolute against `link_origin` (Jira's links are relative to Jira) when
//    given; any other href is dropped and the link becomes its text. Kept
//    links get rel="noopener noreferrer nofollow";
//  - comments, processing instructions and doctype are dropped.
// Text and attribute values are escaped on output (& < > "), so the result is
// well-formed and nothing in it can open a tag or an attribute.
//
// SanitizeOptions fit the result into a page (both off by default): the
// headings shifted below the page's own, and each table and pre in a
// scroll region a keyboard can reach.
//
// Thread-safe. Never fails: input that libxml2 cannot parse gives "".
#pragma once

#include <string>
#include <string_view>

namespace jiralink::serve {

struct SanitizeOptions {
  // "https://jira.example.com" (scheme, host, port; no path): where Jira's
  // relative links point. Empty: relative links become their text.
  std::string_view link_origin;
  // h1..h6 written as h(1+shift)..h(6+shift), at most h6: with 2, a page
  // whose own headings are h1 and h2 keeps a single h1 and its h2s unique.
  int heading_shift = 0;
  // Non-empty: each table and pre is wrapped in
  //   <div class="scroll" role="region" tabindex="0"
  //        aria-label="<region_label>, table N">   (or "code block N")
  // so that a wide one scrolls sideways, by mouse and by keyboard, and has a
  // name. N counts from 1 in this call.
  std::string_view region_label;
};

std::string SanitizeHtml(std::string_view html, const SanitizeOptions& options);

// As above, with only `link_origin` set.
std::string SanitizeHtml(std::string_view html, std::string_view link_origin = {});

// A link that opens in a new tab (target="_blank" rel="noopener noreferrer")
// with the external-link mark: a visible arrow hidden from screen readers,
// and " (opens in a new tab)" for them. `href` and `text` are escaped here.
std::string ExternalLinkHtml(std::string_view href, std::string_view text,
                             std::string_view css_class = "external");

// Plain text is escaped with jiralink/core/text.h's HtmlEscape, the one HTML
// escape of the tree.

}  // namespace jiralink::serve
