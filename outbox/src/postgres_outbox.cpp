#include "jiralink/outbox/postgres_outbox.h"

#include <poll.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "jiralink/core/postgres_uri.h"
#include "libpq_library.h"

namespace jiralink::outbox {

namespace {

using internal::PqLibrary;

// Advisory lock keys (pg_advisory_xact_lock): the schema migration, and the
// enqueue "write lock" that numbers pushes in commit order.
constexpr std::int64_t kMigrationLock = 0x6a6c6b01;  // "jlk" 1
constexpr std::int64_t kEnqueueLock = 0x6a6c6b02;

// The channel a new or revived job is announced on.
constexpr const char* kJobsChannel = "jiralink_jobs";

// Schema version 1. Every later version appends a step to kMigrations.
constexpr const char* kSchemaV1 = R"sql(
CREATE TABLE jiralink_jobs (
  id BIGSERIAL PRIMARY KEY,
  repository TEXT NOT NULL,
  commit_sha TEXT NOT NULL,
  issue_key TEXT NOT NULL,
  kind TEXT NOT NULL,
  branch TEXT NOT NULL DEFAULT '',
  author TEXT NOT NULL DEFAULT '',
  commit_url TEXT NOT NULL DEFAULT '',
  repo_url TEXT NOT NULL DEFAULT '',
  branch_url TEXT NOT NULL DEFAULT '',
  site TEXT NOT NULL DEFAULT '',
  push_number BIGINT NOT NULL,
  position BIGINT NOT NULL DEFAULT 0,
  state TEXT NOT NULL DEFAULT 'pending',
  attempts INTEGER NOT NULL DEFAULT 0,
  progress INTEGER NOT NULL DEFAULT 0,
  step INTEGER NOT NULL DEFAULT 0,
  next_attempt_at BIGINT NOT NULL,
  lease_until BIGINT NOT NULL DEFAULT 0,
  lease_token BIGINT NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  command_index INTEGER NOT NULL DEFAULT 0,
  command_kind TEXT NOT NULL DEFAULT '',
  command_name TEXT NOT NULL DEFAULT '',
  command_time TEXT NOT NULL DEFAULT '',
  command_text TEXT NOT NULL DEFAULT '',
  author_email TEXT NOT NULL DEFAULT '',
  UNIQUE (repository, commit_sha, issue_key, kind, command_index)
);
CREATE INDEX jiralink_jobs_due ON jiralink_jobs (state, site, next_attempt_at);
CREATE TABLE jiralink_messages (
  repository TEXT NOT NULL,
  source TEXT NOT NULL,
  message TEXT NOT NULL,
  PRIMARY KEY (repository, source)
);
CREATE TABLE jiralink_pauses (
  site TEXT PRIMARY KEY,
  reason TEXT NOT NULL,
  since BIGINT NOT NULL,
  paused_until BIGINT NOT NULL
);
CREATE TABLE jiralink_site_budgets (
  site TEXT PRIMARY KEY,
  next_allowed_at BIGINT NOT NULL DEFAULT 0,
  blocked_until BIGINT NOT NULL DEFAULT 0
);
CREATE TABLE jiralink_jira_users (
  site TEXT NOT NULL,
  email TEXT NOT NULL,
  found BOOLEAN NOT NULL,
  account_id TEXT NOT NULL DEFAULT '',
  name TEXT NOT NULL DEFAULT '',
  expires_at BIGINT NOT NULL,
  PRIMARY KEY (site, email)
);
CREATE SEQUENCE jiralink_push_numbers;
)sql";

// kMigrations[i] takes the schema from version i to i + 1.
constexpr const char* kMigrations[] = {kSchemaV1};
static_assert(std::size(kMigrations) == kPostgresSchemaVersion);

constexpr const char* kJobColumns =
    "j.id, j.repository, j.commit_sha, j.issue_key, j.kind, j.branch, j.author, "
    "coalesce((SELECT m.message FROM jiralink_messages m WHERE m.repository = j.repository AND "
    "m.source = j.commit_sha), ''), j.commit_url, j.repo_url, j.branch_url, j.state, j.attempts, "
    "j.progress, j.next_attempt_at, j.lease_until, j.last_error, j.created_at, j.updated_at, "
    "j.lease_token, j.site, j.position, j.step, j.command_index, j.command_kind, j.command_name, "
    "j.command_time, j.command_text, j.author_email";

std::int64_t NewLeaseToken() {
  static thread_local std::mt19937_64 generator{std::random_device{}()};
  std::int64_t token = 0;
  while (token == 0) token = static_cast<std::int64_t>(generator() >> 1);
  return token;
}

// Notices ("relation already exists, skipping") are not for the operator.
void IgnoreNotice(void*, const char*) {}

// One result, cleared on destruction.
class Result {
 public:
  Result(const PqLibrary* pq, PGresult* result) : pq_(pq), result_(result) {}
  ~Result() {
    if (result_ != nullptr) pq_->clear(result_);
  }
  Result(const Result&) = delete;
  Result& operator=(const Result&) = delete;
  Result(Result&& other) noexcept
      : pq_(other.pq_), result_(std::exchange(other.result_, nullptr)) {}

