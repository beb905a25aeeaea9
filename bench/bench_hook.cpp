// The post-receive hook's cost beside `git log` over the same commits, the
// outbox's enqueue rate, and delivery throughput against the Jira stand-in.
//
//   BM_HookEnqueue/<n>  RunPostReceive for a push of n new commits: git
//                       rev-list (posix_spawn), scanning for keys and closing
//                       keywords and adding the jobs in one transaction, all
//                       while git walks
//   BM_GitLog/<n>       `git log --format=%B old..new` over the same n commits,
//                       as a process (posix_spawn), its output read through a pipe
//   BM_HookProcess/<n>  the whole `jiralink hook post-receive` process, as git
//                       runs it, for the same push (a fresh outbox each time)
//   BM_PreReceive/<n>   the whole `jiralink hook pre-receive` process, key
//                       check only, over the same n commits (issue #16:
//                       target <= 1.5x BM_GitLog/n)
//   BM_HookProcessDevinfo/<n> the same with [devinfo] enabled (issue #27:
//                       target <= 1.1x BM_HookProcess/<n>)
//   BM_HookProcessPostgres/<n> the same process and push with `[state] outbox`
//                       on PostgreSQL (a server started by the bench,
//                       tests/support/postgres_server.h; emptied before each push)
//   BM_HookProcessPostgresDaemon/<n> the same with the host's `jiralink
//                       deliver --daemon` running: the hook hands its jobs to
//                       it over <state dir>/outbox.sock (outbox/enqueue_relay.h)
//                       and loads no libpq (issue #15: target <= 2x
//                       BM_HookProcess/<n> at 10 commits)
//   BM_PushBranches/<n> `git push` of n new branches (one commit each) into a
//                       repository without hooks
//   BM_HookBranches/<n> the whole `jiralink hook post-receive` process for
//                       that push (issue #11: target <= 2x BM_PushBranches)
//   BM_OutboxEnqueue/<n> n jobs in one transaction (items/s = jobs/s)
//   BM_DeliverStandin/<n> n mention jobs delivered to the stand-in over HTTP
//
// The repository is built once from the corpus commit messages with
// `git fast-import` (a linear history; each commit changes one file).
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <system_error>
#include <vector>

#include <benchmark/benchmark.h>
#include <sqlite3.h>

#include "corpus.h"
#include "jiralink/delivery/delivery.h"
#include "jiralink/hooks/post_receive.h"
#include "jiralink/outbox/sqlite_outbox.h"
#include "process.h"
#include "support/postgres_server.h"

namespace {

namespace fs = std::filesystem;
using jiralink::bench::ChildrenCpuSeconds;
using jiralink::bench::RunProcess;
using jiralink::bench::SetChildrenCpuCounter;
using jiralink::outbox::Job;

constexpr int kMaxCommits = 4000;

// Deletes a directory when the program ends.
struct RemovedAtExit {
  std::string dir;
  ~RemovedAtExit() {
    std::error_code ignored;
    fs::remove_all(dir, ignored);
  }
};

// A bare repository holding the corpus messages as a linear history.
struct BenchRepo {
  std::string dir;
  std::vector<std::string> shas;  // oldest first

  static const BenchRepo& Get() {
    static const BenchRepo repo = Build();
    static const RemovedAtExit cleanup{repo.dir};
    return repo;
  }

