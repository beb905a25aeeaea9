#include "jiralink/serve/issues_pages.h"

#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "issues_html.h"
#include "jiralink/core/jql.h"
#include "jiralink/issues/issue_paging.h"
#include "jiralink/issues/issue_scope.h"
#include "jiralink/issues/jira_errors.h"

namespace jiralink::serve {

namespace {

constexpr int kMaxPerPage = 100;                // the forge's ListService::PER_PAGE
constexpr std::size_t kMaxRepositories = 4096;  // then the settings cache starts over

const std::vector<std::pair<std::string, std::string>>& SecurityHeaders() {
  static const std::vector<std::pair<std::string, std::string>> kHeaders = {
      {"Content-Security-Policy",
       "default-src 'none'; style-src 'self'; img-src 'self' https:; form-action 'self'; "
       "frame-ancestors 'none'; base-uri 'none'"},
      {"X-Content-Type-Options", "nosniff"},
      {"Referrer-Policy", "no-referrer"},
  };
  return kHeaders;
}

PageResponse Page(int status, std::string body) {
  PageResponse response;
  response.status = status;
  response.body = std::move(body);
  response.headers = SecurityHeaders();
  // Issues are private to whoever may see the page: no shared caches.
  response.headers.emplace_back("Cache-Control", "private, no-store");
  return response;
}

// `list_path`: the list a detail page's URL names ("" for a list's own URL),
// made from the URL alone, so that the page is the same whether or not the
// repository exists.
PageResponse NotFound(const std::string& list_path = {}) {
  return Page(
      404, html::MessagePage("Page not found",
                             "There is no Jira issues page here, or it is turned off.", list_path));
}

PageResponse BadRequest(const std::string& message, const std::string& list_path) {
  return Page(400, html::MessagePage("Bad request", message, list_path));
}

// "a/b/-/integrations/jira/issues[/KEY]" split into repository and key.
bool SplitPath(std::string_view path, std::string* repository, std::string* key) {
  std::size_t marker = path.find(kIssuesPathMarker);
  if (marker == std::string_view::npos || marker == 0 || path[0] != '/') return false;
  *repository = std::string(path.substr(1, marker - 1));
  std::string_view rest = path.substr(marker + kIssuesPathMarker.size());
  if (rest.empty() || rest == "/") {
    key->clear();
    return !repository->empty();
  }
  if (rest[0] != '/') return false;
  rest.remove_prefix(1);
  if (rest.find('/') != std::string_view::npos) return false;
  *key = std::string(rest);
  return !repository->empty();
}

int ParseInt(const std::string& text, int fallback, int low, int high) {
  if (text.empty() || text.size() > 9) return fallback;
  for (char c : text) {
    if (c < '0' || c > '9') return fallback;
  }
  int value = std::atoi(text.c_str());
  return value < low ? fallback : (value > high ? high : value);
}

std::string Upper(std::string text) {
  for (char& c : text) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return text;
}

}  // namespace

struct IssuesPages::Repository {
  config::Settings settings;
  bool shown = false;  // the gate: [serve] web and an explicit [issues] enabled = true
  std::shared_ptr<Site> site;
  static constexpr const char* kNotConfigured =
      "The Jira integration of this repository is not configured. Check its [jira] settings.";
};

// One Jira site as the settings make clients for it; shared by every
// repository whose [jira] settings make the same client.
struct IssuesPages::Site {
  config::Settings settings;  // of the first repository that used it (its [jira] is the site's)
  std::mutex mutex;
  int busy = 0;  // calls in flight, at most kMaxJiraCallsPerSite
  std::vector<std::pair<std::unique_ptr<jira::Client>, Clock::time_point>> idle;  // since when
  std::size_t open = 0;  // clients made and not closed
  bool cloud = false;
  bool deployment_known = false;
};

// One call slot of a site, and the client used in it; given back when the
// work is done (or dropped).
struct IssuesPages::Lease {
  std::shared_ptr<Site> site;
  std::unique_ptr<jira::Client> client;
  Status client_status;

  ~Lease() {
    std::lock_guard lock(site->mutex);
    if (client != nullptr) site->idle.emplace_back(std::move(client), Clock::now());
    --site->busy;
  }

