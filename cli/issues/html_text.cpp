#include "html_text.h"

#include <cstdint>
#include <string>

#include "jiralink/core/text.h"
#include "jiralink/core/utf8.h"

namespace jiralink::cli {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

// Decodes the entity starting at html[pos] ('&'); returns the bytes consumed
// (0 when it is not an entity we know, and the '&' stays literal).
std::size_t DecodeEntity(std::string_view html, std::size_t pos, std::string* out) {
  std::size_t semicolon = html.find(';', pos);
  if (semicolon == std::string_view::npos || semicolon - pos > 10) return 0;
  std::string_view name = html.substr(pos + 1, semicolon - pos - 1);
  struct Named {
    std::string_view name;
    const char* text;
  };
  static constexpr Named kNamed[] = {
      {"amp", "&"},  {"lt", "<"},  {"gt", ">"},          {"quot", "\""},      {"apos", "'"},
      {"nbsp", " "}, {"#39", "'"}, {"hellip", "\u2026"}, {"mdash", "\u2014"}, {"ndash", "\u2013"}};
  for (const Named& named : kNamed) {
    if (name == named.name) {
      out->append(named.text);
      return semicolon - pos + 1;
    }
  }
  if (name.size() >= 2 && name[0] == '#') {
    bool hex = name[1] == 'x' || name[1] == 'X';
    std::string_view digits = name.substr(hex ? 2 : 1);
    if (digits.empty()) return 0;
    std::uint32_t cp = 0;
    for (char c : digits) {
      int digit;
      if (c >= '0' && c <= '9') {
        digit = c - '0';
      } else if (hex && c >= 'a' && c <= 'f') {
        digit = c - 'a' + 10;
      } else if (hex && c >= 'A' && c <= 'F') {
        digit = c - 'A' + 10;
      } else {
        return 0;
      }
      cp = cp * (hex ? 16 : 10) + static_cast<std::uint32_t>(digit);
      if (cp > 0x10FFFF) cp = 0x110000;  // stays invalid, no overflow
    }
    AppendUtf8(cp, out);
    return semicolon - pos + 1;
  }
  return 0;
}

// The value of attribute `name` in a tag's text ("a href=\"x\" class=y").
std::string Attribute(std::string_view tag, std::string_view name) {
  std::string lower = AsciiLowercase(tag);
  std::size_t at = 0;
  while ((at = lower.find(name, at)) != std::string::npos) {
    bool starts_word = at > 0 && IsSpace(lower[at - 1]);
    std::size_t p = at + name.size();
    while (p < lower.size() && IsSpace(lower[p])) ++p;
    if (!starts_word || p >= lower.size() || lower[p] != '=') {
      at += name.size();
      continue;
    }
    ++p;
    while (p < tag.size() && IsSpace(tag[p])) ++p;
    if (p >= tag.size()) return {};
    char quote = tag[p];
    std::size_t end;
    if (quote == '"' || quote == '\'') {
      ++p;
      end = tag.find(quote, p);
    } else {
      end = p;
      while (end < tag.size() && !IsSpace(tag[end]) && tag[end] != '>') ++end;
    }
    std::string raw(
        tag.substr(p, end == std::string_view::npos ? std::string_view::npos : end - p));
    std::string decoded;
    for (std::size_t i = 0; i < raw.size(); ++i) {
      std::size_t used = raw[i] == '&' ? DecodeEntity(raw, i, &decoded) : 0;
      if (used == 0) {
        decoded.push_back(raw[i]);
      } else {
        i += used - 1;
      }
    }
    return decoded;
  }
  return {};
}

bool IsBlock(std::string_view name) {
  static constexpr std::string_view kBlocks[] = {"p",  "div",   "h1",         "h2", "h3",  "h4",
                                                 "h5", "h6",    "li",         "tr", "pre", "ul",
                                                 "ol", "table", "blockquote", "hr"};
  for (std::string_view block : kBlocks) {
    if (name == block) return true;
  }
  return false;
}

class TextBuilder {
 public:
  void Text(std::string_view text, bool preformatted) {
    for (char c : text) {
      if (preformatted) {
        Put(c);
      } else if (IsSpace(c)) {
        pending_space_ = true;
      } else {
        Put(c);
      }
    }
  }
  void Raw(std::string_view text) {
    for (char c : text) Put(c);
  }
  void LineBreak() {
    pending_space_ = false;
    out_.push_back('\n');
  }
  void BlockBreak() {
    pending_space_ = false;
    if (!out_.empty() && out_.back() != '\n') out_.push_back('\n');
  }
  // Trims trailing spaces of lines and keeps at most one blank line in a row.
  std::string Finish() const {
    std::string result;
    std::size_t newlines = 0;
    for (char c : out_) {
      if (c == '\n') {
        while (!result.empty() && result.back() == ' ') result.pop_back();
        if (result.empty() || ++newlines > 2) continue;
        result.push_back(c);
      } else {
        newlines = 0;
        result.push_back(c);
      }
    }
    while (!result.empty() && (result.back() == '\n' || result.back() == ' ')) result.pop_back();
    return result;
  }

