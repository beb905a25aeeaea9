#include "jiralink/core/closing_keywords.h"

#include <re2/re2.h>

#include <cstdlib>
#include <utility>

namespace jiralink {

namespace {

// The forge's default issue_closing_pattern, split around %{issue_ref}.
constexpr std::string_view kClosingBeforeRef =
    R"(\b((?:[Cc]los(?:e[sd]?|ing)|\b[Ff]ix(?:e[sd]|ing)?|\b[Rr]esolv(?:e[sd]?|ing))"
    R"(|\b[Ii]mplement(?:s|ed|ing)?)(:?) +(?:(?:issues? +)?)";
constexpr std::string_view kClosingAfterRef =
    R"((?:(?: *,? +and +| *,? *)?)|([A-Z][A-Z0-9_]+-\d+))+))";

// A forge reference, which closes nothing in Jira but may stand in a list
// with keys ("Fixes #12 and PROJ-30"): an issue or merge request of this
// project or of another (`#12`, `!3`, `group/project#4`), or a URL, bounded
// as the forge's HTTP_LINK_PATTERN is (at most 300 characters).
constexpr std::string_view kForgeRef =
    R"((?:[A-Za-z0-9_][A-Za-z0-9_.\-]*(?:/[A-Za-z0-9_][A-Za-z0-9_.\-]*)*)?[#!]\d+\b)"
    R"(|https?://[^\s>]{1,300})";

// %{issue_ref}: the scanner's own pattern, without its `issue` group name,
// or a forge reference.
std::string IssueRef(const KeyScanner& scanner) {
  std::string ref = "(?:\\b";
  ref += scanner.options().prefix;
  ref += "(?:";
  ref += scanner.key_regex();
  ref += ")|";
  ref += kForgeRef;
  ref += ")";
  return ref;
}

RE2::Options ForgeOptions() {
  RE2::Options options;
  options.set_log_errors(false);
  return options;
}

}  // namespace

ClosingKeywords::ClosingKeywords(const KeyScanner& scanner) : scanner_(scanner) {}

ClosingKeywords::~ClosingKeywords() = default;

Status ClosingKeywords::Create(const KeyScanner& scanner, std::unique_ptr<ClosingKeywords>* out) {
  std::unique_ptr<ClosingKeywords> closing(new ClosingKeywords(scanner));
  closing->pattern_ =
      std::string(kClosingBeforeRef) + IssueRef(scanner) + std::string(kClosingAfterRef);
  closing->re2_ = std::make_unique<RE2>(closing->pattern_, ForgeOptions());
  if (!closing->re2_->ok()) {
    return Status::InvalidArgument("matching: the closing pattern built from prefix and regex " +
                                   std::string("does not compile: ") + closing->re2_->error());
  }
  *out = std::move(closing);
  return Status::Ok();
}

const ClosingKeywords& ClosingKeywords::Default() {
  static const ClosingKeywords* const closing = [] {
    std::unique_ptr<ClosingKeywords> built;
    // The default pattern always compiles (a unit test pins it down).
    if (!Create(KeyScanner::Default(), &built).ok()) std::abort();
    return built.release();
  }();
  return *closing;
}

std::vector<std::string_view> ClosingKeywords::ClosingStatements(std::string_view message) const {
  std::vector<std::string_view> statements;
  const re2::StringPiece subject(message.data(), message.size());
  re2::StringPiece whole;
  std::size_t pos = 0;
  // Every match is non-empty (it starts with a verb), so the scan advances.
  while (pos < message.size() &&
         re2_->Match(subject, pos, message.size(), RE2::UNANCHORED, &whole, 1)) {
    statements.emplace_back(whole.data(), whole.size());
    pos = static_cast<std::size_t>(whole.data() - message.data()) + whole.size();
  }
  return statements;
}

std::vector<std::string> ClosingKeywords::FindClosedKeys(std::string_view message) const {
  std::string joined;
  for (std::string_view statement : ClosingStatements(message)) {
    if (!joined.empty()) joined += ' ';
    joined += statement;
  }
  return scanner_.UniqueKeys(joined);
}

std::vector<std::string> FindClosedKeys(std::string_view message, const KeyScanner& scanner) {
  if (scanner.uses_fast_path()) return ClosingKeywords::Default().FindClosedKeys(message);
  std::unique_ptr<ClosingKeywords> closing;
  if (!ClosingKeywords::Create(scanner, &closing).ok()) return {};
  return closing->FindClosedKeys(message);
}

}  // namespace jiralink
