// libFuzzer target: the Smart Commit parser (core/smart_commit.h) on any
// commit message must stay within its bounds and give well-formed commands.
//
// Input layout: the whole input is the commit message (default key pattern).
// Then the transition names of the commands found are matched against the
// input's lines as if they were Jira's transition names.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "jiralink/core/key_scanner.h"
#include "jiralink/core/smart_commit.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const jiralink::SmartCommitParse parse =
      jiralink::ParseSmartCommit(input, jiralink::KeyScanner::Default());
  if (parse.actions.size() > jiralink::kMaxSmartCommands) std::abort();
  if (parse.dropped > 0 && parse.actions.size() != jiralink::kMaxSmartCommands) std::abort();
  int last_index = 0;
  for (const jiralink::SmartCommitAction& action : parse.actions) {
    if (action.key.empty() || input.find(action.key) == std::string_view::npos) std::abort();
    if (action.index < last_index) std::abort();  // message order
    last_index = action.index;
    const jiralink::SmartCommand& command = action.command;
    if (command.text.size() > jiralink::kMaxSmartTextBytes) std::abort();
    switch (command.kind) {
      case jiralink::SmartCommandKind::kTime:
        if (!jiralink::ParseSmartDuration(command.time_spent, nullptr)) std::abort();
        break;
      case jiralink::SmartCommandKind::kTransition:
        if (command.transition.empty() ||
            command.transition.size() > jiralink::kMaxTransitionNameBytes) {
          std::abort();
        }
        break;
      case jiralink::SmartCommandKind::kComment:
        break;
    }
  }

  std::vector<std::string> names;
  std::size_t start = 0;
  while (start <= input.size() && names.size() < 64) {
    std::size_t end = input.find('\n', start);
    if (end == std::string_view::npos) end = input.size();
    names.emplace_back(input.substr(start, end - start));
    start = end + 1;
  }
  for (const jiralink::SmartCommitAction& action : parse.actions) {
    for (std::size_t index : jiralink::MatchTransitionName(action.command.transition, names)) {
      if (index >= names.size()) std::abort();
    }
  }
  return 0;
}
