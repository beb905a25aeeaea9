#include "jiralink/core/key_scanner.h"

#include <re2/re2.h>

#include <algorithm>
#include <array>
#include <string>
#include <unordered_set>
#include <utility>

#include "key_default_scan.h"

namespace jiralink {

namespace {

// The forge's pattern: \b <prefix> (?P<issue> <regex>).
constexpr std::string_view kPatternStart = "\\b";
constexpr std::string_view kIssueGroupOpen = "(?P<issue>";
constexpr std::string_view kIssueGroupClose = ")";

std::string BuildPattern(std::string_view prefix, std::string_view regex) {
  std::string pattern(kPatternStart);
  pattern += prefix;
  pattern += kIssueGroupOpen;
  pattern += regex;
  pattern += kIssueGroupClose;
  return pattern;
}

// The forge reads the regex with Ruby's `presence`: blank means unset.
bool IsBlank(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
  });
}

// Rails counts the length limit in characters; count UTF-8 sequences.
std::size_t CountCharacters(std::string_view s) {
  return static_cast<std::size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

// The options the forge uses (Gitlab::UntrustedRegexp): UTF-8, errors
// returned rather than logged.
RE2::Options ForgeOptions() {
  RE2::Options options;
  options.set_log_errors(false);
  return options;
}

// Checks one setting alone; sets *groups (if given) to its number of
// capture groups.
Status CheckPart(std::string_view setting, std::string_view text, int* groups) {
  const std::size_t length = CountCharacters(text);
  if (length > kMaxPatternLength) {
    return Status::InvalidArgument(std::string(setting) + ": is " + std::to_string(length) +
                                   " characters long; at most " +
                                   std::to_string(kMaxPatternLength) + " are allowed");
  }
  RE2 re(re2::StringPiece(text.data(), text.size()), ForgeOptions());
  if (!re.ok()) return Status::InvalidArgument(std::string(setting) + ": " + re.error());
  if (groups != nullptr) *groups = re.NumberOfCapturingGroups();
  return Status::Ok();
}

const RE2& DefaultRe2() {
  static const RE2* const re = new RE2(BuildPattern("", kDefaultKeyRegex), ForgeOptions());
  return *re;
}

}  // namespace

KeyScanner::~KeyScanner() = default;

Status KeyScanner::Create(const MatchingOptions& options, std::unique_ptr<KeyScanner>* out) {
  int prefix_groups = 0;
  Status status = CheckPart("matching.regex", options.regex, nullptr);
  if (!status.ok()) return status;
  status = CheckPart("matching.prefix", options.prefix, &prefix_groups);
  if (!status.ok()) return status;

  const std::string_view regex =
      IsBlank(options.regex) ? kDefaultKeyRegex : std::string_view(options.regex);
  std::unique_ptr<KeyScanner> scanner(new KeyScanner());
  scanner->options_ = options;
  scanner->pattern_ = BuildPattern(options.prefix, regex);
  if (options.prefix.empty() && regex == kDefaultKeyRegex) {
    *out = std::move(scanner);
    return Status::Ok();
  }

  auto re = std::make_unique<RE2>(scanner->pattern_, ForgeOptions());
  if (!re->ok()) {
    // Each part compiles alone, yet together they do not (e.g. too large).
    return Status::InvalidArgument("matching: the pattern " + scanner->pattern_ +
                                   " built from prefix and regex does not compile: " + re->error());
  }
  // Groups are numbered by their opening parenthesis: the prefix's come
  // first, then ours. Counting, rather than looking the name up, keeps the
  // key right when the prefix or regex names a group `issue` too.
  scanner->issue_group_ = prefix_groups + 1;
  scanner->re2_ = std::move(re);
  *out = std::move(scanner);
  return Status::Ok();
}

const KeyScanner& KeyScanner::Default() {
  static const KeyScanner* const scanner = [] {
    auto* s = new KeyScanner();
    s->pattern_ = BuildPattern("", kDefaultKeyRegex);
    return s;
  }();
  return *scanner;
}