  bool ok() const {
    if (result_ == nullptr) return false;
    ExecStatusType status = pq_->result_status(result_);
    return status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
  }
  int rows() const { return pq_->ntuples(result_); }
  std::string Text(int row, int column) const {
    return std::string(pq_->getvalue(result_, row, column),
                       static_cast<std::size_t>(pq_->getlength(result_, row, column)));
  }
  std::int64_t Int(int row, int column) const {
    return std::strtoll(pq_->getvalue(result_, row, column), nullptr, 10);
  }
  // Rows an INSERT, UPDATE or DELETE changed.
  int Changed() const { return std::atoi(pq_->cmd_tuples(result_)); }
  // The SQLSTATE, e.g. "42P01"; "" when there is none.
  std::string SqlState() const {
    if (result_ == nullptr) return "";
    const char* state = pq_->result_error_field(result_, PG_DIAG_SQLSTATE);
    return state != nullptr ? state : "";
  }

 private:
  const PqLibrary* pq_;
  PGresult* result_;
};

// Query parameters as text (PostgreSQL casts them to the column types).
class Params {
 public:
  Params& Add(std::string value) {
    values_.push_back(std::move(value));
    return *this;
  }
  Params& Add(std::int64_t value) { return Add(std::to_string(value)); }
  Params& Add(int value) { return Add(static_cast<std::int64_t>(value)); }
  Params& Add(const char* value) { return Add(std::string(value)); }
  std::vector<const char*> Pointers() const {
    std::vector<const char*> pointers;
    for (const std::string& value : values_) pointers.push_back(value.c_str());
    return pointers;
  }
  int size() const { return static_cast<int>(values_.size()); }