  static BenchRepo Build() {
    BenchRepo repo;
    char templ[] = "/tmp/jiralink-bench-XXXXXX";
    repo.dir = mkdtemp(templ);
    std::string git_dir = repo.dir + "/platform/api.git";
    RunProcess({"git", "init", "-q", "--bare", "-b", "main", git_dir});
    const auto& messages = jiralink::bench::CommitMessages();
    std::ostringstream stream;
    int count = std::min<int>(kMaxCommits, static_cast<int>(messages.size()));
    for (int i = 0; i < count; ++i) {
      const std::string& message = messages[static_cast<std::size_t>(i)];
      std::string content = std::to_string(i) + "\n";
      stream << "commit refs/heads/main\nmark :" << (i + 1) << "\n"
             << "author Ada Lovelace <ada@example.com> " << (1700000000 + i) << " +0000\n"
             << "committer Ada Lovelace <ada@example.com> " << (1700000000 + i) << " +0000\n"
             << "data " << message.size() << "\n"
             << message << "\n";
      if (i > 0) stream << "from :" << i << "\n";
      stream << "M 100644 inline file.txt\ndata " << content.size() << "\n" << content << "\n";
    }
    std::string marks = repo.dir + "/marks";
    RunProcess({"git", "--git-dir=" + git_dir, "fast-import", "--quiet", "--export-marks=" + marks},
               stream.str());
    std::ifstream in(marks);
    std::vector<std::string> by_mark(static_cast<std::size_t>(count));
    std::string mark, sha;
    while (in >> mark >> sha) {
      int index = std::atoi(mark.c_str() + 1) - 1;
      if (index >= 0 && index < count) by_mark[static_cast<std::size_t>(index)] = sha;
    }
    repo.shas = by_mark;
    return repo;
  }

  std::string git_dir() const { return dir + "/platform/api.git"; }
  // The stdin line for a push of the newest n commits.
  std::string PushLine(int n) const {
    std::size_t total = shas.size();
    std::string old_sha = static_cast<std::size_t>(n) >= total
                              ? std::string(40, '0')
                              : shas[total - static_cast<std::size_t>(n) - 1];
    return old_sha + " " + shas.back() + " refs/heads/main\n";
  }
};

// 50,000 delivered jobs of 200 repositories, sized like real ones.
constexpr const char* kSeedDeliveredJobs = R"sql(
INSERT INTO jobs (repository, commit_sha, issue_key, kind, branch, author, message,
                  commit_url, repo_url, branch_url, state, next_attempt_at, created_at,
                  updated_at, site)
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50000)
SELECT 'history/' || (i % 200), printf('%040d', i), 'PROJ-' || i, 'mention', 'main',
       'Ada Lovelace', substr(hex(randomblob(80)), 1, 130),
       'https://git.example.com/history/commit/' || printf('%040d', i),
       'https://git.example.com/history', 'https://git.example.com/history/tree/main',
       'done', 0, 0, 0, 'https://jira.example.com'
FROM n WHERE (SELECT count(*) FROM jobs) = 0;
)sql";

