#include "jiralink/hooks/ref_update.h"

namespace jiralink::hooks {

namespace {

constexpr std::string_view kBranchPrefix = "refs/heads/";

bool IsHexOid(std::string_view text) {
  if (text.size() != 40 && text.size() != 64) return false;
  for (char c : text) {
    bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
    if (!hex) return false;
  }
  return true;
}

}  // namespace

bool IsZeroOid(std::string_view oid) {
  if (oid.empty()) return false;
  for (char c : oid) {
    if (c != '0') return false;
  }
  return true;
}

bool RefUpdate::is_create() const { return IsZeroOid(old_oid); }
bool RefUpdate::is_delete() const { return IsZeroOid(new_oid); }
bool RefUpdate::is_branch() const {
  return ref.size() > kBranchPrefix.size() &&
         ref.compare(0, kBranchPrefix.size(), kBranchPrefix) == 0;
}
std::string RefUpdate::branch() const {
  return is_branch() ? ref.substr(kBranchPrefix.size()) : std::string();
}

std::vector<RefUpdate> ParseRefUpdates(std::string_view input, std::vector<std::string>* warnings) {
  std::vector<RefUpdate> updates;
  int line_number = 0;
  while (!input.empty()) {
    std::size_t end = input.find('\n');
    std::string_view line = input.substr(0, end);
    input = end == std::string_view::npos ? std::string_view() : input.substr(end + 1);
    ++line_number;
    // Trailing blanks: a line copied from a push's output (git pads each
    // "remote:" line with spaces) or written on Windows. A ref name never
    // holds a space, a tab or a CR (git check-ref-format), so none is lost.
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) {
      line.remove_suffix(1);
    }
    if (line.empty()) continue;
    std::size_t first = line.find(' ');
    std::size_t second = first == std::string_view::npos ? first : line.find(' ', first + 1);
    bool valid = second != std::string_view::npos;
    RefUpdate update;
    if (valid) {
      update.old_oid = std::string(line.substr(0, first));
      update.new_oid = std::string(line.substr(first + 1, second - first - 1));
      update.ref = std::string(line.substr(second + 1));
      valid = IsHexOid(update.old_oid) && IsHexOid(update.new_oid) &&
              update.old_oid.size() == update.new_oid.size() && !update.ref.empty() &&
              update.ref.find(' ') == std::string::npos;
    }
    if (!valid) {
      if (warnings != nullptr) {
        std::string shown(line.substr(0, 80));
        for (char& c : shown) {
          if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
        }
        warnings->push_back("stdin line " + std::to_string(line_number) +
                            ": expected '<old-sha> <new-sha> <ref>', got '" + shown + "'");
      }
      continue;
    }
    updates.push_back(std::move(update));
  }
  return updates;
}

}  // namespace jiralink::hooks