 private:
  std::vector<std::string> values_;
};

Job ReadJob(const Result& r, int row) {
  Job job;
  job.id = r.Int(row, 0);
  job.repository = r.Text(row, 1);
  job.commit = r.Text(row, 2);
  job.key = r.Text(row, 3);
  ParseJobKind(r.Text(row, 4), &job.kind);
  job.branch = r.Text(row, 5);
  job.author = r.Text(row, 6);
  job.message = r.Text(row, 7);
  job.commit_url = r.Text(row, 8);
  job.repo_url = r.Text(row, 9);
  job.branch_url = r.Text(row, 10);
  ParseJobState(r.Text(row, 11), &job.state);
  job.attempts = static_cast<int>(r.Int(row, 12));
  job.progress = static_cast<int>(r.Int(row, 13));
  job.next_attempt_at = r.Int(row, 14);
  job.lease_until = r.Int(row, 15);
  job.last_error = r.Text(row, 16);
  job.created_at = r.Int(row, 17);
  job.updated_at = r.Int(row, 18);
  job.lease_token = r.Int(row, 19);
  job.site = r.Text(row, 20);
  job.position = r.Int(row, 21);
  std::int64_t step = r.Int(row, 22);
  job.step = step == 1   ? CloseStep::kTransitionSent
             : step == 2 ? CloseStep::kResolved
                         : CloseStep::kNone;
  job.command_index = static_cast<int>(r.Int(row, 23));
  ParseSmartCommandKind(r.Text(row, 24), &job.command.kind);
  job.command.transition = r.Text(row, 25);
  job.command.time_spent = r.Text(row, 26);
  job.command.text = r.Text(row, 27);
  job.author_email = r.Text(row, 28);
  return job;
}

// One libpq connection, with errors that name the database.
class Connection {
 public:
  Connection(const PqLibrary* pq, PGconn* conn, std::string where)
      : pq_(pq), conn_(conn), where_(std::move(where)) {}
  ~Connection() { pq_->finish(conn_); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  Result Exec(const char* sql) {
    Reconnect();
    return Result(pq_, pq_->exec(conn_, sql));
  }
  Result Exec(const char* sql, const Params& params) {
    Reconnect();
    std::vector<const char*> values = params.Pointers();
    return Result(pq_, pq_->exec_params(conn_, sql, params.size(), nullptr, values.data(), nullptr,
                                        nullptr, 0));
  }
  // Runs `sql`; an error names `what`.
  Status Run(const char* sql, const char* what) {
    Result r = Exec(sql);
    return r.ok() ? Status::Ok() : Error(what);
  }
  Status Error(const char* what) const {
    std::string reason = pq_->error_message(conn_);
    while (!reason.empty() && (reason.back() == '\n' || reason.back() == ' ')) reason.pop_back();
    if (pq_->status(conn_) != CONNECTION_OK) {
      return Status::Unavailable(where_ + ": " + what + ": " + reason);
    }
    return Status::IOError(where_ + ": " + what + ": " + reason);
  }
  void Rollback() { Exec("ROLLBACK"); }

  // How often the connection was made again (a LISTEN is lost each time).
  int reconnects() const { return reconnects_; }

  const PqLibrary* pq() const { return pq_; }
  PGconn* get() { return conn_; }
  const std::string& where() const { return where_; }

 private:
  // A long-lived process (serve, deliver --daemon) outlives a server
  // restart: a connection found broken is made again before the next
  // statement. The statement that found it broken already failed, so no
  // transaction continues on the new connection.
  void Reconnect() {
    if (pq_->status(conn_) != CONNECTION_BAD) return;
    pq_->reset(conn_);
    ++reconnects_;
  }

  const PqLibrary* pq_;
  PGconn* conn_;
  std::string where_;
  int reconnects_ = 0;
};

// Creates or migrates the schema. The version is read without a lock first:
// an up-to-date database (every open but the first) costs one query.
Status Migrate(Connection& db) {
  int version = -1;
  {
    Result r = db.Exec("SELECT max(version) FROM jiralink_schema_version");
    if (r.ok() && r.rows() == 1) version = static_cast<int>(r.Int(0, 0));
    if (!r.ok() && r.SqlState() != "42P01") return db.Error("read the schema version");
  }
  if (version == kPostgresSchemaVersion) return Status::Ok();
  if (version > kPostgresSchemaVersion) {
    return Status::InvalidArgument(db.where() + ": the outbox schema is version " +
                                   std::to_string(version) + ", newer than this jiralink's " +
                                   std::to_string(kPostgresSchemaVersion) + ": upgrade jiralink");
  }
  Status status = db.Run("BEGIN", "begin the schema migration");
  if (!status.ok()) return status;
  Params lock;
  lock.Add(kMigrationLock);
  if (!db.Exec("SELECT pg_advisory_xact_lock($1)", lock).ok()) {
    status = db.Error("lock the schema migration");
    db.Rollback();
    return status;
  }
  // Another host may have migrated while this one waited for the lock.
  Result created =
      db.Exec("CREATE TABLE IF NOT EXISTS jiralink_schema_version (version INTEGER NOT NULL)");
  Result current = db.Exec("SELECT coalesce(max(version), 0) FROM jiralink_schema_version");
  if (!created.ok() || !current.ok()) {
    status = db.Error("read the schema version");
    db.Rollback();
    return status;
  }
  for (int step = static_cast<int>(current.Int(0, 0)); step < kPostgresSchemaVersion; ++step) {
    Params next;
    next.Add(step + 1);
    if (!db.Exec(kMigrations[step]).ok() ||
        !db.Exec("INSERT INTO jiralink_schema_version (version) VALUES ($1)", next).ok()) {
      status = db.Error("migrate the outbox schema");
      db.Rollback();
      return status;
    }
  }
  return db.Run("COMMIT", "commit the schema migration");
}

// A PostgreSQL array literal of text values, e.g. {"a","b \"c\""}: every
// element quoted, `"` and `\` escaped (the array input syntax). The values
// go as one query parameter, so no user text is ever part of the SQL.
class TextArray {
 public:
  void Add(std::string_view value) {
    literal_ += literal_.empty() ? "{\"" : ",\"";
    for (char c : value) {
      if (c == '"' || c == '\\') literal_ += '\\';
      literal_ += c;
    }
    literal_ += '"';
  }
  void Add(std::int64_t value) {
    literal_ += literal_.empty() ? "{" : ",";
    literal_ += std::to_string(value);
  }
  std::string Take() {
    std::string out = literal_.empty() ? std::string("{}") : std::move(literal_) + "}";
    literal_.clear();
    return out;
  }

 private:
  std::string literal_;
};

// The jobs of a batch go in one statement at Commit (or every kFlushJobs
// jobs): the job rows as parallel arrays unnested in order, and the messages
// in a data-modifying WITH of the same statement. One round trip for a
// push of any size instead of two per job; the hook at 1000 commits spent
// nearly all its time waiting on those round trips.
constexpr std::size_t kFlushJobs = 2000;

// The messages: a devinfo job's payload (a source "devinfo:…") is the one of
// its first enqueue, whose updateSequenceId was fixed then (devinfo_job.h).

constexpr const char* kInsertJobs =
    "WITH messages AS (INSERT INTO jiralink_messages (repository, source, message) "
    "SELECT * FROM unnest($20::text[], $21::text[], $22::text[]) "
    "ON CONFLICT (repository, source) DO UPDATE SET message = excluded.message "
    "WHERE jiralink_messages.message <> excluded.message AND "
    "substr(excluded.source, 1, 8) <> 'devinfo:') "
    "INSERT INTO jiralink_jobs (repository, commit_sha, issue_key, kind, branch, author, "
    "commit_url, repo_url, branch_url, site, position, command_index, command_kind, "
    "command_name, command_time, command_text, author_email, next_attempt_at, created_at, "
    "updated_at, push_number) "
    "SELECT r.repository, r.commit_sha, r.issue_key, r.kind, r.branch, r.author, r.commit_url, "
    "r.repo_url, r.branch_url, r.site, r.position, r.command_index, r.command_kind, "
    "r.command_name, r.command_time, r.command_text, r.author_email, $18, $18, $18, $19 "
    "FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], "
    "$7::text[], $8::text[], $9::text[], $10::text[], $11::bigint[], $12::int[], $13::text[], "
    "$14::text[], $15::text[], $16::text[], $17::text[]) WITH ORDINALITY AS r(repository, "
    "commit_sha, issue_key, kind, branch, author, commit_url, repo_url, branch_url, site, "
    "position, command_index, command_kind, command_name, command_time, command_text, "
    "author_email, n) ORDER BY r.n ON CONFLICT DO NOTHING "
    "RETURNING repository, commit_sha, issue_key, kind, command_index";

class PostgresEnqueueBatch final : public EnqueueBatch {
 public:
  explicit PostgresEnqueueBatch(Connection* db) : db_(db) {}
  ~PostgresEnqueueBatch() override {
    if (in_transaction_) db_->Rollback();
  }