  // The client, made at the first call. Null (and the reason logged) when
  // the settings cannot make one: the page then says kNotConfigured, 503.
  jira::Client* ClientOrLog(const std::string& name) {
    if (client == nullptr && client_status.ok()) {
      client_status = issues::MakeClient(site->settings, &client);
      if (client != nullptr) {
        std::lock_guard lock(site->mutex);
        ++site->open;
      }
    }
    if (client == nullptr) {
      std::fprintf(stderr, "jiralink serve: %s: Jira issues: %s\n", name.c_str(),
                   client_status.message().c_str());
    }
    return client.get();
  }
};

struct IssuesPages::CachedAnswer {
  issues::IssuePage page;        // a list page
  jira::Issue issue;             // or one issue,
  std::string html;              // with its page, rendered and sanitized once
  std::int64_t open_count = -1;  // or a list's tab counts
  std::int64_t closed_count = -1;
};

// What a Jira call gave a page: shared by the requests that waited for it.
struct IssuesPages::Outcome {
  std::shared_ptr<const CachedAnswer> answer;  // null when the call failed
  jira::ApiStatus failure;
  bool not_found = false;       // the issue: none, or moved outside the projects
  bool not_configured = false;  // no client could be made (the log says why)
};

// One Jira call in flight, and the requests waiting for its outcome.
struct IssuesPages::Flight {
  std::mutex mutex;
  std::condition_variable landed_signal;
  bool landed = false;
  Outcome outcome;
};

// The leader's hold on its flight: lands it once, with the outcome or (the
// work dropped unrun) a failure, so that no follower waits for nothing.
struct IssuesPages::Takeoff {
  IssuesPages* pages = nullptr;
  std::string key;
  std::shared_ptr<Flight> flight;
  bool done = false;

  void Land(const Outcome& outcome) {
    if (done) return;
    done = true;
    {
      std::lock_guard lock(pages->flights_mutex_);
      auto it = pages->flights_.find(key);
      if (it != pages->flights_.end() && it->second == flight) pages->flights_.erase(it);
    }
    std::lock_guard lock(flight->mutex);
    flight->outcome = outcome;
    flight->landed = true;
    flight->landed_signal.notify_all();
  }

