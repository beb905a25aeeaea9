// Outbox files as earlier releases wrote them, for the upgrade tests.
#pragma once

#include <sqlite3.h>

#include <filesystem>
#include <string>

#include <gtest/gtest.h>

namespace jiralink::testing {

// Which release's jobs table.
enum class OldOutbox {
  kFirstRelease,     // no site column
  kBeforePushOrder,  // site, but no push_number or position
};

// Writes such a file at `path` with one pending job (repository
// "platform/api", key A-1, due long ago) of commit `commit`.
inline void WriteOldOutbox(const std::string& path, OldOutbox release, const std::string& commit) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  std::string sql =
      "CREATE TABLE jobs (id INTEGER PRIMARY KEY AUTOINCREMENT, repository TEXT NOT NULL, "
      "commit_sha TEXT NOT NULL, issue_key TEXT NOT NULL, kind TEXT NOT NULL, branch TEXT NOT "
      "NULL DEFAULT '', author TEXT NOT NULL DEFAULT '', message TEXT NOT NULL DEFAULT '', "
      "commit_url TEXT NOT NULL DEFAULT '', repo_url TEXT NOT NULL DEFAULT '', branch_url TEXT "
      "NOT NULL DEFAULT '', state TEXT NOT NULL DEFAULT 'pending', attempts INTEGER NOT NULL "
      "DEFAULT 0, progress INTEGER NOT NULL DEFAULT 0, next_attempt_at INTEGER NOT NULL, "
      "lease_until INTEGER NOT NULL DEFAULT 0, lease_token INTEGER NOT NULL DEFAULT 0, "
      "last_error TEXT NOT NULL DEFAULT '', created_at INTEGER NOT NULL, updated_at INTEGER NOT "
      "NULL, ";
  if (release == OldOutbox::kBeforePushOrder) sql += "site TEXT NOT NULL DEFAULT '', ";
  sql +=
      "UNIQUE (repository, commit_sha, issue_key, kind));"
      "CREATE INDEX jobs_due ON jobs (state, next_attempt_at);"
      "INSERT INTO jobs (repository, commit_sha, issue_key, kind, next_attempt_at, created_at, "
      "updated_at) VALUES ('platform/api', '" +
      commit + "', 'A-1', 'mention', 0, 0, 0);";
  char* error = nullptr;
  int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
  std::string message = error != nullptr ? error : "";
  sqlite3_free(error);
  sqlite3_close(db);
  ASSERT_EQ(rc, SQLITE_OK) << message;
}

}  // namespace jiralink::testing
