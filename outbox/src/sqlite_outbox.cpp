#include "jiralink/outbox/sqlite_outbox.h"

#include <sqlite3.h>

#include <filesystem>
#include <random>
#include <string_view>
#include <utility>

#include "jiralink/state/private_files.h"

namespace jiralink::outbox {

namespace {

constexpr int kBusyTimeoutMs = 30000;

// The jobs table's columns and uniqueness (OpenSqliteOutbox creates it; the upgrade
// rebuilds older tables with it, see RebuildForCommandIndex).
constexpr const char* kJobsColumns = R"sql(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  repository TEXT NOT NULL,
  commit_sha TEXT NOT NULL,
  issue_key TEXT NOT NULL,
  kind TEXT NOT NULL,
  branch TEXT NOT NULL DEFAULT '',
  author TEXT NOT NULL DEFAULT '',
  message TEXT NOT NULL DEFAULT '',
  commit_url TEXT NOT NULL DEFAULT '',
  repo_url TEXT NOT NULL DEFAULT '',
  branch_url TEXT NOT NULL DEFAULT '',
  state TEXT NOT NULL DEFAULT 'pending',
  attempts INTEGER NOT NULL DEFAULT 0,
  progress INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  lease_until INTEGER NOT NULL DEFAULT 0,
  lease_token INTEGER NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  site TEXT NOT NULL DEFAULT '',
  push_number INTEGER NOT NULL DEFAULT 0,
  position INTEGER NOT NULL DEFAULT 0,
  step INTEGER NOT NULL DEFAULT 0,
  command_index INTEGER NOT NULL DEFAULT 0,
  command_kind TEXT NOT NULL DEFAULT '',
  command_name TEXT NOT NULL DEFAULT '',
  command_time TEXT NOT NULL DEFAULT '',
  command_text TEXT NOT NULL DEFAULT '',
  author_email TEXT NOT NULL DEFAULT '',
  UNIQUE (repository, commit_sha, issue_key, kind, command_index)
)sql";

// Written in every file's jobs table whose uniqueness has the command index.
constexpr std::string_view kUniqueWithCommandIndex =
    "UNIQUE (repository, commit_sha, issue_key, kind, command_index)";

constexpr const char* kOtherTables = R"sql(
CREATE INDEX IF NOT EXISTS jobs_due ON jobs (state, next_attempt_at);
CREATE TABLE IF NOT EXISTS messages (
  repository TEXT NOT NULL,
  source TEXT NOT NULL,
  message TEXT NOT NULL,
  PRIMARY KEY (repository, source)
);
CREATE TABLE IF NOT EXISTS outbox_state (
  name TEXT PRIMARY KEY,
  value INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS jira_users (
  site TEXT NOT NULL,
  email TEXT NOT NULL,
  found INTEGER NOT NULL,
  account_id TEXT NOT NULL DEFAULT '',
  name TEXT NOT NULL DEFAULT '',
  expires_at INTEGER NOT NULL,
  PRIMARY KEY (site, email)
);
CREATE TABLE IF NOT EXISTS pauses (
  site TEXT PRIMARY KEY,
  reason TEXT NOT NULL,
  since INTEGER NOT NULL,
  until INTEGER NOT NULL
);
)sql";

// The message column: a job's source's message lives once in `messages`;
// jobs written before that table keep theirs in jobs.message until the
// upgrade moves it (MoveMessagesOutOfJobs).
constexpr const char* kJobColumns =
    "id, repository, commit_sha, issue_key, kind, branch, author, "
    "coalesce((SELECT m.message FROM messages m WHERE m.repository = jobs.repository AND "
    "m.source = jobs.commit_sha), jobs.message), commit_url, "
    "repo_url, branch_url, state, attempts, progress, next_attempt_at, lease_until, last_error, "
    "created_at, updated_at, lease_token, site, position, step, command_index, command_kind, "
    "command_name, command_time, command_text, author_email";

// A prepared statement that finalizes itself.
class Statement {
 public:
  Statement(sqlite3* db, const char* sql) {
    rc_ = sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr);
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  bool ok() const { return rc_ == SQLITE_OK; }
  sqlite3_stmt* get() { return stmt_; }
  void Bind(int index, const std::string& text) {
    sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  }
  // Binds without a copy: `text` must stay alive until the next Step().
  void BindUnowned(int index, std::string_view text) {
    sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
  }
  void Bind(int index, std::int64_t value) { sqlite3_bind_int64(stmt_, index, value); }
  // SQLITE_ROW, SQLITE_DONE or an error code.
  int Step() { return sqlite3_step(stmt_); }
  void Reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  std::string Text(int column) {
    const unsigned char* text = sqlite3_column_text(stmt_, column);
    return text ? std::string(reinterpret_cast<const char*>(text),
                              static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)))
                : std::string();
  }
  std::int64_t Int(int column) { return sqlite3_column_int64(stmt_, column); }

 private:
  sqlite3_stmt* stmt_ = nullptr;
  int rc_ = SQLITE_OK;
};