  ~Takeoff() {
    if (done) return;
    Outcome lost;
    lost.failure.network_error = "the page's Jira call did not run";
    Land(lost);
  }
};

// One page's request: what it asks of Jira and how its answer is shown.
struct IssuesPages::Ask {
  std::shared_ptr<Repository> repository;
  std::string name;
  std::string key;  // of the cache and of the flight
  bool detail = false;
  // The list.
  html::ListView view;
  issues::PageRequest request;
  std::string token;
  QueryParameters kept_query;  // the page's parameters but page=, for the 303 to the last page
  std::string counts_key;      // the same filters on any tab
  std::string open_jql;        // for the counts
  std::string closed_jql;
  std::string filter;  // the visitor's filters, named for a 400 ("" = none)
  // The detail.
  html::DetailView detail_view;
  std::string issue_key;
};

IssuesPages::IssuesPages(const config::Config& config) : config_(config) {
  config::Settings instance = config_.ForRepo("");
  web_ = instance.serve.web;
  git_root_ = instance.git.root;
  for (const config::Config::Level& level : config_.Levels()) {
    if (level.table_path.size() != 2) continue;
    std::string name = config::RepositoryName(level.table_path[1], "");
    if (name.empty()) continue;
    (level.table_path[0] == "projects" ? projects_ : groups_).push_back(std::move(name));
  }
  sweeper_ = std::thread([this] {
    std::unique_lock lock(sites_mutex_);
    while (!stopping_) {
      sweeper_wake_.wait_for(lock, std::chrono::seconds(2));
      if (stopping_) break;
      lock.unlock();
      SweepIdleClients();
      lock.lock();
    }
  });
}

IssuesPages::~IssuesPages() {
  {
    std::lock_guard lock(sites_mutex_);
    stopping_ = true;
  }
  sweeper_wake_.notify_all();
  sweeper_.join();
}

void IssuesPages::SweepIdleClients() {
  std::vector<std::shared_ptr<Site>> sites;
  {
    std::lock_guard lock(sites_mutex_);
    for (const auto& [key, site] : sites_) sites.push_back(site);
  }
  Clock::time_point cutoff = Clock::now() - std::chrono::seconds(kIdleClientSeconds);
  for (const std::shared_ptr<Site>& site : sites) {
    std::vector<std::unique_ptr<jira::Client>> closing;  // closed outside the lock
    std::lock_guard lock(site->mutex);
    for (auto it = site->idle.begin(); it != site->idle.end();) {
      if (it->second <= cutoff) {
        closing.push_back(std::move(it->first));
        it = site->idle.erase(it);
        --site->open;
      } else {
        ++it;
      }
    }
  }
}

std::size_t IssuesPages::open_clients() const {
  std::lock_guard lock(sites_mutex_);
  std::size_t open = 0;
  for (const auto& [key, site] : sites_) {
    std::lock_guard site_lock(site->mutex);
    open += site->open;
  }
  return open;
}

bool IssuesPages::Named(const std::string& name) const {
  for (const std::string& project : projects_) {
    if (project == name) return true;
  }
  for (const std::string& group : groups_) {
    // Whole path components: "ops" covers "ops/x", not "opsx".
    if (name.size() > group.size() && name.starts_with(group) && name[group.size()] == '/') {
      return true;
    }
  }
  if (git_root_.empty()) return false;
  // A repository that exists under [git] root. The name is a path below it:
  // no "." or ".." component may lead elsewhere.
  for (std::size_t start = 0; start <= name.size();) {
    std::size_t end = name.find('/', start);
    if (end == std::string::npos) end = name.size();
    std::string_view part = std::string_view(name).substr(start, end - start);
    if (part.empty() || part == "." || part == "..") return false;
    start = end + 1;
  }
  struct stat info;
  for (const std::string& candidate : {git_root_ + "/" + name + ".git", git_root_ + "/" + name}) {
    if (::stat(candidate.c_str(), &info) == 0 && S_ISDIR(info.st_mode)) return true;
  }
  return false;
}

std::shared_ptr<IssuesPages::Site> IssuesPages::SiteFor(const config::Settings& settings) {
  const config::JiraSettings& jira = settings.jira;
  // Everything that makes a different client.
  std::string key;
  for (const std::string* part : {&jira.api_url, &jira.username, &jira.token, &jira.token_file,
                                  &jira.token_env, &jira.ca_file}) {
    key += *part;
    key += '\n';
  }
  key += std::to_string(static_cast<int>(jira.auth)) + " " +
         std::to_string(static_cast<int>(jira.token_source)) + " " +
         std::to_string(jira.timeout_seconds) + " " + std::to_string(jira.connect_timeout_seconds) +
         (jira.verify_tls ? " verify" : " insecure");
  std::lock_guard lock(sites_mutex_);
  std::shared_ptr<Site>& site = sites_[key];
  if (site == nullptr) {
    site = std::make_shared<Site>();
    site->settings = settings;
  }
  return site;
}

std::shared_ptr<IssuesPages::Lease> IssuesPages::Acquire(const std::shared_ptr<Site>& site) {
  std::unique_ptr<jira::Client> client;
  {
    std::lock_guard lock(site->mutex);
    if (site->busy >= kMaxJiraCallsPerSite) return nullptr;
    ++site->busy;
    if (!site->idle.empty()) {
      client = std::move(site->idle.back().first);
      site->idle.pop_back();
    }
  }
  // From here the slot is the lease's: its destructor gives it back.
  auto lease = std::make_shared<Lease>();
  lease->site = site;
  lease->client = std::move(client);
  return lease;
}

bool IssuesPages::Handles(std::string_view path) {
  if (path == kStylesheetPath) return true;
  std::string repository;
  std::string key;
  return SplitPath(path, &repository, &key);
}

namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string FormDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '+') {
      out.push_back(' ');
    } else if (c == '%' && i + 2 < text.size() && HexValue(text[i + 1]) >= 0 &&
               HexValue(text[i + 2]) >= 0) {
      out.push_back(static_cast<char>(HexValue(text[i + 1]) * 16 + HexValue(text[i + 2])));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

constexpr std::size_t kMaxQueryParameters = 64;

}  // namespace

QueryParameters IssuesPages::ParseQuery(std::string_view query) {
  QueryParameters parameters;
  while (!query.empty() && parameters.size() < kMaxQueryParameters) {
    std::size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    std::size_t eq = pair.find('=');
    std::string name = FormDecode(pair.substr(0, eq));
    if (name.empty()) continue;
    parameters.emplace_back(std::move(name), eq == std::string_view::npos
                                                 ? std::string()
                                                 : FormDecode(pair.substr(eq + 1)));
  }
  return parameters;
}

std::size_t IssuesPages::jira_calls() const {
  std::lock_guard lock(cache_mutex_);
  return jira_calls_;
}

std::size_t IssuesPages::shared_calls() const {
  std::lock_guard lock(cache_mutex_);
  return shared_calls_;
}

