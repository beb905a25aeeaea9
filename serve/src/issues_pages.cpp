#include "jiralink/serve/issues_pages.h"

#include <sys/stat.h>

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

// The list page with the forge's message for a failed call; the details go
// to the log only.
PageResponse Failed(const std::string& name, const jira::ApiStatus& failure, html::ListView* view) {
  issues::ForgeError error = issues::DescribeForForge(failure);
  std::fprintf(stderr, "jiralink serve: %s: Jira issues: %s\n", name.c_str(),
               failure.ToString().c_str());
  view->error = error.message;
  return Page(error.http_status, html::ListPage(*view));
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
  issues::IssuePage page;  // a list page
  jira::Issue issue;       // or one issue
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
  if (!key.empty()) key = Upper(std::move(key));
  // Answered here when no Jira call is needed (a 404, a 400, a cached answer).
  std::optional<PageResponse> now = key.empty() ? List(*repository, name, query, nullptr)
                                                : Detail(*repository, name, key, nullptr);
  if (now.has_value()) {
    *answer = std::move(*now);
    return false;
  }
  std::shared_ptr<Lease> lease = Acquire(repository->site);
  if (lease == nullptr) {
    std::fprintf(stderr,
                 "jiralink serve: %s: Jira issues: %d calls to the site in flight; answered 503\n",
                 name.c_str(), kMaxJiraCallsPerSite);
    *answer = Page(503, html::MessagePage("Jira is busy",
                                          "Too many pages are waiting for Jira right now. Try "
                                          "again in a few seconds."));
    answer->headers.emplace_back("Retry-After", std::to_string(kBusyRetryAfterSeconds));
    return false;
  }
  *work = [this, repository, name, query, key, lease]() {
    std::optional<PageResponse> page = key.empty() ? List(*repository, name, query, lease.get())
                                                   : Detail(*repository, name, key, lease.get());
    return std::move(*page);
  };
  return true;
}