  // The first Add takes the write lock (the interface's promise: pushes are
  // numbered in the order they commit); the job is written later.
  Status Add(const Job& job) override {
    if (!in_transaction_) {
      Status status = Begin();
      if (!status.ok()) return status;
    }
    pending_.push_back(job);
    if (pending_.size() >= kFlushJobs) return Flush();
    return Status::Ok();
  }

  Status WriteAdded() override { return Flush(); }

  Status Commit(std::vector<bool>* is_new) override {
    if (is_new != nullptr) is_new->clear();
    if (!in_transaction_) return Status::Ok();
    Status status = Flush();
    if (!status.ok()) return status;
    // NOTIFY is delivered with the commit: a listener never wakes for jobs
    // it cannot see yet. Both in one round trip.
    // A failed NOTIFY skips the COMMIT and leaves the transaction aborted:
    // the batch stays "in transaction" so that its destructor rolls back and
    // a long-lived connection (serve) is usable again.
    status =
        db_->Run(any_added_ ? "NOTIFY jiralink_jobs; COMMIT" : "COMMIT", "commit the push's jobs");
    if (!status.ok()) return status;
    in_transaction_ = false;
    if (is_new != nullptr) *is_new = std::move(is_new_);
    is_new_.clear();
    return Status::Ok();
  }

 private:
  // One round trip: the transaction, the lock and the push's number.
  Status Begin() {
    const std::string begin = "BEGIN; SELECT pg_advisory_xact_lock(" +
                              std::to_string(kEnqueueLock) + "), nextval('jiralink_push_numbers')";
    Result number = db_->Exec(begin.c_str());
    if (!number.ok() || number.rows() != 1) {
      Status status = db_->Error("begin adding jobs");
      db_->Rollback();
      return status;
    }
    in_transaction_ = true;
    push_number_ = number.Int(0, 1);
    now_ = NowMillis();
    return Status::Ok();
  }

  // The identity the outbox keeps unique.
  static std::string Identity(std::string_view repository, std::string_view commit,
                              std::string_view key, std::string_view kind,
                              std::int64_t command_index) {
    std::string identity;
    identity.reserve(repository.size() + commit.size() + key.size() + kind.size() + 24);
    for (std::string_view part : {repository, commit, key, kind}) {
      identity.append(part);
      identity.push_back('\0');
    }
    identity += std::to_string(command_index);
    return identity;
  }

  Status Flush() {
    if (pending_.empty()) return Status::Ok();
    constexpr int kArrays = 17;
    TextArray columns[kArrays];
    TextArray message_repository, message_source, message_text;
    // A message once per source: the last one given wins, as one statement
    // must not update a row twice.
    std::unordered_map<std::string, std::size_t> message_of;
    std::vector<const Job*> message_jobs;
    for (const Job& job : pending_) {
      const bool smart = job.kind == JobKind::kSmartCommand;
      columns[0].Add(job.repository);
      columns[1].Add(job.commit);
      columns[2].Add(job.key);
      columns[3].Add(JobKindName(job.kind));
      columns[4].Add(job.branch);
      columns[5].Add(job.author);
      columns[6].Add(job.commit_url);
      columns[7].Add(job.repo_url);
      columns[8].Add(job.branch_url);
      columns[9].Add(job.site);
      columns[10].Add(job.position);
      columns[11].Add(static_cast<std::int64_t>(smart ? job.command_index : 0));
      columns[12].Add(smart ? std::string_view(SmartCommandKindName(job.command.kind)) : "");
      columns[13].Add(smart ? std::string_view(job.command.transition) : "");
      columns[14].Add(smart ? std::string_view(job.command.time_spent) : "");
      columns[15].Add(smart ? std::string_view(job.command.text) : "");
      columns[16].Add(job.author_email);
      std::string source = job.repository + '\0' + job.commit;
      auto [at, inserted] = message_of.emplace(std::move(source), message_jobs.size());
      if (inserted) {
        message_jobs.push_back(&job);
      } else {
        message_jobs[at->second] = &job;
      }
    }
    for (const Job* job : message_jobs) {
      message_repository.Add(job->repository);
      message_source.Add(job->commit);
      message_text.Add(job->message);
    }
    Params p;
    for (TextArray& column : columns) p.Add(column.Take());
    p.Add(now_).Add(push_number_);
    p.Add(message_repository.Take()).Add(message_source.Take()).Add(message_text.Take());
    Result insert = db_->Exec(kInsertJobs, p);
    if (!insert.ok()) return db_->Error("insert jobs");
    // Which were new: RETURNING names the rows written; within the batch
    // the first of equal jobs is the one written (rows go in order).
    std::unordered_set<std::string> written;
    for (int row = 0; row < insert.rows(); ++row) {
      written.insert(Identity(insert.Text(row, 0), insert.Text(row, 1), insert.Text(row, 2),
                              insert.Text(row, 3), insert.Int(row, 4)));
    }
    for (const Job& job : pending_) {
      const bool smart = job.kind == JobKind::kSmartCommand;
      bool added =
          written.erase(Identity(job.repository, job.commit, job.key, JobKindName(job.kind),
                                 smart ? job.command_index : 0)) > 0;
      is_new_.push_back(added);
      any_added_ = any_added_ || added;
    }
    pending_.clear();
    return Status::Ok();
  }

