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

// Default of [render] max_bytes.
inline constexpr std::int64_t kDefaultMaxBytes = 8 * 1024 * 1024;

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
  // in quadratic time are neutralised first (see pathological_input.h).
  Status Render(std::string_view markdown, std::string* html) const;

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
  std::string link_base_;  // "<web_url>/browse/", empty when not linking
  std::string fingerprint_;
  std::unique_ptr<KeyScanner> scanner_;
  cmark_syntax_extension* jira_extension_ = nullptr;  // owned; null when left out
};

// True when `url` may be used as the Jira web URL for links: http:// or
// https://, a host, and none of the characters that could end an attribute
// or hide a scheme (quotes, '<', '>', '\', '`', whitespace, control bytes).
bool IsUsableWebUrl(std::string_view url);

}  // namespace jiralink::renderer
