// Smart Commits: the `#comment`, `#time` and `#<transition>` commands of a
// commit message, in Atlassian's syntax. Pure text, no I/O.
//
//     <ignored text> KEY-1 [KEY-2 ...] <ignored text> #<command> [arguments] [#<command> ...]
//
//  - A command is '#' at the start of a line or after white space, then a
//    letter, then letters, digits, '-' or '_', ending at white space or the
//    end of the line ("#123", "a#b", "#fix!" and "#done." are not commands). The
//    names `comment` and `time` (any case) are those commands; any other name
//    is a workflow transition, written with hyphens for spaces
//    (`#start-progress`).
//  - A command's arguments run to the next command or the end of its line: a
//    command never spans lines. `#comment <text>` comments; `#time 1w 2d 4h
//    30m [text]` logs work (values may be decimal, "1.5h"; at least one
//    value; units w, d, h, m; the rest of the text is the worklog comment);
//    `#<transition> [text]` transitions, and the text (if any) is commented,
//    as Atlassian does.
//  - A command applies to the keys written before it and after the previous
//    command's arguments (the "ignored text", possibly on earlier lines), as
//    found by the repository's KeyScanner; when none were written there, it
//    applies to the keys the previous command applied to. So
//    `KEY-1 KEY-2 #resolve` applies to both keys, and a line holding only
//    `#time 2h` after `KEY-1 #comment ...` applies to KEY-1. A key inside a
//    command's text ("#comment see KEY-9") is text, not a target. Commands
//    before any key are ignored.
//  - An invalid `#time` (no duration, e.g. "#time soon") is no command: it is
//    left out and named in SmartCommitParse::problems.
//
// Bounds (a hostile message stays linear and small): at most
// kMaxSmartCommands (key, command) pairs per message, later ones are dropped
// and counted; at most kMaxSmartGroupKeys keys in one group; a command's text
// is cut at kMaxSmartTextBytes (on a UTF-8 boundary) and a transition name
// longer than kMaxTransitionNameBytes is no command.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "jiralink/core/key_scanner.h"

namespace jiralink {

inline constexpr std::size_t kMaxSmartCommands = 100;
inline constexpr std::size_t kMaxSmartGroupKeys = kMaxSmartCommands;
inline constexpr std::size_t kMaxSmartTextBytes = 4096;
inline constexpr std::size_t kMaxTransitionNameBytes = 255;

enum class SmartCommandKind { kComment, kTime, kTransition };

// One command as written.
struct SmartCommand {
  SmartCommandKind kind = SmartCommandKind::kComment;
  // The transition name as written, without '#' ("start-progress"); empty
  // for comment and time.
  std::string transition;
  // #time: the duration, normalised to single spaces ("1w 2d 4h 30m").
  std::string time_spent;
  // The comment, worklog comment or transition comment, trimmed; may be empty.
  std::string text;
};

// One (key, command) pair: what one outbox job carries out.
struct SmartCommitAction {
  std::string key;
  // The command's number in the message, from 0, in the order written. The
  // same for every key of a group; together with the key it identifies the
  // action within its commit.
  int index = 0;
  SmartCommand command;
};

struct SmartCommitParse {
  std::vector<SmartCommitAction> actions;  // in message order, keys in group order
  std::size_t dropped = 0;                 // actions over kMaxSmartCommands
  std::vector<std::string> problems;       // e.g. "#time soon: no duration"
};

// The commands of `message` with their keys (see above).
SmartCommitParse ParseSmartCommit(std::string_view message, const KeyScanner& scanner);

// "comment" | "time" | "transition".
const char* SmartCommandKindName(SmartCommandKind kind);
bool ParseSmartCommandKind(std::string_view text, SmartCommandKind* kind);

// True when `text` is a Jira duration as #time takes it: one or more
// "<number><unit>" separated by white space, number digits with an optional
// ".digits", unit one of w d h m (lower case). *normalised gets them joined
// by single spaces.
bool ParseSmartDuration(std::string_view text, std::string* normalised);

// The transitions a written name selects, by index into `names` (Jira's
// transition names). Hyphens in `written` stand for spaces and case is
// ignored (ASCII). Names equal to it win; when none is, the names whose
// first word equals it (Atlassian: "#finish" selects "Finish work"). The
// caller treats zero or several as "not done, reported".
std::vector<std::size_t> MatchTransitionName(std::string_view written,
                                             const std::vector<std::string>& names);

}  // namespace jiralink