std::size_t IssuesPages::detail_renders() const {
  std::lock_guard lock(cache_mutex_);
  return detail_renders_;
}

void IssuesPages::CountJiraCalls(std::size_t calls) {
  std::lock_guard lock(cache_mutex_);
  jira_calls_ += calls;
}

std::shared_ptr<IssuesPages::Repository> IssuesPages::Find(const std::string& name) {
  {
    std::lock_guard lock(repositories_mutex_);
    auto it = repositories_.find(name);
    if (it != repositories_.end()) return it->second;
  }
  if (!Named(name)) return nullptr;  // nothing kept for a name from a URL
  auto repository = std::make_shared<Repository>();
  repository->settings = config_.ForRepo(name);
  repository->shown =
      web_ && repository->settings.issues.enabled && repository->settings.issues.enabled_set;
  if (repository->shown) repository->site = SiteFor(repository->settings);
  std::lock_guard lock(repositories_mutex_);
  if (repositories_.size() >= kMaxRepositories) repositories_.clear();
  repositories_.emplace(name, repository);
  return repository;
}

std::shared_ptr<const IssuesPages::CachedAnswer> IssuesPages::Cached(const std::string& key) {
  std::lock_guard lock(cache_mutex_);
  auto it = cache_.find(key);
  if (it == cache_.end()) return nullptr;
  if (Clock::now() >= it->second.expires) {
    cache_order_.erase(it->second.age);
    cache_.erase(it);
    return nullptr;
  }
  return it->second.answer;
}

void IssuesPages::Store(const std::string& key, std::shared_ptr<const CachedAnswer> answer,
                        int ttl_seconds) {
  if (ttl_seconds <= 0) return;
  std::lock_guard lock(cache_mutex_);
  Clock::time_point now = Clock::now();
  if (auto it = cache_.find(key); it != cache_.end()) {
    cache_order_.erase(it->second.age);
    cache_.erase(it);
  }
  if (cache_.size() >= kMaxCachedAnswers) {
    for (auto it = cache_.begin(); it != cache_.end();) {  // expired ones first
      if (now >= it->second.expires) {
        cache_order_.erase(it->second.age);
        it = cache_.erase(it);
      } else {
        ++it;
      }
    }
    while (cache_.size() >= kMaxCachedAnswers) {  // then the oldest
      cache_.erase(cache_order_.front());
      cache_order_.pop_front();
    }
  }
  cache_order_.push_back(key);
  cache_.emplace(key, CacheEntry{std::move(answer), now + std::chrono::seconds(ttl_seconds),
                                 std::prev(cache_order_.end())});
}

PageResponse IssuesPages::Handle(std::string_view path, const QueryParameters& query,
                                 const Viewer* viewer) {
  PageResponse answer;
  PageWork work;
  if (!Begin(path, query, &answer, &work, viewer)) return answer;
  return work();
}

PageResponse IssuesPages::MessageAnswer(int status, const std::string& title,
                                        const std::string& message) {
  return Page(status, html::MessagePage(title, message));
}

