// The webhook service's throughput, end to end on loopback.
//
//   BM_WebhookAccept  signed GitLab merge-request events (X-Gitlab-Token), one
//                     per request, each a new merge request mentioning one key:
//                     routing, JSON, the secret check, planning and one outbox
//                     transaction (SQLite, WAL) before the 200
//   BM_NoopRoute      the same requests and bodies to POST /_noop on the same
//                     server: read the body, answer 204 (the HTTP baseline)
//   BM_ParsePayload   ParsePayload of one such body, one thread, against
//   BM_ParseWholeJson   nlohmann's DOM parse of the whole body (its baseline)
//   BM_IssuesPage/cold  GET the "View Jira issues" list (20 issues) of a
//                     repository with [issues] cache_seconds = 0: every
//                     request is a search on the stand-in Jira (the
//                     jira-standin program, Server) and a page render
//   BM_IssuesPage/warm  the same page with the default cache: after the first
//                     request, a cache lookup and a page render
//   BM_IssueDetail    the issue page of an issue with 60 comments, cached
//   BM_IssuesPagesSlowJira  issue #25's load test: 50 pages at once, half
//                     cached, Jira 3 s late; the cached pages' percentiles
//
// Both run 8 benchmark threads, each a keep-alive HTTP client (cpp-httplib),
// against one in-process server (libmicrohttpd, its default 8 request
// threads), whose outbox leaves checkpoints to delivery, as `serve`'s does
// (no delivery runs here: the WAL grows until SQLite's own checkpoint at
// 16384 pages). Items/s is requests per second; their ratio is what the
// outbox and the handler cost over plain HTTP. server_cpu_us is the CPU time
// of the server's threads per request, less disturbed by a loaded machine
// than requests/s.
//
// Where a webhook's server CPU goes (2026-12-01, loaded 2-core VM; method
// and the full table in docs/DEVELOPMENT.md), ~215 us per request against
// ~21 us for the no-op route: the outbox transaction 46% (SQLite 23%, WAL
// write in the kernel 15%, checkpoint 3%, fcntl locks 2%, WAL checksums 2%),
// JSON 20%, malloc/free 8%, kernel TCP send 8% and receive 3%,
// libmicrohttpd 1.5%, group commit 1.3%, event + planning 1.6%, the secret
// check 0.1%. With 16 KiB outbox pages it was ~287 us, the transaction 56%.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <benchmark/benchmark.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "jiralink/outbox/sqlite_outbox.h"
#include "jiralink/serve/http_server.h"
#include "jiralink/serve/issues_pages.h"
#include "jiralink/serve/merge_request_event.h"
#include "jiralink/serve/webhook_handler.h"
#include "process.h"

namespace jiralink::bench {
namespace {

constexpr char kSecret[] = "bench-secret";

// One server for both benchmarks, in a fresh directory, started on first use.
struct Service {
  Service() {
    char templ[] = "/tmp/jiralink-bench-serve-XXXXXX";
    dir = mkdtemp(templ);
    std::string secret_file = dir + "/secret";
    std::FILE* f = std::fopen(secret_file.c_str(), "w");
    std::fputs(kSecret, f);
    std::fclose(f);
    std::vector<config::Diagnostic> diagnostics;
    if (!config::Config::LoadFromString("[jira]\nweb_url = \"https://jira.example.com\"\n"
                                        "[serve]\nsecret_file = \"" +
                                            secret_file + "\"\n",
                                        dir + "/c.toml", &cfg, &diagnostics)
             .ok()) {
      std::abort();
    }
    std::unique_ptr<outbox::Outbox> outbox;
    if (!outbox::OpenSqliteOutbox(dir + "/outbox.sqlite3", &outbox,
                                  outbox::Checkpoints::kOnlyWhenLarge)
             .ok())
      std::abort();
    handler = std::make_unique<serve::WebhookHandler>(cfg, std::move(outbox),
                                                      serve::WebhookHandlerOptions{});
    serve::ServerOptions options;
    options.listen = "127.0.0.1:0";
    options.noop_route = true;
    if (!serve::HttpServer::Start(options, handler.get(), &server).ok()) std::abort();

    template_body = nlohmann::json::parse(
        ReadFileOrDie(std::string(JIRALINK_SOURCE_DIR) +
                      "/tests/fixtures/webhooks/gitlab/merge_request.open.json"));
    template_body["object_attributes"]["title"] = "PROJ-1: viewport";
    template_body["object_attributes"]["iid"] = 1000000000;
    template_text = template_body.dump();
    iid_at = template_text.find("1000000000");
  }
  ~Service() {
    server.reset();
    handler.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
  }