void BM_HookEnqueue(benchmark::State& state) {
  const BenchRepo& repo = BenchRepo::Get();
  int n = static_cast<int>(state.range(0));
  std::unique_ptr<jiralink::outbox::Outbox> outbox;
  std::string path = repo.dir + "/state-hook/outbox.sqlite3";
  // Opened as `jiralink hook post-receive` opens it.
  if (!jiralink::outbox::OpenSqliteOutbox(path, &outbox,
                                          jiralink::outbox::Checkpoints::kOnlyWhenLarge)
           .ok()) {
    state.SkipWithError("cannot open the outbox");
    return;
  }
  jiralink::hooks::PostReceiveOptions options;
  options.git_dir = repo.git_dir();
  options.walk.max_commits_per_update = n;
  options.plan.commit_url_template = "https://git.example.com/{repo}/commit/{sha}";
  std::string input = repo.PushLine(n);
  // The outbox of a busy server: a month of delivered jobs (50,000). Between
  // pushes the delivery worker, which the hook starts, checkpoints the WAL
  // and starts the next one (Outbox::PrepareForPushes);
  // and each push's jobs are removed again (untimed: not the pusher's wait),
  // so the file stays that size however long the benchmark runs.
  sqlite3* worker = nullptr;
  if (sqlite3_open(path.c_str(), &worker) != SQLITE_OK ||
      sqlite3_exec(worker, kSeedDeliveredJobs, nullptr, nullptr, nullptr) != SQLITE_OK) {
    sqlite3_close(worker);
    state.SkipWithError("cannot seed the outbox");
    return;
  }
  std::unique_ptr<jiralink::outbox::Outbox> delivery;
  if (!jiralink::outbox::OpenSqliteOutbox(path, &delivery).ok()) {
    sqlite3_close(worker);
    state.SkipWithError("cannot open the outbox for delivery");
    return;
  }
  // Google Benchmark calls this function several times; names stay unique.
  static int round = 0;
  int first_round = round;
  std::int64_t jobs = 0;
  for (auto _ : state) {
    // A new repository name each round, so every round really inserts.
    options.plan.repository = "bench/" + std::to_string(round++);
    jiralink::hooks::PostReceiveSummary summary;
    jiralink::Status status =
        jiralink::hooks::RunPostReceive(options, input, outbox.get(), &summary);
    if (!status.ok() || summary.new_commits != n) {
      state.SkipWithError(status.ok() ? "wrong commit count" : status.ToString().c_str());
      return;
    }
    jobs += summary.mentions_queued + summary.closes_queued;
    state.PauseTiming();
    const std::string forget =
        "DELETE FROM jobs WHERE repository = '" + options.plan.repository + "'";
    sqlite3_exec(worker, forget.c_str(), nullptr, nullptr, nullptr);
    // As `jiralink deliver` ends its run.
    if (!delivery->PrepareForPushes().ok()) {
      state.SkipWithError("cannot prepare the outbox for pushes");
      return;
    }
    state.ResumeTiming();
  }
  sqlite3_close(worker);
  state.SetItemsProcessed(state.iterations() * n);
  state.counters["jobs_per_push"] =
      static_cast<double>(jobs) / static_cast<double>(std::max(1, round - first_round));
}
BENCHMARK(BM_HookEnqueue)
    ->Arg(10)
    ->Arg(100)
    ->Arg(1000)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

void BM_GitLog(benchmark::State& state) {
  const BenchRepo& repo = BenchRepo::Get();
  int n = static_cast<int>(state.range(0));
  std::size_t total = repo.shas.size();
  std::string range =
      static_cast<std::size_t>(n) >= total
          ? repo.shas.back()
          : repo.shas[total - static_cast<std::size_t>(n) - 1] + ".." + repo.shas.back();
  const double cpu_before = ChildrenCpuSeconds();
  for (auto _ : state) {
    std::string out =
        RunProcess({"git", "--git-dir=" + repo.git_dir(), "log", "--format=%B", range}).out;
    benchmark::DoNotOptimize(out);
  }
  SetChildrenCpuCounter(state, cpu_before);
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_GitLog)->Arg(10)->Arg(100)->Arg(1000)->Unit(benchmark::kMillisecond)->UseRealTime();

