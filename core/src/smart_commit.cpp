#include "jiralink/core/smart_commit.h"

#include <algorithm>
#include <cstddef>
#include <utility>

#include "jiralink/core/text.h"

namespace jiralink {

namespace {

// At most this many problems are kept (each is short).
constexpr std::size_t kMaxProblems = 10;
constexpr std::size_t kProblemQuoteBytes = 40;

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }
bool IsAsciiAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }
bool IsNameChar(char c) { return IsAsciiAlpha(c) || IsAsciiDigit(c) || c == '-' || c == '_'; }

std::string_view Trim(std::string_view text) {
  while (!text.empty() && IsBlank(text.front())) text.remove_prefix(1);
  while (!text.empty() && IsBlank(text.back())) text.remove_suffix(1);
  return text;
}

// At most kMaxSmartTextBytes of `text`, never cut inside a UTF-8 sequence.
std::string CapText(std::string_view text) {
  if (text.size() <= kMaxSmartTextBytes) return std::string(text);
  std::size_t keep = kMaxSmartTextBytes;
  while (keep > 0 && (static_cast<unsigned char>(text[keep]) & 0xC0) == 0x80) --keep;
  return std::string(text.substr(0, keep));
}

// A command found in a line: '#' at `start`, its name [start + 1, name_end).
struct CommandToken {
  std::size_t start = 0;
  std::size_t name_end = 0;
};

// The first command in [from, line_end) of `text` (line_start for the
// "start of line" rule). False when there is none. Linear in the bytes read.
bool FindCommand(std::string_view text, std::size_t line_start, std::size_t from,
                 std::size_t line_end, CommandToken* token) {
  std::size_t i = from;
  while (i < line_end) {
    if (text[i] != '#' || (i > line_start && !IsBlank(text[i - 1])) || i + 1 >= line_end ||
        !IsAsciiAlpha(text[i + 1])) {
      ++i;
      continue;
    }
    std::size_t j = i + 1;
    while (j < line_end && IsNameChar(text[j])) ++j;
    bool ends_well = j == line_end || IsBlank(text[j]);
    if (ends_well && j - (i + 1) <= kMaxTransitionNameBytes) {
      *token = {i, j};
      return true;
    }
    // Nothing in [i + 1, j) can start a command: go on after the name.
    i = j;
  }
  return false;
}

void AddProblem(SmartCommitParse* parse, std::string problem) {
  if (parse->problems.size() < kMaxProblems) parse->problems.push_back(std::move(problem));
}

// The duration at the start of `args` and the text after it.
bool SplitDuration(std::string_view args, std::string* duration, std::string_view* rest) {
  duration->clear();
  std::size_t pos = 0;
  bool any = false;
  while (true) {
    std::size_t start = pos;
    while (start < args.size() && IsBlank(args[start])) ++start;
    std::size_t end = start;
    while (end < args.size() && !IsBlank(args[end])) ++end;
    std::string normalised;
    if (start == end || !ParseSmartDuration(args.substr(start, end - start), &normalised)) break;
    if (any) duration->push_back(' ');
    duration->append(normalised);
    any = true;
    pos = end;
  }
  *rest = args.substr(pos);
  return any;
}

// One "<number><unit>" token.
bool IsDurationToken(std::string_view token) {
  if (token.size() < 2) return false;
  char unit = token.back();
  if (unit != 'w' && unit != 'd' && unit != 'h' && unit != 'm') return false;
  std::string_view number = token.substr(0, token.size() - 1);
  std::size_t i = 0;
  while (i < number.size() && IsAsciiDigit(number[i])) ++i;
  if (i == 0) return false;
  if (i == number.size()) return true;
  if (number[i] != '.') return false;
  std::size_t fraction = ++i;
  while (i < number.size() && IsAsciiDigit(number[i])) ++i;
  return i == number.size() && i > fraction;
}

}  // namespace

const char* SmartCommandKindName(SmartCommandKind kind) {
  switch (kind) {
    case SmartCommandKind::kComment:
      return "comment";
    case SmartCommandKind::kTime:
      return "time";
    case SmartCommandKind::kTransition:
      return "transition";
  }
  return "comment";
}

bool ParseSmartCommandKind(std::string_view text, SmartCommandKind* kind) {
  if (text == "comment") {
    *kind = SmartCommandKind::kComment;
  } else if (text == "time") {
    *kind = SmartCommandKind::kTime;
  } else if (text == "transition") {
    *kind = SmartCommandKind::kTransition;
  } else {
    return false;
  }
  return true;
}

