// Why this is equal to RE2 on the default pattern:
//
// A match starts at a byte s with [A-Z] there and a non-word byte (or the text
// start) before it; then [A-Z_0-9]+ runs greedily up to the first byte outside
// that class, which must be '-' followed by a digit. Because '-' is outside the
// class, the key part of a match is exactly a maximal [A-Z_0-9] run that ends
// right before such a '-'. So instead of trying every start we find each '-'
// that has a digit after it, walk back over the run before it, and check the
// start's conditions. Runs are disjoint, so every byte is walked back over at
// most once, and the order of the '-' bytes is the order of the match starts
// (leftmost first). The differential tests hold this against RE2 itself.
#include "key_default_scan.h"

#include <array>
#include <cstdint>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace jiralink::internal {

namespace {

// Byte classes of the pattern, as RE2 sees them: ASCII only, so every byte
// >= 0x80 (valid UTF-8 or not) and NUL are non-word bytes.
enum ByteClass : std::uint8_t {
  kUpper = 1,  // [A-Z]: may start a key
  kKey = 2,    // [A-Z_0-9]: may continue a key
  kWord = 4,   // [0-9A-Za-z_]: RE2's \w, for \b
  kDigit = 8,  // [0-9]
};

constexpr std::array<std::uint8_t, 256> MakeByteClasses() {
  std::array<std::uint8_t, 256> classes{};
  for (int c = 'A'; c <= 'Z'; ++c) classes[c] = kUpper | kKey | kWord;
  for (int c = 'a'; c <= 'z'; ++c) classes[c] = kWord;
  for (int c = '0'; c <= '9'; ++c) classes[c] = kKey | kWord | kDigit;
  classes['_'] = kKey | kWord;
  return classes;
}

constexpr std::array<std::uint8_t, 256> kByteClasses = MakeByteClasses();

inline bool Is(char c, ByteClass cls) {
  return (kByteClasses[static_cast<unsigned char>(c)] & cls) != 0;
}

constexpr std::size_t kNotFound = static_cast<std::size_t>(-1);

// The index of the first '-' at or after `from` that has a digit right after
// it, or kNotFound. Every match has one, and in real text most '-' bytes do
// not ("Signed-off-by", "---"), so only these are worth a closer look.
std::size_t NextDashBeforeDigit(const char* data, std::size_t from, std::size_t size) {
#if defined(__SSE2__)
  // 16 bytes at a time (SSE2 is part of x86-64). Signed byte compares are
  // fine for the digit test: bytes >= 0x80 are negative, so never digits.
  const __m128i dash = _mm_set1_epi8('-');
  const __m128i below_zero = _mm_set1_epi8('0' - 1);
  const __m128i above_nine = _mm_set1_epi8('9' + 1);
  for (; from + 17 <= size; from += 16) {
    const __m128i here = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + from));
    const __m128i next = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + from + 1));
    const __m128i digit =
        _mm_and_si128(_mm_cmpgt_epi8(next, below_zero), _mm_cmplt_epi8(next, above_nine));
    const int mask = _mm_movemask_epi8(_mm_and_si128(_mm_cmpeq_epi8(here, dash), digit));
    if (mask != 0) return from + static_cast<std::size_t>(__builtin_ctz(mask));
  }
#endif
  for (; from + 1 < size; ++from) {
    if (data[from] == '-' && Is(data[from + 1], kDigit)) return from;
  }
  return kNotFound;
}

}  // namespace

bool FindDefaultKey(std::string_view text, std::size_t pos, std::size_t* begin, std::size_t* end) {
  const char* const data = text.data();
  const std::size_t size = text.size();
  std::size_t from = pos;
  for (;;) {
    const std::size_t dash = NextDashBeforeDigit(data, from, size);
    if (dash == kNotFound) return false;
    from = dash + 1;

    // Walk back over the key run, but not before `pos`: a run that began
    // earlier has a word byte before data[pos], so no \b there anyway.
    std::size_t start = dash;
    while (start > pos && Is(data[start - 1], kKey)) --start;
    if (dash - start < 2) continue;  // one letter and at least one more
    if (!Is(data[start], kUpper)) continue;
    if (start > 0 && Is(data[start - 1], kWord)) continue;  // \b before the key

    std::size_t stop = dash + 2;
    while (stop < size && Is(data[stop], kDigit)) ++stop;
    *begin = start;
    *end = stop;
    return true;
  }
}

}  // namespace jiralink::internal