  Connection* db_;
  std::vector<Job> pending_;  // added, not written yet
  std::vector<bool> is_new_;  // per job written, in order
  bool in_transaction_ = false;
  bool any_added_ = false;
  std::int64_t push_number_ = 0;
  std::int64_t now_ = 0;
};

class PostgresOutbox final : public Outbox {
 public:
  explicit PostgresOutbox(std::unique_ptr<Connection> db) : db_(std::move(db)) {}

  Status StartEnqueue(std::unique_ptr<EnqueueBatch>* batch) override {
    *batch = std::make_unique<PostgresEnqueueBatch>(db_.get());
    return Status::Ok();
  }

  Status Claim(const std::string& site, std::int64_t now, std::int64_t due_by,
               std::int64_t lease_ms, std::optional<Job>* job) override {
    job->reset();
    // One statement, one transaction: the row is locked while it is picked
    // (others skip it) and leased before the lock goes.
    std::string sql =
        std::string(
            "UPDATE jiralink_jobs j SET lease_until = $1, attempts = j.attempts + 1, "
            "lease_token = $3, updated_at = $2 WHERE j.id = (SELECT id FROM jiralink_jobs "
            "WHERE state = 'pending' AND site = $5 AND next_attempt_at <= $4 AND lease_until <= "
            "$2 ORDER BY next_attempt_at, push_number, position, id LIMIT 1 FOR UPDATE SKIP "
            "LOCKED) RETURNING ") +
        kJobColumns;
    Params p;
    p.Add(now + lease_ms).Add(now).Add(NewLeaseToken()).Add(due_by).Add(site);
    Result r = db_->Exec(sql.c_str(), p);
    if (!r.ok()) return db_->Error("claim a job");
    if (r.rows() == 1) *job = ReadJob(r, 0);
    return Status::Ok();
  }

  Status MarkDone(const Job& job, const std::string& note) override {
    return Finish(job, "done", NowMillis(), note, true);
  }
  Status MarkRetry(const Job& job, std::int64_t next_attempt_at,
                   const std::string& error) override {
    return Finish(job, "pending", next_attempt_at, error, true);
  }
  Status MarkDead(const Job& job, const std::string& reason) override {
    return Finish(job, "dead", NowMillis(), reason, true);
  }
  Status MarkSkipped(const Job& job, const std::string& reason) override {
    return Finish(job, "skipped", NowMillis(), reason, true);
  }
  Status Release(const Job& job, const std::string& reason) override {
    return Finish(job, "pending", NowMillis(), reason, false);
  }

  Status SaveProgress(const Job& job) override {
    Params p;
    p.Add(job.progress)
        .Add(NowMillis())
        .Add(job.id)
        .Add(job.lease_token)
        .Add(static_cast<int>(job.step));
    Result r = db_->Exec(
        "UPDATE jiralink_jobs SET progress = $1, step = $5, updated_at = $2 WHERE id = $3 AND "
        "lease_token = $4 AND state = 'pending'",
        p);
    if (!r.ok()) return db_->Error("save progress");
    if (r.Changed() == 0) return LostLease(job);
    return Status::Ok();
  }

  Status List(std::optional<JobState> state, int limit, std::vector<Job>* jobs) override {
    jobs->clear();
    Params p;
    p.Add(limit);
    if (state) p.Add(JobStateName(*state));
    std::string sql = std::string("SELECT ") + kJobColumns + " FROM jiralink_jobs j" +
                      (state ? " WHERE j.state = $2" : "") +
                      " ORDER BY j.push_number DESC, j.position DESC, j.id DESC LIMIT $1";
    Result r = db_->Exec(sql.c_str(), p);
    if (!r.ok()) return db_->Error("list jobs");
    for (int row = 0; row < r.rows(); ++row) jobs->push_back(ReadJob(r, row));
    return Status::Ok();
  }

