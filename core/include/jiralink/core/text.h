// Small text helpers that every module needs: ASCII case, hex, percent- and
// HTML-escaping, and URL trimming. One home for each, so that the copies
// cannot drift apart.
//
// Everything here is ASCII-only and locale-free on purpose: the texts are
// protocol words (HTTP headers, URL schemes, Jira keys and field names,
// email addresses' ASCII part), where the C library's locale must not change
// the answer, and bytes of 0x80 and above (UTF-8) are left as they are.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace jiralink {

// 'A'-'Z' to 'a'-'z'; every other byte as it is.
constexpr char AsciiLower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }
// 'a'-'z' to 'A'-'Z'; every other byte as it is.
constexpr char AsciiUpper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c; }

// '0'-'9', 'A'-'Z' or 'a'-'z', whatever the C locale says.
constexpr bool IsAsciiAlnum(char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

std::string AsciiLowercase(std::string_view text);
std::string AsciiUppercase(std::string_view text);

// Equal but for ASCII case.
bool EqualsIgnoringAsciiCase(std::string_view a, std::string_view b);
// `text` begins with `prefix`, but for ASCII case.
bool StartsWithIgnoringAsciiCase(std::string_view text, std::string_view prefix);

// Each byte as two lower-case hex digits: "\x01\xab" -> "01ab".
std::string HexLower(std::string_view bytes);

// RFC 3986 percent-encoding: every byte but the unreserved ones (ALPHA,
// DIGIT, "-._~") and those in `keep` is written as "%XX" (upper-case hex, as
// RFC 3986 §2.1 recommends). For a query value or one path segment (a Jira
// key in a URL), keep = ""; for a path, "/".
std::string PercentEncode(std::string_view text, std::string_view keep = {});

// `text` with & < > " ' replaced by entities: safe as HTML element content
// and as a double- or single-quoted attribute value.
std::string HtmlEscape(std::string_view text);
void AppendHtmlEscaped(std::string_view text, std::string* out);

// The two escapes above in pieces, for hot paths that write straight into a
// buffer of their own (the renderer): put(std::string_view) is called with
// runs of bytes kept as they are and with the replacements, in order.
template <typename Put>
void ForEachHtmlEscapedPiece(std::string_view text, Put&& put);
template <typename Put>
void ForEachPercentEncodedPiece(std::string_view text, std::string_view keep, Put&& put);

// `url` without its trailing slashes: "https://jira.example.com/jira/" ->
// "https://jira.example.com/jira". The base URL form the settings keep.
std::string_view TrimTrailingSlashes(std::string_view url);

// Implementation details follow.

namespace text_internal {

inline bool Unreserved(char c) {
  return IsAsciiAlnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

inline std::string_view HtmlEntity(char c) {
  switch (c) {
    case '&':
      return "&amp;";
    case '<':
      return "&lt;";
    case '>':
      return "&gt;";
    case '"':
      return "&quot;";
    case '\'':
      return "&#39;";
    default:
      return {};
  }
}

}  // namespace text_internal

template <typename Put>
void ForEachHtmlEscapedPiece(std::string_view text, Put&& put) {
  std::size_t run_start = 0;  // first byte not handed out yet
  for (std::size_t i = 0; i < text.size(); ++i) {
    std::string_view entity = text_internal::HtmlEntity(text[i]);
    if (entity.empty()) continue;
    if (i > run_start) put(text.substr(run_start, i - run_start));
    put(entity);
    run_start = i + 1;
  }
  if (run_start < text.size()) put(text.substr(run_start));
}

template <typename Put>
void ForEachPercentEncodedPiece(std::string_view text, std::string_view keep, Put&& put) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::size_t run_start = 0;  // first byte not handed out yet
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text_internal::Unreserved(text[i]) || keep.find(text[i]) != std::string_view::npos) {
      continue;
    }
    if (i > run_start) put(text.substr(run_start, i - run_start));
    const auto byte = static_cast<unsigned char>(text[i]);
    const char encoded[3] = {'%', kDigits[byte >> 4], kDigits[byte & 0xf]};
    put(std::string_view(encoded, sizeof encoded));
    run_start = i + 1;
  }
  if (run_start < text.size()) put(text.substr(run_start));
}

}  // namespace jiralink
