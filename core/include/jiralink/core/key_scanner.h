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
// Decisions where the forge leaves a gap:
//  - The key is always the `issue` group, i.e. everything the custom regex
//    matched. Capture groups inside a custom regex (none, one or several)
//    do not change the key; they are ignored.
//  - A match whose `issue` group is empty or did not take part (a regex that
//    can match the empty string, or a prefix with a top-level `|`) names no
//    issue and is skipped; the scan then goes on one byte further, so it
//    always ends.
//  - A regex that is empty or only white space means the default pattern
//    (the forge reads it with Ruby's `presence`). The prefix is used as is.
//  - Matching sees the whole text: the `\b` before a later match looks at the
//    byte before it, even when that byte ended the previous match. So
//    "AB-1CD-2" yields only "AB-1".
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

// Longest accepted regex or prefix, in characters, as the forge validates them.
inline constexpr std::size_t kMaxPatternLength = 255;

// The forge's default key regex (the `issue` group when no regex is set).
inline constexpr std::string_view kDefaultKeyRegex = R"(\b([A-Z][A-Z_0-9]+-\d+))";

struct KeyMatch {
  std::size_t offset = 0;      // byte offset of the whole match (prefix included)
  std::size_t length = 0;      // byte length of the whole match
  std::size_t key_offset = 0;  // byte offset of the `issue` group
  std::string_view key;        // the `issue` group, pointing into the scanned text
};

// The most Jira keys one source (a commit, a merge request) queues work
// for; the rest are left out and the pusher is told. 500 is the limit Jira
// itself puts on the issue keys of one commit, branch or pull request in its
// development-information API ("'issueKeys' can have a maximum of 500
// elements"), and GitLab cuts its Jira Cloud entities to the same 500.
// A commit naming more is a generated list, not a reference to each issue:
// 500 keys already make 1,000 Jira requests (comment and remote link each).
inline constexpr int kMaxKeysPerSource = 500;

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

  // The same, at most `max_keys` of them (the first to appear); *left_out
  // (when not null) is set to how many other distinct keys `text` names.
  std::vector<std::string> UniqueKeys(std::string_view text, int max_keys, int* left_out) const;

  // True when the hand-written fast path is in use.
  bool uses_fast_path() const { return re2_ == nullptr; }

  // The full RE2 pattern this scanner implements (also for the fast path).
  const std::string& pattern() const { return pattern_; }

  const MatchingOptions& options() const { return options_; }

  // The regex of the `issue` group in effect: the custom regex, or
  // kDefaultKeyRegex when none (or a blank one) is set.
  std::string_view key_regex() const;

 private:
  KeyScanner() = default;

  // Finds the first match that starts at or after `pos` and has a non-empty
  // key, as RE2::Match(text, pos, ...) would (the bytes before `pos` are
  // context for `\b`). Returns false when there is none.
  bool FindNext(std::string_view text, std::size_t pos, KeyMatch* match) const;

  MatchingOptions options_;
  std::string pattern_;
  std::unique_ptr<re2::RE2> re2_;  // null on the fast path
  int issue_group_ = 0;            // index of the `issue` group in re2_
};

// The default pattern's scan done by RE2 alone: the baseline for the
// differential tests and the benchmark.
std::vector<KeyMatch> FindAllWithRe2Default(std::string_view text);

template <typename Fn>
void KeyScanner::ForEach(std::string_view text, Fn&& fn) const {
  std::size_t pos = 0;
  KeyMatch match;
  // FindNext never returns an empty match (the key is never empty), so the
  // scan always advances.
  while (pos <= text.size() && FindNext(text, pos, &match)) {
    if (!fn(static_cast<const KeyMatch&>(match))) return;
    pos = match.offset + match.length;
  }
}

}  // namespace jiralink
