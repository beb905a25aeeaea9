#include "jiralink/serve/issues_pages.h"

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

PageResponse NotFound() {
  return Page(404, html::MessagePage("Page not found",
                                     "There is no Jira issues page here, or it is turned off."));
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

PageResponse BadRequest(const std::string& message) {
  return Page(400, html::MessagePage("Bad request", message));
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
  std::mutex client_mutex;
  std::unique_ptr<jira::Client> client;  // made on first use
  Status client_status;                  // why there is none
  bool cloud = false;
  bool deployment_known = false;

  // The client, made at the first call; the caller holds client_mutex. Null
  // (and the reason logged) when the settings cannot make one: the page
  // then says kNotConfigured with a 503.
  jira::Client* ClientOrLog(const std::string& name) {
    if (client == nullptr && client_status.ok()) {
      client_status = issues::MakeClient(settings, &client);
    }
    if (client == nullptr) {
      std::fprintf(stderr, "jiralink serve: %s: Jira issues: %s\n", name.c_str(),
                   client_status.message().c_str());
    }
    return client.get();
  }
  static constexpr const char* kNotConfigured =
      "The Jira integration of this repository is not configured. Check its [jira] settings.";
};

struct IssuesPages::CachedAnswer {
  issues::IssuePage page;  // a list page
  jira::Issue issue;       // or one issue
};

IssuesPages::IssuesPages(const config::Config& config) : config_(config) {
  web_ = config_.ForRepo("").serve.web;
}

IssuesPages::~IssuesPages() = default;

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
  std::lock_guard lock(repositories_mutex_);
  auto it = repositories_.find(name);
  if (it != repositories_.end()) return it->second;
  if (repositories_.size() >= kMaxRepositories) repositories_.clear();
  auto repository = std::make_shared<Repository>();
  repository->settings = config_.ForRepo(name);
  repository->shown =
      web_ && repository->settings.issues.enabled && repository->settings.issues.enabled_set;
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

PageResponse IssuesPages::Handle(std::string_view path, const QueryParameters& query) {
  if (path == kStylesheetPath) {
    PageResponse response;
    response.content_type = "text/css; charset=utf-8";
    response.headers = SecurityHeaders();
    response.headers.emplace_back("Cache-Control", "public, max-age=86400");
    response.body = html::Stylesheet();
    return response;
  }
  std::string raw_repository;
  std::string key;
  if (!web_ || !SplitPath(path, &raw_repository, &key)) return NotFound();
  std::string name = config::RepositoryName(raw_repository, "");
  if (name.empty()) return NotFound();
  std::shared_ptr<Repository> repository = Find(name);
  if (!repository->shown) return NotFound();
  return key.empty() ? List(*repository, name, query) : Detail(*repository, name, std::move(key));
}

PageResponse IssuesPages::List(Repository& repository, const std::string& name,
                               const QueryParameters& query) {
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
                      issues::JoinKeys(allowed) + ").");
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

  std::shared_ptr<const CachedAnswer> answer;
  jira::ApiStatus failure;
  {
    std::lock_guard lock(repository.client_mutex);
    if (repository.ClientOrLog(name) == nullptr) {
      view.error = Repository::kNotConfigured;
      return Page(503, html::ListPage(view));
    }
    if (!repository.deployment_known) {
      // Cloud or Server, as the forge decides it: serverInfo's deploymentType
      // (then the host), asked once per repository. A failure is this page's.
      jira::ServerInfo info;
      failure = repository.client->GetServerInfo(&info);
      {
        std::lock_guard count(cache_mutex_);
        ++jira_calls_;
      }
      if (failure.ok()) {
        repository.cloud = info.deployment == jira::Deployment::kCloud;
        repository.deployment_known = true;
      }
    }
    view.cloud = repository.cloud;
    if (!repository.deployment_known) return Failed(name, failure, &view);
    issues::PageRequest request;
    request.jql = jql_text;
    request.page = state.page;
    request.per_page = state.per_page;
    request.fields = issues::ListFields();
    request.cloud = repository.cloud;
    std::string cache_key =
        "list\n" + settings.jira.api_url + "\n" + jql_text + "\n" + std::to_string(state.per_page) +
        "\n" + (repository.cloud ? "token " + state.token : "page " + std::to_string(state.page));
    answer = Cached(cache_key);
    if (answer == nullptr) {
      auto fresh = std::make_shared<CachedAnswer>();
      failure = repository.cloud
                    ? issues::FetchIssuePageByToken(*repository.client, request, state.token,
                                                    &fresh->page)
                    : issues::FetchIssuePage(*repository.client, request, &fresh->page);
      {
        std::lock_guard count(cache_mutex_);
        jira_calls_ += static_cast<std::size_t>(fresh->page.requests);
      }
      if (failure.ok()) {
        Store(cache_key, fresh, settings.issues.cache_seconds);
        answer = std::move(fresh);
      }
    }
  }
  if (answer == nullptr) return Failed(name, failure, &view);
  view.result = &answer->page;
  return Page(200, html::ListPage(view));
}

PageResponse IssuesPages::Detail(Repository& repository, const std::string& name, std::string key) {
  const config::Settings& settings = repository.settings;
  key = Upper(std::move(key));
  std::string project = issues::ProjectOfIssueKey(key);
  // As the forge's find_issue(restrict_project_key: true): a key outside the
  // configured projects is not asked for.
  if (project.empty() || !issues::ProjectKeyAllowed(settings.issues, project)) return NotFound();
  html::DetailView view;
  view.repository = name;
  view.list_path = "/" + name + std::string(kIssuesPathMarker);
  view.web_url = issues::JiraWebUrl(settings.jira);
  view.key = key;

  std::string cache_key = "issue\n" + settings.jira.api_url + "\n" + key;
  std::shared_ptr<const CachedAnswer> answer = Cached(cache_key);
  jira::ApiStatus failure;
  if (answer == nullptr) {
    std::lock_guard lock(repository.client_mutex);
    if (repository.ClientOrLog(name) == nullptr) {
      view.error = Repository::kNotConfigured;
      return Page(503, html::DetailPage(view));
    }
    auto fresh = std::make_shared<CachedAnswer>();
    failure = repository.client->GetIssue(key, "renderedFields", "", &fresh->issue);
    {
      std::lock_guard count(cache_mutex_);
      ++jira_calls_;
    }
    if (failure.http_status == 404) return NotFound();
    if (failure.ok()) {
      // Jira answers a moved issue under its new key; it must still be allowed.
      if (!fresh->issue.key.empty() &&
          !issues::ProjectKeyAllowed(settings.issues,
                                     issues::ProjectOfIssueKey(fresh->issue.key))) {
        return NotFound();
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