// Columns added since the first outboxes were written, with their
// definitions. Jobs of older files get a site from their repository's settings
// when delivered, and are delivered before newer pushes when equally due.
struct AddedColumn {
  const char* name;
  const char* definition;
};
constexpr AddedColumn kAddedColumns[] = {
    {"site", "TEXT NOT NULL DEFAULT ''"},
    {"push_number", "INTEGER NOT NULL DEFAULT 0"},
    {"position", "INTEGER NOT NULL DEFAULT 0"},
    {"step", "INTEGER NOT NULL DEFAULT 0"},
    {"command_index", "INTEGER NOT NULL DEFAULT 0"},
    {"command_kind", "TEXT NOT NULL DEFAULT ''"},
    {"command_name", "TEXT NOT NULL DEFAULT ''"},
    {"command_time", "TEXT NOT NULL DEFAULT ''"},
    {"command_text", "TEXT NOT NULL DEFAULT ''"},
    {"author_email", "TEXT NOT NULL DEFAULT ''"},
};

bool HasColumn(sqlite3* db, const char* name) {
  Statement columns(db, "SELECT count(*) FROM pragma_table_info('jobs') WHERE name = ?1");
  if (!columns.ok()) return false;
  columns.Bind(1, std::string(name));
  return columns.Step() == SQLITE_ROW && columns.Int(0) > 0;
}

Status AddMissingColumns(sqlite3* db) {
  for (const AddedColumn& column : kAddedColumns) {
    if (HasColumn(db, column.name)) continue;
    std::string sql =
        std::string("ALTER TABLE jobs ADD COLUMN ") + column.name + " " + column.definition;
    char* message = nullptr;
    if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
      std::string text = message != nullptr ? message : sqlite3_errmsg(db);
      sqlite3_free(message);
      // Another process may have upgraded the file meanwhile.
      if (!HasColumn(db, column.name)) return Status::IOError(text);
    }
  }
  return Status::Ok();
}

// Outboxes written before the messages table hold a copy of the commit
// message in every job: moves them into `messages` once (remembered in
// outbox_state), in one transaction.
Status MoveMessagesOutOfJobs(sqlite3* db) {
  Statement moved(db, "SELECT 1 FROM outbox_state WHERE name = 'messages_moved'");
  if (!moved.ok()) return Status::IOError(sqlite3_errmsg(db));
  int rc = moved.Step();
  if (rc == SQLITE_ROW) return Status::Ok();
  if (rc != SQLITE_DONE) return Status::IOError(sqlite3_errmsg(db));
  char* message = nullptr;
  rc = sqlite3_exec(db,
                    "BEGIN IMMEDIATE;"
                    "INSERT INTO messages (repository, source, message) SELECT repository, "
                    "commit_sha, message FROM jobs WHERE message != '' ORDER BY id "
                    "ON CONFLICT DO NOTHING;"
                    "UPDATE jobs SET message = '' WHERE message != '';"
                    "INSERT INTO outbox_state (name, value) VALUES ('messages_moved', 1) "
                    "ON CONFLICT (name) DO NOTHING;"
                    "COMMIT;",
                    nullptr, nullptr, &message);
  if (rc != SQLITE_OK) {
    std::string text = message != nullptr ? message : sqlite3_errmsg(db);
    sqlite3_free(message);
    sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    return Status::IOError("moving messages out of jobs: " + text);
  }
  return Status::Ok();
}