void WriteText(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

// BM_HookProcess and BM_HookProcessDevinfo: `devinfo` turns [devinfo] on.
void HookProcess(benchmark::State& state, bool devinfo) {
  const BenchRepo& repo = BenchRepo::Get();
  int n = static_cast<int>(state.range(0));
  const std::string dir = repo.dir + "/process-" + std::to_string(n) + (devinfo ? "-devinfo" : "");
  fs::create_directories(dir);
  const std::string config = dir + "/config.toml";
  auto write_config = [&](const std::string& state_dir) {
    WriteText(config, "[jira]\nweb_url = \"https://jira.example.com\"\n[git]\nroot = \"" +
                          repo.dir + "\"\nmax_commits_per_push = " + std::to_string(n) +
                          "\ncommit_url = \"https://git.example.com/{repo}/commit/{sha}\"\n"
                          "[state]\ndir = \"" +
                          state_dir + "\"\n" +
                          (devinfo ? "[devinfo]\nenabled = true\nclient_id = \"bench\"\n"
                                     "client_secret_env = \"JIRALINK_BENCH_DEVINFO_SECRET\"\n"
                                   : ""));
  };
  const std::vector<std::string> argv = {JIRALINK_BIN, "--config", config, "hook", "post-receive"};
  const std::vector<std::string> env = {"GIT_DIR=.", "JIRALINK_NO_AUTO_DELIVER=1"};
  // An empty outbox to start every push from (made by a push of nothing), as
  // `jiralink deliver` leaves it.
  write_config(dir + "/template");
  if (RunProcess(argv, "", repo.git_dir(), env).exit_code != 0) {
    state.SkipWithError("jiralink hook post-receive failed");
    return;
  }
  {
    std::unique_ptr<jiralink::outbox::Outbox> delivery;
    if (!jiralink::outbox::OpenSqliteOutbox(dir + "/template/outbox.sqlite3", &delivery).ok() ||
        !delivery->PrepareForPushes().ok()) {
      state.SkipWithError("cannot prepare the template outbox");
      return;
    }
  }
  const std::string push = repo.PushLine(n);
  int round = 0;
  for (auto _ : state) {
    state.PauseTiming();
    std::string state_dir = dir + "/state-" + std::to_string(round++);
    fs::remove_all(state_dir);  // from an earlier call of this function
    fs::create_directories(state_dir);
    // The outbox and its (persistent) WAL, as the delivery worker leaves them.
    for (const char* name : {"outbox.sqlite3", "outbox.sqlite3-wal"}) {
      if (fs::exists(dir + "/template/" + name)) {
        fs::copy_file(dir + "/template/" + name, state_dir + "/" + name);
      }
    }
    write_config(state_dir);
    state.ResumeTiming();
    if (RunProcess(argv, push, repo.git_dir(), env).exit_code != 0) {
      state.SkipWithError("jiralink hook post-receive failed");
      return;
    }
  }
  state.SetItemsProcessed(state.iterations() * n);
}

void BM_HookProcess(benchmark::State& state) { HookProcess(state, false); }
BENCHMARK(BM_HookProcess)
    ->Arg(10)
    ->Arg(100)
    ->Arg(1000)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// The same push with [devinfo] enabled: the Development panel's commit and
// branch jobs too (hooks/devinfo_planner.h; issue #27: target <= 1.1x
// BM_HookProcess/<n>).
void BM_HookProcessDevinfo(benchmark::State& state) { HookProcess(state, true); }
BENCHMARK(BM_HookProcessDevinfo)
    ->Arg(10)
    ->Arg(100)
    ->Arg(1000)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// The whole `jiralink hook pre-receive` process for a push of the newest n
// commits to main with [policy] require_key = ["main"] (the key check,
// without Jira), as git runs it: the commits are in the repository but no
// ref reaches them yet. A repository that borrows BenchRepo's objects
// (objects/info/alternates) with main n commits back. Issue #16: target
// <= 1.5x BM_GitLog/n over the same commits. Most corpus messages name no
// key, so the push is refused (exit 1) and the rejection is printed.
void BM_PreReceive(benchmark::State& state) {
  const BenchRepo& repo = BenchRepo::Get();
  int n = static_cast<int>(state.range(0));
  const std::size_t total = repo.shas.size();
  if (static_cast<std::size_t>(n) >= total) {
    state.SkipWithError("the corpus has too few commits");
    return;
  }
  const std::string dir = repo.dir + "/policy-" + std::to_string(n);
  const std::string git_dir = dir + "/platform/api.git";
  fs::create_directories(dir);
  RunProcess({"git", "init", "-q", "--bare", "-b", "main", git_dir});
  WriteText(git_dir + "/objects/info/alternates", repo.git_dir() + "/objects\n");
  const std::string old_tip = repo.shas[total - static_cast<std::size_t>(n) - 1];
  RunProcess({"git", "--git-dir=" + git_dir, "update-ref", "refs/heads/main", old_tip});
  const std::string config = dir + "/config.toml";
  WriteText(config, "[git]\nroot = \"" + dir + "\"\n[state]\ndir = \"" + dir +
                        "/state\"\n[policy]\nrequire_key = [\"main\"]\n");
  const std::vector<std::string> argv = {JIRALINK_BIN, "--config", config, "hook", "pre-receive"};
  const std::vector<std::string> env = {"GIT_DIR=."};
  const std::string push = old_tip + " " + repo.shas.back() + " refs/heads/main\n";
  const double cpu_before = ChildrenCpuSeconds();
  for (auto _ : state) {
    int code = RunProcess(argv, push, git_dir, env).exit_code;
    if (code != 0 && code != 1) {
      state.SkipWithError("jiralink hook pre-receive failed");
      return;
    }
  }
  SetChildrenCpuCounter(state, cpu_before);
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_PreReceive)
    ->Arg(10)
    ->Arg(100)
    ->Arg(1000)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
// `jiralink deliver --daemon` for `config`, running until destroyed
// (SIGTERM); ready() once it serves the host's pushes at `socket`.
class DeliverDaemon {
 public:
  DeliverDaemon(const std::string& config, const std::string& socket, const std::string& log) {
    std::vector<std::string> words = {JIRALINK_BIN,     "--config", config,  "deliver", "--daemon",
                                      "--poll-seconds", "3600",     "--log", log};
    std::vector<char*> args;
    for (std::string& word : words) args.push_back(word.data());
    args.push_back(nullptr);
    pid_ = fork();
    if (pid_ == 0) {
      execv(args[0], args.data());
      _exit(127);
    }
    for (int i = 0; i < 600 && pid_ > 0; ++i) {  // up to 30 s
      struct stat info {};
      if (::stat(socket.c_str(), &info) == 0 && S_ISSOCK(info.st_mode)) {
        ready_ = true;
        break;
      }
      usleep(50 * 1000);
    }
  }
  ~DeliverDaemon() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
  }
  DeliverDaemon(const DeliverDaemon&) = delete;
  DeliverDaemon& operator=(const DeliverDaemon&) = delete;
  bool ready() const { return ready_; }

 private:
  pid_t pid_ = -1;
  bool ready_ = false;
};