bool IssuesPages::Begin(std::string_view path, const QueryParameters& query, PageResponse* answer,
                        PageWork* work, const Viewer* viewer) {
  if (path == kStylesheetPath) {
    answer->content_type = "text/css; charset=utf-8";
    answer->headers = SecurityHeaders();
    answer->headers.emplace_back("Cache-Control", "public, max-age=86400");
    answer->body = html::Stylesheet();
    return false;
  }
  std::string raw_repository;
  std::string key;
  std::string name;
  std::shared_ptr<Repository> repository;
  if (web_ && SplitPath(path, &raw_repository, &key)) {
    name = config::RepositoryName(raw_repository, "");
    if (!name.empty()) repository = Find(name);
  }
  // One answer for unknown, turned off and not yours: a 404 tells nothing.
  if (repository == nullptr || !repository->shown ||
      !ViewerMayRead(repository->settings.issues.viewers, viewer)) {
    *answer = NotFound(key.empty() || name.empty() ? std::string()
                                                   : "/" + name + std::string(kIssuesPathMarker));
    return false;
  }
  auto ask = std::make_shared<Ask>();
  // Answered here when no Jira call is needed (a 303, a 400, a 404).
  std::optional<PageResponse> now = key.empty()
                                        ? PlanList(repository, name, query, ask.get())
                                        : PlanDetail(repository, name, Upper(key), ask.get());
  if (now.has_value()) {
    *answer = std::move(*now);
    return false;
  }
  // A cached answer: no Jira call, no lock but the cache's. (Not for a
  // repository with cache_seconds = 0, though another on its site stored one.)
  std::shared_ptr<const CachedAnswer> cached;
  if (repository->settings.issues.cache_seconds > 0) cached = Cached(ask->key);
  if (cached != nullptr) {
    Outcome outcome;
    outcome.answer = std::move(cached);
    *answer = Render(*ask, outcome);
    return false;
  }
  // The same call in flight: follow it. Else lead one, with a call slot.
  std::shared_ptr<Flight> flight;
  std::shared_ptr<Lease> lease;
  {
    std::lock_guard lock(flights_mutex_);
    auto it = flights_.find(ask->key);
    if (it != flights_.end()) {
      flight = it->second;
    } else {
      lease = Acquire(repository->site);
      if (lease != nullptr) {
        flight = std::make_shared<Flight>();
        flights_.emplace(ask->key, flight);
      }
    }
  }
  if (flight == nullptr) {
    std::fprintf(stderr,
                 "jiralink serve: %s: Jira issues: %d calls to the site in flight; answered 503\n",
                 name.c_str(), kMaxJiraCallsPerSite);
    *answer = Page(503, html::MessagePage("Jira is busy",
                                          "Too many pages are waiting for Jira right now. Try "
                                          "again in a few seconds."));
    answer->headers.emplace_back("Retry-After", std::to_string(kBusyRetryAfterSeconds));
    return false;
  }
  if (lease == nullptr) {
    {
      std::lock_guard lock(cache_mutex_);
      ++shared_calls_;
    }
    Clock::time_point deadline =
        Clock::now() + std::chrono::seconds(repository->settings.jira.timeout_seconds);
    *work = [this, ask, flight, deadline]() {
      Outcome outcome;
      bool landed = false;
      {
        std::unique_lock lock(flight->mutex);
        landed = flight->landed_signal.wait_until(lock, deadline, [&] { return flight->landed; });
        if (landed) outcome = flight->outcome;
      }
      if (!landed) {
        outcome.failure.network_error =
            "Operation timed out: no answer from Jira within [jira] timeout_seconds";
      }
      return Render(*ask, outcome);
    };
    return true;
  }
  auto takeoff = std::make_shared<Takeoff>();
  takeoff->pages = this;
  takeoff->key = ask->key;
  takeoff->flight = flight;
  *work = [this, ask, lease, takeoff]() {
    Outcome outcome = ask->detail ? FetchDetail(*ask, *lease) : FetchList(*ask, *lease, *takeoff);
    takeoff->Land(outcome);
    return Render(*ask, outcome);
  };
  return true;
}

namespace {

// A path for a Location header: each byte outside [A-Za-z0-9-._~/]
// percent-encoded.
std::string EncodePath(std::string_view path) {
  std::string out;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    out += html::UrlEncode(path.substr(start, slash - start));
    if (slash < path.size()) out += '/';
    start = slash + 1;
  }
  return out;
}

PageResponse SeeOther(const std::string& location) {
  PageResponse response =
      Page(303, html::MessagePage("See other", "This page is at " + location + "."));
  response.headers.emplace_back("Location", location);
  return response;
}

}  // namespace