// Outboxes written before Smart Commits have (repository, commit_sha,
// issue_key, kind) as the jobs' uniqueness, which would merge a commit's
// commands for one key: rebuilds the table with the command index in it
// (SQLite cannot change a constraint in place), in one transaction, keeping
// every job, its id and the id sequence (push numbers derive from it).
Status RebuildForCommandIndex(sqlite3* db) {
  auto has_new_uniqueness = [db](bool* has) {
    Statement table(db, "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'jobs'");
    if (!table.ok() || table.Step() != SQLITE_ROW) return false;
    *has = table.Text(0).find(kUniqueWithCommandIndex) != std::string::npos;
    return true;
  };
  bool has = false;
  if (!has_new_uniqueness(&has)) return Status::IOError(sqlite3_errmsg(db));
  if (has) return Status::Ok();
  char* message = nullptr;
  auto fail = [&](const char* what) {
    std::string text = message != nullptr ? message : sqlite3_errmsg(db);
    sqlite3_free(message);
    sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    return Status::IOError(std::string(what) + ": " + text);
  };
  if (sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, &message) != SQLITE_OK) {
    return fail("adding the command index to the jobs' uniqueness");
  }
  // Another process may have rebuilt it while this one waited for the lock.
  if (!has_new_uniqueness(&has)) return fail("reading the jobs table");
  if (has)
    return sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr) == SQLITE_OK ? Status::Ok()
                                                                              : fail("commit");
  constexpr const char* kCopied =
      "id, repository, commit_sha, issue_key, kind, branch, author, message, commit_url, "
      "repo_url, branch_url, state, attempts, progress, next_attempt_at, lease_until, "
      "lease_token, last_error, created_at, updated_at, site, push_number, position, step, "
      "command_index, command_kind, command_name, command_time, command_text, author_email";
  std::string sql = std::string("CREATE TABLE jobs_rebuilt (") + kJobsColumns + ");" +
                    "INSERT INTO jobs_rebuilt (" + kCopied + ") SELECT " + kCopied +
                    " FROM jobs ORDER BY id;"
                    "CREATE TEMP TABLE jobs_sequence AS SELECT seq FROM sqlite_sequence WHERE "
                    "name = 'jobs';"
                    "DROP TABLE jobs;"
                    "ALTER TABLE jobs_rebuilt RENAME TO jobs;"
                    "UPDATE sqlite_sequence SET seq = max(seq, coalesce((SELECT max(seq) FROM "
                    "temp.jobs_sequence), 0)) WHERE name = 'jobs';"
                    "DROP TABLE temp.jobs_sequence;"
                    "CREATE INDEX IF NOT EXISTS jobs_due ON jobs (state, next_attempt_at);"
                    "COMMIT;";
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    return fail("adding the command index to the jobs' uniqueness");
  }
  return Status::Ok();
}

// A random non-zero token that identifies one claim of a job.
std::int64_t NewLeaseToken() {
  static thread_local std::mt19937_64 generator{std::random_device{}()};
  std::int64_t token = 0;
  while (token == 0) token = static_cast<std::int64_t>(generator() >> 1);
  return token;
}

Job ReadJob(Statement& s) {
  Job job;
  job.id = s.Int(0);
  job.repository = s.Text(1);
  job.commit = s.Text(2);
  job.key = s.Text(3);
  ParseJobKind(s.Text(4), &job.kind);
  job.branch = s.Text(5);
  job.author = s.Text(6);
  job.message = s.Text(7);
  job.commit_url = s.Text(8);
  job.repo_url = s.Text(9);
  job.branch_url = s.Text(10);
  ParseJobState(s.Text(11), &job.state);
  job.attempts = static_cast<int>(s.Int(12));
  job.progress = static_cast<int>(s.Int(13));
  job.next_attempt_at = s.Int(14);
  job.lease_until = s.Int(15);
  job.last_error = s.Text(16);
  job.created_at = s.Int(17);
  job.updated_at = s.Int(18);
  job.lease_token = s.Int(19);
  job.site = s.Text(20);
  job.position = s.Int(21);
  std::int64_t step = s.Int(22);
  job.step = step == 1   ? CloseStep::kTransitionSent
             : step == 2 ? CloseStep::kResolved
                         : CloseStep::kNone;
  job.command_index = static_cast<int>(s.Int(23));
  ParseSmartCommandKind(s.Text(24), &job.command.kind);
  job.command.transition = s.Text(25);
  job.command.time_spent = s.Text(26);
  job.command.text = s.Text(27);
  job.author_email = s.Text(28);
  return job;
}

// Errors name the outbox file, what was being done, and SQLite's reason.
Status SqlError(sqlite3* db, const std::string& path, const char* what) {
  return Status::IOError(path + ": " + what + ": " + sqlite3_errmsg(db));
}

Status ExecSql(sqlite3* db, const std::string& path, const char* sql) {
  char* message = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &message) != SQLITE_OK) {
    std::string text = message != nullptr ? message : sqlite3_errmsg(db);
    sqlite3_free(message);
    return Status::IOError(path + ": " + sql + ": " + text);
  }
  return Status::Ok();
}

// The statements a batch runs, prepared once per connection: the serve
// process writes a batch per webhook (or group of them).
struct EnqueueStatements {
  explicit EnqueueStatements(sqlite3* db)
      : insert(db,
               "INSERT INTO jobs (repository, commit_sha, issue_key, kind, branch, author, "
               "commit_url, repo_url, branch_url, next_attempt_at, created_at, "
               "updated_at, site, push_number, position, command_index, command_kind, "
               "command_name, command_time, command_text, author_email) VALUES (?1, ?2, ?3, "
               "?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, "
               "?19) ON CONFLICT DO NOTHING"),
        // A commit's message never changes; a merge request's may (an edit).
        // A devinfo job's payload is the one of its first enqueue: its
        // updateSequenceId was fixed then (devinfo_job.h).
        message(db,
                "INSERT INTO messages (repository, source, message) VALUES (?1, ?2, ?3) "
                "ON CONFLICT (repository, source) DO UPDATE SET message = excluded.message "
                "WHERE message != excluded.message AND substr(excluded.source, 1, 8) != "
                "'devinfo:'") {}
  Statement insert;
  Statement message;
};

