// libFuzzer target: what git writes to post-receive's stdin, through
// ParseRefUpdates (hooks/ref_update.h).
//
// Checked contracts: every non-empty line (after its trailing blanks: CRs,
// spaces and tabs, which a line copied from a push's output carries) becomes
// either an update or a warning, never both and never neither; an update has
// two hex object ids of one SHA-1 or SHA-256 length and a ref without spaces;
// a warning names its line and holds no control character (warnings are
// printed on the pusher's terminal); writing the updates back as
// "<old> <new> <ref>\n" lines parses to the same updates with no warning
// (for refs git can send: no control characters, see git-check-ref-format).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "jiralink/hooks/ref_update.h"

namespace {

using jiralink::hooks::RefUpdate;

bool IsHexOid(std::string_view oid) {
  if (oid.size() != 40 && oid.size() != 64) return false;
  for (char c : oid) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

bool HasControlCharacter(std::string_view text) {
  for (char c : text) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return true;
  }
  return false;
}

std::size_t CountNonEmptyLines(std::string_view input) {
  std::size_t count = 0;
  while (!input.empty()) {
    const std::size_t end = input.find('\n');
    std::string_view line = input.substr(0, end);
    input = end == std::string_view::npos ? std::string_view() : input.substr(end + 1);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) {
      line.remove_suffix(1);
    }
    if (!line.empty()) ++count;
  }
  return count;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> warnings;
  const std::vector<RefUpdate> updates = jiralink::hooks::ParseRefUpdates(input, &warnings);
  if (updates.size() + warnings.size() != CountNonEmptyLines(input)) std::abort();

  std::string written;
  std::vector<const RefUpdate*> written_updates;
  for (const RefUpdate& u : updates) {
    if (!IsHexOid(u.old_oid) || !IsHexOid(u.new_oid)) std::abort();
    if (u.old_oid.size() != u.new_oid.size()) std::abort();
    if (u.ref.empty() || u.ref.find_first_of(" \n") != std::string::npos) std::abort();
    if (u.is_branch() != !u.branch().empty()) std::abort();
    if (HasControlCharacter(u.ref)) continue;
    written += u.old_oid + " " + u.new_oid + " " + u.ref + "\n";
    written_updates.push_back(&u);
  }
  for (const std::string& w : warnings) {
    if (w.find("line ") == std::string::npos || HasControlCharacter(w)) std::abort();
  }

  std::vector<std::string> again_warnings;
  const std::vector<RefUpdate> again = jiralink::hooks::ParseRefUpdates(written, &again_warnings);
  if (!again_warnings.empty() || again.size() != written_updates.size()) std::abort();
  for (std::size_t i = 0; i < again.size(); ++i) {
    const RefUpdate& u = *written_updates[i];
    if (again[i].old_oid != u.old_oid || again[i].new_oid != u.new_oid || again[i].ref != u.ref) {
      std::abort();
    }
  }
  return 0;
}
