#include "jiralink/serve/html_sanitizer.h"

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include <cstring>
#include <mutex>

namespace jiralink::serve {
namespace {

struct Allowed {
  std::string_view name;
  std::string_view attributes[3];
};

// Elements written out, and the attributes each keeps.
constexpr Allowed kAllowed[] = {
    {"p", {}},
    {"br", {}},
    {"hr", {}},
    {"div", {}},
    {"a", {"href", "title"}},
    {"ul", {}},
    {"ol", {"start"}},
    {"li", {}},
    {"dl", {}},
    {"dt", {}},
    {"dd", {}},
    {"strong", {}},
    {"b", {}},
    {"em", {}},
    {"i", {}},
    {"u", {}},
    {"s", {}},
    {"del", {}},
    {"ins", {}},
    {"sub", {}},
    {"sup", {}},
    {"code", {}},
    {"pre", {}},
    {"kbd", {}},
    {"samp", {}},
    {"blockquote", {}},
    {"q", {}},
    {"cite", {}},
    {"h1", {}},
    {"h2", {}},
    {"h3", {}},
    {"h4", {}},
    {"h5", {}},
    {"h6", {}},
    {"table", {}},
    {"caption", {}},
    {"thead", {}},
    {"tbody", {}},
    {"tfoot", {}},
    {"tr", {}},
    {"th", {"colspan", "rowspan", "scope"}},
    {"td", {"colspan", "rowspan"}},
};

// Elements dropped with everything inside them.
constexpr std::string_view kDropped[] = {
    "script",   "style", "iframe",   "frame",    "frameset",  "object",   "embed",   "applet",
    "svg",      "math",  "template", "noscript", "noembed",   "textarea", "select",  "button",
    "form",     "input", "head",     "title",    "meta",      "link",     "base",    "img",
    "video",    "audio", "source",   "picture",  "canvas",    "portal",   "option",  "optgroup",
    "datalist", "param", "track",    "xmp",      "plaintext", "listing",  "noframes"};

const Allowed* FindAllowed(std::string_view name) {
  for (const Allowed& allowed : kAllowed) {
    if (allowed.name == name) return &allowed;
  }
  return nullptr;
}

bool IsDropped(std::string_view name) {
  for (std::string_view dropped : kDropped) {
    if (dropped == name) return true;
  }
  return false;
}

bool IsVoid(std::string_view name) { return name == "br" || name == "hr"; }

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string_view View(const xmlChar* text) {
  return text == nullptr ? std::string_view()
                         : std::string_view(reinterpret_cast<const char*>(text));
}

// The href to write, or "" to drop the link.
std::string SafeHref(std::string_view href, std::string_view link_origin) {
  // Browsers ignore whitespace and control characters around and inside the
  // scheme ("java\tscript:"); read it the same way.
  std::string squeezed;
  for (char c : href) {
    if (static_cast<unsigned char>(c) > 0x20 && c != 0x7f) squeezed.push_back(c);
  }
  std::string lower = Lower(squeezed);
  if (lower.starts_with("http://") || lower.starts_with("https://") ||
      lower.starts_with("mailto:")) {
    return squeezed;
  }
  if (!link_origin.empty() && lower.starts_with("/") && !lower.starts_with("//") &&
      !lower.starts_with("/\\")) {
    return std::string(link_origin) + squeezed;
  }
  return {};
}

void AppendEscaped(std::string_view text, std::string* out) {
  for (char c : text) {
    switch (c) {
      case '&':
        out->append("&amp;");
        break;
      case '<':
        out->append("&lt;");
        break;
      case '>':
        out->append("&gt;");
        break;
      case '"':
        out->append("&quot;");
        break;
      case '\'':
        out->append("&#39;");
        break;
      case '\0':
        break;
      default:
        out->push_back(c);
    }
  }
}

bool IsNumber(std::string_view text) {
  if (text.empty() || text.size() > 4) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

class Writer {
 public:
  explicit Writer(std::string_view link_origin) : link_origin_(link_origin) {}

  void Children(xmlNode* node) {
    for (xmlNode* child = node->children; child != nullptr; child = child->next) Node(child);
  }

  std::string Take() { return std::move(out_); }

 private:
  void Node(xmlNode* node) {
    switch (node->type) {
      case XML_TEXT_NODE:
      case XML_CDATA_SECTION_NODE:
        AppendEscaped(View(node->content), &out_);
        return;
      case XML_ELEMENT_NODE:
        Element(node);
        return;
      default:
        return;  // comments, processing instructions, DTD, entities
    }
  }

  void Element(xmlNode* node) {
    std::string name = Lower(View(node->name));
    if (IsDropped(name)) return;
    const Allowed* allowed = FindAllowed(name);
    if (allowed == nullptr) return Children(node);  // unwrapped
    std::string attributes;
    if (name == "a") {
      xmlChar* raw = xmlGetProp(node, reinterpret_cast<const xmlChar*>("href"));
      std::string href = SafeHref(View(raw), link_origin_);
      xmlFree(raw);
      if (href.empty()) return Children(node);  // a link we will not follow: its text
      attributes = " href=\"";
      AppendEscaped(href, &attributes);
      attributes += "\" rel=\"noopener noreferrer nofollow\"";
    }
    for (std::string_view attribute : allowed->attributes) {
      if (attribute.empty() || attribute == "href") continue;
      xmlChar* raw =
          xmlGetProp(node, reinterpret_cast<const xmlChar*>(std::string(attribute).c_str()));
      if (raw == nullptr) continue;
      std::string_view value = View(raw);
      bool numeric = attribute == "colspan" || attribute == "rowspan" || attribute == "start";
      bool scope = attribute == "scope" &&
                   (value == "row" || value == "col" || value == "rowgroup" || value == "colgroup");
      if ((numeric && IsNumber(value)) || scope || attribute == "title") {
        attributes += " " + std::string(attribute) + "=\"";
        AppendEscaped(value, &attributes);
        attributes += "\"";
      }
      xmlFree(raw);
    }
    out_ += "<" + name + attributes + ">";
    if (IsVoid(name)) return;
    Children(node);
    out_ += "</" + name + ">";
  }

  std::string_view link_origin_;
  std::string out_;
};

// <body> under <html> (the parser always makes both).
xmlNode* FindBody(xmlNode* root) {
  if (root == nullptr) return nullptr;
  for (xmlNode* node = root->children; node != nullptr; node = node->next) {
    if (node->type == XML_ELEMENT_NODE && Lower(View(node->name)) == "body") return node;
  }
  return nullptr;
}

// Larger descriptions are not Jira's (it stores at most 32 767 characters).
constexpr std::size_t kMaxHtmlBytes = 16 * 1024 * 1024;

}  // namespace

std::string SanitizeHtml(std::string_view html, std::string_view link_origin) {
  if (html.empty() || html.size() > kMaxHtmlBytes) return {};
  static std::once_flag initialised;
  std::call_once(initialised, [] { xmlInitParser(); });
  // NONET: never fetch anything; NOERROR/NOWARNING: Jira's HTML is not ours
  // to report on. The parser's own nesting limit bounds the walk below.
  htmlDocPtr doc = htmlReadMemory(html.data(), static_cast<int>(html.size()), nullptr, "UTF-8",
                                  HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING);
  if (doc == nullptr) return {};
  Writer writer(link_origin);
  if (xmlNode* body = FindBody(xmlDocGetRootElement(doc)); body != nullptr) writer.Children(body);
  xmlFreeDoc(doc);
  return writer.Take();
}

std::string EscapeHtml(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  AppendEscaped(text, &out);
  return out;
}

}  // namespace jiralink::serve
