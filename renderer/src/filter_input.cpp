#include "jiralink/renderer/filter_input.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>

#include "url_safety.h"

namespace jiralink::renderer {
namespace {

// Room reserved for input from a pipe, at most: the text then never moves
// while it grows (a cached page costs little more than reading its input).
constexpr std::size_t kPipeReserve = 16 * 1024 * 1024;

// Reads up to `limit` bytes; false with errno set on a read error.
bool ReadUpTo(int fd, std::size_t limit, std::string* out) {
  struct stat info;
  std::size_t expected = kPipeReserve;
  if (fstat(fd, &info) == 0 && S_ISREG(info.st_mode)) {
    expected = static_cast<std::size_t>(info.st_size) + 1;
  }
  out->reserve(std::min(limit, expected));
  char buffer[64 * 1024];
  while (out->size() < limit) {
    std::size_t want = std::min(sizeof(buffer), limit - out->size());
    ssize_t got = read(fd, buffer, want);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return false;
    if (got == 0) break;
    out->append(buffer, static_cast<std::size_t>(got));
  }
  return true;
}

std::size_t ReadLimit(std::int64_t max_bytes) { return static_cast<std::size_t>(max_bytes) + 1; }

Status ReadPath(const std::string& path, std::int64_t max_bytes, FilterInput* out) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::NotFound("cannot read " + path + ": " + std::strerror(errno));
  out->source = path;
  bool ok = ReadUpTo(fd, ReadLimit(max_bytes), &out->text);
  int saved = errno;
  close(fd);
  if (!ok) return Status::IOError("cannot read " + path + ": " + std::strerror(saved));
  return Status::Ok();
}

}  // namespace

bool IsMarkdownName(std::string_view name) {
  std::size_t dot = name.rfind('.');
  if (dot == std::string_view::npos) return false;
  std::string extension;
  for (char c : name.substr(dot + 1)) {
    extension.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  return extension == "md" || extension == "markdown" || extension == "mkd" || extension == "mdown";
}

Status ReadFilterInput(const InputRequest& request, int stdin_fd, std::int64_t max_bytes,
                       FilterInput* out) {
  FilterInput input;
  if (request.input_path.has_value()) {
    if (request.name.has_value()) {
      return Status::InvalidArgument(
          "give either a NAME (content on stdin) or --input FILE, "
          "not both");
    }
    Status status = ReadPath(*request.input_path, max_bytes, &input);
    if (!status.ok()) return status;
  } else {
    if (request.name.has_value() && isatty(stdin_fd) == 1) {
      return Status::InvalidArgument("'" + *request.name +
                                     "' is only a name (the content is read from stdin); "
                                     "to render a file, use --input " +
                                     *request.name);
    }
    input.source = request.name.has_value() ? *request.name + " (on stdin)" : "<stdin>";
    // A closed stdin reads as empty, like /dev/null.
    if (!ReadUpTo(stdin_fd, ReadLimit(max_bytes), &input.text) && errno != EBADF) {
      return Status::IOError(std::string("cannot read stdin: ") + std::strerror(errno));
    }
    if (request.name.has_value() && !IsMarkdownName(*request.name)) {
      input.kind = InputKind::kPlainText;
    }
  }
  input.truncated = input.text.size() > static_cast<std::size_t>(max_bytes);
  *out = std::move(input);
  return Status::Ok();
}

std::string RenderPlainText(std::string_view text) {
  std::string html = "<pre>";
  AppendHtmlEscaped(text, &html);
  html.append("</pre>\n");
  return html;
}

}  // namespace jiralink::renderer