// One push's jobs in one transaction, written as they are added (the hook's
// walk streams into it). The write lock is taken at the first job, not
// before: a push with no keys never waits for other writers.
class SqliteEnqueueBatch final : public EnqueueBatch {
 public:
  SqliteEnqueueBatch(sqlite3* db, std::string path, EnqueueStatements* statements)
      : db_(db),
        path_(std::move(path)),
        insert_(statements->insert),
        message_(statements->message) {}
  ~SqliteEnqueueBatch() override {
    if (in_transaction_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }

  Status Prepare() {
    if (!insert_.ok()) return Error("prepare insert");
    if (!message_.ok()) return Error("prepare message insert");
    return Status::Ok();
  }

  Status Add(const Job& job) override {
    if (!in_transaction_) {
      Status status = Begin();
      if (!status.ok()) return status;
    }
    // Bound without copies: `job` outlives the Step().
    insert_.BindUnowned(1, job.repository);
    insert_.BindUnowned(2, job.commit);
    insert_.BindUnowned(3, job.key);
    insert_.BindUnowned(4, JobKindName(job.kind));
    insert_.BindUnowned(5, job.branch);
    insert_.BindUnowned(6, job.author);
    insert_.BindUnowned(7, job.commit_url);
    insert_.BindUnowned(8, job.repo_url);
    insert_.BindUnowned(9, job.branch_url);
    insert_.Bind(10, now_);
    insert_.BindUnowned(11, job.site);
    insert_.Bind(12, push_number_);
    insert_.Bind(13, job.position);
    const bool smart = job.kind == JobKind::kSmartCommand;
    insert_.Bind(14, static_cast<std::int64_t>(smart ? job.command_index : 0));
    insert_.BindUnowned(15, smart ? SmartCommandKindName(job.command.kind) : "");
    insert_.BindUnowned(16, smart ? std::string_view(job.command.transition) : "");
    insert_.BindUnowned(17, smart ? std::string_view(job.command.time_spent) : "");
    insert_.BindUnowned(18, smart ? std::string_view(job.command.text) : "");
    insert_.BindUnowned(19, job.author_email);
    int rc = insert_.Step();
    insert_.Reset();
    if (rc != SQLITE_DONE) return Error("insert job");
    is_new_.push_back(sqlite3_changes(db_) > 0);
    // Once per source: the jobs of one commit come one after another.
    if (job.repository != last_repository_ || job.commit != last_source_ ||
        job.message != last_message_) {
      message_.BindUnowned(1, job.repository);
      message_.BindUnowned(2, job.commit);
      message_.BindUnowned(3, job.message);
      rc = message_.Step();
      message_.Reset();
      if (rc != SQLITE_DONE) return Error("insert message");
      last_repository_ = job.repository;
      last_source_ = job.commit;
      last_message_ = job.message;
    }
    return Status::Ok();
  }

  Status Commit(std::vector<bool>* is_new) override {
    if (is_new != nullptr) is_new->clear();
    if (!in_transaction_) return Status::Ok();
    Status status = ExecSql(db_, path_, "COMMIT");
    if (!status.ok()) return status;
    in_transaction_ = false;
    if (is_new != nullptr) *is_new = std::move(is_new_);
    is_new_.clear();
    return Status::Ok();
  }

 private:
  // Takes the write lock and numbers the push: one more than the highest id
  // ever given (AUTOINCREMENT keeps it), so later pushes get larger numbers.
  Status Begin() {
    Status status = ExecSql(db_, path_, "BEGIN IMMEDIATE");
    if (!status.ok()) return status;
    in_transaction_ = true;
    Statement last(db_, "SELECT seq FROM sqlite_sequence WHERE name = 'jobs'");
    if (!last.ok()) return Error("read the last job id");
    int rc = last.Step();
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return Error("read the last job id");
    push_number_ = (rc == SQLITE_ROW ? last.Int(0) : 0) + 1;
    now_ = NowMillis();
    return Status::Ok();
  }

  Status Error(const char* what) const { return SqlError(db_, path_, what); }

  sqlite3* db_;
  std::string path_;
  Statement& insert_;
  Statement& message_;
  std::vector<bool> is_new_;     // per job added, in order
  std::string last_repository_;  // the source whose message was stored last
  std::string last_source_;
  std::string last_message_;
  bool in_transaction_ = false;
  std::int64_t push_number_ = 0;
  std::int64_t now_ = 0;
};

class SqliteOutbox final : public Outbox {
 public:
  SqliteOutbox(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  ~SqliteOutbox() override {
    enqueue_statements_.reset();  // finalized before the close
    sqlite3_close(db_);
  }

  Status StartEnqueue(std::unique_ptr<EnqueueBatch>* batch) override {
    if (enqueue_statements_ == nullptr) {
      enqueue_statements_ = std::make_unique<EnqueueStatements>(db_);
    }
    auto sqlite_batch = std::make_unique<SqliteEnqueueBatch>(db_, path_, enqueue_statements_.get());
    Status status = sqlite_batch->Prepare();
    if (!status.ok()) return status;
    *batch = std::move(sqlite_batch);
    return Status::Ok();
  }

  Status Claim(const std::string& site, std::int64_t now, std::int64_t due_by,
               std::int64_t lease_ms, std::optional<Job>* job) override {
    job->reset();
    // One statement: picking and leasing cannot be split by another worker.
    std::string sql =
        std::string(
            "UPDATE jobs SET lease_until = ?1, attempts = attempts + 1, "
            "lease_token = ?3, updated_at = ?2 WHERE id = (SELECT id FROM jobs WHERE state = "
            "'pending' AND site = ?5 AND next_attempt_at <= ?4 AND lease_until <= ?2 ORDER BY "
            "next_attempt_at, push_number, position, id LIMIT 1) RETURNING ") +
        kJobColumns;
    Statement claim(db_, sql.c_str());
    if (!claim.ok()) return Error("prepare claim");
    claim.Bind(1, now + lease_ms);
    claim.Bind(2, now);
    claim.Bind(3, NewLeaseToken());
    claim.Bind(4, due_by);
    claim.Bind(5, site);
    int rc = claim.Step();
    if (rc == SQLITE_ROW) {
      *job = ReadJob(claim);
      rc = claim.Step();
    }
    if (rc != SQLITE_DONE) return Error("claim a job");
    return Status::Ok();
  }

  Status MarkDone(const Job& job, const std::string& note) override {
    return Finish(job, "done", NowMillis(), note, job.progress, /*count_attempt=*/true);
  }
  Status MarkRetry(const Job& job, std::int64_t next_attempt_at,
                   const std::string& error) override {
    return Finish(job, "pending", next_attempt_at, error, job.progress, true);
  }
  Status MarkDead(const Job& job, const std::string& reason) override {
    return Finish(job, "dead", NowMillis(), reason, job.progress, true);
  }
  Status MarkSkipped(const Job& job, const std::string& reason) override {
    return Finish(job, "skipped", NowMillis(), reason, job.progress, true);
  }
  Status Release(const Job& job, const std::string& reason) override {
    return Finish(job, "pending", NowMillis(), reason, job.progress, false);
  }
  Status SaveProgress(const Job& job) override {
    Statement s(db_,
                "UPDATE jobs SET progress = ?1, step = ?5, updated_at = ?2 WHERE id = ?3 AND "
                "lease_token = ?4 AND state = 'pending'");
    if (!s.ok()) return Error("prepare progress update");
    s.Bind(1, static_cast<std::int64_t>(job.progress));
    s.Bind(2, NowMillis());
    s.Bind(3, job.id);
    s.Bind(4, job.lease_token);
    s.Bind(5, static_cast<std::int64_t>(job.step));
    if (s.Step() != SQLITE_DONE) return Error("save progress");
    if (sqlite3_changes(db_) == 0) return LostLease(job);
    return Status::Ok();
  }

  Status List(std::optional<JobState> state, int limit, std::vector<Job>* jobs) override {
    jobs->clear();
    std::string sql = std::string("SELECT ") + kJobColumns + " FROM jobs" +
                      (state ? " WHERE state = ?1" : "") +
                      " ORDER BY push_number DESC, position DESC, id DESC LIMIT ?2";
    Statement s(db_, sql.c_str());
    if (!s.ok()) return Error("prepare list");
    if (state) s.Bind(1, std::string(JobStateName(*state)));
    s.Bind(2, static_cast<std::int64_t>(limit));
    int rc;
    while ((rc = s.Step()) == SQLITE_ROW) jobs->push_back(ReadJob(s));
    if (rc != SQLITE_DONE) return Error("list jobs");
    return Status::Ok();
  }

  Status Get(std::int64_t id, std::optional<Job>* job) override {
    job->reset();
    std::string sql = std::string("SELECT ") + kJobColumns + " FROM jobs WHERE id = ?1";
    Statement s(db_, sql.c_str());
    if (!s.ok()) return Error("prepare get");
    s.Bind(1, id);
    int rc = s.Step();
    if (rc == SQLITE_ROW) {
      *job = ReadJob(s);
    } else if (rc != SQLITE_DONE) {
      return Error("get job");
    }
    return Status::Ok();
  }

  Status CountDue(std::int64_t now, int* count) override {
    Statement s(db_,
                "SELECT count(*) FROM jobs WHERE state = 'pending' AND next_attempt_at <= ?1 "
                "AND lease_until <= ?1");
    if (!s.ok()) return Error("prepare count");
    s.Bind(1, now);
    if (s.Step() != SQLITE_ROW) return Error("count due jobs");
    *count = static_cast<int>(s.Int(0));
    return Status::Ok();
  }

  Status CountByState(std::vector<std::pair<JobState, std::int64_t>>* counts) override {
    counts->assign({{JobState::kPending, 0}, {JobState::kDone, 0}, {JobState::kDead, 0}});
    Statement s(db_, "SELECT state, count(*) FROM jobs GROUP BY state");
    if (!s.ok()) return Error("prepare count by state");
    int rc;
    while ((rc = s.Step()) == SQLITE_ROW) {
      JobState state;
      if (!ParseJobState(s.Text(0), &state)) continue;
      for (auto& [known, count] : *counts) {
        if (known == state) count = s.Int(1);
      }
    }
    if (rc != SQLITE_DONE) return Error("count jobs by state");
    return Status::Ok();
  }

  Status ListDueSites(std::int64_t now, std::vector<DueSite>* sites) override {
    sites->clear();
    Statement s(db_,
                "SELECT site, min(repository) FROM jobs WHERE state = 'pending' AND "
                "next_attempt_at <= ?1 AND lease_until <= ?1 GROUP BY site ORDER BY site");
    if (!s.ok()) return Error("prepare due sites");
    s.Bind(1, now);
    int rc;
    while ((rc = s.Step()) == SQLITE_ROW) sites->push_back({s.Text(0), s.Text(1)});
    return rc == SQLITE_DONE ? Status::Ok() : Error("list due sites");
  }

  Status ListRepositoriesWithoutSite(std::vector<std::string>* repositories) override {
    repositories->clear();
    Statement s(db_,
                "SELECT DISTINCT repository FROM jobs WHERE site = '' AND state != 'done' "
                "ORDER BY repository");
    if (!s.ok()) return Error("prepare repositories without a site");
    int rc;
    while ((rc = s.Step()) == SQLITE_ROW) repositories->push_back(s.Text(0));
    return rc == SQLITE_DONE ? Status::Ok() : Error("list repositories without a site");
  }

  Status AssignSite(const std::string& repository, const std::string& site) override {
    Statement s(db_, "UPDATE jobs SET site = ?1 WHERE site = '' AND repository = ?2");
    if (!s.ok()) return Error("prepare site assignment");
    s.Bind(1, site);
    s.Bind(2, repository);
    return s.Step() == SQLITE_DONE ? Status::Ok() : Error("assign a site");
  }

  Status Retry(RetryScope scope, std::int64_t id, int* changed) override {
    const char* where = scope == RetryScope::kOne    ? "id = ?2 AND state != 'done'"
                        : scope == RetryScope::kDead ? "state = 'dead'"
                                                     : "state IN ('pending', 'dead')";
    std::string sql =
        std::string(
            "UPDATE jobs SET state = 'pending', attempts = 0, next_attempt_at = "
            "?1, created_at = ?1, updated_at = ?1, last_error = '' WHERE lease_until <= ?1 AND ") +
        where;
    Status status = Exec("BEGIN IMMEDIATE");
    if (!status.ok()) return status;
    Statement s(db_, sql.c_str());
    if (!s.ok()) return Rollback(Error("prepare retry"));
    s.Bind(1, NowMillis());
    if (scope == RetryScope::kOne) s.Bind(2, id);
    if (s.Step() != SQLITE_DONE) return Rollback(Error("retry jobs"));
    *changed = sqlite3_changes(db_);
    status = Exec("DELETE FROM pauses");
    if (status.ok()) status = Exec("COMMIT");
    if (!status.ok()) return Rollback(status);
    return Status::Ok();
  }

  Status Drop(std::int64_t id) override {
    Statement s(db_, "DELETE FROM jobs WHERE id = ?1");
    if (!s.ok()) return Error("prepare drop");
    s.Bind(1, id);
    if (s.Step() != SQLITE_DONE) return Error("drop job");
    if (sqlite3_changes(db_) == 0) {
      return Status::NotFound("no job with id " + std::to_string(id) + " in " + path_);
    }
    return DropUnusedMessages();
  }

  Status PurgeDone(std::int64_t before, int* removed) override {
    *removed = 0;
    Statement s(db_, "DELETE FROM jobs WHERE state IN ('done', 'skipped') AND updated_at < ?1");
    if (!s.ok()) return Error("prepare purge");
    s.Bind(1, before);
    if (s.Step() != SQLITE_DONE) return Error("purge done jobs");
    *removed = sqlite3_changes(db_);
    if (*removed > 0) return DropUnusedMessages();
    return Status::Ok();
  }

  Status PrepareForPushes() override {
    // PASSIVE: never waits for a hook in the middle of its push. When it
    // folded the whole log, the write below starts the next one (header,
    // sync, directory sync) here instead of in the next push's hook.
    Status status = Exec("PRAGMA wal_checkpoint(PASSIVE)");
    if (!status.ok()) return status;
    Statement touch(db_,
                    "INSERT INTO outbox_state (name, value) VALUES ('log_started_at', ?1) "
                    "ON CONFLICT (name) DO UPDATE SET value = excluded.value");
    if (!touch.ok()) return Error("prepare log start");
    touch.Bind(1, NowMillis());
    if (touch.Step() != SQLITE_DONE) return Error("start the next log");
    // A checkpoint on close would fold that write too, and the next push
    // would start a log again.
    sqlite3_db_config(db_, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, nullptr);
    return Status::Ok();
  }

  Status SetPause(const SitePause& pause) override {
    Statement s(db_,
                "INSERT INTO pauses (site, reason, since, until) VALUES (?1, ?2, ?3, ?4) "
                "ON CONFLICT (site) DO UPDATE SET reason = ?2, until = ?4");
    if (!s.ok()) return Error("prepare pause");
    s.Bind(1, pause.site);
    s.Bind(2, pause.reason);
    s.Bind(3, pause.since);
    s.Bind(4, pause.until);
    if (s.Step() != SQLITE_DONE) return Error("save pause");
    return Status::Ok();
  }

  Status GetPause(const std::string& site, std::optional<SitePause>* pause) override {
    pause->reset();
    Statement s(db_, "SELECT site, reason, since, until FROM pauses WHERE site = ?1");
    if (!s.ok()) return Error("prepare pause lookup");
    s.Bind(1, site);
    int rc = s.Step();
    if (rc == SQLITE_ROW) {
      *pause = SitePause{s.Text(0), s.Text(1), s.Int(2), s.Int(3)};
    } else if (rc != SQLITE_DONE) {
      return Error("read pause");
    }
    return Status::Ok();
  }

  Status ClearPause(const std::string& site) override {
    Statement s(db_, "DELETE FROM pauses WHERE site = ?1");
    if (!s.ok()) return Error("prepare unpause");
    s.Bind(1, site);
    if (s.Step() != SQLITE_DONE) return Error("clear pause");
    return Status::Ok();
  }

  Status GetJiraUser(const std::string& site, const std::string& email, std::int64_t now,
                     std::optional<JiraUserEntry>* entry) override {
    entry->reset();
    Statement s(db_,
                "SELECT site, email, found, account_id, name, expires_at FROM jira_users WHERE "
                "site = ?1 AND email = ?2 AND expires_at > ?3");
    if (!s.ok()) return Error("prepare user lookup");
    s.Bind(1, site);
    s.Bind(2, email);
    s.Bind(3, now);
    int rc = s.Step();
    if (rc == SQLITE_ROW) {
      *entry = JiraUserEntry{s.Text(0), s.Text(1), s.Int(2) != 0, s.Text(3), s.Text(4), s.Int(5)};
    } else if (rc != SQLITE_DONE) {
      return Error("read a cached user");
    }
    return Status::Ok();
  }

  Status PutJiraUser(const JiraUserEntry& entry) override {
    Statement s(db_,
                "INSERT INTO jira_users (site, email, found, account_id, name, expires_at) VALUES "
                "(?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (site, email) DO UPDATE SET found = ?3, "
                "account_id = ?4, name = ?5, expires_at = ?6");
    if (!s.ok()) return Error("prepare user cache");
    s.Bind(1, entry.site);
    s.Bind(2, entry.email);
    s.Bind(3, static_cast<std::int64_t>(entry.found ? 1 : 0));
    s.Bind(4, entry.account_id);
    s.Bind(5, entry.name);
    s.Bind(6, entry.expires_at);
    if (s.Step() != SQLITE_DONE) return Error("cache a user");
    // Expired entries go as new ones come: the table stays as small as the
    // set of recent authors.
    Statement purge(db_, "DELETE FROM jira_users WHERE expires_at <= ?1");
    if (!purge.ok()) return Error("prepare user cache purge");
    purge.Bind(1, NowMillis());
    if (purge.Step() != SQLITE_DONE) return Error("purge the user cache");
    return Status::Ok();
  }

  Status ListPauses(std::vector<SitePause>* pauses) override {
    pauses->clear();
    Statement s(db_, "SELECT site, reason, since, until FROM pauses ORDER BY site");
    if (!s.ok()) return Error("prepare pause list");
    int rc;
    while ((rc = s.Step()) == SQLITE_ROW) {
      pauses->push_back(SitePause{s.Text(0), s.Text(1), s.Int(2), s.Int(3)});
    }
    if (rc != SQLITE_DONE) return Error("list pauses");
    return Status::Ok();
  }

 private:
  Status Finish(const Job& job, const char* state, std::int64_t next_attempt_at,
                const std::string& note, int progress, bool count_attempt) {
    Statement s(db_,
                "UPDATE jobs SET state = ?1, next_attempt_at = ?2, last_error = ?3, progress = "
                "?4, lease_until = 0, lease_token = 0, attempts = attempts - ?5, updated_at = ?6, "
                "step = ?9 WHERE id = ?7 AND lease_token = ?8 AND state = 'pending'");
    if (!s.ok()) return Error("prepare job update");
    s.Bind(1, std::string(state));
    s.Bind(2, next_attempt_at);
    s.Bind(3, note);
    s.Bind(4, static_cast<std::int64_t>(progress));
    s.Bind(5, static_cast<std::int64_t>(count_attempt ? 0 : 1));
    s.Bind(6, NowMillis());
    s.Bind(7, job.id);
    s.Bind(8, job.lease_token);
    s.Bind(9, static_cast<std::int64_t>(job.step));
    if (s.Step() != SQLITE_DONE) return Error("update job");
    if (sqlite3_changes(db_) == 0) return LostLease(job);
    return Status::Ok();
  }

  // Messages whose source has no job left.
  Status DropUnusedMessages() {
    return Exec(
        "DELETE FROM messages WHERE NOT EXISTS (SELECT 1 FROM jobs WHERE jobs.repository = "
        "messages.repository AND jobs.commit_sha = messages.source)");
  }

  Status LostLease(const Job& job) const {
    return Status::NotFound("job " + std::to_string(job.id) +
                            " was claimed again by another worker (lease expired)");
  }

  Status Exec(const char* sql) { return ExecSql(db_, path_, sql); }

  Status Rollback(Status status) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    return status;
  }

