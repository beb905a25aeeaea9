// The outbox on PostgreSQL beside SQLite, in the same run, against a real
// server started here (tests/support/postgres_server.h: Debian's
// postgresql on a Unix socket). That server runs with fsync off, while the
// SQLite outbox syncs its log: PostgreSQL's figures here are what a server
// with a fast (battery-backed) disk gives, an upper bound.
//
//   BM_FleetEnqueue/<store>/<n>     one push of n jobs (store 0 = SQLite,
//                                   1 = PostgreSQL); items/s = jobs/s (wall)
//   BM_FleetClaimDone/<store>       claim one job and mark it done (what a
//                                   deliverer does around its Jira calls)
// The whole `jiralink hook post-receive` process with the PostgreSQL outbox
// is BM_HookProcessPostgres/<n> in bench_hook.cpp, beside BM_HookProcess/<n>
// (SQLite) for the same push.
//
// Skipped (with the reason) when PostgreSQL is not installed.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "jiralink/outbox/postgres_outbox.h"
#include "jiralink/outbox/sqlite_outbox.h"
#include "process.h"
#include "support/postgres_server.h"

namespace {

namespace fs = std::filesystem;
using jiralink::outbox::Job;
using jiralink::outbox::Outbox;

jiralink::testing::PostgresServer* Server(std::string* why) {
  bool missing = false;
  return jiralink::testing::PostgresServer::Shared(why, &missing);
}

struct Scratch {
  std::string dir;
  Scratch() {
    char templ[] = "/tmp/jiralink-fleet-bench-XXXXXX";
    dir = ::mkdtemp(templ);
  }
  ~Scratch() {
    std::error_code ignored;
    fs::remove_all(dir, ignored);
  }
};

const Scratch& Dir() {
  static const Scratch scratch;
  return scratch;
}

// A fresh outbox of the store: SQLite in a new file, PostgreSQL in a new database.
bool OpenStore(int store, const std::string& name, std::unique_ptr<Outbox>* out, std::string* why) {
  if (store == 0) {
    jiralink::Status status =
        jiralink::outbox::OpenSqliteOutbox(Dir().dir + "/" + name + "/outbox.sqlite3", out);
    *why = status.message();
    return status.ok();
  }
  jiralink::testing::PostgresServer* server = Server(why);
  if (server == nullptr || !server->CreateDatabase(name, why)) return false;
  jiralink::outbox::PostgresOptions options;
  options.uri = server->Uri(name);
  jiralink::Status status = jiralink::outbox::OpenPostgresOutbox(options, out);
  *why = status.message();
  return status.ok();
}

Job FleetJob(int i) {
  Job job;
  job.repository = "bench/fleet";
  char sha[41];
  std::snprintf(sha, sizeof sha, "%040d", i);
  job.commit = sha;
  job.key = "PROJ-1";
  job.branch = "main";
  job.author = "Ada Lovelace";
  job.message = "Fix the parser for PROJ-1";
  job.commit_url = "https://git.example.com/bench/commit/" + job.commit;
  job.site = "https://jira.example.com";
  return job;
}

void BM_FleetEnqueue(benchmark::State& state) {
  const int store = static_cast<int>(state.range(0));
  const int n = static_cast<int>(state.range(1));
  std::unique_ptr<Outbox> outbox;
  std::string why;
  if (!OpenStore(store, "enqueue_" + std::to_string(store) + "_" + std::to_string(n), &outbox,
                 &why)) {
    state.SkipWithError(why.c_str());
    return;
  }
  static int next = 0;
  for (auto _ : state) {
    state.PauseTiming();
    std::vector<Job> jobs;
    for (int i = 0; i < n; ++i) jobs.push_back(FleetJob(next++));
    state.ResumeTiming();
    jiralink::outbox::EnqueueResult result;
    if (!outbox->Enqueue(jobs, &result).ok()) {
      state.SkipWithError("enqueue failed");
      return;
    }
  }
  state.SetItemsProcessed(state.iterations() * n);
  state.SetLabel(store == 0 ? "sqlite" : "postgresql");
}
// Wall time: the PostgreSQL server's work is in another process, which this
// process's CPU time leaves out (figures before 2026-12-01 night did, and
// overstated PostgreSQL's rates several times over).
BENCHMARK(BM_FleetEnqueue)->ArgsProduct({{0, 1}, {1, 10, 100, 1000}})->UseRealTime();

void BM_FleetClaimDone(benchmark::State& state) {
  const int store = static_cast<int>(state.range(0));
  std::unique_ptr<Outbox> outbox;
  std::string why;
  if (!OpenStore(store, "claim_" + std::to_string(store), &outbox, &why)) {
    state.SkipWithError(why.c_str());
    return;
  }
  static int next = 1000000;
  for (auto _ : state) {
    std::optional<Job> job;
    std::int64_t now = jiralink::outbox::NowMillis();
    if (!outbox->Claim("https://jira.example.com", now, now, 60000, &job).ok()) {
      state.SkipWithError("claim failed");
      return;
    }
    if (!job) {
      state.PauseTiming();
      std::vector<Job> jobs;
      for (int i = 0; i < 500; ++i) jobs.push_back(FleetJob(next++));
      jiralink::outbox::EnqueueResult result;
      outbox->Enqueue(jobs, &result);
      state.ResumeTiming();
      if (!outbox->Claim("https://jira.example.com", now, now + 1000, 60000, &job).ok() || !job) {
        state.SkipWithError("claim failed");
        return;
      }
    }
    if (!outbox->MarkDone(*job, "ok").ok()) {
      state.SkipWithError("mark done failed");
      return;
    }
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(store == 0 ? "sqlite" : "postgresql");
}
BENCHMARK(BM_FleetClaimDone)->Arg(0)->Arg(1)->UseRealTime();

}  // namespace
