#include "jiralink/serve/html_sanitizer.h"

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include <cstring>
#include <mutex>

#include "jiralink/core/text.h"

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
    "script", "style",  "iframe",   "frame",     "frameset", "object",   "embed",    "applet",
    "svg",    "math",   "template", "noscript",  "noembed",  "textarea", "select",   "button",
    "form",   "input",  "head",     "title",     "meta",     "link",     "base",     "video",
    "audio",  "source", "picture",  "canvas",    "portal",   "option",   "optgroup", "datalist",
    "param",  "track",  "xmp",      "plaintext", "listing",  "noframes"};

// Jira's emoticons (its wiki renderer's /images/icons/emoticons/<name>.png)
// as the emoji that say the same.
struct Emoticon {
  std::string_view file;  // without the extension
  std::string_view text;
};
constexpr Emoticon kEmoticons[] = {
    {"smile", "\U0001F642"},          // :)
    {"sad", "\U0001F641"},            // :(
    {"tongue", "\U0001F61B"},         // :P
    {"biggrin", "\U0001F600"},        // :D
    {"wink", "\U0001F609"},           // ;)
    {"thumbs_up", "\U0001F44D"},      // (y)
    {"thumbs_down", "\U0001F44E"},    // (n)
    {"information", "\u2139\uFE0F"},  // (i)
    {"check", "\u2705"},              // (/)
    {"error", "\u274C"},              // (x)
    {"warning", "\u26A0\uFE0F"},      // (!)
    {"add", "\u2795"},                // (+)
    {"forbidden", "\u26D4"},          // (-)
    {"help_16", "\u2753"},            // (?)
    {"help", "\u2753"},
    {"lightbulb_on", "\U0001F4A1"},     // (on)
    {"lightbulb", "\U0001F4A1"},        // (off)
    {"star_yellow", "\u2B50"},          // (*) (*y)
    {"star_red", "\u2B50"},             // (*r)
    {"star_green", "\u2B50"},           // (*g)
    {"star_blue", "\u2B50"},            // (*b)
    {"flag", "\U0001F6A9"},             // (flag)
    {"flag_grey", "\U0001F3F3\uFE0F"},  // (flagoff)
};

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
  std::string lower = AsciiLowercase(squeezed);
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

bool IsBlank(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f') continue;
    if (c == '\xC2' && i + 1 < text.size() && text[i + 1] == '\xA0') {  // no-break space
      ++i;
      continue;
    }
    return false;
  }
  return true;
}

std::string Trimmed(std::string_view text) {
  while (!text.empty() && static_cast<unsigned char>(text.front()) <= 0x20) text.remove_prefix(1);
  while (!text.empty() && static_cast<unsigned char>(text.back()) <= 0x20) text.remove_suffix(1);
  return std::string(text);
}

std::string Attribute(xmlNode* node, const char* name) {
  xmlChar* raw = xmlGetProp(node, reinterpret_cast<const xmlChar*>(name));
  std::string value(View(raw));
  xmlFree(raw);
  return value;
}

// The emoji of a Jira emoticon image, "" when `src` names none we know.
std::string_view EmoticonText(std::string_view src) {
  std::size_t query = src.find_first_of("?#");
  if (query != std::string_view::npos) src = src.substr(0, query);
  std::size_t slash = src.rfind('/');
  std::string_view file = slash == std::string_view::npos ? src : src.substr(slash + 1);
  file = file.substr(0, file.find('.'));
  for (const Emoticon& emoticon : kEmoticons) {
    if (emoticon.file == file) return emoticon.text;
  }
  return {};
}

class Writer {
 public:
  explicit Writer(const SanitizeOptions& options)
      : link_origin_(options.link_origin), options_(options) {}

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

  // An image as text, or as a link to it (see the header).
  void Image(xmlNode* node) {
    std::string src = Attribute(node, "src");
    std::string alt = Trimmed(Attribute(node, "alt"));
    std::string css_class = AsciiLowercase(Attribute(node, "class"));
    bool emoticon = css_class.find("emoticon") != std::string::npos ||
                    AsciiLowercase(src).find("/images/icons/emoticons/") != std::string::npos;
    if (emoticon) {
      std::string_view text = EmoticonText(src);
      AppendEscaped(text.empty() ? std::string_view(alt) : text, &out_);
      return;
    }
    std::string text = alt.empty() ? "Image in Jira" : alt + " (image in Jira)";
    std::string href = link_depth_ > 0 ? std::string() : SafeHref(src, link_origin_);
    if (href.empty() || href.starts_with("mailto:")) {
      AppendEscaped(text, &out_);
    } else {
      out_ += ExternalLinkHtml(href, text, "external image");
    }
  }