  static std::string ReadFileOrDie(const std::string& path) {
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (f == nullptr) std::abort();
    std::string text;
    char buffer[65536];
    std::size_t n;
    while ((n = std::fread(buffer, 1, sizeof buffer, f)) > 0) text.append(buffer, n);
    std::fclose(f);
    return text;
  }

  // A new merge request's open event (its iid written over the template's).
  std::string NextBody() {
    std::string body = template_text;
    body.replace(iid_at, 10, std::to_string(1000000000 + next_iid++));
    return body;
  }

  std::string dir;
  config::Config cfg;
  std::unique_ptr<serve::WebhookHandler> handler;
  std::unique_ptr<serve::HttpServer> server;
  nlohmann::json template_body;
  std::string template_text;
  std::size_t iid_at = 0;
  std::atomic<std::int64_t> next_iid{1};
};

Service& TheService() {
  static Service service;
  return service;
}

// A /proc file's first bytes ("" once the thread is gone).
std::string ReadSmallFile(const std::string& path) {
  std::string text(256, '\0');
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return "";
  text.resize(std::fread(text.data(), 1, text.size(), f));
  std::fclose(f);
  return text;
}

// CPU time (user + system, ns) used so far by this process's server threads:
// libmicrohttpd names its request threads "MHD-worker". The clients are the
// benchmark's own threads, so the process's total would count both.
std::int64_t ServerCpuNanos() {
  std::int64_t total = 0;
  std::error_code error;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task", error)) {
    std::string base = task.path().string();
    std::string comm = ReadSmallFile(base + "/comm");
    if (comm.rfind("MHD-", 0) != 0) continue;
    // schedstat: time on CPU (ns), time waiting to run, time slices.
    total += std::strtoll(ReadSmallFile(base + "/schedstat").c_str(), nullptr, 10);
  }
  return total;
}

void Post(benchmark::State& state, const char* path) {
  Service& service = TheService();
  httplib::Client client("127.0.0.1", service.server->port());
  client.set_keep_alive(true);
  client.set_tcp_nodelay(true);  // as forges' HTTP clients do (Go's net/http, Ruby's Net::HTTP)
  httplib::Headers headers = {{"X-Gitlab-Token", kSecret},
                              {"X-Gitlab-Event", "Merge Request Hook"}};
  int failures = 0;
  // Thread 0 samples the server's CPU time around the run (the other
  // threads start and stop within a request of it).
  std::int64_t server_cpu = state.thread_index() == 0 ? ServerCpuNanos() : 0;
  for (auto _ : state) {
    std::string body = service.NextBody();
    auto result = client.Post(path, headers, body, "application/json");
    if (!result || result->status >= 300) ++failures;
  }
  if (failures > 0) state.SkipWithError("some requests failed");
  state.SetItemsProcessed(state.iterations());
  if (state.thread_index() == 0) {
    // Per request of all threads (each thread ran state.iterations()).
    state.counters["server_cpu_us"] =
        benchmark::Counter(static_cast<double>(ServerCpuNanos() - server_cpu) / 1e3 /
                           static_cast<double>(state.iterations() * state.threads()));
  }
}

void BM_WebhookAccept(benchmark::State& state) { Post(state, "/hooks/gitlab"); }
void BM_NoopRoute(benchmark::State& state) { Post(state, "/_noop"); }

BENCHMARK(BM_WebhookAccept)->Threads(8)->UseRealTime()->MinTime(2.0);
BENCHMARK(BM_NoopRoute)->Threads(8)->UseRealTime()->MinTime(2.0);

// The payload parse alone, one thread: ParsePayload (keeps only the keys the
// handler reads) against parsing the whole document (nlohmann's DOM parser).
void BM_ParsePayload(benchmark::State& state) {
  std::string text = TheService().NextBody();
  for (auto _ : state) benchmark::DoNotOptimize(serve::ParsePayload(text));
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(text.size()));
}
void BM_ParseWholeJson(benchmark::State& state) {
  std::string text = TheService().NextBody();
  for (auto _ : state) benchmark::DoNotOptimize(nlohmann::json::parse(text));
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(text.size()));
}
BENCHMARK(BM_ParsePayload);
BENCHMARK(BM_ParseWholeJson);

