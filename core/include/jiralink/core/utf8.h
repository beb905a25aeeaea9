// Writing code points as UTF-8. Pure text, no I/O.
#pragma once

#include <string>

namespace jiralink {

// Appends `cp` to *out as UTF-8 (1 to 4 bytes). What is not a Unicode scalar
// value that text may hold (U+0000, a surrogate, past U+10FFFF) is written as
// U+FFFD, so the output is always valid UTF-8 without NUL bytes.
void AppendUtf8(char32_t cp, std::string* out);

}  // namespace jiralink
