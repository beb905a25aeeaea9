// libFuzzer target: the default fast path must equal RE2 on every input, and
// a scanner built from fuzzed settings must never crash or loop.
//
// Input layout: the whole input is scanned as text by both default paths;
// then, when it holds a NUL byte, the bytes before the first NUL become a
// custom regex and the rest the text for that scanner.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "jiralink/core/closing_keywords.h"
#include "jiralink/core/key_scanner.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  const std::vector<jiralink::KeyMatch> fast = jiralink::KeyScanner::Default().FindAll(input);
  const std::vector<jiralink::KeyMatch> re2 = jiralink::FindAllWithRe2Default(input);
  if (fast.size() != re2.size()) std::abort();
  for (std::size_t i = 0; i < fast.size(); ++i) {
    if (fast[i].offset != re2[i].offset || fast[i].length != re2[i].length ||
        fast[i].key_offset != re2[i].key_offset || fast[i].key != re2[i].key) {
      std::abort();
    }
  }
  (void)jiralink::ClosingKeywords::Default().FindClosedKeys(input);

  const std::size_t nul = input.find('\0');
  if (nul != std::string_view::npos) {
    std::unique_ptr<jiralink::KeyScanner> scanner;
    jiralink::MatchingOptions options;
    options.regex = std::string(input.substr(0, nul));
    if (jiralink::KeyScanner::Create(options, &scanner).ok()) {
      for (const jiralink::KeyMatch& m : scanner->FindAll(input.substr(nul + 1))) {
        if (m.key.empty()) std::abort();  // keys are never empty
      }
    }
  }
  return 0;
}