// The pages' server: its own service, against the stand-in Jira.
struct PagesService {
  PagesService() {
    char templ[] = "/tmp/jiralink-bench-pages-XXXXXX";
    dir = mkdtemp(templ);
    std::string seed = R"({"projects":[{"key":"PROJ","name":"Bench"}],"issues":[)";
    for (int i = 1; i <= 20; ++i) {
      seed += std::string(i > 1 ? "," : "") + R"({"key":"PROJ-)" + std::to_string(i) +
              R"(","summary":"Bench issue )" + std::to_string(i) + R"(","labels":["bench"]})";
    }
    // An issue with 60 comments of a few paragraphs each (BM_IssueDetail).
    seed +=
        R"(,{"key":"PROJ-21","summary":"Sixty comments","description":"h2. About\n\n*bold* text","comments":[)";
    for (int i = 1; i <= 60; ++i) {
      seed += std::string(i > 1 ? "," : "") + R"("Comment )" + std::to_string(i) +
              R"(: *done* the _first_ part, see [the docs|https://example.com/docs].\n\n)" +
              R"(* a step\n* another step\n\n{code}make check{code}")";
    }
    seed += "]}]}";
    std::FILE* f = std::fopen((dir + "/seed.json").c_str(), "w");
    std::fputs(seed.c_str(), f);
    std::fclose(f);
    jira = std::make_unique<StandinProcess>(dir + "/seed.json");
    if (jira->url().empty()) return;
    std::vector<config::Diagnostic> diagnostics;
    if (!config::Config::LoadFromString(
             "[jira]\nweb_url = \"" + jira->url() +
                 "\"\nusername = \"jiralink-bot\"\ntoken = \"standin-token\"\n"
                 "[serve]\nweb = true\n[issues]\nenabled = true\nproject_keys = [\"PROJ\"]\n"
                 "[groups.\"bench\".issues]\nenabled = true\n"  // names the repositories
                 "[projects.\"bench/cold\".issues]\ncache_seconds = 0\n",
             dir + "/c.toml", &cfg, &diagnostics)
             .ok()) {
      std::abort();
    }
    pages = std::make_unique<serve::IssuesPages>(cfg);
    serve::ServerOptions options;
    options.listen = "127.0.0.1:0";
    options.issues_pages = pages.get();
    if (!serve::HttpServer::Start(options, nullptr, &server).ok()) std::abort();
  }
  ~PagesService() {
    server.reset();
    pages.reset();
    jira.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
  }

  std::string dir;
  std::unique_ptr<StandinProcess> jira;
  config::Config cfg;
  std::unique_ptr<serve::IssuesPages> pages;
  std::unique_ptr<serve::HttpServer> server;
};

PagesService& ThePagesService() {
  static PagesService service;
  return service;
}

void BM_IssuesPage(benchmark::State& state, const char* repository) {
  PagesService& service = ThePagesService();
  if (service.server == nullptr) {
    state.SkipWithError("jira-standin did not start (build it first)");
    return;
  }
  httplib::Client client("127.0.0.1", service.server->port());
  client.set_keep_alive(true);
  client.set_tcp_nodelay(true);
  std::string path = std::string("/") + repository + "/-/integrations/jira/issues";
  int failures = 0;
  for (auto _ : state) {
    auto result = client.Get(path);
    if (!result || result->status != 200 ||
        result->body.find("Bench issue 20") == std::string::npos) {
      ++failures;
    }
  }
  if (failures > 0) state.SkipWithError("some requests failed");
  state.SetItemsProcessed(state.iterations());
}

// The issue page of PROJ-21 (60 comments) from the cache, one client: a
// lookup and, before issue #25, a render that sanitized the description and
// every comment on each request; now the cached page as rendered once.
void BM_IssueDetail(benchmark::State& state) {
  PagesService& service = ThePagesService();
  if (service.server == nullptr) {
    state.SkipWithError("jira-standin did not start (build it first)");
    return;
  }
  httplib::Client client("127.0.0.1", service.server->port());
  client.set_keep_alive(true);
  client.set_tcp_nodelay(true);
  std::string path = "/bench/warm/-/integrations/jira/issues/PROJ-21";
  int failures = 0;
  for (auto _ : state) {
    auto result = client.Get(path);
    if (!result || result->status != 200 || result->body.find("Comment 60") == std::string::npos) {
      ++failures;
    }
  }
  if (failures > 0) state.SkipWithError("some requests failed");
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_IssueDetail)->UseRealTime()->MinTime(2.0);