std::optional<PageResponse> IssuesPages::List(Repository& repository, const std::string& name,
                                              const QueryParameters& query, Lease* lease) {
  const config::Settings& settings = repository.settings;
  html::ListState state;
  bool has_state = false;
  std::string sort;
  std::string page;
  std::string per_page;
  for (const auto& [parameter, value] : query) {
    if (parameter == "state") {
      state.state = value;
      has_state = !value.empty();
    } else if (parameter == "labels[]" || parameter == "labels") {
      if (!value.empty()) state.labels.push_back(value);
    } else if (parameter == "status") {
      state.status = value;
    } else if (parameter == "author_username") {
      state.author = value;
    } else if (parameter == "assignee_username") {
      state.assignee = value;
    } else if (parameter == "project") {
      state.project = value;
    } else if (parameter == "search") {
      state.search = value;
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

  html::ListView view;
  view.repository = name;
  view.base_path = "/" + name + std::string(kIssuesPathMarker);
  view.web_url = issues::JiraWebUrl(settings.jira);
  view.project_keys = allowed;
  view.state = state;

  Site& site = *repository.site;
  issues::PageRequest request;
  request.jql = jql_text;
  request.page = state.page;
  request.per_page = state.per_page;
  request.fields = issues::ListFields();
  auto cache_key = [&](bool cloud) {
    return "list\n" + settings.jira.api_url + "\n" + jql_text + "\n" +
           std::to_string(state.per_page) + "\n" +
           (cloud ? "token " + state.token : "page " + std::to_string(state.page));
  };
  std::shared_ptr<const CachedAnswer> answer;
  jira::ApiStatus failure;
  if (lease == nullptr) {
    // Without a call: only a cached answer, once the site's kind is known.
    std::lock_guard lock(site.mutex);
    if (!site.deployment_known) return std::nullopt;
    view.cloud = site.cloud;
  } else {
    if (lease->ClientOrLog(name) == nullptr) {
      view.error = Repository::kNotConfigured;
      return Page(503, html::ListPage(view));
    }
    bool known = false;
    {
      std::lock_guard lock(site.mutex);
      known = site.deployment_known;
      view.cloud = site.cloud;
    }
    if (!known) {
      // Cloud or Server, as the forge decides it: serverInfo's deploymentType
      // (then the host), asked once per site. A failure is this page's.
      jira::ServerInfo info;
      failure = lease->client->GetServerInfo(&info);
      {
        std::lock_guard count(cache_mutex_);
        ++jira_calls_;
      }
      if (!failure.ok()) return Failed(name, failure, &view);
      view.cloud = info.deployment == jira::Deployment::kCloud;
      std::lock_guard lock(site.mutex);
      site.cloud = view.cloud;
      site.deployment_known = true;
    }
  }
  request.cloud = view.cloud;
  answer = Cached(cache_key(view.cloud));
  if (answer == nullptr) {
    if (lease == nullptr) return std::nullopt;
    auto fresh = std::make_shared<CachedAnswer>();
    failure = view.cloud ? issues::FetchIssuePageByToken(*lease->client, request, state.token,
                                                         &fresh->page)
                         : issues::FetchIssuePage(*lease->client, request, &fresh->page);
    {
      std::lock_guard count(cache_mutex_);
      jira_calls_ += static_cast<std::size_t>(fresh->page.requests);
    }
    if (failure.ok()) {
      Store(cache_key(view.cloud), fresh, settings.issues.cache_seconds);
      answer = std::move(fresh);
    }
  }
  if (answer == nullptr) return Failed(name, failure, &view);
  view.result = &answer->page;
  return Page(200, html::ListPage(view));
}

std::optional<PageResponse> IssuesPages::Detail(Repository& repository, const std::string& name,
                                                const std::string& key, Lease* lease) {
  const config::Settings& settings = repository.settings;
  std::string project = issues::ProjectOfIssueKey(key);
  // As the forge's find_issue(restrict_project_key: true): a key outside the
  // configured projects is not asked for.
  std::string list_path = "/" + name + std::string(kIssuesPathMarker);
  if (project.empty() || !issues::ProjectKeyAllowed(settings.issues, project)) {
    return NotFound(list_path);
  }
  html::DetailView view;
  view.repository = name;
  view.list_path = list_path;
  view.web_url = issues::JiraWebUrl(settings.jira);
  view.key = key;

  std::string cache_key = "issue\n" + settings.jira.api_url + "\n" + key;
  std::shared_ptr<const CachedAnswer> answer = Cached(cache_key);
  jira::ApiStatus failure;
  if (answer == nullptr) {
    if (lease == nullptr) return std::nullopt;
    if (lease->ClientOrLog(name) == nullptr) {
      view.error = Repository::kNotConfigured;
      return Page(503, html::DetailPage(view));
    }
    auto fresh = std::make_shared<CachedAnswer>();
    failure = lease->client->GetIssue(key, "renderedFields", "", &fresh->issue);
    {
      std::lock_guard count(cache_mutex_);
      ++jira_calls_;
    }
    if (failure.http_status == 404) return NotFound(list_path);
    if (failure.ok()) {
      // Jira answers a moved issue under its new key; it must still be allowed.
      if (!fresh->issue.key.empty() &&
          !issues::ProjectKeyAllowed(settings.issues,
                                     issues::ProjectOfIssueKey(fresh->issue.key))) {
        return NotFound(list_path);
      }
      if (fresh->issue.key.empty()) fresh->issue.key = key;
      Store(cache_key, fresh, settings.issues.cache_seconds);
      answer = std::move(fresh);
    }
  }
  if (answer == nullptr) {
    issues::ForgeError error = issues::DescribeForForge(failure);
    std::fprintf(stderr, "jiralink serve: %s: Jira issue %s: %s\n", name.c_str(), key.c_str(),
                 failure.ToString().c_str());
    view.error = error.message;
    return Page(error.http_status, html::DetailPage(view));
  }
  view.issue = &answer->issue;
  return Page(200, html::DetailPage(view));
}

}  // namespace jiralink::serve
