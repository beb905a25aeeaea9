// ClosingKeywords finds the Jira keys a commit message closes, per the
// forge's default `issue_closing_pattern`:
//
//     \b((?:[Cc]los(?:e[sd]?|ing)|\b[Ff]ix(?:e[sd]|ing)?|\b[Rr]esolv(?:e[sd]?|ing)
//        |\b[Ii]mplement(?:s|ed|ing)?)(:?) +(?:(?:issues? +)?%{issue_ref}
//        (?:(?: *,? +and +| *,? *)?)|([A-Z][A-Z0-9_]+-\d+))+)
//
// (one line in the forge). That is: a verb (Close, Closes, Closed, Closing,
// Fix, Fixes, Fixed, Fixing, Resolve, Resolves, Resolved, Resolving,
// Implement, Implements, Implemented, Implementing; first letter in either
// case) at a word boundary, an optional ':', one or more spaces, then one or
// more references, optionally after "issue"/"issues" and joined by ',' and/or
// "and". Like the forge, every closing statement of the message is found
// first, the statements are joined with " ", and the key scanner is run over
// that text; its keys, each once and in order, are the closed keys.
//
// jiralink's decision for %{issue_ref} (the forge fills in GitLab issue
// references and URLs, which mean nothing to Jira): it is the configured key
// pattern itself, `\b<prefix>(?:<regex>)`, or a forge reference as GitLab
// reads one (`#12`, `!3`, `group/project#4`, an http(s) URL of at most 300
// characters). Hence
//   - a statement that mixes forge references and keys closes the keys, as
//     on GitLab: "Fixes #12 and PROJ-30", "Fixes #12, PROJ-44" close PROJ-30
//     and PROJ-44 (the forge references themselves close nothing);
//   - lists close every key: "Fixes PROJ-1, PROJ-2 and PROJ-3" closes all
//     three (the forge's hard-coded alternative alone closes only PROJ-1);
//   - "Closes issue PROJ-4" closes PROJ-4;
//   - a custom regex or prefix closes what it matches ("Fixes JIRA#PROJ-1"
//     with prefix `JIRA#`; "fixes proj-1" with a lowercase regex);
//   - the forge's hard-coded alternative ([A-Z][A-Z0-9_]+-\d+) is kept, so
//     the statement text is the forge's; with a prefix set, a bare key in it
//     still does not close, because the scanner requires the prefix.
// Keys that a message only mentions are never returned. Word boundaries are
// RE2's (ASCII), not Ruby's: "ÄFixes PROJ-1" closes PROJ-1 here.
//
// A ClosingKeywords is immutable and safe to share across threads.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "jiralink/core/key_scanner.h"
#include "jiralink/core/status.h"

namespace re2 {
class RE2;
}

namespace jiralink {

class ClosingKeywords {
 public:
  // Builds the closing pattern around `scanner`'s key pattern. Fails only when
  // RE2 cannot compile the result (RE2's error is quoted). `scanner` must
  // outlive the result.
  static Status Create(const KeyScanner& scanner, std::unique_ptr<ClosingKeywords>* out);

  // The closing keywords of KeyScanner::Default().
  static const ClosingKeywords& Default();

  ~ClosingKeywords();
  ClosingKeywords(const ClosingKeywords&) = delete;
  ClosingKeywords& operator=(const ClosingKeywords&) = delete;

  // The closing statements of `message` in order, pointing into it
  // (e.g. "Fixes PROJ-1 and PROJ-2").
  std::vector<std::string_view> ClosingStatements(std::string_view message) const;

  // The keys `message` closes, each once, in order of first appearance.
  std::vector<std::string> FindClosedKeys(std::string_view message) const;

  // The full RE2 closing pattern, with %{issue_ref} filled in.
  const std::string& pattern() const { return pattern_; }

 private:
  explicit ClosingKeywords(const KeyScanner& scanner);

  const KeyScanner& scanner_;
  std::string pattern_;
  std::unique_ptr<re2::RE2> re2_;
};

// One-off form of ClosingKeywords::FindClosedKeys. Uses Default() for a
// scanner on the default pattern; otherwise builds the closing pattern on
// each call (keep a ClosingKeywords to scan many messages) and returns no
// keys if it cannot be built.
std::vector<std::string> FindClosedKeys(std::string_view message, const KeyScanner& scanner);

}  // namespace jiralink
