// IssuesPages: the forge's "View Jira issues" pages, served by
// `jiralink serve` (GitLab's paths, query parameters, defaults and messages).
//
//   GET /<repository>/-/integrations/jira/issues          the list
//   GET /<repository>/-/integrations/jira/issues/<KEY>    one issue
//   GET /-/jiralink.css                                    the one stylesheet
//
// <repository> selects the settings as webhooks and the hook do
// (config::RepositoryName, then [groups]/[projects] layering). The pages are
// OFF unless [serve] web = true (top level) AND a layer that applies to the
// repository writes [issues] enabled = true (the built-in default `true`,
// which the command line keeps, does not count; see settings.h). A
// repository must also be one the settings name: a [projects."<name>"]
// table, a [groups."<prefix>"] table covering it, or a repository that
// exists under [git] root ("<root>/<name>.git" or "<root>/<name>" is a
// directory). Otherwise, for an unknown repository, and for an issue outside
// [issues] project_keys: 404, the same page each time, so a 404 does not tell
// whether a repository exists; and no Jira client is made for it.
//
// Resources follow the settings, never the URLs: Jira clients belong to a
// site (the [jira] settings that make a client: API URL, credentials, TLS),
// shared by every repository that uses it. A site makes at most
// kMaxJiraCallsPerSite calls at once, each on its own client; a page that
// needs a call beyond that answers 503 with Retry-After at once. A client
// idle for kIdleClientSeconds is closed (a sweeper checks every few seconds).
//
// List query parameters (GitLab's IssuesFinder):
//   state=opened|closed|all (default opened; any other value = all)
//   labels[]=L (repeatable, all must match), status=, author_username=,
//   assignee_username=, project= (must be one of [issues] project_keys: 400
//   otherwise), search=
//   sort=created_desc|created_asc|updated_desc|updated_asc (created_date =
//   created_desc; anything else = created_desc); absent: updated_desc on the
//   Closed tab, created_desc elsewhere
//   page=N (Server/DC; default 1), next_page_token=T (Cloud),
//   per_page=1..100 (default 100)
// The JQL is jql::BuildJql's (the command line's); the search is
// issues::FetchIssuePage (Server) or FetchIssuePageByToken (Cloud).
//
// The detail page makes one Jira call: GET /issue/KEY?expand=renderedFields.
// Descriptions and comments are shown from renderedFields through
// SanitizeHtml (html_sanitizer.h), else as plain text; every other string
// from Jira is escaped.
//
// A failed Jira call shows the forge's message (issues::DescribeForForge) with
// its status (502, 503, 504); never the token or Jira's raw answer. Jira's
// 503 or 429 with Retry-After gives the page's 503 the same Retry-After (at
// most issues::kMaxForgeRetryAfterSeconds). Jira's 400 on a list the visitor filtered
// (labels, status, author, assignee, project, search) is a 400 page saying
// the filter was not accepted, naming it, with Jira's own words; without a
// filter a 400 points at the configuration.
//
// The list answers at once, without Jira: 303 to the same URL without its
// empty parameters (what a form submits for fields left blank); 303 to the
// last page when page= is beyond it (Server: Jira's total says where).
// The tabs show Open / Closed / All counts once known: on Server the list's
// own total plus one search with maxResults=0; on Cloud two calls of
// /search/approximate-count. They are cached with the list (per filters,
// whatever the tab) and fetched after the list's answer is shared.
//
// Jira answers are cached in memory for [issues] cache_seconds (0 = not at
// all), at most kMaxCachedAnswers of them (expired ones go first, then the
// oldest): a list page per (site, JQL, page), its counts per (site,
// filters), and an issue per (repository, site, key) together with its
// rendered, sanitized page, so that a hit sanitizes nothing.
//
// Identical misses share one Jira call (singleflight): the first request of
// a (cache key) leads and takes one of the site's call slots; the others
// arriving while it runs follow without a slot, waiting on page threads for
// its answer for at most [jira] timeout_seconds, then answer 504 with the
// forge's timeout message. No lock is held across a Jira call: a cached
// page never waits for Jira, and different misses run in parallel up to
// kMaxJiraCallsPerSite.
//
// Who may see them: `viewer` (page_login.h) is the logged-in visitor, or null
// when no login is configured. A repository whose layers set [issues]
// viewers is shown only to a viewer it names (user, or "@group"); to anyone
// else, and to everyone when there is no login, it is the same 404 as an
// unknown repository, so a 404 does not tell which repositories exist.
//
// Every answer carries Content-Security-Policy (no script at all),
// X-Content-Type-Options: nosniff and Referrer-Policy: no-referrer. The HTML
// has no script and works without JavaScript.
//
// Thread-safe: request threads call Begin() and Handle() at once, and page
// threads run the PageWork they return.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "jiralink/config/loader.h"
#include "jiralink/serve/page_login.h"

namespace jiralink::serve {

struct PageResponse {
  int status = 200;
  std::string content_type = "text/html; charset=utf-8";
  std::vector<std::pair<std::string, std::string>> headers;  // besides Content-Type
  std::string body;
};

// Query parameters in request order, repeated names kept ("labels[]").
using QueryParameters = std::vector<std::pair<std::string, std::string>>;

inline constexpr std::size_t kMaxCachedAnswers = 512;
// Jira calls one site makes at once for the pages (each holds a page thread
// and a client, ~3 descriptors, for up to [jira] timeout_seconds).
inline constexpr int kMaxJiraCallsPerSite = 4;
// What a page beyond that bound answers: 503, "Retry-After: 5".
inline constexpr int kBusyRetryAfterSeconds = 5;
inline constexpr int kIdleClientSeconds = 30;

// The half of a page that calls Jira, run on a page thread (never on the
// server's request threads, so webhooks do not wait behind Jira).
using PageWork = std::function<PageResponse()>;
inline constexpr std::string_view kStylesheetPath = "/-/jiralink.css";
inline constexpr std::string_view kIssuesPathMarker = "/-/integrations/jira/issues";

class IssuesPages {
 public:
  explicit IssuesPages(const config::Config& config);
  ~IssuesPages();

