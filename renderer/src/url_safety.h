// URL checks and the HTML and URL escapes shared by the extension, the
// renderer and the filter input.
//
// The escapes come in two forms with one set of rules: a ForEach...Piece
// template that hands the escaped text out in pieces (runs of bytes kept as
// they are, and replacements), so a caller can write straight into any
// buffer without building a string first, and an Append... convenience for
// std::string.
#pragma once

#include <string>
#include <string_view>

namespace jiralink::renderer {

// True when a link or image destination would run code or embed content in
// a browser: its scheme, read the way browsers do (ASCII whitespace and
// control bytes ignored, case-insensitive), is javascript, vbscript, data
// or file.
bool IsDangerousUrl(std::string_view url);

// Calls put(std::string_view) with `text` in pieces, &, <, >, " and '
// replaced by entities: safe in element content and in double-quoted
// attributes.
template <typename Put>
void ForEachHtmlEscapedPiece(std::string_view text, Put&& put);

// AppendHtmlEscaped(text, &out) appends what ForEachHtmlEscapedPiece gives.
void AppendHtmlEscaped(std::string_view text, std::string* out);

// Calls put(std::string_view) with `key` in pieces, percent-encoded as one
// URL path segment: only A-Z a-z 0-9 and - . _ ~ are kept, so a key from a
// custom regex cannot add a path, query, fragment or quote.
template <typename Put>
void ForEachPercentEncodedPiece(std::string_view key, Put&& put);

// Implementation details follow.

// ASCII only, whatever the C locale says.
inline bool IsAsciiAlnum(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

template <typename Put>
void ForEachHtmlEscapedPiece(std::string_view text, Put&& put) {
  std::size_t run_start = 0;  // first byte not handed out yet
  for (std::size_t i = 0; i < text.size(); ++i) {
    std::string_view entity;
    switch (text[i]) {
      case '&':
        entity = "&amp;";
        break;
      case '<':
        entity = "&lt;";
        break;
      case '>':
        entity = "&gt;";
        break;
      case '"':
        entity = "&quot;";
        break;
      case '\'':
        entity = "&#39;";
        break;
      default:
        continue;
    }
    if (i > run_start) put(text.substr(run_start, i - run_start));
    put(entity);
    run_start = i + 1;
  }
  if (run_start < text.size()) put(text.substr(run_start));
}

template <typename Put>
void ForEachPercentEncodedPiece(std::string_view key, Put&& put) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::size_t run_start = 0;  // first byte not handed out yet
  for (std::size_t i = 0; i < key.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(key[i]);
    if (IsAsciiAlnum(c) || c == '-' || c == '.' || c == '_' || c == '~') continue;
    if (i > run_start) put(key.substr(run_start, i - run_start));
    const char encoded[3] = {'%', kDigits[c >> 4], kDigits[c & 0xf]};
    put(std::string_view(encoded, sizeof encoded));
    run_start = i + 1;
  }
  if (run_start < key.size()) put(key.substr(run_start));
}

}  // namespace jiralink::renderer
