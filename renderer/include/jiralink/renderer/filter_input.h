// How `jiralink render [NAME] [--input FILE]` finds its input, so that the
// same command works by hand, as a cgit about-filter and as a Gitea/Forgejo
// external renderer, without ever opening a file a web visitor names.
//
//   - No NAME, no --input: the Markdown is stdin (Gitea/Forgejo:
//     RENDER_COMMAND = "jiralink render", content on stdin).
//   - NAME: only a NAME, never opened. The content is stdin (cgit runs the
//     about-filter with the README's name, which a visitor can choose
//     through /repo/about/<path>, as its only argument and the blob on
//     stdin). A name ending in .md, .markdown, .mkd or .mdown (any case) is
//     Markdown; anything else is shown as escaped text in <pre>. Empty stdin
//     (cgit's answer for a path that is not in the repository) is an empty
//     input: nothing is rendered.
//   - --input FILE: the one way to read a file; it is Markdown whatever its
//     name. Meant for people and scripts; no filter set-up uses it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "jiralink/core/status.h"

namespace jiralink::renderer {

enum class InputKind { kMarkdown, kPlainText };

// Where the input comes from, as given on the command line.
struct InputRequest {
  std::optional<std::string> name;        // NAME: picks the format only
  std::optional<std::string> input_path;  // --input FILE: read this file
};

struct FilterInput {
  std::string text;
  InputKind kind = InputKind::kMarkdown;
  std::string source;      // "<stdin>", "NAME (on stdin)" or the --input path, for messages
  bool truncated = false;  // more than max_bytes were available (text holds max_bytes + 1)
};

// True for the names cgit's own about-formatting.sh renders as Markdown.
bool IsMarkdownName(std::string_view name);

// Reads the input as described above, at most max_bytes + 1 bytes, from
// `stdin_fd` or from request.input_path. Fails with kInvalidArgument when
// both a NAME and --input are given, or when a NAME is given and stdin is a
// terminal (someone typed `jiralink render notes.md`: the message points to
// --input); with kNotFound/kIOError, naming the file, when --input cannot be
// read.
Status ReadFilterInput(const InputRequest& request, int stdin_fd, std::int64_t max_bytes,
                       FilterInput* out);

// "<pre>" + text HTML-escaped + "</pre>\n".
std::string RenderPlainText(std::string_view text);

}  // namespace jiralink::renderer
