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
//    button form input head title meta link base img video audio source;
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
// Thread-safe. Never fails: input that libxml2 cannot parse gives "".
#pragma once

#include <string>
#include <string_view>

namespace jiralink::serve {

// `link_origin`: "https://jira.example.com" (scheme, host, port; no path).
std::string SanitizeHtml(std::string_view html, std::string_view link_origin = {});

// `text` with & < > " ' replaced by entities: safe as element content and as a
// double- or single-quoted attribute value.
std::string EscapeHtml(std::string_view text);

}  // namespace jiralink::serve