void HookProcessPostgres(benchmark::State& state, bool with_daemon) {
  std::string why;
  bool missing = false;
  jiralink::testing::PostgresServer* server =
      jiralink::testing::PostgresServer::Shared(&why, &missing);
  if (server == nullptr) {
    state.SkipWithError(why.c_str());
    return;
  }
  const BenchRepo& repo = BenchRepo::Get();
  int n = static_cast<int>(state.range(0));
  const std::string database = "hook_process_" + std::to_string(n);
  if (!server->CreateDatabase(database, &why)) {
    state.SkipWithError(why.c_str());
    return;
  }
  const std::string dir =
      repo.dir + (with_daemon ? "/process-pg-daemon-" : "/process-pg-") + std::to_string(n);
  fs::create_directories(dir);
  const std::string config = dir + "/config.toml";
  WriteText(config, "[jira]\nweb_url = \"https://jira.example.com\"\n[git]\nroot = \"" + repo.dir +
                        "\"\nmax_commits_per_push = " + std::to_string(n) +
                        "\ncommit_url = \"https://git.example.com/{repo}/commit/{sha}\"\n"
                        "[state]\ndir = \"" +
                        dir + "/state\"\noutbox = \"" + server->Uri(database) + "\"\n");
  const std::vector<std::string> argv = {JIRALINK_BIN, "--config", config, "hook", "post-receive"};
  const std::vector<std::string> env = {"GIT_DIR=.", "JIRALINK_NO_AUTO_DELIVER=1"};
  // The schema, made by a push of nothing (as `jiralink state init` would).
  if (RunProcess(argv, "", repo.git_dir(), env).exit_code != 0) {
    state.SkipWithError("jiralink hook post-receive failed");
    return;
  }
  const std::string push = repo.PushLine(n);
  std::unique_ptr<DeliverDaemon> daemon;
  if (with_daemon) {
    daemon =
        std::make_unique<DeliverDaemon>(config, dir + "/state/outbox.sock", dir + "/daemon.log");
    if (!daemon->ready()) {
      state.SkipWithError("jiralink deliver --daemon did not start serving pushes");
      return;
    }
  }
  const double cpu_before = ChildrenCpuSeconds();
  for (auto _ : state) {
    state.PauseTiming();
    if (!server->Exec(database, "TRUNCATE jiralink_jobs, jiralink_messages", &why)) {
      state.SkipWithError(why.c_str());
      return;
    }
    state.ResumeTiming();
    if (RunProcess(argv, push, repo.git_dir(), env).exit_code != 0) {
      state.SkipWithError("jiralink hook post-receive failed");
      return;
    }
  }
  SetChildrenCpuCounter(state, cpu_before);
  if (fs::exists(dir + "/state/outbox.sqlite3")) state.SkipWithError("the push was spooled");
  std::ifstream daemon_log(dir + "/daemon.log");
  std::stringstream logged;
  logged << daemon_log.rdbuf();
  if (with_daemon) {
    // daemon_ms: the daemon's time in PostgreSQL per push (writing and
    // committing the jobs), from its log's "queued ... in X ms" lines.
    std::istringstream lines(logged.str());
    std::string line;
    double total_ms = 0;
    int pushes = 0;
    while (std::getline(lines, line)) {
      std::size_t at = line.find("enqueue relay: queued");
      std::size_t in = line.rfind(" in ");
      if (at == std::string::npos || in == std::string::npos) continue;
      total_ms += std::strtod(line.c_str() + in + 4, nullptr);
      ++pushes;
    }
    if (pushes == 0) {
      state.SkipWithError("the daemon took no push's jobs");
    } else {
      state.counters["daemon_ms"] = total_ms / pushes;
    }
  }
  state.SetItemsProcessed(state.iterations() * n);
}