  Status Error(const char* what) const { return SqlError(db_, path_, what); }

  sqlite3* db_;
  std::string path_;
  std::unique_ptr<EnqueueStatements> enqueue_statements_;  // prepared at the first batch
};

}  // namespace

Status OpenSqliteOutbox(const std::string& path, std::unique_ptr<Outbox>* out,
                        Checkpoints checkpoints) {
  if (Status status = state::PreparePrivateDatabase(path); !status.ok()) return status;
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(
      path.c_str(), &db,
      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_NOFOLLOW,
      nullptr);
  if (rc != SQLITE_OK) {
    std::string message = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    return Status::IOError("cannot open the outbox " + path + ": " + message);
  }
  sqlite3_busy_timeout(db, kBusyTimeoutMs);
  // The WAL file stays when the last connection closes (trimmed to 4 MiB
  // after a checkpoint): creating it anew would cost the next push two
  // fsyncs (its header and its directory); reusing it costs none.
  int persist_wal = 1;
  sqlite3_file_control(db, "main", SQLITE_FCNTL_PERSIST_WAL, &persist_wal);
  // WAL lets hooks add jobs while a worker reads; NORMAL sync is durable
  // across process crashes, which is what a killed worker needs. 4 KiB
  // pages (new files only; set before WAL mode): a commit writes every page
  // it changed whole into the WAL (and checksums it), and a webhook's or a
  // small push's transaction changes ~6 pages (jobs, its two indexes,
  // messages, its index, sqlite_sequence); 16 KiB pages made that ~96 KiB
  // per transaction (BM_WebhookAccept, docs/DEVELOPMENT.md).
  std::string setup =
      "PRAGMA page_size = 4096; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; "
      "PRAGMA journal_size_limit = 4194304;";
  if (checkpoints == Checkpoints::kOnlyWhenLarge) {
    setup += " PRAGMA wal_autocheckpoint = 16384;";
    // Nor when the hook's process ends: that checkpoint fsyncs twice.
    sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, nullptr);
  }
  const std::string schema =
      std::string("CREATE TABLE IF NOT EXISTS jobs (") + kJobsColumns + ");" + kOtherTables;
  char* message = nullptr;
  if (sqlite3_exec(db, setup.c_str(), nullptr, nullptr, &message) != SQLITE_OK ||
      sqlite3_exec(db, schema.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    std::string text = message ? message : sqlite3_errmsg(db);
    sqlite3_free(message);
    sqlite3_close(db);
    return Status::IOError("cannot set up the outbox " + path + ": " + text);
  }
  Status upgraded = AddMissingColumns(db);
  if (upgraded.ok()) upgraded = MoveMessagesOutOfJobs(db);
  if (upgraded.ok()) upgraded = RebuildForCommandIndex(db);
  if (!upgraded.ok()) {
    sqlite3_close(db);
    return Status::IOError("cannot upgrade the outbox " + path + ": " + upgraded.message());
  }
  *out = std::make_unique<SqliteOutbox>(db, path);
  return Status::Ok();
}

}  // namespace jiralink::outbox
