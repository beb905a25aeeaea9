// Renderer: Markdown to safe HTML with cmark-gfm, the GFM extensions and the
// `jira` extension that turns Jira issue keys into links.
//
//   RenderOptions options;
//   options.web_url = "https://jira.example.com";
//   std::unique_ptr<Renderer> renderer;
//   Status s = Renderer::Create(options, &renderer);
//   std::string html;
//   if (s.ok()) s = renderer->Render("Fixes PROJ-12.", &html);
//   // <p>Fixes <a href="https://jira.example.com/browse/PROJ-12" class="gfm gfm-issue"
//   //    title="Issue in Jira" data-external-issue="PROJ-12">PROJ-12</a>.</p>
//
// The output is an HTML fragment (no <html> wrapper). Rendering is safe by
// default: raw HTML is replaced by a comment, and no javascript:, vbscript:,
// file: or data: URL comes out of a link, an image or a key. Keys are linked
// only in text: never in code spans, code blocks, link text, image alt text,
// autolinks or raw HTML.
//
// Threads: cmark-gfm keeps process-global state (its extension registry and
// the table of special inline characters that every parse edits), so all
// renders of the process are serialized by one internal lock. A Renderer may
// be shared between threads; renders never run in parallel.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "jiralink/core/key_scanner.h"
#include "jiralink/core/status.h"

struct cmark_syntax_extension;

namespace jiralink::renderer {

// Bumped whenever the HTML produced for the same input and options changes;
// part of every cache epoch.
inline constexpr std::string_view kRendererVersion = "jiralink-renderer/1";

// Default of [render] max_bytes: 1 MiB. The most memory-hungry Markdown
// (`>` x N, `*a* ` x N: ~300 MiB per MiB in cmark-gfm 0.29) then stays under
// 512 MiB and 1 s of CPU (tests/cli/render_limits_test.cpp); the largest
// document of the corpus is 772 KB.
inline constexpr std::int64_t kDefaultMaxBytes = 1024 * 1024;

// Default of RenderOptions::max_links: Jira keys linked in one document. The
// largest document of the corpus (calcite's history.md, 772 KB) has 8,539.
inline constexpr std::size_t kDefaultMaxLinks = 50000;

struct RenderOptions {
  // The Jira site, e.g. "https://jira.example.com" (a trailing '/' is
  // ignored). Empty, or not an http(s) URL: keys are left as plain text.
  std::string web_url;
  // [matching] regex and prefix: which text is a key.
  MatchingOptions matching;
  // Soft line breaks render as <br /> (GitHub renders comments this way).
  bool hardbreaks = false;
  // Inputs longer than this are refused (kInvalidArgument).
  std::int64_t max_bytes = kDefaultMaxBytes;
  // Only the first max_links keys of a document become links; the others
  // stay plain text, so a page of keys cannot grow the HTML without bound.
  std::size_t max_links = kDefaultMaxLinks;
  // False leaves the `jira` extension out entirely: plain cmark-gfm with the
  // GFM extensions. Only the benchmark baseline wants this; it also skips the
  // data: URL scrubbing that the extension does.
  bool jira_extension = true;
};

class Renderer {
 public:
  // Validates the options (the regex and prefix, through KeyScanner::Create)
  // and builds a renderer. An unusable web_url is not an error: it only turns
  // linking off (see links_keys()).
  static Status Create(const RenderOptions& options, std::unique_ptr<Renderer>* out);

  ~Renderer();
  Renderer(const Renderer&) = delete;
  Renderer& operator=(const Renderer&) = delete;

  // Renders `markdown` into *html. Fails with kInvalidArgument when the input
  // is longer than max_bytes. Pathological shapes that cmark-gfm 0.29 parses
  // in quadratic time are neutralised first (see pathological_input.h): an
  // oversized table renders as text, and an input whose unclosed raw-HTML
  // openers (`<?`, `<![CDATA[` ...) would take seconds, or whose e-mail
  // autolinks would take gigabytes, is rendered whole as escaped text in
  // <pre> (RenderPlainText).
  Status Render(std::string_view markdown, std::string* html) const;

  // cgit's commit-filter: `html` is text that is already HTML (cgit escaped
  // the commit message). Writes it to *out with each key found in its text
  // linked exactly as Render() links it (up to max_links), and nothing else
  // changed: no byte is escaped or unescaped, and text inside a tag, a
  // character reference (&amp; &#39; ...) or an existing <a>...</a> is left
  // alone. Linear in the input. Without links_keys() *out is `html`.
  void LinkKeysInHtml(std::string_view html, std::string* out) const;

  // True when keys become links (jira_extension and a usable web_url).
  bool links_keys() const { return !link_base_.empty(); }

  // Everything that changes the output for a given input: the renderer
  // version, the web_url, the regex, the prefix and the options. Two
  // renderers with the same fingerprint produce the same HTML.
  const std::string& fingerprint() const { return fingerprint_; }

  const RenderOptions& options() const { return options_; }

 private:
  Renderer() = default;

  RenderOptions options_;
  std::string link_base_;     // "<web_url>/browse/", empty when not linking
  std::string anchor_start_;  // `<a href="` + link_base_, HTML-escaped
  std::string fingerprint_;
  std::unique_ptr<KeyScanner> scanner_;
  cmark_syntax_extension* jira_extension_ = nullptr;  // owned; null when left out
};

// True when `url` may be used as the Jira web URL for links: http:// or
// https://, a host, and none of the characters that could end an attribute
// or hide a scheme (quotes, '<', '>', '\', '`', whitespace, control bytes).
bool IsUsableWebUrl(std::string_view url);

}  // namespace jiralink::renderer