void BM_HookProcessPostgres(benchmark::State& state) { HookProcessPostgres(state, false); }
BENCHMARK(BM_HookProcessPostgres)->Arg(10)->Arg(1000)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_HookProcessPostgresDaemon(benchmark::State& state) { HookProcessPostgres(state, true); }
BENCHMARK(BM_HookProcessPostgresDaemon)
    ->Arg(10)
    ->Arg(1000)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// A push of many new branches, each one commit on main naming a key: the
// source to push from, and a repository that has received it (the state in
// which git runs post-receive), with the hook's stdin for it.
struct BranchesRepo {
  std::string dir;
  std::string source;  // bare: main + the branches
  std::string hooked;  // bare: the same, as after the push
  std::string stdin_lines;

  static const BranchesRepo& Get(int branches) {
    static std::map<int, BranchesRepo> made;
    auto found = made.find(branches);
    if (found == made.end()) found = made.emplace(branches, Build(branches)).first;
    return found->second;
  }

  static BranchesRepo Build(int branches) {
    BranchesRepo repo;
    repo.dir = BenchRepo::Get().dir + "/branches-" + std::to_string(branches);
    repo.source = repo.dir + "/source.git";
    repo.hooked = repo.dir + "/platform/hooked.git";
    RunProcess({"git", "init", "-q", "--bare", "-b", "main", repo.source});
    std::ostringstream stream;
    for (int i = 1; i <= 10; ++i) {
      std::string message = "Main " + std::to_string(i);
      stream << "commit refs/heads/main\nmark :" << i << "\ncommitter Ada Lovelace "
             << "<ada@example.com> " << (1700000000 + i) << " +0000\ndata " << message.size()
             << "\n"
             << message << "\n";
      if (i > 1) stream << "from :" << (i - 1) << "\n";
      stream << "M 100644 inline main.txt\ndata " << std::to_string(i).size() + 1 << "\n"
             << i << "\n\n";
    }
    char name[16];
    for (int b = 0; b < branches; ++b) {
      std::snprintf(name, sizeof name, "b%05d", b);
      std::string message = "Work on PROJ-" + std::to_string(b % 500 + 1) + " in " + name;
      stream << "commit refs/heads/" << name << "\ncommitter Ada Lovelace <ada@example.com> "
             << (1700001000 + b) << " +0000\ndata " << message.size() << "\n"
             << message << "\nfrom :10\nM 100644 inline " << name << ".txt\ndata "
             << std::strlen(name) + 1 << "\n"
             << name << "\n\n";
    }
    RunProcess({"git", "--git-dir=" + repo.source, "fast-import", "--quiet"}, stream.str());
    RunProcess({"git", "init", "-q", "--bare", "-b", "main", repo.hooked});
    RunProcess({"git", "--git-dir=" + repo.source, "push", "-q", repo.hooked, "main"});
    RunProcess({"git", "--git-dir=" + repo.source, "push", "-q", repo.hooked,
                "refs/heads/b*:refs/heads/b*"});
    std::string refs = RunProcess({"git", "--git-dir=" + repo.hooked, "for-each-ref",
                                   "--format=%(objectname) %(refname)", "refs/heads/b*"})
                           .out;
    std::istringstream lines(refs);
    std::string sha, ref;
    while (lines >> sha >> ref)
      repo.stdin_lines += std::string(40, '0') + " " + sha + " " + ref + "\n";
    return repo;
  }
};

