#include "jiralink/renderer/renderer.h"

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm-extension_api.h>
#include <cmark-gfm.h>

#include <cstdlib>
#include <mutex>

#include "jira_extension.h"
#include "jiralink/renderer/filter_input.h"
#include "jiralink/renderer/pathological_input.h"
#include "key_link.h"

namespace jiralink::renderer {
namespace {

// The GFM extensions, in the order GitHub attaches them. `jira` comes after.
constexpr const char* kCoreExtensions[] = {"table", "strikethrough", "autolink", "tagfilter",
                                           "tasklist"};

// Serializes every use of cmark-gfm in the process (see renderer.h).
std::mutex& CmarkLock() {
  static std::mutex lock;
  return lock;
}

void EnsureCoreExtensionsRegistered() {
  static std::once_flag once;
  std::call_once(once, [] { cmark_gfm_core_extensions_ensure_registered(); });
}

// Length-prefixed fields: no two different settings give the same text.
void AppendField(std::string_view name, std::string_view value, std::string* out) {
  out->append(name);
  out->push_back('=');
  out->append(std::to_string(value.size()));
  out->push_back(':');
  out->append(value);
  out->push_back('\n');
}

std::string Fingerprint(const RenderOptions& options, std::string_view link_base) {
  std::string text;
  AppendField("renderer", kRendererVersion, &text);
  AppendField("cmark-gfm", cmark_version_string(), &text);
  AppendField("link_base", link_base, &text);
  AppendField("regex", options.matching.regex, &text);
  AppendField("prefix", options.matching.prefix, &text);
  AppendField("hardbreaks", options.hardbreaks ? "1" : "0", &text);
  AppendField("jira_extension", options.jira_extension ? "1" : "0", &text);
  AppendField("max_links", std::to_string(options.max_links), &text);
  return text;
}

struct ParserDeleter {
  void operator()(cmark_parser* parser) const { cmark_parser_free(parser); }
};
struct NodeDeleter {
  void operator()(cmark_node* node) const { cmark_node_free(node); }
};

}  // namespace

Status Renderer::Create(const RenderOptions& options, std::unique_ptr<Renderer>* out) {
  std::unique_ptr<KeyScanner> scanner;
  Status status = KeyScanner::Create(options.matching, &scanner);
  if (!status.ok()) return status.WithContext("[matching]");
  if (options.max_bytes <= 0) {
    return Status::InvalidArgument("[render] max_bytes must be positive, got " +
                                   std::to_string(options.max_bytes));
  }
  std::unique_ptr<Renderer> renderer(new Renderer());
  renderer->options_ = options;
  renderer->scanner_ = std::move(scanner);
  if (options.jira_extension && IsUsableWebUrl(options.web_url)) {
    std::string_view base = options.web_url;
    while (!base.empty() && base.back() == '/') base.remove_suffix(1);
    renderer->link_base_ = std::string(base) + "/browse/";
    renderer->anchor_start_ = KeyAnchorStart(renderer->link_base_);
  }
  renderer->fingerprint_ = Fingerprint(options, renderer->link_base_);
  if (options.jira_extension) {
    JiraLinkConfig config;
    config.link_base = renderer->link_base_;
    config.scanner = renderer->scanner_.get();
    config.max_links = options.max_links;
    renderer->jira_extension_ = NewJiraExtension(config);
  }
  *out = std::move(renderer);
  return Status::Ok();
}

Renderer::~Renderer() {
  if (jira_extension_ != nullptr) {
    cmark_syntax_extension_free(cmark_get_default_mem_allocator(), jira_extension_);
  }
}

Status Renderer::Render(std::string_view markdown, std::string* html) const {
  if (static_cast<std::int64_t>(markdown.size()) > options_.max_bytes) {
    return Status::InvalidArgument(
        "input is " + std::to_string(markdown.size()) +
        " bytes, more than [render] max_bytes = " + std::to_string(options_.max_bytes));
  }
  // Shapes that would cost cmark-gfm seconds or gigabytes are shown as text.
  if (InlineHtmlScanBound(markdown, kMaxInlineHtmlScanBytes) > kMaxInlineHtmlScanBytes ||
      EmailAutolinkCopyBound(markdown, kMaxEmailAutolinkCopyBytes) > kMaxEmailAutolinkCopyBytes ||
      WwwAutolinkScanBound(markdown, kMaxWwwAutolinkScanBytes) > kMaxWwwAutolinkScanBytes) {
    *html = RenderPlainText(markdown);
    return Status::Ok();
  }
  std::string neutralised;
  if (NeutraliseTables(markdown, TableLimits{}, &neutralised)) markdown = neutralised;

  // Safe mode (no CMARK_OPT_UNSAFE): raw HTML and dangerous URLs are dropped.
  int cmark_options = CMARK_OPT_DEFAULT | CMARK_OPT_VALIDATE_UTF8;
  if (options_.hardbreaks) cmark_options |= CMARK_OPT_HARDBREAKS;

  std::lock_guard<std::mutex> lock(CmarkLock());
  EnsureCoreExtensionsRegistered();
  std::unique_ptr<cmark_parser, ParserDeleter> parser(cmark_parser_new(cmark_options));
  for (const char* name : kCoreExtensions) {
    cmark_syntax_extension* extension = cmark_find_syntax_extension(name);
    if (extension == nullptr) return Status::Internal(std::string("cmark-gfm lacks ") + name);
    cmark_parser_attach_syntax_extension(parser.get(), extension);
  }
  if (jira_extension_ != nullptr) {
    cmark_parser_attach_syntax_extension(parser.get(), jira_extension_);
  }
  cmark_parser_feed(parser.get(), markdown.data(), markdown.size());
  std::unique_ptr<cmark_node, NodeDeleter> document(cmark_parser_finish(parser.get()));
  char* rendered = cmark_render_html(document.get(), cmark_options,
                                     cmark_parser_get_syntax_extensions(parser.get()));
  if (rendered == nullptr) return Status::Internal("cmark-gfm returned no HTML");
  html->assign(rendered);
  cmark_get_default_mem_allocator()->free(rendered);
  return Status::Ok();
}

}  // namespace jiralink::renderer
