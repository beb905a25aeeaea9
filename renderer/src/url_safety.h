// URL checks shared by the extension and the renderer.
#pragma once

#include <string>
#include <string_view>

namespace jiralink::renderer {

// True when a link or image destination would run code or embed content in
// a browser: its scheme, read the way browsers do (ASCII whitespace and
// control bytes ignored, case-insensitive), is javascript, vbscript, data
// or file.
bool IsDangerousUrl(std::string_view url);

// Appends `text` with &, <, >, " and ' replaced by entities: safe in element
// content and in double-quoted attributes.
void AppendHtmlEscaped(std::string_view text, std::string* out);

// Appends `key` percent-encoded as one URL path segment: only A-Z a-z 0-9
// and - . _ ~ are kept, so a key from a custom regex cannot add a path,
// query, fragment or quote.
void AppendPercentEncoded(std::string_view key, std::string* out);

}  // namespace jiralink::renderer
