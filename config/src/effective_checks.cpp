// Rules that involve several settings, checked per scope after layering.
#include "effective_checks.h"

#include <initializer_list>
#include <memory>

#include "jiralink/core/key_scanner.h"
#include "value_checks.h"

namespace jiralink::config {
namespace {

// The origin, among `fields`, of the most specific layer (the first wins a tie).
const Origin* MostSpecific(const Origins& origins, std::initializer_list<const char*> fields) {
  const Origin* best = nullptr;
  for (const char* field : fields) {
    auto it = origins.find(field);
    if (it != origins.end() && (best == nullptr || it->second.rank > best->rank)) {
      best = &it->second;
    }
  }
  return best;
}

}  // namespace

void CheckEffective(const Settings& settings, const Origins& origins, int rank,
                    std::string_view display_prefix, DiagnosticSink& sink) {
  const JiraSettings& jira = settings.jira;
  if (jira.auth == AuthMode::kPat &&
      (IsJiraCloudUrl(jira.web_url) || IsJiraCloudUrl(jira.api_url))) {
    const Origin* where = MostSpecific(origins, {"jira.auth", "jira.web_url", "jira.api_url"});
    if (where != nullptr && where->rank == rank) {
      std::string url = IsJiraCloudUrl(jira.api_url) ? jira.api_url : jira.web_url;
      sink.Error(where->where, "[" + std::string(display_prefix) +
                                   "jira] auth = \"pat\" cannot be used with Jira Cloud (" + url +
                                   "): Cloud has no personal access tokens; use auth = \"basic\" "
                                   "with the account's email as username and an API token");
    }
  }
  const MatchingSettings& matching = settings.matching;
  if (!matching.regex.empty() && !matching.prefix.empty()) {
    // Each part was checked alone where it was written; together they can
    // still clash (a prefix that also defines the group `issue`).
    std::unique_ptr<KeyScanner> scanner;
    bool parts_compile = KeyScanner::Create({matching.regex, ""}, &scanner).ok() &&
                         KeyScanner::Create({"", matching.prefix}, &scanner).ok();
    Status status = KeyScanner::Create({matching.regex, matching.prefix}, &scanner);
    const Origin* where = MostSpecific(origins, {"matching.prefix", "matching.regex"});
    if (parts_compile && !status.ok() && where != nullptr && where->rank == rank) {
      sink.Error(where->where, "[" + std::string(display_prefix) +
                                   "matching] regex and prefix together do not compile in RE2: " +
                                   status.message());
    }
  }
  const TransitionSettings& transitions = settings.transitions;
  if (transitions.enabled && transitions.mode == TransitionMode::kCustom &&
      transitions.id_list.empty()) {
    const Origin* where =
        MostSpecific(origins, {"transitions.mode", "transitions.ids", "transitions.enabled"});
    if (where != nullptr && where->rank == rank) {
      sink.Error(where->where, "[" + std::string(display_prefix) +
                                   "transitions] mode = \"custom\" needs ids, e.g. ids = \"11, "
                                   "21\"");
    }
  }
}

}  // namespace jiralink::config
