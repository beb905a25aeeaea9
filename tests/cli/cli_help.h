// What `jiralink ... --help` says, parsed for the tests that keep the manual
// page and the bash completion from drifting from the program: the commands
// of `jiralink --help`, the subcommands a command lists, and the long options
// a help text offers.
#pragma once

#include <cctype>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "support/test_support.h"

namespace jiralink::testing {

// The help text of `jiralink <words...> --help` (stdout; exit 0 expected).
inline std::string HelpOf(const std::vector<std::string>& words) {
  std::vector<std::string> args = words;
  args.push_back("--help");
  ProcessOptions options;
  options.unset_env = {"JIRALINK_CONFIG"};
  return RunJiralink(args, options).out;
}

// Names listed under a "commands:" or "Subcommands:" heading: the first
// word of each indented line until a blank line.
inline std::vector<std::string> ListedUnder(const std::string& help, const std::string& heading) {
  std::vector<std::string> names;
  std::stringstream stream(help);
  bool inside = false;
  for (std::string line; std::getline(stream, line);) {
    if (line == heading) {
      inside = true;
      continue;
    }
    if (!inside) continue;
    if (line.empty() || line[0] != ' ') break;
    std::stringstream words(line);
    std::string name;
    words >> name;
    names.push_back(name);
  }
  return names;
}

// The commands of `jiralink --help`.
inline std::vector<std::string> Commands() { return ListedUnder(HelpOf({}), "commands:"); }

// The subcommands `jiralink <command> --help` lists (none for most).
inline std::vector<std::string> Subcommands(const std::string& command) {
  return ListedUnder(HelpOf({command}), "Subcommands:");
}

// Every long option ("--name") at the start of an option line of `help`
// ("  --name TEXT   ..." or "  -h,--help  ...").
inline std::set<std::string> LongOptions(const std::string& help) {
  std::set<std::string> options;
  std::stringstream stream(help);
  for (std::string line; std::getline(stream, line);) {
    std::size_t start = line.find_first_not_of(' ');
    if (start == std::string::npos || start == 0 || line[start] != '-') continue;
    std::size_t at = line.find("--", start);
    if (at == std::string::npos || at > start + 3) continue;
    std::size_t end = at + 2;
    while (end < line.size() &&
           (std::isalnum(static_cast<unsigned char>(line[end])) || line[end] == '-')) {
      ++end;
    }
    options.insert(line.substr(at, end - at));
  }
  return options;
}

// The long options of a command and, when given, one of its subcommands.
inline std::set<std::string> OptionsOf(const std::string& command, const std::string& sub = "") {
  return LongOptions(HelpOf(sub.empty() ? std::vector<std::string>{command}
                                        : std::vector<std::string>{command, sub}));
}

}  // namespace jiralink::testing