  // True when `path` is one of the routes above (whatever the settings say):
  // the server sends such GETs here.
  static bool Handles(std::string_view path);

  // The cheap half of a page, on the request thread. Returns false with
  // *answer set when the page needs no Jira call (the stylesheet, a 404, a
  // 400, a cached answer) or when its site is at kMaxJiraCallsPerSite (503);
  // true with *work set otherwise: the work holds one of the site's call
  // slots until it has run (run it once; dropping it unrun frees the slot).
  bool Begin(std::string_view path, const QueryParameters& query, PageResponse* answer,
             PageWork* work, const Viewer* viewer = nullptr);

  // Begin(), then the work on this thread.
  PageResponse Handle(std::string_view path, const QueryParameters& query,
                      const Viewer* viewer = nullptr);

  // A short page of the pages' look and headers (security, no caching) with
  // `status`, e.g. the login's refusals.
  static PageResponse MessageAnswer(int status, const std::string& title,
                                    const std::string& message);

  // A raw query string ("a=1&labels%5B%5D=x+y") as an HTML form sends it:
  // split on '&' then the first '=', '+' read as a space, then %XX decoded.
  // Empty names are dropped; at most 64 parameters are kept.
  static QueryParameters ParseQuery(std::string_view query);

  // Jira calls made so far (for tests and the benchmark's report).
  std::size_t jira_calls() const;

  // Requests that waited for another's identical Jira call (singleflight
  // followers) so far (for tests and the benchmark's report).
  std::size_t shared_calls() const;

  // Issue pages rendered (their description and comments sanitized) so far:
  // once per Jira answer, not per request (for tests and the benchmark).
  std::size_t detail_renders() const;

  // Jira clients open now, in use or idle (for tests).
  std::size_t open_clients() const;

 private:
  struct Repository;
  struct Site;
  struct Lease;
  struct CachedAnswer;
  struct Outcome;
  struct Flight;
  struct Takeoff;
  struct Ask;

  // The settings of a repository the settings name (see above); null
  // otherwise.
  std::shared_ptr<Repository> Find(const std::string& name);
  bool Named(const std::string& name) const;
  std::shared_ptr<Site> SiteFor(const config::Settings& settings);
  // A call slot of the site (and, later, a client), or null at the bound.
  std::shared_ptr<Lease> Acquire(const std::shared_ptr<Site>& site);
  void SweepIdleClients();

  // What a page asks of Jira, or its answer at once (a 303, a 400, a 404).
  std::optional<PageResponse> PlanList(const std::shared_ptr<Repository>& repository,
                                       const std::string& name, const QueryParameters& query,
                                       Ask* ask);
  std::optional<PageResponse> PlanDetail(const std::shared_ptr<Repository>& repository,
                                         const std::string& name, const std::string& key, Ask* ask);
  // The Jira half, with a call slot.
  Outcome FetchList(const Ask& ask, Lease& lease, Takeoff& takeoff);
  Outcome FetchDetail(const Ask& ask, Lease& lease);
  // The page from an outcome (shared, cached or the page's own).
  PageResponse Render(const Ask& ask, const Outcome& outcome);
  PageResponse RenderList(const Ask& ask, const Outcome& outcome);
  PageResponse RenderDetail(const Ask& ask, const Outcome& outcome);
  void CountJiraCalls(std::size_t calls);

  // The cache (see above); `ttl` <= 0 disables it.
  std::shared_ptr<const CachedAnswer> Cached(const std::string& key);
  void Store(const std::string& key, std::shared_ptr<const CachedAnswer> answer, int ttl_seconds);

  const config::Config& config_;
  bool web_ = false;
  std::string git_root_;
  std::vector<std::string> projects_;  // the names of [projects."x"]
  std::vector<std::string> groups_;    // the prefixes of [groups."x"]

  std::mutex repositories_mutex_;
  std::unordered_map<std::string, std::shared_ptr<Repository>> repositories_;

  mutable std::mutex sites_mutex_;
  std::unordered_map<std::string, std::shared_ptr<Site>> sites_;  // bounded by the settings
  std::condition_variable sweeper_wake_;
  bool stopping_ = false;
  std::thread sweeper_;

  using Clock = std::chrono::steady_clock;
  struct CacheEntry {
    std::shared_ptr<const CachedAnswer> answer;
    Clock::time_point expires;
    std::list<std::string>::iterator age;  // position in cache_order_ (oldest first)
  };
  mutable std::mutex cache_mutex_;
  std::unordered_map<std::string, CacheEntry> cache_;
  std::list<std::string> cache_order_;
  std::size_t jira_calls_ = 0;
  std::size_t shared_calls_ = 0;
  std::size_t detail_renders_ = 0;

  // Jira calls in flight by cache key (singleflight; see above). Never held
  // across a call.
  std::mutex flights_mutex_;
  std::unordered_map<std::string, std::shared_ptr<Flight>> flights_;
};

}  // namespace jiralink::serve
