#include "jiralink/core/terminal_text.h"

#include <locale.h>
#include <wchar.h>

#include "jiralink/core/utf8.h"

namespace jiralink {
namespace {

constexpr char32_t kReplacement = 0xFFFD;
constexpr char32_t kInvalid = 0xFFFFFFFF;  // marks one byte that is not UTF-8

// Decodes the code point at text[*pos] and advances *pos past it. A byte that
// does not start a valid, shortest-form sequence of a scalar value yields
// kInvalid and advances by that one byte.
char32_t Next(std::string_view text, std::size_t* pos) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(*pos);
  if (lead < 0x80) {
    ++*pos;
    return lead;
  }
  std::size_t length = 0;
  char32_t cp = 0;
  char32_t min = 0;
  if ((lead & 0xE0) == 0xC0) {
    length = 2, cp = lead & 0x1F, min = 0x80;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3, cp = lead & 0x0F, min = 0x800;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4, cp = lead & 0x07, min = 0x10000;
  } else {
    ++*pos;
    return kInvalid;
  }
  if (*pos + length > text.size()) {
    ++*pos;
    return kInvalid;
  }
  for (std::size_t i = 1; i < length; ++i) {
    const unsigned char c = byte(*pos + i);
    if ((c & 0xC0) != 0x80) {
      ++*pos;
      return kInvalid;
    }
    cp = (cp << 6) | (c & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    ++*pos;
    return kInvalid;
  }
  *pos += length;
  return cp;
}

bool IsBidiControl(char32_t cp) {
  return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

// The C.UTF-8 locale for wcwidth(), created on first use; (locale_t)0 when
// the system lacks it.
locale_t Utf8Locale() {
  static const locale_t locale = [] {
    locale_t created = newlocale(LC_CTYPE_MASK, "C.UTF-8", locale_t{});
    return created != locale_t{} ? created : newlocale(LC_CTYPE_MASK, "C.utf8", locale_t{});
  }();
  return locale;
}

// Columns of one code point; `locale` is the thread's current locale.
int CodePointWidth(char32_t cp, bool have_locale) {
  if (cp == kInvalid) return 1;
  if (cp >= 0x20 && cp < 0x7F) return 1;
  if (!have_locale) return 1;
  const int width = wcwidth(static_cast<wchar_t>(cp));
  return width < 0 ? 1 : width;
}

// Measures code points one by one with the C.UTF-8 locale current, restoring
// the thread's locale afterwards. `visit(begin, end, width)` returns false
// to stop.
template <typename Visit>
void ForEachWidth(std::string_view text, Visit visit) {
  bool ascii = true;
  for (char c : text) ascii = ascii && static_cast<unsigned char>(c) < 0x80;
  locale_t previous = locale_t{};
  bool have_locale = false;
  if (!ascii) {
    if (locale_t utf8 = Utf8Locale(); utf8 != locale_t{}) {
      previous = uselocale(utf8);
      have_locale = true;
    }
  }
  for (std::size_t pos = 0; pos < text.size();) {
    const std::size_t begin = pos;
    const char32_t cp = Next(text, &pos);
    if (!visit(begin, pos, CodePointWidth(cp, have_locale))) break;
  }
  if (have_locale) uselocale(previous);
}

}  // namespace

std::string SafeTerminalText(std::string_view text, LineBreaks breaks) {
  const bool flatten = breaks == LineBreaks::kFlatten;
  std::string out;
  out.reserve(text.size());
  for (std::size_t pos = 0; pos < text.size();) {
    const std::size_t begin = pos;
    const char32_t cp = Next(text, &pos);
    if (cp == kInvalid || (cp >= 0x80 && cp <= 0x9F) || IsBidiControl(cp)) {
      AppendUtf8(kReplacement, &out);
    } else if (cp == '\r' && pos < text.size() && text[pos] == '\n') {
      // CR LF is one line break; the LF is handled next.
    } else if (cp == '\n' || cp == 0x2028 || cp == 0x2029) {
      out.push_back(flatten ? ' ' : '\n');
    } else if (cp == '\t' || (cp == '\r' && flatten)) {
      out.push_back(flatten ? ' ' : '\t');
    } else if (cp < 0x20) {
      AppendUtf8(0x2400 + cp, &out);  // the Control Pictures block
    } else if (cp == 0x7F) {
      AppendUtf8(0x2421, &out);
    } else {
      out.append(text.substr(begin, pos - begin));
    }
  }
  return out;
}

int ColumnWidth(std::string_view text) {
  int width = 0;
  ForEachWidth(text, [&width](std::size_t, std::size_t, int w) {
    width += w;
    return true;
  });
  return width;
}

std::string TruncateToColumns(std::string_view text, int columns) {
  if (columns <= 0) return {};
  if (ColumnWidth(text) <= columns) return std::string(text);
  const int room = columns - 1;  // one column for the ellipsis
  int used = 0;
  std::size_t end = 0;
  ForEachWidth(text, [&](std::size_t, std::size_t next, int w) {
    if (used + w > room) return false;
    used += w;
    end = next;
    return true;
  });
  return std::string(text.substr(0, end)) + "\xE2\x80\xA6";
}

}  // namespace jiralink
