// The stores the outbox contract tests run against (TEST_P over these): every
// Outbox implementation must pass the same suite. SQLite always; PostgreSQL
// when Debian's postgresql is installed (a real server per test process,
// support/postgres_server.h; without it the PostgreSQL instances skip,
// naming the package).
#pragma once

#include <libpq-fe.h>
#include <sqlite3.h>

#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "jiralink/outbox/postgres_outbox.h"
#include "jiralink/outbox/sqlite_outbox.h"
#include "support/postgres_server.h"

namespace jiralink::outbox {

struct OutboxStore {
  std::string name;  // test-name suffix, e.g. "Sqlite"
  // Opens a connection to the store kept for `dir` (created when missing);
  // the same `dir` again gives another connection to the same store (as
  // another process would have).
  std::function<Status(const std::string& dir, std::unique_ptr<Outbox>*)> open;
  // Whether another writer that does not wait could take the store's write
  // lock right now (EnqueueBatch's locking contract).
  std::function<bool(const std::string& dir)> write_lock_is_free;
  // Empty when the store can run here; else why not (the test skips).
  std::function<std::string()> unavailable = [] { return std::string(); };
};

// Test output names the store, not its bytes.
inline void PrintTo(const OutboxStore& store, std::ostream* os) { *os << store.name; }

inline std::string SqliteStorePath(const std::string& dir) { return dir + "/state/outbox.sqlite3"; }

inline OutboxStore SqliteStore() {
  OutboxStore store;
  store.name = "Sqlite";
  store.open = [](const std::string& dir, std::unique_ptr<Outbox>* out) {
    return OpenSqliteOutbox(SqliteStorePath(dir), out);
  };
  store.write_lock_is_free = [](const std::string& dir) {
    sqlite3* db = nullptr;
    std::string path = SqliteStorePath(dir);
    if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
      sqlite3_close(db);
      return false;
    }
    sqlite3_busy_timeout(db, 0);
    int rc = sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
    if (rc == SQLITE_OK) sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    sqlite3_close(db);
    return rc == SQLITE_OK;
  };
  return store;
}

// The PostgreSQL database kept for `dir`: created on first use in this
// process's server. Empty (with *skip set) when there is no server.
inline std::string PostgresStoreUri(const std::string& dir, std::string* problem) {
  bool missing = false;
  testing::PostgresServer* server = testing::PostgresServer::Shared(problem, &missing);
  if (server == nullptr) return "";
  std::string name = testing::DatabaseNameFor(dir);
  if (!server->CreateDatabase(name, problem)) return "";
  return server->Uri(name);
}

inline OutboxStore PostgresStore() {
  OutboxStore store;
  store.name = "Postgres";
  store.open = [](const std::string& dir, std::unique_ptr<Outbox>* out) {
    std::string problem;
    std::string uri = PostgresStoreUri(dir, &problem);
    if (uri.empty()) return Status::Unavailable(problem);
    PostgresOptions options;
    options.uri = uri;
    return OpenPostgresOutbox(options, out);
  };
  // The batch's write lock: the advisory lock 0x6a6c6b02 (postgres_outbox.cpp).
  store.write_lock_is_free = [](const std::string& dir) {
    std::string problem;
    std::string uri = PostgresStoreUri(dir, &problem);
    PGconn* conn = PQconnectdb(uri.c_str());
    bool free = false;
    if (PQstatus(conn) == CONNECTION_OK) {
      PGresult* r = PQexec(conn, "SELECT pg_try_advisory_xact_lock(1785490178)");
      free = PQresultStatus(r) == PGRES_TUPLES_OK && std::string(PQgetvalue(r, 0, 0)) == "t";
      PQclear(r);
    }
    PQfinish(conn);
    return free;
  };
  store.unavailable = [] {
    std::string problem;
    bool missing = false;
    if (testing::PostgresServer::Shared(&problem, &missing) != nullptr) return std::string();
    // Only a missing package skips; a server that fails to start is a failure.
    return missing ? problem : std::string();
  };
  return store;
}

inline std::vector<OutboxStore> AllOutboxStores() { return {SqliteStore(), PostgresStore()}; }

// For INSTANTIATE_TEST_SUITE_P: names the instances after the store.
struct OutboxStoreName {
  template <typename ParamInfo>
  std::string operator()(const ParamInfo& info) const {
    return info.param.name;
  }
};

}  // namespace jiralink::outbox
