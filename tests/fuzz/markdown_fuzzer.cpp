// libFuzzer target: Markdown to HTML through the public renderer, as
// `jiralink render` and the forge filters call it.
//
// Every input is rendered twice: with the default key pattern, and with a
// permissive custom regex (keys may hold quotes, '<', '&') plus hard line
// breaks. Both renders must succeed (the input is below max_bytes) and the
// HTML must be safe: every '<' opens a tag cmark-gfm or the jira extension
// writes, or the raw-HTML comment; attribute values are quoted; no on*
// attribute; no javascript:, vbscript:, file: or data: URL in href or src.
// A third renderer has max_bytes = 1024: it must refuse longer inputs with
// kInvalidArgument and render shorter ones.
// Time and memory are bounded by libFuzzer (-timeout, -rss_limit_mb in
// tests/fuzz/run.sh): a slow or huge render is a finding too.
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "jiralink/renderer/renderer.h"

namespace {

using jiralink::renderer::Renderer;
using jiralink::renderer::RenderOptions;

[[noreturn]] void Fail(const char* what, std::string_view html) {
  std::fprintf(stderr, "markdown_fuzzer: %s in:\n%.*s\n", what, static_cast<int>(html.size()),
               html.data());
  std::abort();
}

constexpr std::int64_t kSmallMaxBytes = 1024;

std::unique_ptr<Renderer> Make(const char* regex, bool hardbreaks,
                               std::int64_t max_bytes = jiralink::renderer::kDefaultMaxBytes) {
  RenderOptions options;
  options.web_url = "https://jira.example.com";
  options.matching.regex = regex;
  options.hardbreaks = hardbreaks;
  options.max_bytes = max_bytes;
  std::unique_ptr<Renderer> renderer;
  if (!Renderer::Create(options, &renderer).ok()) std::abort();
  return renderer;
}

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool IsTagNameChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

// The elements cmark-gfm's HTML renderer (with the table, strikethrough,
// autolink, tagfilter and tasklist extensions) and the jira extension write.
bool IsKnownTag(std::string_view name) {
  for (std::string_view known :
       {"p",  "h1",  "h2",    "h3",    "h4",    "h5", "h6", "blockquote", "ul",
        "ol", "li",  "pre",   "code",  "hr",    "br", "em", "strong",     "del",
        "a",  "img", "table", "thead", "tbody", "tr", "th", "td",         "input"}) {
    if (name == known) return true;
  }
  return false;
}

bool IsDangerousUrl(std::string_view value) {
  // What a browser ignores before the scheme: leading spaces and control
  // characters, and tabs or newlines anywhere.
  std::string url;
  for (char c : value) {
    if (c == '\t' || c == '\n' || c == '\r') continue;
    if (url.empty() && static_cast<unsigned char>(c) <= 0x20) continue;
    url += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  for (std::string_view scheme : {"javascript:", "vbscript:", "file:", "data:"}) {
    if (url.compare(0, scheme.size(), scheme) == 0) return true;
  }
  return false;
}

void CheckSafeHtml(std::string_view html) {
  std::size_t i = 0;
  while ((i = html.find('<', i)) != std::string_view::npos) {
    if (html.substr(i, 4) == "<!--") {
      const std::size_t end = html.find("-->", i + 4);
      if (end == std::string_view::npos) Fail("unclosed comment", html);
      i = end + 3;
      continue;
    }
    std::size_t p = i + 1;
    if (p < html.size() && html[p] == '/') ++p;
    const std::size_t name_begin = p;
    while (p < html.size() && IsTagNameChar(html[p])) ++p;
    if (!IsKnownTag(Lower(html.substr(name_begin, p - name_begin)))) Fail("unknown tag", html);
    // Attributes: name="value" pairs, then '>' or "/>".
    while (true) {
      while (p < html.size() && html[p] == ' ') ++p;
      if (p >= html.size()) Fail("unclosed tag", html);
      if (html[p] == '>') break;
      if (html.substr(p, 2) == "/>") {
        ++p;
        break;
      }
      const std::size_t attr_begin = p;
      while (p < html.size() && (IsTagNameChar(html[p]) || html[p] == '-')) ++p;
      const std::string attr = Lower(html.substr(attr_begin, p - attr_begin));
      if (attr.empty()) Fail("bad attribute", html);
      if (attr.compare(0, 2, "on") == 0) Fail("event-handler attribute", html);
      if (p < html.size() && html[p] != '=') continue;  // boolean (checked, disabled)
      ++p;
      if (p >= html.size() || html[p] != '"') Fail("unquoted attribute value", html);
      const std::size_t value_end = html.find('"', p + 1);
      if (value_end == std::string_view::npos) Fail("unclosed attribute value", html);
      if ((attr == "href" || attr == "src") &&
          IsDangerousUrl(html.substr(p + 1, value_end - p - 1))) {
        Fail("dangerous URL", html);
      }
      p = value_end + 1;
    }
    i = p + 1;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::unique_ptr<Renderer> plain = Make("", false);
  static const std::unique_ptr<Renderer> permissive = Make(R"(\b([A-Z][^\s]*-\d+))", true);
  const std::string_view markdown(reinterpret_cast<const char*>(data), size);
  for (const Renderer* renderer : {plain.get(), permissive.get()}) {
    std::string html;
    if (!renderer->Render(markdown, &html).ok()) std::abort();  // below max_bytes: must render
    CheckSafeHtml(html);
  }
  static const std::unique_ptr<Renderer> small = Make("", false, kSmallMaxBytes);
  std::string html;
  const jiralink::Status status = small->Render(markdown, &html);
  const bool too_long = static_cast<std::int64_t>(size) > kSmallMaxBytes;
  if (too_long ? status.code() != jiralink::Status::Code::kInvalidArgument : !status.ok()) {
    std::abort();
  }
  return 0;
}