// Baseline: `git push` of the new branches into a repository that has main,
// without any hook.
void BM_PushBranches(benchmark::State& state) {
  const BranchesRepo& repo = BranchesRepo::Get(static_cast<int>(state.range(0)));
  const std::string target = repo.dir + "/target.git";
  for (auto _ : state) {
    state.PauseTiming();
    std::error_code ignored;
    fs::remove_all(target, ignored);
    RunProcess({"git", "init", "-q", "--bare", "-b", "main", target});
    RunProcess({"git", "--git-dir=" + repo.source, "push", "-q", target, "main"});
    state.ResumeTiming();
    if (RunProcess({"git", "--git-dir=" + repo.source, "push", "-q", target,
                    "refs/heads/b*:refs/heads/b*"})
            .exit_code != 0) {
      state.SkipWithError("git push failed");
      return;
    }
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_PushBranches)->Arg(2000)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(5);

// The whole `jiralink hook post-receive` process for that push (one mention
// per branch), from an empty outbox each time.
void BM_HookBranches(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const BranchesRepo& repo = BranchesRepo::Get(n);
  const std::string config = repo.dir + "/config.toml";
  const std::string state_dir = repo.dir + "/state";
  WriteText(config, "[jira]\nweb_url = \"https://jira.example.com\"\n[git]\nroot = \"" + repo.dir +
                        "\"\ncommit_url = \"https://git.example.com/{repo}/commit/{sha}\"\n"
                        "[state]\ndir = \"" +
                        state_dir + "\"\n");
  const std::vector<std::string> argv = {JIRALINK_BIN, "--config", config, "hook", "post-receive"};
  const std::vector<std::string> env = {"GIT_DIR=.", "JIRALINK_NO_AUTO_DELIVER=1"};
  for (auto _ : state) {
    state.PauseTiming();
    std::error_code ignored;
    fs::remove_all(state_dir, ignored);
    fs::create_directories(state_dir);
    state.ResumeTiming();
    jiralink::bench::ProcessRun run = RunProcess(argv, repo.stdin_lines, repo.hooked, env);
    if (run.exit_code != 0 ||
        run.out.find(std::to_string(n) + " Jira mentions queued") == std::string::npos) {
      state.SkipWithError(("unexpected hook output: " + run.out).c_str());
      return;
    }
  }
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_HookBranches)->Arg(2000)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(5);

Job BenchJob(int i, const std::string& key) {
  Job job;
  job.repository = "bench/enqueue";
  // Fixed-length ids, like SHAs: no commit URL is a prefix of another.
  char sha[41];
  std::snprintf(sha, sizeof sha, "%040d", i);
  job.commit = sha;
  job.key = key;
  job.branch = "main";
  job.author = "Ada Lovelace";
  job.message = "Fix the parser for " + key;
  job.commit_url = "https://git.example.com/bench/commit/" + job.commit;
  return job;
}

void BM_OutboxEnqueue(benchmark::State& state) {
  const BenchRepo& repo = BenchRepo::Get();
  std::unique_ptr<jiralink::outbox::Outbox> outbox;
  if (!jiralink::outbox::OpenSqliteOutbox(repo.dir + "/state-enqueue/outbox.sqlite3", &outbox)
           .ok()) {
    state.SkipWithError("cannot open the outbox");
    return;
  }
  int n = static_cast<int>(state.range(0));
  static int next = 0;  // unique commits across the calls Google Benchmark makes
  for (auto _ : state) {
    state.PauseTiming();
    std::vector<Job> jobs;
    for (int i = 0; i < n; ++i) jobs.push_back(BenchJob(next++, "PROJ-1"));
    state.ResumeTiming();
    jiralink::outbox::EnqueueResult result;
    if (!outbox->Enqueue(jobs, &result).ok()) {
      state.SkipWithError("enqueue failed");
      return;
    }
  }
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_OutboxEnqueue)->Arg(1)->Arg(100)->Arg(1000);

void BM_DeliverStandin(benchmark::State& state) {
  const BenchRepo& repo = BenchRepo::Get();
  std::string seed = repo.dir + "/seed.json";
  std::ofstream(seed) << R"({"projects":[{"key":"PROJ","name":"Bench"}],)"
                      << R"("issues":[{"key":"PROJ-1","summary":"bench"}]})";
  jiralink::bench::StandinProcess jira(seed);
  if (jira.url().empty()) {
    state.SkipWithError("jira-standin did not start (build it first)");
    return;
  }
  jiralink::jira::ClientOptions client_options;
  client_options.api_url = jira.url();
  client_options.username = "jiralink-bot";
  client_options.token = "standin-token";
  client_options.deployment = jiralink::jira::Deployment::kServer;
  jiralink::jira::Client client(client_options);
  std::unique_ptr<jiralink::outbox::Outbox> outbox;
  if (!jiralink::outbox::OpenSqliteOutbox(repo.dir + "/state-deliver/outbox.sqlite3", &outbox)
           .ok()) {
    state.SkipWithError("cannot open the outbox");
    return;
  }
  jiralink::delivery::DeliveryOptions options;
  options.site = jira.url();
  options.policy = [](const Job&) { return jiralink::delivery::DeliveryPolicy{}; };
  jiralink::delivery::Deliverer deliverer(outbox.get(), &client, options);
  int n = static_cast<int>(state.range(0));
  static int next = 1000000;  // unique commits across calls, apart from the enqueue benchmark's
  for (auto _ : state) {
    state.PauseTiming();
    std::vector<Job> jobs;
    // Distinct issues would need seeding; distinct commits on one issue
    // exercise the same calls (link lookup, comment lookup, post, upsert).
    for (int i = 0; i < n; ++i) {
      jobs.push_back(BenchJob(next++, "PROJ-1"));
      jobs.back().site = options.site;
    }
    jiralink::outbox::EnqueueResult result;
    outbox->Enqueue(jobs, &result);
    state.ResumeTiming();
    jiralink::delivery::DeliveryReport report;
    if (!deliverer.RunOnce(&report).ok() || report.delivered != n) {
      state.SkipWithError("delivery failed");
      return;
    }
  }
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_DeliverStandin)->Arg(20)->Unit(benchmark::kMillisecond)->Iterations(5);

}  // namespace