  // <div class="scroll" ...> around a table or pre, when asked for.
  void OpenRegion(const std::string& name) {
    int number = name == "table" ? ++tables_ : ++code_blocks_;
    std::string label = std::string(options_.region_label) +
                        (name == "table" ? ", table " : ", code block ") + std::to_string(number);
    out_ += "<div class=\"scroll\" role=\"region\" tabindex=\"0\" aria-label=\"";
    AppendEscaped(label, &out_);
    out_ += "\">";
  }

  void Element(xmlNode* node) {
    std::string name = AsciiLowercase(View(node->name));
    if (IsDropped(name)) return;
    if (name == "img") return Image(node);
    const Allowed* allowed = FindAllowed(name);
    if (allowed == nullptr) return Children(node);  // unwrapped
    std::string attributes;
    if (name == "a") {
      std::string href = SafeHref(Attribute(node, "href"), link_origin_);
      if (href.empty() || link_depth_ > 0) return Children(node);  // its text
      attributes = " href=\"";
      AppendEscaped(href, &attributes);
      attributes += "\" rel=\"noopener noreferrer nofollow\"";
    }
    if (name.size() == 2 && name[0] == 'h' && name[1] >= '1' && name[1] <= '6') {
      int level = name[1] - '0' + options_.heading_shift;
      name[1] = static_cast<char>('0' + (level > 6 ? 6 : level < 1 ? 1 : level));
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
    bool region = !options_.region_label.empty() && (name == "table" || name == "pre");
    std::size_t start = out_.size();
    if (region) OpenRegion(name);
    out_ += "<" + name + attributes + ">";
    if (IsVoid(name)) return;
    std::size_t content = out_.size();
    if (name == "a") ++link_depth_;
    Children(node);
    if (name == "a") --link_depth_;
    if ((name == "p" || name == "a") && IsBlank(std::string_view(out_).substr(content))) {
      out_.resize(start);  // nothing to read or to follow
      return;
    }
    out_ += "</" + name + ">";
    if (region) out_ += "</div>";
  }

  std::string_view link_origin_;
  const SanitizeOptions& options_;
  int link_depth_ = 0;
  int tables_ = 0;
  int code_blocks_ = 0;
  std::string out_;
};

// <body> under <html> (the parser always makes both).
xmlNode* FindBody(xmlNode* root) {
  if (root == nullptr) return nullptr;
  for (xmlNode* node = root->children; node != nullptr; node = node->next) {
    if (node->type == XML_ELEMENT_NODE && AsciiLowercase(View(node->name)) == "body") return node;
  }
  return nullptr;
}

// Larger descriptions are not Jira's (it stores at most 32 767 characters).
constexpr std::size_t kMaxHtmlBytes = 16 * 1024 * 1024;

}  // namespace

std::string SanitizeHtml(std::string_view html, std::string_view link_origin) {
  SanitizeOptions options;
  options.link_origin = link_origin;
  return SanitizeHtml(html, options);
}

std::string ExternalLinkHtml(std::string_view href, std::string_view text,
                             std::string_view css_class) {
  std::string out = "<a class=\"";
  AppendEscaped(css_class, &out);
  out += "\" href=\"";
  AppendEscaped(href, &out);
  out += "\" target=\"_blank\" rel=\"noopener noreferrer\">";
  AppendEscaped(text, &out);
  out +=
      "<span class=\"ext\" aria-hidden=\"true\">\u2197</span>"
      "<span class=\"visually-hidden\"> (opens in a new tab)</span></a>";
  return out;
}

std::string SanitizeHtml(std::string_view html, const SanitizeOptions& options) {
  if (html.empty() || html.size() > kMaxHtmlBytes) return {};
  static std::once_flag initialised;
  std::call_once(initialised, [] { xmlInitParser(); });
  // NONET: never fetch anything; NOERROR/NOWARNING: Jira's HTML is not ours
  // to report on. The parser's own nesting limit bounds the walk below.
  htmlDocPtr doc = htmlReadMemory(html.data(), static_cast<int>(html.size()), nullptr, "UTF-8",
                                  HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING);
  if (doc == nullptr) return {};
  Writer writer(options);
  if (xmlNode* body = FindBody(xmlDocGetRootElement(doc)); body != nullptr) writer.Children(body);
  xmlFreeDoc(doc);
  return writer.Take();
}

}  // namespace jiralink::serve
