// Reading a security report in the forge's public JSON report format (the
// SAST / dependency-scanning / container-scanning schema):
//
//   {"version": "15.0.6",
//    "vulnerabilities": [{"id", "name", "description", "severity", "solution",
//                         "location": {"file", "start_line", "end_line",
//                                      "dependency": {"package": {"name"}, "version"},
//                                      "image"},
//                         "identifiers": [{"type", "name", "value", "url"}]}],
//    "scan": {"type", "scanner": {"id", "name"}}}
//
// As the schema demands, every finding needs "id", "identifiers" and
// "location"; "name" may be replaced by the older "message". Anything else
// that is missing is left empty. Errors say where: the file, the JSON line
// and column of a syntax error, or the path of the bad field
// ("vulnerabilities[2].location.start_line"). A report nested deeper than
// kMaxSecurityReportDepth is refused before it is parsed.
//
// Pure text, no I/O: the caller reads the file (`jiralink vulnerability create`).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "jiralink/core/status.h"
#include "jiralink/core/vulnerability_issue.h"

namespace jiralink::vulnerability {

struct SecurityReport {
  std::string version;
  ReportSource source;  // report_file is the path given
  std::vector<Finding> findings;
};

// Arrays and objects nested deeper than this are refused (the schema needs 5).
inline constexpr int kMaxSecurityReportDepth = 64;
// A report file larger than this is refused before it is read (the largest
// reports of big projects' scanners are tens of MiB).
inline constexpr std::size_t kMaxSecurityReportBytes = 64u << 20;

// Parses report text; `path` is only used in messages and as the source.
Status ParseSecurityReport(std::string_view text, std::string_view path, SecurityReport* out);

}  // namespace jiralink::vulnerability