 private:
  void Put(char c) {
    if (pending_space_ && !out_.empty() && out_.back() != '\n' && out_.back() != ' ') {
      out_.push_back(' ');
    }
    pending_space_ = false;
    out_.push_back(c);
  }

  std::string out_;
  bool pending_space_ = false;
};

}  // namespace

std::string HtmlToText(std::string_view html) {
  TextBuilder text;
  int pre_depth = 0;
  std::string link_href;
  std::string link_text;
  bool in_link = false;
  std::size_t pos = 0;
  while (pos < html.size()) {
    char c = html[pos];
    if (c == '<') {
      if (html.substr(pos).starts_with("<!--")) {
        std::size_t end = html.find("-->", pos + 4);
        pos = end == std::string_view::npos ? html.size() : end + 3;
        continue;
      }
      std::size_t close = html.find('>', pos);
      if (close == std::string_view::npos) break;  // a cut-off tag: drop it
      std::string_view tag = html.substr(pos + 1, close - pos - 1);
      pos = close + 1;
      bool closing = !tag.empty() && tag[0] == '/';
      std::string_view body = closing ? tag.substr(1) : tag;
      std::size_t name_end = 0;
      while (name_end < body.size() && !IsSpace(body[name_end]) && body[name_end] != '/') {
        ++name_end;
      }
      std::string name = AsciiLowercase(body.substr(0, name_end));
      if (!closing && (name == "script" || name == "style")) {
        std::size_t end = AsciiLowercase(html.substr(pos)).find("</" + name);
        pos = end == std::string::npos ? html.size() : pos + end;
        continue;
      }
      if (name == "br") {
        text.LineBreak();
      } else if (name == "pre") {
        pre_depth += closing ? (pre_depth > 0 ? -1 : 0) : 1;
        text.BlockBreak();
        if (closing) text.LineBreak();
      } else if (IsBlock(name)) {
        text.BlockBreak();
        if (!closing && name == "li") text.Raw("- ");
        // Paragraph-like blocks are followed by a blank line.
        if (closing && name != "li" && name != "tr" && name != "div" && name != "hr") {
          text.LineBreak();
        }
      } else if (name == "td" || name == "th") {
        if (closing) text.Raw(" | ");
      } else if (name == "a") {
        if (!closing) {
          in_link = true;
          link_href = Attribute(tag, "href");
          link_text.clear();
        } else if (in_link) {
          in_link = false;
          if (!link_href.empty() && link_href != link_text && !link_href.starts_with("#")) {
            text.Raw(" <" + link_href + ">");
          }
        }
      }
      continue;
    }
    std::string decoded;
    if (c == '&') {
      std::size_t used = DecodeEntity(html, pos, &decoded);
      if (used > 0) {
        pos += used;
      } else {
        decoded = "&";
        ++pos;
      }
    } else {
      decoded.push_back(c);
      ++pos;
    }
    if (in_link) link_text += decoded;
    text.Text(decoded, pre_depth > 0);
  }
  return text.Finish();
}

}  // namespace jiralink::cli
