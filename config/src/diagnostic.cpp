#include <string>

#include "jiralink/config/loader.h"

namespace jiralink::config {

std::string Diagnostic::ToString() const {
  std::string text;
  if (!file.empty()) {
    text += file;
    if (line > 0) {
      text += ":" + std::to_string(line);
      if (column > 0) text += ":" + std::to_string(column);
    }
    text += ": ";
  }
  text += severity == Severity::kError ? "error: " : "warning: ";
  text += message;
  return text;
}

}  // namespace jiralink::config