  Status Get(std::int64_t id, std::optional<Job>* job) override {
    job->reset();
    Params p;
    p.Add(id);
    std::string sql =
        std::string("SELECT ") + kJobColumns + " FROM jiralink_jobs j WHERE j.id = $1";
    Result r = db_->Exec(sql.c_str(), p);
    if (!r.ok()) return db_->Error("get job");
    if (r.rows() == 1) *job = ReadJob(r, 0);
    return Status::Ok();
  }

  Status CountDue(std::int64_t now, int* count) override {
    Params p;
    p.Add(now);
    Result r = db_->Exec(
        "SELECT count(*) FROM jiralink_jobs WHERE state = 'pending' AND next_attempt_at <= $1 "
        "AND lease_until <= $1",
        p);
    if (!r.ok()) return db_->Error("count due jobs");
    *count = static_cast<int>(r.Int(0, 0));
    return Status::Ok();
  }

  Status CountByState(std::vector<std::pair<JobState, std::int64_t>>* counts) override {
    counts->assign({{JobState::kPending, 0}, {JobState::kDone, 0}, {JobState::kDead, 0}});
    Result r = db_->Exec("SELECT state, count(*) FROM jiralink_jobs GROUP BY state");
    if (!r.ok()) return db_->Error("count jobs by state");
    for (int row = 0; row < r.rows(); ++row) {
      JobState state;
      if (!ParseJobState(r.Text(row, 0), &state)) continue;
      for (auto& [known, count] : *counts) {
        if (known == state) count = r.Int(row, 1);
      }
    }
    return Status::Ok();
  }

  Status ListDueSites(std::int64_t now, std::vector<DueSite>* sites) override {
    sites->clear();
    Params p;
    p.Add(now);
    Result r = db_->Exec(
        "SELECT site, min(repository) FROM jiralink_jobs WHERE state = 'pending' AND "
        "next_attempt_at <= $1 AND lease_until <= $1 GROUP BY site ORDER BY site",
        p);
    if (!r.ok()) return db_->Error("list due sites");
    for (int row = 0; row < r.rows(); ++row) sites->push_back({r.Text(row, 0), r.Text(row, 1)});
    return Status::Ok();
  }

  Status ListRepositoriesWithoutSite(std::vector<std::string>* repositories) override {
    repositories->clear();
    Result r = db_->Exec(
        "SELECT DISTINCT repository FROM jiralink_jobs WHERE site = '' AND state <> 'done' "
        "ORDER BY repository");
    if (!r.ok()) return db_->Error("list repositories without a site");
    for (int row = 0; row < r.rows(); ++row) repositories->push_back(r.Text(row, 0));
    return Status::Ok();
  }

  Status AssignSite(const std::string& repository, const std::string& site) override {
    Params p;
    p.Add(site).Add(repository);
    Result r =
        db_->Exec("UPDATE jiralink_jobs SET site = $1 WHERE site = '' AND repository = $2", p);
    return r.ok() ? Status::Ok() : db_->Error("assign a site");
  }

  Status Retry(RetryScope scope, std::int64_t id, int* changed) override {
    const char* where = scope == RetryScope::kOne    ? "id = $2 AND state <> 'done'"
                        : scope == RetryScope::kDead ? "state = 'dead'"
                                                     : "state IN ('pending', 'dead')";
    std::string sql =
        std::string(
            "UPDATE jiralink_jobs SET state = 'pending', attempts = 0, next_attempt_at = $1, "
            "created_at = $1, updated_at = $1, last_error = '' WHERE lease_until <= $1 AND ") +
        where;
    Status status = db_->Run("BEGIN", "begin retry");
    if (!status.ok()) return status;
    Params p;
    p.Add(NowMillis());
    if (scope == RetryScope::kOne) p.Add(id);
    Result r = db_->Exec(sql.c_str(), p);
    if (!r.ok()) return RollbackWith("retry jobs");
    *changed = r.Changed();
    if (!db_->Exec("DELETE FROM jiralink_pauses").ok()) return RollbackWith("clear pauses");
    if (*changed > 0 && !db_->Exec("NOTIFY jiralink_jobs").ok()) {
      return RollbackWith("announce the revived jobs");
    }
    return db_->Run("COMMIT", "commit retry");
  }

  Status Drop(std::int64_t id) override {
    Params p;
    p.Add(id);
    Result r = db_->Exec("DELETE FROM jiralink_jobs WHERE id = $1", p);
    if (!r.ok()) return db_->Error("drop job");
    if (r.Changed() == 0) {
      return Status::NotFound("no job with id " + std::to_string(id) + " in " + db_->where());
    }
    return DropUnusedMessages();
  }