std::string_view KeyScanner::key_regex() const {
  const std::size_t begin = kPatternStart.size() + options_.prefix.size() + kIssueGroupOpen.size();
  return std::string_view(pattern_).substr(begin,
                                           pattern_.size() - begin - kIssueGroupClose.size());
}

bool KeyScanner::FindNext(std::string_view text, std::size_t pos, KeyMatch* match) const {
  if (re2_ == nullptr) {
    std::size_t begin = 0;
    std::size_t end = 0;
    if (!internal::FindDefaultKey(text, pos, &begin, &end)) return false;
    match->offset = begin;
    match->length = end - begin;
    match->key_offset = begin;
    match->key = text.substr(begin, end - begin);
    return true;
  }

  // Groups 0 .. issue_group_; prefixes rarely have groups, so this seldom
  // needs the heap.
  const int count = issue_group_ + 1;
  std::array<re2::StringPiece, 8> inline_groups;
  std::vector<re2::StringPiece> heap_groups;
  re2::StringPiece* groups = inline_groups.data();
  if (count > static_cast<int>(inline_groups.size())) {
    heap_groups.resize(count);
    groups = heap_groups.data();
  }

  const re2::StringPiece subject(text.data(), text.size());
  while (pos <= text.size()) {
    if (!re2_->Match(subject, pos, text.size(), RE2::UNANCHORED, groups, count)) return false;
    const re2::StringPiece whole = groups[0];
    const re2::StringPiece issue = groups[issue_group_];
    const std::size_t offset = static_cast<std::size_t>(whole.data() - text.data());
    if (issue.data() != nullptr && !issue.empty()) {
      match->offset = offset;
      match->length = whole.size();
      match->key_offset = static_cast<std::size_t>(issue.data() - text.data());
      match->key = std::string_view(issue.data(), issue.size());
      return true;
    }
    // No key in this match: go on past it, at least one byte.
    pos = offset + std::max<std::size_t>(whole.size(), 1);
  }
  return false;
}

std::vector<KeyMatch> KeyScanner::FindAll(std::string_view text) const {
  std::vector<KeyMatch> matches;
  ForEach(text, [&matches](const KeyMatch& m) {
    matches.push_back(m);
    return true;
  });
  return matches;
}

std::vector<std::string> KeyScanner::UniqueKeys(std::string_view text) const {
  std::vector<std::string> keys;
  std::unordered_set<std::string_view> seen;
  ForEach(text, [&](const KeyMatch& m) {
    if (seen.insert(m.key).second) keys.emplace_back(m.key);
    return true;
  });
  return keys;
}

std::vector<std::string> KeyScanner::UniqueKeys(std::string_view text, int max_keys,
                                                int* left_out) const {
  std::vector<std::string> keys;
  std::unordered_set<std::string_view> seen;
  int over = 0;
  ForEach(text, [&](const KeyMatch& m) {
    if (!seen.insert(m.key).second) return true;
    if (static_cast<int>(keys.size()) < max_keys) {
      keys.emplace_back(m.key);
    } else {
      ++over;
    }
    return true;
  });
  if (left_out != nullptr) *left_out = over;
  return keys;
}

std::vector<KeyMatch> FindAllWithRe2Default(std::string_view text) {
  const RE2& re = DefaultRe2();
  const re2::StringPiece subject(text.data(), text.size());
  std::vector<KeyMatch> matches;
  std::array<re2::StringPiece, 2> groups;  // the whole match and `issue`
  std::size_t pos = 0;
  while (pos <= text.size() &&
         re.Match(subject, pos, text.size(), RE2::UNANCHORED, groups.data(), 2)) {
    KeyMatch m;
    m.offset = static_cast<std::size_t>(groups[0].data() - text.data());
    m.length = groups[0].size();
    m.key_offset = static_cast<std::size_t>(groups[1].data() - text.data());
    m.key = std::string_view(groups[1].data(), groups[1].size());
    matches.push_back(m);
    pos = m.offset + m.length;  // the default pattern never matches empty
  }
  return matches;
}

}  // namespace jiralink
