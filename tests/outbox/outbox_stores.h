// The stores the outbox contract tests run against (TEST_P over these): every
// Outbox implementation must pass the same suite. Only SQLite exists now; a
// PostgreSQL store adds itself to AllOutboxStores().
#pragma once

#include <sqlite3.h>

#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "jiralink/outbox/sqlite_outbox.h"

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

inline std::vector<OutboxStore> AllOutboxStores() { return {SqliteStore()}; }

// For INSTANTIATE_TEST_SUITE_P: names the instances after the store.
struct OutboxStoreName {
  template <typename ParamInfo>
  std::string operator()(const ParamInfo& info) const {
    return info.param.name;
  }
};

}  // namespace jiralink::outbox