std::optional<PageResponse> IssuesPages::PlanList(const std::shared_ptr<Repository>& repository,
                                                  const std::string& name,
                                                  const QueryParameters& query, Ask* ask) {
  const config::Settings& settings = repository->settings;
  std::string base_path = "/" + name + std::string(kIssuesPathMarker);
  // A form sends its blank fields too: the same page without them.
  QueryParameters kept;
  for (const auto& parameter : query) {
    if (!parameter.second.empty()) kept.push_back(parameter);
  }
  if (kept.size() != query.size()) {
    return SeeOther(EncodePath(base_path) + html::QueryString(kept));
  }
  html::ListState state;
  bool has_state = false;
  std::string sort;
  std::string page;
  std::string per_page;
  QueryParameters filters;  // the visitor's, for a 400
  for (const auto& [parameter, value] : query) {
    if (parameter == "state") {
      state.state = value;
      has_state = !value.empty();
    } else if (parameter == "labels[]" || parameter == "labels") {
      state.labels.push_back(value);
      filters.emplace_back("label", value);
    } else if (parameter == "status") {
      state.status = value;
      filters.emplace_back("status", value);
    } else if (parameter == "author_username") {
      state.author = value;
      filters.emplace_back("author", value);
    } else if (parameter == "assignee_username") {
      state.assignee = value;
      filters.emplace_back("assignee", value);
    } else if (parameter == "project") {
      state.project = value;
      filters.emplace_back("project", value);
    } else if (parameter == "search") {
      state.search = value;
      filters.emplace_back("search", value);
    } else if (parameter == "sort") {
      sort = value;
    } else if (parameter == "page") {
      page = value;
    } else if (parameter == "per_page") {
      per_page = value;
    } else if (parameter == "next_page_token") {
      state.token = value;
    }
  }
  // The forge's defaults: the Open tab; recently updated first on Closed.
  if (!has_state) state.state = "opened";
  jql::IssueQuery jql_query;
  if (!jql::ParseIssueState(state.state, &jql_query.state).ok()) {
    state.state = "all";  // the forge adds no state clause for other values
    jql_query.state = jql::IssueState::kAll;
  }
  state.sort_given = !sort.empty();
  if (sort.empty()) sort = state.state == "closed" ? "updated_desc" : "created_desc";
  if (sort == "created_date") sort = "created_desc";
  if (!jql::ParseIssueSort(sort, &jql_query.sort).ok()) sort = "created_desc";
  state.sort = sort;
  state.page = ParseInt(page, 1, 1, 1000000);
  state.per_page_given = !per_page.empty();
  state.per_page = ParseInt(per_page, kMaxPerPage, 1, kMaxPerPage);

  std::vector<std::string> allowed = issues::ConfiguredProjectKeys(settings.issues);
  if (!state.project.empty() && !issues::ProjectKeyAllowed(settings.issues, state.project)) {
    return BadRequest("Project " + state.project +
                          " is not one of the Jira projects of this repository (" +
                          issues::JoinKeys(allowed) + ").",
                      "/" + name + std::string(kIssuesPathMarker));
  }
  jql_query.project_keys =
      state.project.empty() ? allowed : std::vector<std::string>{state.project};
  jql_query.labels = state.labels;
  jql_query.status = state.status;
  jql_query.reporter = state.author;
  jql_query.assignee = state.assignee;
  jql_query.search = state.search;
  std::string jql_text = jql::BuildJql(jql_query);
  // The counts: the same filters on the Open and Closed tabs (All is both:
  // every status has one category).
  jql::IssueQuery count_query = jql_query;
  count_query.sort = jql::IssueSort{};
  count_query.state = jql::IssueState::kOpened;
  ask->open_jql = jql::BuildJql(count_query);
  count_query.state = jql::IssueState::kClosed;
  ask->closed_jql = jql::BuildJql(count_query);
  ask->counts_key = "counts\n" + settings.jira.api_url + "\n" + ask->open_jql;

  ask->repository = repository;
  ask->name = name;
  ask->view.repository = name;
  ask->view.base_path = base_path;
  ask->view.web_url = issues::JiraWebUrl(settings.jira);
  ask->view.project_keys = allowed;
  ask->view.state = state;
  ask->request.jql = jql_text;
  ask->request.page = state.page;
  ask->request.per_page = state.per_page;
  ask->request.fields = issues::ListFields();
  ask->token = state.token;
  for (const auto& parameter : query) {
    if (parameter.first != "page") ask->kept_query.push_back(parameter);
  }
  for (const auto& [field, value] : filters) {
    ask->filter += (ask->filter.empty() ? "" : ", ") + field + " \"" + value + "\"";
  }
  // Server pages by number, Cloud by token: both in the key, whichever the
  // site is (a site is one or the other).
  ask->key = "list\n" + settings.jira.api_url + "\n" + jql_text + "\n" +
             std::to_string(state.per_page) + "\npage " + std::to_string(state.page) + "\ntoken " +
             state.token;
  return std::nullopt;
}

