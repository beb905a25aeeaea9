// Checks of single setting values, independent of TOML and of where the
// value was written. Each returns "" when the value is fine, else the reason
// as the tail of a message ("must be ...").
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace jiralink::config {

// An absolute http:// or https:// URL with a host, no user:password part and,
// when a ':' follows the host, a port of 1 to 5 digits ("http://host:" is
// refused).
std::string CheckHttpUrl(std::string_view url);

// A Jira site URL (web_url, api_url): CheckHttpUrl, and no query string or
// fragment, since paths such as /rest/api/2/issue are appended to it. The
// message names the 1-based character where the query or fragment starts.
std::string CheckSiteUrl(std::string_view url);

// A link template: an http(s) URL that contains `required` (e.g. "{sha}")
// and no placeholder other than those in `allowed`.
std::string CheckUrlTemplate(std::string_view url, std::string_view required,
                             std::span<const std::string_view> allowed);

// Transition IDs as GitLab reads them: every run of digits, in order
// (GitLab's `scan(/\d+/)`), so "foo 23 bar" is 23 and "11 21" is 11, 21.
// Fills *ids with the numbers in order; a blank text is valid and yields no
// IDs. Returns false (and leaves *ids) when a non-blank text has no digit,
// which GitLab refuses too. *documented is set to whether the text is in
// the documented form, numbers separated by ',' or ';' ("11, 21"; blanks
// around them and empty items allowed): when it is not, the caller warns
// with what was read.
bool ParseTransitionIds(std::string_view text, std::vector<std::string>* ids, bool* documented);

// A Jira project key such as "PROJ" or "AB_2".
bool IsProjectKey(std::string_view key);

// project_keys as the forge normalizes them: every entry split on ',', each
// piece stripped of surrounding whitespace, blank pieces dropped, repeats
// dropped (first one kept): {" PROJ , ABC ", "PROJ,,X"} -> {"PROJ", "ABC", "X"}.
std::vector<std::string> NormalizeProjectKeys(const std::vector<std::string>& entries);

// A branch glob of [policy] require_key, matched with fnmatch(3) against the
// branch name ("main", "release/*"): not empty, not a full ref name
// ("refs/heads/..."), every '[' closed by a ']'.
std::string CheckBranchGlob(std::string_view glob);

}  // namespace jiralink::config