  Status PurgeDone(std::int64_t before, int* removed) override {
    *removed = 0;
    Params p;
    p.Add(before);
    Result r = db_->Exec(
        "DELETE FROM jiralink_jobs WHERE state IN ('done', 'skipped') AND updated_at < $1", p);
    if (!r.ok()) return db_->Error("purge done jobs");
    *removed = r.Changed();
    if (*removed > 0) return DropUnusedMessages();
    return Status::Ok();
  }

  // Nothing to prepare: the server keeps its own log.
  Status PrepareForPushes() override { return Status::Ok(); }

  bool CanWaitForJobs() const override { return true; }

  Status WaitForJobs(std::int64_t timeout_ms, bool* told) override {
    *told = false;
    const PqLibrary* pq = db_->pq();
    if (listening_ != db_->reconnects()) {
      Status status = db_->Run("LISTEN jiralink_jobs", "listen for new jobs");
      if (!status.ok()) return status;
      listening_ = db_->reconnects();
    }
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (true) {
      if (pq->consume_input(db_->get()) == 0) return db_->Error("wait for new jobs");
      bool any = false;
      while (PGnotify* note = pq->notifies(db_->get())) {
        any = any || std::string(note->relname) == kJobsChannel;
        pq->freemem(note);
      }
      if (any) {
        *told = true;
        return Status::Ok();
      }
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                      deadline - std::chrono::steady_clock::now())
                      .count();
      if (left <= 0) return Status::Ok();
      pollfd fd{pq->socket(db_->get()), POLLIN, 0};
      if (fd.fd < 0) return db_->Error("wait for new jobs");
      // Short slices, so that a signal's stop flag is seen soon by the caller.
      int rc = ::poll(&fd, 1, static_cast<int>(std::min<std::int64_t>(left, 250)));
      if (rc < 0 && errno != EINTR) return Status::IOError("poll: " + std::to_string(errno));
      if (rc <= 0 && left <= 250) return Status::Ok();
    }
  }

  Status ReserveRequest(const std::string& site, std::int64_t now, std::int64_t interval_ms,
                        std::int64_t* at) override {
    // One row per site, updated in one statement: the row lock orders the
    // bookings of every host. The slot is the later of the previous slot
    // plus the interval, the hold, and now.
    Params p;
    p.Add(site).Add(now).Add(interval_ms);
    Result r = db_->Exec(
        "INSERT INTO jiralink_site_budgets AS b (site, next_allowed_at) VALUES ($1, $2::bigint + "
        "$3::bigint) ON CONFLICT (site) DO UPDATE SET next_allowed_at = "
        "greatest(b.next_allowed_at, "
        "b.blocked_until, $2::bigint) + $3::bigint RETURNING next_allowed_at - $3::bigint",
        p);
    if (!r.ok() || r.rows() != 1) return db_->Error("book a request slot");
    *at = r.Int(0, 0);
    return Status::Ok();
  }

  Status HoldRequests(const std::string& site, std::int64_t until) override {
    Params p;
    p.Add(site).Add(until);
    Result r = db_->Exec(
        "INSERT INTO jiralink_site_budgets AS b (site, blocked_until) VALUES ($1, $2) ON CONFLICT "
        "(site) DO UPDATE SET blocked_until = greatest(b.blocked_until, excluded.blocked_until)",
        p);
    return r.ok() ? Status::Ok() : db_->Error("hold requests to a site");
  }

  Status SetPause(const SitePause& pause) override {
    Params p;
    p.Add(pause.site).Add(pause.reason).Add(pause.since).Add(pause.until);
    Result r = db_->Exec(
        "INSERT INTO jiralink_pauses (site, reason, since, paused_until) VALUES ($1, $2, $3, $4) "
        "ON CONFLICT (site) DO UPDATE SET reason = $2, paused_until = $4",
        p);
    return r.ok() ? Status::Ok() : db_->Error("save pause");
  }

  Status GetPause(const std::string& site, std::optional<SitePause>* pause) override {
    pause->reset();
    Params p;
    p.Add(site);
    Result r = db_->Exec(
        "SELECT site, reason, since, paused_until FROM jiralink_pauses WHERE site = $1", p);
    if (!r.ok()) return db_->Error("read pause");
    if (r.rows() == 1) *pause = SitePause{r.Text(0, 0), r.Text(0, 1), r.Int(0, 2), r.Int(0, 3)};
    return Status::Ok();
  }

  Status ClearPause(const std::string& site) override {
    Params p;
    p.Add(site);
    Result r = db_->Exec("DELETE FROM jiralink_pauses WHERE site = $1", p);
    return r.ok() ? Status::Ok() : db_->Error("clear pause");
  }

  Status GetJiraUser(const std::string& site, const std::string& email, std::int64_t now,
                     std::optional<JiraUserEntry>* entry) override {
    entry->reset();
    Params p;
    p.Add(site).Add(email).Add(now);
    Result r = db_->Exec(
        "SELECT site, email, found::int, account_id, name, expires_at FROM jiralink_jira_users "
        "WHERE site = $1 AND email = $2 AND expires_at > $3",
        p);
    if (!r.ok()) return db_->Error("read a cached user");
    if (r.rows() == 1) {
      *entry = JiraUserEntry{r.Text(0, 0), r.Text(0, 1), r.Int(0, 2) != 0,
                             r.Text(0, 3), r.Text(0, 4), r.Int(0, 5)};
    }
    return Status::Ok();
  }