std::optional<PageResponse> IssuesPages::PlanDetail(const std::shared_ptr<Repository>& repository,
                                                    const std::string& name, const std::string& key,
                                                    Ask* ask) {
  const config::Settings& settings = repository->settings;
  std::string project = issues::ProjectOfIssueKey(key);
  // As the forge's find_issue(restrict_project_key: true): a key outside the
  // configured projects is not asked for.
  if (project.empty() || !issues::ProjectKeyAllowed(settings.issues, project)) {
    return NotFound("/" + name + std::string(kIssuesPathMarker));
  }
  ask->repository = repository;
  ask->name = name;
  ask->detail = true;
  ask->issue_key = key;
  ask->detail_view.repository = name;
  ask->detail_view.list_path = "/" + name + std::string(kIssuesPathMarker);
  ask->detail_view.web_url = issues::JiraWebUrl(settings.jira);
  ask->detail_view.key = key;
  // The rendered page is cached with the issue: the key names the page's
  // repository and links as well as the issue.
  ask->key = "issue\n" + settings.jira.api_url + "\n" + ask->detail_view.web_url + "\n" + name +
             "\n" + key;
  return std::nullopt;
}

IssuesPages::Outcome IssuesPages::FetchList(const Ask& ask, Lease& lease, Takeoff& takeoff) {
  const config::Settings& settings = ask.repository->settings;
  Site& site = *ask.repository->site;
  Outcome outcome;
  jira::Client* client = lease.ClientOrLog(ask.name);
  if (client == nullptr) {
    outcome.not_configured = true;
    return outcome;
  }
  bool known = false;
  bool cloud = false;
  {
    std::lock_guard lock(site.mutex);
    known = site.deployment_known;
    cloud = site.cloud;
  }
  if (!known) {
    // Cloud or Server, as the forge decides it: serverInfo's deploymentType
    // (then the host), asked once per site. A failure is this page's.
    jira::ServerInfo info;
    outcome.failure = client->GetServerInfo(&info);
    CountJiraCalls(1);
    if (!outcome.failure.ok()) return outcome;
    cloud = info.deployment == jira::Deployment::kCloud;
    std::lock_guard lock(site.mutex);
    site.cloud = cloud;
    site.deployment_known = true;
  }
  issues::PageRequest request = ask.request;
  request.cloud = cloud;
  auto fresh = std::make_shared<CachedAnswer>();
  outcome.failure = cloud ? issues::FetchIssuePageByToken(*client, request, ask.token, &fresh->page)
                          : issues::FetchIssuePage(*client, request, &fresh->page);
  CountJiraCalls(static_cast<std::size_t>(fresh->page.requests));
  if (!outcome.failure.ok()) return outcome;
  Store(ask.key, fresh, settings.issues.cache_seconds);
  outcome.answer = fresh;
  // The list is shared now; the counts follow for this page and the cache
  // (none without a cache: cache_seconds = 0 asks Jira for the list only).
  if (settings.issues.cache_seconds > 0 && Cached(ask.counts_key) == nullptr) {
    takeoff.Land(outcome);
    auto counts = std::make_shared<CachedAnswer>();
    const std::string& state = ask.view.state.state;
    std::int64_t total = cloud ? -1 : fresh->page.total;
    jira::ApiStatus status;
    if (!cloud && state == "opened") {
      counts->open_count = total;
      status = client->CountIssues(ask.closed_jql, &counts->closed_count);
      CountJiraCalls(1);
    } else if (!cloud && state == "closed") {
      counts->closed_count = total;
      status = client->CountIssues(ask.open_jql, &counts->open_count);
      CountJiraCalls(1);
    } else {
      status = client->CountIssues(ask.open_jql, &counts->open_count);
      CountJiraCalls(1);
      if (status.ok() && !cloud && total >= 0 && counts->open_count >= 0) {
        counts->closed_count = std::max<std::int64_t>(0, total - counts->open_count);
      } else if (status.ok()) {
        status = client->CountIssues(ask.closed_jql, &counts->closed_count);
        CountJiraCalls(1);
      }
    }
    if (status.ok() && counts->open_count >= 0 && counts->closed_count >= 0) {
      Store(ask.counts_key, counts, settings.issues.cache_seconds);
      // The page shows them even without a cache (cache_seconds = 0).
      auto with_counts = std::make_shared<CachedAnswer>(*fresh);
      with_counts->open_count = counts->open_count;
      with_counts->closed_count = counts->closed_count;
      outcome.answer = with_counts;
    } else if (!status.ok()) {
      std::fprintf(stderr, "jiralink serve: %s: Jira issues: the tabs' counts: %s\n",
                   ask.name.c_str(), status.ToString().c_str());
    }
  }
  return outcome;
}

