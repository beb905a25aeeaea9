// How `jiralink render [ARG]` finds its input, so that the same command works
// by hand, as a cgit about-filter and as a Gitea/Forgejo external renderer.
//
//   - No ARG: the Markdown is stdin (Gitea/Forgejo: RENDER_COMMAND =
//     "jiralink render", content on stdin).
//   - ARG, and stdin is a pipe or file with data: ARG is only the file's
//     NAME and the content is stdin (cgit runs the about-filter with the
//     README's name as its only argument and the blob on stdin). A name
//     ending in .md, .markdown, .mkd or .mdown (any case) is Markdown;
//     anything else is shown as escaped text in <pre>.
//   - ARG, and stdin is a terminal or empty: ARG is a path; the file is read
//     and rendered as Markdown whatever its extension (Gitea's
//     IS_INPUT_FILE = true appends such a path). When stdin is not a
//     terminal and ARG names no file, the input is empty (cgit with an empty
//     README) and nothing is printed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "jiralink/core/status.h"

namespace jiralink::renderer {

enum class InputKind { kMarkdown, kPlainText };

struct FilterInput {
  std::string text;
  InputKind kind = InputKind::kMarkdown;
  std::string source;      // "<stdin>" or the path, for messages
  bool truncated = false;  // more than max_bytes were available (text holds max_bytes + 1)
};

// True for the names cgit's own about-formatting.sh renders as Markdown.
bool IsMarkdownName(std::string_view name);

// Reads the input as described above from `stdin_fd`, at most max_bytes + 1
// bytes. Fails (naming the file) when a path was meant and cannot be read.
Status ReadFilterInput(const std::optional<std::string>& arg, int stdin_fd, std::int64_t max_bytes,
                       FilterInput* out);

// "<pre>" + text HTML-escaped + "</pre>\n".
std::string RenderPlainText(std::string_view text);

}  // namespace jiralink::renderer