  Status PutJiraUser(const JiraUserEntry& entry) override {
    Params p;
    p.Add(entry.site)
        .Add(entry.email)
        .Add(entry.found ? "true" : "false")
        .Add(entry.account_id)
        .Add(entry.name)
        .Add(entry.expires_at);
    Result r = db_->Exec(
        "INSERT INTO jiralink_jira_users (site, email, found, account_id, name, expires_at) "
        "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (site, email) DO UPDATE SET found = $3, "
        "account_id = $4, name = $5, expires_at = $6",
        p);
    if (!r.ok()) return db_->Error("cache a user");
    // Expired entries go as new ones come, as in the SQLite store.
    Params now;
    now.Add(NowMillis());
    if (!db_->Exec("DELETE FROM jiralink_jira_users WHERE expires_at <= $1", now).ok()) {
      return db_->Error("purge the user cache");
    }
    return Status::Ok();
  }

  Status ListPauses(std::vector<SitePause>* pauses) override {
    pauses->clear();
    Result r =
        db_->Exec("SELECT site, reason, since, paused_until FROM jiralink_pauses ORDER BY site");
    if (!r.ok()) return db_->Error("list pauses");
    for (int row = 0; row < r.rows(); ++row) {
      pauses->push_back(SitePause{r.Text(row, 0), r.Text(row, 1), r.Int(row, 2), r.Int(row, 3)});
    }
    return Status::Ok();
  }

 private:
  Status Finish(const Job& job, const char* state, std::int64_t next_attempt_at,
                const std::string& note, bool count_attempt) {
    Params p;
    p.Add(state)
        .Add(next_attempt_at)
        .Add(note)
        .Add(job.progress)
        .Add(count_attempt ? 0 : 1)
        .Add(NowMillis())
        .Add(job.id)
        .Add(job.lease_token)
        .Add(static_cast<int>(job.step));
    Result r = db_->Exec(
        "UPDATE jiralink_jobs SET state = $1, next_attempt_at = $2, last_error = $3, progress = "
        "$4, lease_until = 0, lease_token = 0, attempts = attempts - $5, updated_at = $6, "
        "step = $9 WHERE id = $7 AND lease_token = $8 AND state = 'pending'",
        p);
    if (!r.ok()) return db_->Error("update job");
    if (r.Changed() == 0) return LostLease(job);
    return Status::Ok();
  }

  Status DropUnusedMessages() {
    return db_->Run(
        "DELETE FROM jiralink_messages m WHERE NOT EXISTS (SELECT 1 FROM jiralink_jobs j WHERE "
        "j.repository = m.repository AND j.commit_sha = m.source)",
        "drop unused messages");
  }

  Status LostLease(const Job& job) const {
    return Status::NotFound("job " + std::to_string(job.id) +
                            " was claimed again by another worker (lease expired)");
  }

  Status RollbackWith(const char* what) {
    Status status = db_->Error(what);
    db_->Rollback();
    return status;
  }

  std::unique_ptr<Connection> db_;
  int listening_ = -1;  // Connection::reconnects() when LISTEN was sent; -1: never
};

}  // namespace

Status OpenPostgresOutbox(const PostgresOptions& options, std::unique_ptr<Outbox>* out) {
  const std::string where = RedactPostgresUri(options.uri);
  std::string error;
  const PqLibrary* pq = internal::LoadPq(&error);
  if (pq == nullptr) return Status::Unavailable(where + ": " + error);
  // Earlier keywords are defaults the URI may override; the password, given
  // separately, overrides the URI.
  std::string timeout = std::to_string(options.connect_timeout_seconds);
  std::vector<const char*> keywords = {"connect_timeout", "application_name", "dbname"};
  std::vector<const char*> values = {timeout.c_str(), "jiralink", options.uri.c_str()};
  if (!options.password.empty()) {
    keywords.push_back("password");
    values.push_back(options.password.c_str());
  }
  keywords.push_back(nullptr);
  values.push_back(nullptr);
  PGconn* conn = pq->connectdb_params(keywords.data(), values.data(), /*expand_dbname=*/1);
  if (conn == nullptr) return Status::Unavailable(where + ": out of memory");
  auto db = std::make_unique<Connection>(pq, conn, where);
  if (pq->status(conn) != CONNECTION_OK) return db->Error("cannot connect");
  pq->set_notice_processor(conn, IgnoreNotice, nullptr);
  Status status = Migrate(*db);
  if (!status.ok()) return status;
  *out = std::make_unique<PostgresOutbox>(std::move(db));
  return Status::Ok();
}

}  // namespace jiralink::outbox