IssuesPages::Outcome IssuesPages::FetchDetail(const Ask& ask, Lease& lease) {
  const config::Settings& settings = ask.repository->settings;
  Outcome outcome;
  jira::Client* client = lease.ClientOrLog(ask.name);
  if (client == nullptr) {
    outcome.not_configured = true;
    return outcome;
  }
  auto fresh = std::make_shared<CachedAnswer>();
  outcome.failure = client->GetIssue(ask.issue_key, "renderedFields", "", &fresh->issue);
  CountJiraCalls(1);
  if (outcome.failure.http_status == 404) {
    outcome.not_found = true;
    return outcome;
  }
  if (!outcome.failure.ok()) return outcome;
  // Jira answers a moved issue under its new key; it must still be allowed.
  if (!fresh->issue.key.empty() &&
      !issues::ProjectKeyAllowed(settings.issues, issues::ProjectOfIssueKey(fresh->issue.key))) {
    outcome.not_found = true;
    return outcome;
  }
  if (fresh->issue.key.empty()) fresh->issue.key = ask.issue_key;
  // Rendered (and sanitized) once, for every request the entry answers.
  html::DetailView view = ask.detail_view;
  view.issue = &fresh->issue;
  fresh->html = html::DetailPage(view);
  {
    std::lock_guard lock(cache_mutex_);
    ++detail_renders_;
  }
  Store(ask.key, fresh, settings.issues.cache_seconds);
  outcome.answer = std::move(fresh);
  return outcome;
}

PageResponse IssuesPages::Render(const Ask& ask, const Outcome& outcome) {
  return ask.detail ? RenderDetail(ask, outcome) : RenderList(ask, outcome);
}

PageResponse IssuesPages::RenderList(const Ask& ask, const Outcome& outcome) {
  html::ListView view = ask.view;
  {
    std::lock_guard lock(ask.repository->site->mutex);
    view.cloud = ask.repository->site->cloud;
  }
  if (outcome.not_configured) {
    view.error = Repository::kNotConfigured;
    return Page(503, html::ListPage(view));
  }
  if (outcome.answer == nullptr) {
    issues::ForgeError error = issues::DescribeForForge(outcome.failure, ask.filter);
    std::fprintf(stderr, "jiralink serve: %s: Jira issues: %s\n", ask.name.c_str(),
                 outcome.failure.ToString().c_str());
    view.error = error.message;
    PageResponse page = Page(error.http_status, html::ListPage(view));
    if (error.retry_after_seconds > 0) {
      page.headers.emplace_back("Retry-After", std::to_string(error.retry_after_seconds));
    }
    return page;
  }
  const issues::IssuePage& result = outcome.answer->page;
  // Beyond the last page (Server: the total says where it is): 303 there.
  if (!view.cloud && result.issues.empty() && result.total >= 0 && view.state.page > 1) {
    std::int64_t last =
        std::max<std::int64_t>(1, (result.total + view.state.per_page - 1) / view.state.per_page);
    if (view.state.page > last) {
      QueryParameters query = ask.kept_query;
      if (last > 1) query.emplace_back("page", std::to_string(last));
      return SeeOther(EncodePath(view.base_path) + html::QueryString(query));
    }
  }
  view.result = &result;
  view.open_count = outcome.answer->open_count;
  view.closed_count = outcome.answer->closed_count;
  if ((view.open_count < 0 || view.closed_count < 0) &&
      ask.repository->settings.issues.cache_seconds > 0) {
    if (std::shared_ptr<const CachedAnswer> counts = Cached(ask.counts_key); counts != nullptr) {
      view.open_count = counts->open_count;
      view.closed_count = counts->closed_count;
    }
  }
  return Page(200, html::ListPage(view));
}

PageResponse IssuesPages::RenderDetail(const Ask& ask, const Outcome& outcome) {
  if (outcome.not_found) return NotFound(ask.detail_view.list_path);
  html::DetailView view = ask.detail_view;
  if (outcome.not_configured) {
    view.error = Repository::kNotConfigured;
    return Page(503, html::DetailPage(view));
  }
  if (outcome.answer == nullptr) {
    issues::ForgeError error = issues::DescribeForForge(outcome.failure);
    std::fprintf(stderr, "jiralink serve: %s: Jira issue %s: %s\n", ask.name.c_str(),
                 ask.issue_key.c_str(), outcome.failure.ToString().c_str());
    view.error = error.message;
    PageResponse page = Page(error.http_status, html::DetailPage(view));
    if (error.retry_after_seconds > 0) {
      page.headers.emplace_back("Retry-After", std::to_string(error.retry_after_seconds));
    }
    return page;
  }
  return Page(200, outcome.answer->html);
}

}  // namespace jiralink::serve
