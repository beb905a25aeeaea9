// KeyScanner finds Jira issue keys ("PROJ-123") in text.
//
// The rule is the forge's: the RE2 pattern
//
//     \b <prefix> (?P<issue> <regex, or the default \b([A-Z][A-Z_0-9]+-\d+)> )
//
// scanned for all non-overlapping leftmost matches, in order, with RE2
// semantics (ASCII word boundaries; no boundary after the key, so
// "JIRA-1234A" yields "JIRA-1234"). The prefix is regex text, inserted raw.
//
// With no custom regex and no prefix a hand-written fast path is used; it
// returns exactly what RE2 returns for the same pattern on every input.
// Otherwise the pattern is compiled once, in Create(), and run through RE2.
//
// A KeyScanner is immutable after Create() and safe to share across threads.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "jiralink/core/status.h"

namespace re2 {
class RE2;
}

namespace jiralink {

struct MatchingOptions {
  std::string regex;   // RE2 syntax; empty = the default key pattern
  std::string prefix;  // RE2 text that must stand right before the key; may be empty
};

// Longest accepted regex or prefix, as the forge validates them.
inline constexpr std::size_t kMaxPatternLength = 255;

struct KeyMatch {
  std::size_t offset = 0;      // byte offset of the whole match (prefix included)
  std::size_t length = 0;      // byte length of the whole match
  std::size_t key_offset = 0;  // byte offset of the `issue` group
  std::string_view key;        // the `issue` group, pointing into the scanned text
};

class KeyScanner {
 public:
  // Validates the options (length, RE2 syntax; RE2's error is quoted in the
  // message) and builds a scanner. On error *out is left unchanged.
  static Status Create(const MatchingOptions& options, std::unique_ptr<KeyScanner>* out);

  // The scanner for the default pattern (never fails).
  static const KeyScanner& Default();

  ~KeyScanner();
  KeyScanner(const KeyScanner&) = delete;
  KeyScanner& operator=(const KeyScanner&) = delete;

  // All matches in order. The string_views point into `text`.
  std::vector<KeyMatch> FindAll(std::string_view text) const;

  // Calls fn(const KeyMatch&) for each match in order; stops early if fn
  // returns false. No allocation on the default fast path.
  template <typename Fn>
  void ForEach(std::string_view text, Fn&& fn) const;

  // The keys in order of first appearance, each once.
  std::vector<std::string> UniqueKeys(std::string_view text) const;

  // True when the hand-written fast path is in use.
  bool uses_fast_path() const { return re2_ == nullptr; }

  // The full RE2 pattern this scanner implements (also for the fast path).
  const std::string& pattern() const { return pattern_; }

  const MatchingOptions& options() const { return options_; }

 private:
  KeyScanner() = default;

  // Finds the first match at or after `pos`; returns false when there is none.
  bool FindNext(std::string_view text, std::size_t pos, KeyMatch* match) const;

  MatchingOptions options_;
  std::string pattern_;
  std::unique_ptr<re2::RE2> re2_;  // null on the fast path
};

// The default pattern's scan done by RE2 alone: the baseline for the
// differential tests and the benchmark.
std::vector<KeyMatch> FindAllWithRe2Default(std::string_view text);

template <typename Fn>
void KeyScanner::ForEach(std::string_view text, Fn&& fn) const {
  std::size_t pos = 0;
  KeyMatch match;
  while (pos <= text.size() && FindNext(text, pos, &match)) {
    if (!fn(static_cast<const KeyMatch&>(match))) return;
    // An empty match (possible only with a custom regex) must still advance.
    pos = match.offset + (match.length > 0 ? match.length : 1);
  }
}

}  // namespace jiralink
