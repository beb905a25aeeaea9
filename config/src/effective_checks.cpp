// Rules that involve several settings, checked per scope after layering.
#include "effective_checks.h"

#include <cctype>
#include <initializer_list>
#include <memory>

#include "jiralink/config/loader.h"
#include "jiralink/core/jira_site.h"
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

bool IsPlainHttp(std::string_view url) {
  constexpr std::string_view kHttp = "http://";
  if (url.size() < kHttp.size()) return false;
  for (std::size_t i = 0; i < kHttp.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(url[i])) != kHttp[i]) return false;
  }
  return true;
}

std::string CleartextWarning(const JiraSettings& jira) {
  if (jira.token_source == TokenSource::kNone || !IsPlainHttp(jira.api_url)) return "";
  return "api_url \"" + jira.api_url + "\" is plain http:// and a " +
         (jira.auth == AuthMode::kPat ? "token" : "token or password") +
         " is set: the credentials travel in cleartext; use https://";
}

std::string VerifyTlsWarning(const JiraSettings& jira) {
  if (jira.verify_tls) return "";
  return "verify_tls = false: any TLS certificate is accepted, so whoever sits between here and "
         "Jira can read the credentials; trust a private CA with ca_file instead";
}

// [devinfo]: the credentials it needs, and the sites that have the API.
void CheckDevinfo(const Settings& settings, const Origins& origins, int rank,
                  std::string_view display_prefix, DiagnosticSink& sink,
                  DiagnosticSink& site_sink) {
  const DevinfoSettings& devinfo = settings.devinfo;
  if (!devinfo.enabled) return;
  const std::string table = "[" + std::string(display_prefix) + "devinfo] ";
  const Origin* where =
      MostSpecific(origins, {"devinfo.enabled", "devinfo.client_id", "devinfo.client_secret_file",
                             "devinfo.client_secret_env"});
  if (where != nullptr && where->rank == rank) {
    if (devinfo.client_id.empty()) {
      sink.Error(where->where, table +
                                   "enabled = true needs client_id, the client ID of the site's "
                                   "OAuth credentials (Jira: Settings > Apps > OAuth credentials, "
                                   "permission \"Development information\")");
    }
    if (devinfo.client_secret_source == TokenSource::kNone) {
      sink.Error(where->where, table +
                                   "enabled = true needs client_secret_file or client_secret_env, "
                                   "where the OAuth credentials' secret is read from");
    }
  }
  const JiraSettings& jira = settings.jira;
  const Origin* site = MostSpecific(origins, {"devinfo.enabled", "jira.web_url", "jira.api_url"});
  if (!jira.web_url.empty() && !jira.cloud && site != nullptr && site->rank == rank) {
    sink.Warning(site->where,
                 table + "enabled = true, but " + jira.web_url +
                     " is Jira Server/Data Center, which has no Development Information API (its "
                     "Development panel comes from its DVCS connector, which pulls from a "
                     "forge): devinfo does nothing for this site");
  }
  const Origin* url = MostSpecific(origins, {"devinfo.api_url", "devinfo.enabled"});
  if (IsPlainHttp(devinfo.api_url) && url != nullptr && url->rank == rank) {
    site_sink.Warning(url->where, table + "api_url \"" + devinfo.api_url +
                                      "\" is plain http://: the OAuth client secret and the "
                                      "tokens travel in cleartext; use https://");
  }
}

}  // namespace

std::vector<std::string> SiteWarnings(const JiraSettings& jira) {
  std::vector<std::string> warnings;
  for (std::string warning : {CleartextWarning(jira), VerifyTlsWarning(jira)}) {
    if (!warning.empty()) warnings.push_back("[jira] " + warning);
  }
  return warnings;
}

void CheckEffective(const Settings& settings, const Origins& origins, int rank,
                    std::string_view display_prefix, DiagnosticSink& sink,
                    DiagnosticSink& site_sink) {
  const JiraSettings& jira = settings.jira;
  const std::string jira_table = "[" + std::string(display_prefix) + "jira] ";
  if (std::string warning = CleartextWarning(jira); !warning.empty()) {
    const Origin* where = MostSpecific(origins, {"jira.api_url", "jira.web_url", "jira.token",
                                                 "jira.token_file", "jira.token_env"});
    if (where != nullptr && where->rank == rank)
      site_sink.Warning(where->where, jira_table + warning);
  }
  if (std::string warning = VerifyTlsWarning(jira); !warning.empty()) {
    const Origin* where = MostSpecific(origins, {"jira.verify_tls"});
    if (where != nullptr && where->rank == rank)
      site_sink.Warning(where->where, jira_table + warning);
  }
  if (jira.auth == AuthMode::kPat && jira.cloud) {
    const Origin* where = MostSpecific(origins, {"jira.auth", "jira.web_url", "jira.api_url"});
    if (where != nullptr && where->rank == rank) {
      std::string url = IsJiraCloudUrl(jira.api_url) ? jira.api_url : jira.web_url;
      sink.Error(where->where, "[" + std::string(display_prefix) +
                                   "jira] auth = \"pat\" cannot be used with Jira Cloud (" + url +
                                   "): Cloud has no personal access tokens; use auth = \"basic\" "
                                   "with the account's email as username and an API token");
    }
  }
  if (settings.render.cache && settings.render.redis && settings.render.cache_key_file.empty()) {
    const Origin* where = MostSpecific(origins, {"render.cache"});
    if (where != nullptr && where->rank == rank) {
      site_sink.Warning(where->where,
                        "[" + std::string(display_prefix) +
                            "render] cache is a shared Redis server but cache_key_file is not "
                            "set: whoever can write to that Redis decides the HTML of every "
                            "rendered page; set cache_key_file (see the README)");
    }
  }
  if (settings.serve.web && settings.serve.auth_header.empty()) {
    // The pages' login (serve/page_login.h): without one, serve shows the
    // pages only on a loopback address.
    const Origin* where = MostSpecific(origins, {"serve.listen", "serve.web"});
    if (rank == 0 && where != nullptr && where->rank == 0 &&
        !IsLoopbackListen(settings.serve.listen)) {
      sink.Warning(where->where,
                   "[serve] web = true without a login on the non-loopback listen address \"" +
                       settings.serve.listen +
                       "\": `jiralink serve` will not serve the Jira issue pages there (webhooks "
                       "still work); put an authenticating reverse proxy in front and set [serve] "
                       "auth_header and auth_proxies (see the README, \"Logging in to the "
                       "pages\"), or listen on 127.0.0.1");
    }
    const Origin* viewers = MostSpecific(origins, {"issues.viewers"});
    if (!settings.issues.viewers.empty() && viewers != nullptr && viewers->rank == rank) {
      sink.Warning(viewers->where,
                   "[" + std::string(display_prefix) +
                       "issues] viewers is set but [serve] auth_header is not: no viewer can be "
                       "identified, so `jiralink serve` shows these pages to no one; set [serve] "
                       "auth_header and auth_proxies");
    }
  }
  CheckDevinfo(settings, origins, rank, display_prefix, sink, site_sink);
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
