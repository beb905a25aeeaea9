#include "issues_terminal.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>

namespace jiralink::cli {

int TerminalWidth(std::FILE* stream) {
  if (const char* columns = std::getenv("COLUMNS"); columns != nullptr && *columns != '\0') {
    char* end = nullptr;
    long width = std::strtol(columns, &end, 10);
    if (*end == '\0' && width > 0 && width < 100000) return static_cast<int>(width);
  }
  int fd = fileno(stream);
  if (fd >= 0 && isatty(fd)) {
    winsize size{};
    if (ioctl(fd, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
  }
  return 0;  // a pipe or a file: no limit
}

bool UseColor(std::FILE* stream) {
  if (const char* no_color = std::getenv("NO_COLOR"); no_color != nullptr && *no_color != '\0') {
    return false;
  }
  if (const char* term = std::getenv("TERM"); term != nullptr && std::strcmp(term, "dumb") == 0) {
    return false;
  }
  int fd = fileno(stream);
  return fd >= 0 && isatty(fd);
}

}  // namespace jiralink::cli