bool ParseSmartDuration(std::string_view text, std::string* normalised) {
  std::string out;
  std::size_t pos = 0;
  bool any = false;
  while (pos < text.size()) {
    while (pos < text.size() && IsBlank(text[pos])) ++pos;
    if (pos == text.size()) break;
    std::size_t end = pos;
    while (end < text.size() && !IsBlank(text[end])) ++end;
    std::string_view token = text.substr(pos, end - pos);
    if (!IsDurationToken(token)) return false;
    if (any) out.push_back(' ');
    out.append(token);
    any = true;
    pos = end;
  }
  if (!any) return false;
  if (normalised != nullptr) *normalised = std::move(out);
  return true;
}

SmartCommitParse ParseSmartCommit(std::string_view message, const KeyScanner& scanner) {
  SmartCommitParse parse;
  // Every key match, in order; consumed front to back as the regions advance.
  std::vector<KeyMatch> keys = scanner.FindAll(message);
  std::size_t next_key = 0;
  std::vector<std::string_view> pending;  // keys in ignored text since the last command
  std::vector<std::string> group;         // the keys commands apply to
  int index = 0;

  // Adds the keys lying wholly within [from, to) to `pending`.
  auto take_keys = [&](std::size_t from, std::size_t to) {
    while (next_key < keys.size() && keys[next_key].key_offset < from) ++next_key;
    while (next_key < keys.size() && keys[next_key].key_offset + keys[next_key].key.size() <= to) {
      std::string_view key = keys[next_key++].key;
      if (pending.size() < kMaxSmartGroupKeys &&
          std::find(pending.begin(), pending.end(), key) == pending.end()) {
        pending.push_back(key);
      }
    }
  };

  std::size_t line_start = 0;
  while (line_start <= message.size()) {
    std::size_t line_end = message.find('\n', line_start);
    if (line_end == std::string_view::npos) line_end = message.size();
    std::size_t pos = line_start;
    CommandToken token;
    bool have = FindCommand(message, line_start, pos, line_end, &token);
    while (have) {
      take_keys(pos, token.start);
      if (!pending.empty()) {
        group.assign(pending.begin(), pending.end());
        pending.clear();
      }
      CommandToken next;
      bool have_next = FindCommand(message, line_start, token.name_end, line_end, &next);
      std::size_t args_end = have_next ? next.start : line_end;
      std::string_view name = message.substr(token.start + 1, token.name_end - token.start - 1);
      std::string_view args = message.substr(token.name_end, args_end - token.name_end);
      SmartCommand command;
      bool valid = true;
      if (EqualsIgnoringAsciiCase(name, "comment")) {
        command.kind = SmartCommandKind::kComment;
        command.text = CapText(Trim(args));
      } else if (EqualsIgnoringAsciiCase(name, "time")) {
        command.kind = SmartCommandKind::kTime;
        std::string_view rest;
        if (SplitDuration(args, &command.time_spent, &rest)) {
          command.text = CapText(Trim(rest));
        } else {
          valid = false;
          if (!group.empty()) {
            std::string_view quoted = Trim(args).substr(0, kProblemQuoteBytes);
            AddProblem(&parse, "#time " + std::string(quoted) +
                                   ": no duration (write it as e.g. 1w 2d 4h 30m)");
          }
        }
      } else {
        command.kind = SmartCommandKind::kTransition;
        command.transition = std::string(name);
        command.text = CapText(Trim(args));
      }
      if (valid && !group.empty()) {
        for (const std::string& key : group) {
          if (parse.actions.size() >= kMaxSmartCommands) {
            ++parse.dropped;
            continue;
          }
          parse.actions.push_back({key, index, command});
        }
        ++index;
      }
      pos = args_end;
      token = next;
      have = have_next;
    }
    if (pos == line_start) {
      // No command on this line: all of it is ignored text.
      take_keys(line_start, line_end);
    }
    if (line_end == message.size()) break;
    line_start = line_end + 1;
  }
  return parse;
}

std::vector<std::size_t> MatchTransitionName(std::string_view written,
                                             const std::vector<std::string>& names) {
  std::string wanted;
  wanted.reserve(written.size());
  for (char c : written) wanted.push_back(c == '-' ? ' ' : AsciiLower(c));
  std::vector<std::size_t> exact;
  std::vector<std::size_t> first_word;
  for (std::size_t i = 0; i < names.size(); ++i) {
    std::string_view name = Trim(names[i]);
    if (EqualsIgnoringAsciiCase(name, wanted)) {
      exact.push_back(i);
      continue;
    }
    std::size_t space = name.find(' ');
    if (space != std::string_view::npos && EqualsIgnoringAsciiCase(name.substr(0, space), wanted)) {
      first_word.push_back(i);
    }
  }
  return exact.empty() ? first_word : exact;
}

}  // namespace jiralink
