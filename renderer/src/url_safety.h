// The URL checks shared by the extension, the renderer and the filter input.
#pragma once

#include <string>
#include <string_view>

#include "jiralink/core/text.h"

namespace jiralink::renderer {

// True when a link or image destination would run code or embed content in
// a browser: its scheme, read the way browsers do (ASCII whitespace and
// control bytes ignored, case-insensitive), is javascript, vbscript, data
// or file.
bool IsDangerousUrl(std::string_view url);

// The HTML and URL escapes are jiralink/core/text.h's (ForEachHtmlEscapedPiece,
// AppendHtmlEscaped, ForEachPercentEncodedPiece): one set of rules for the
// whole tree.

}  // namespace jiralink::renderer