// Issue #25's load test: rounds of 50 concurrent page requests, half of them
// cached (5 list pages of bench/warm, already in the cache), half not
// (5 list pages of bench/cold, cache_seconds = 0), with every search of the
// stand-in Jira delayed 3 s. Counters: the cached pages' latency
// percentiles (ms), the slowest uncached page, and how every request was
// answered (200, 503 busy, 504 timeout, other, none: no HTTP answer).
void BM_IssuesPagesSlowJira(benchmark::State& state) {
  PagesService& service = ThePagesService();
  if (service.server == nullptr) {
    state.SkipWithError("jira-standin did not start (build it first)");
    return;
  }
  constexpr int kPages = 50;
  constexpr int kQueries = 5;
  constexpr int kRounds = 4;
  const int port = service.server->port();
  auto path = [](bool cached, int query) {
    return std::string(cached ? "/bench/warm" : "/bench/cold") +
           "/-/integrations/jira/issues?labels%5B%5D=bench&per_page=" + std::to_string(10 + query);
  };
  httplib::Client admin(service.jira->url());
  for (int q = 0; q < kQueries; ++q) {
    httplib::Client warm("127.0.0.1", port);
    auto page = warm.Get(path(true, q));
    if (!page || page->status != 200) {
      state.SkipWithError("warming the cache failed");
      return;
    }
  }
  std::vector<double> cached_ms;
  double cold_max_ms = 0;
  int ok = 0, busy = 0, timeout = 0, other = 0, none = 0;
  for (auto _ : state) {
    auto delayed =
        admin.Post("/_standin/faults", R"({"path_contains":"/search","status":0,"delay_ms":3000})",
                   "application/json");
    if (!delayed || delayed->status != 200) {
      state.SkipWithError(("the stand-in took no fault at " + service.jira->url()).c_str());
      return;
    }
    for (int round = 0; round < kRounds; ++round) {
      std::vector<int> status(kPages, -1);
      std::vector<double> ms(kPages, 0);
      std::vector<std::thread> threads;
      for (int i = 0; i < kPages; ++i) {
        threads.emplace_back([&, i] {
          httplib::Client client("127.0.0.1", port);
          client.set_read_timeout(60, 0);
          auto start = std::chrono::steady_clock::now();
          auto page = client.Get(path(i % 2 == 0, (i / 2) % kQueries));
          ms[i] =
              std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                  .count();
          if (page) status[i] = page->status;
        });
      }
      for (std::thread& t : threads) t.join();
      for (int i = 0; i < kPages; ++i) {
        if (i % 2 == 0) {
          cached_ms.push_back(ms[i]);
        } else {
          cold_max_ms = std::max(cold_max_ms, ms[i]);
        }
        if (status[i] == 200)
          ++ok;
        else if (status[i] == 503)
          ++busy;
        else if (status[i] == 504)
          ++timeout;
        else if (status[i] == -1)
          ++none;
        else
          ++other;
      }
    }
    admin.Delete("/_standin/faults");
  }
  std::sort(cached_ms.begin(), cached_ms.end());
  auto percentile = [&](double p) {
    if (cached_ms.empty()) return 0.0;
    std::size_t at = static_cast<std::size_t>(p * static_cast<double>(cached_ms.size() - 1) + 0.5);
    return cached_ms[at];
  };
  state.counters["cached_p50_ms"] = percentile(0.50);
  state.counters["cached_p95_ms"] = percentile(0.95);
  state.counters["cached_p99_ms"] = percentile(0.99);
  state.counters["cached_max_ms"] = cached_ms.empty() ? 0 : cached_ms.back();
  state.counters["uncached_max_ms"] = cold_max_ms;
  state.counters["answered_200"] = ok;
  state.counters["answered_503"] = busy;
  state.counters["answered_504"] = timeout;
  state.counters["answered_other"] = other;
  state.counters["no_answer"] = none;
}
BENCHMARK(BM_IssuesPagesSlowJira)->Iterations(1)->UseRealTime()->Unit(benchmark::kMillisecond);

// Cold pages call Jira: at most kMaxJiraCallsPerSite at once (more answer 503).
BENCHMARK_CAPTURE(BM_IssuesPage, cold, "bench/cold")
    ->Threads(serve::kMaxJiraCallsPerSite)
    ->UseRealTime()
    ->MinTime(2.0);
BENCHMARK_CAPTURE(BM_IssuesPage, warm, "bench/warm")->Threads(8)->UseRealTime()->MinTime(2.0);

}  // namespace
}  // namespace jiralink::bench
