#include "jiralink/renderer/render_cache.h"

#include <sqlite3.h>

#include <chrono>
#include <filesystem>
#include <system_error>

#include "sha256.h"

namespace jiralink::renderer {
namespace {

// Long enough for a burst of cgit requests writing at once; a render that
// still cannot get the lock renders uncached.
constexpr int kBusyTimeoutMs = 5000;

// A row's last use is refreshed at most this often: LRU order does not need
// second precision, and a hit then stays a pure read.
constexpr std::int64_t kTouchIntervalSeconds = 60;

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS meta(
  name TEXT PRIMARY KEY,
  value INTEGER NOT NULL);
INSERT OR IGNORE INTO meta(name, value) VALUES ('local_version', 1), ('hits', 0), ('misses', 0);
CREATE TABLE IF NOT EXISTS entries(
  key BLOB PRIMARY KEY,          -- SHA-256(settings hash || input)
  settings BLOB NOT NULL,        -- SHA-256 of the renderer fingerprint
  version INTEGER NOT NULL,      -- meta.local_version when rendered
  html BLOB NOT NULL,
  last_used INTEGER NOT NULL);   -- unix seconds
CREATE INDEX IF NOT EXISTS entries_by_last_use ON entries(last_used);
)sql";

std::int64_t NowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Status SqlError(sqlite3* db, const std::string& path, std::string_view what) {
  return Status::IOError("render cache " + path + ": " + std::string(what) + ": " +
                         (db != nullptr ? sqlite3_errmsg(db) : "out of memory"));
}

Status Exec(sqlite3* db, const std::string& path, const char* sql) {
  char* error = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &error) != SQLITE_OK) {
    std::string message = error != nullptr ? error : sqlite3_errmsg(db);
    sqlite3_free(error);
    return Status::IOError("render cache " + path + ": " + message);
  }
  return Status::Ok();
}

// Runs `sql` returning one integer column of one row.
Status QueryInt(sqlite3* db, const std::string& path, const char* sql, std::int64_t* value) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr) != SQLITE_OK) {
    return SqlError(db, path, "query");
  }
  int rc = sqlite3_step(stmt);
  if (rc == SQLITE_ROW) *value = sqlite3_column_int64(stmt, 0);
  sqlite3_finalize(stmt);
  return rc == SQLITE_ROW ? Status::Ok() : SqlError(db, path, "query");
}

void BindBlob(sqlite3_stmt* stmt, int index, std::string_view bytes) {
  sqlite3_bind_blob64(stmt, index, bytes.data(), bytes.size(), SQLITE_STATIC);
}

// Opens the database file, creating the directory and the schema.
Status OpenDatabase(const std::string& state_dir, sqlite3** db, std::string* path) {
  std::error_code error;
  std::filesystem::create_directories(state_dir, error);
  if (error) {
    return Status::IOError("render cache: cannot create state directory " + state_dir + ": " +
                           error.message());
  }
  *path = state_dir + "/" + std::string(kRenderCacheFileName);
  if (sqlite3_open_v2(path->c_str(), db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
      SQLITE_OK) {
    Status status = SqlError(*db, *path, "cannot open");
    sqlite3_close(*db);
    *db = nullptr;
    return status;
  }
  sqlite3_busy_timeout(*db, kBusyTimeoutMs);
  // The last connection to close would otherwise checkpoint and fsync the
  // whole WAL: tens of milliseconds on every short-lived `jiralink render`.
  // SQLite's automatic checkpoints (every 1000 pages) keep the WAL bounded.
  sqlite3_db_config(*db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, nullptr);
  // WAL: readers never wait for the writer; NORMAL: no fsync per commit
  // (a lost row after a power cut is only a future miss).
  // Large pages and memory-mapped reads: a hit copies a rendered page (often
  // hundreds of KB) out of the file, and 4 KiB overflow pages read one by one
  // made that copy cost more than hashing the input. page_size only takes
  // effect on a new file, so it comes before WAL mode is set. 64 such pages
  // keep the WAL near its usual 4 MB, so hits mostly read the mapped file.
  Status status =
      Exec(*db, *path,
           "PRAGMA page_size=65536; PRAGMA mmap_size=268435456; PRAGMA wal_autocheckpoint=64; "
           "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;");
  if (status.ok()) status = Exec(*db, *path, kSchema);
  if (!status.ok()) {
    sqlite3_close(*db);
    *db = nullptr;
  }
  return status;
}

}  // namespace

Status RenderCache::Open(const std::string& state_dir, std::string_view fingerprint,
                         std::unique_ptr<RenderCache>* out) {
  std::unique_ptr<RenderCache> cache(new RenderCache());
  Status status = OpenDatabase(state_dir, &cache->db_, &cache->path_);
  if (!status.ok()) return status;
  cache->settings_hash_ = Sha256({fingerprint});
  status = cache->Prepare();
  if (!status.ok()) return status;
  *out = std::move(cache);
  return Status::Ok();
}

Status RenderCache::Prepare() {
  // One statement reads the row and the current version together: the
  // snapshot is consistent, so an invalidation is either wholly seen or not.
  const char* lookup =
      "SELECT m.value, e.html, e.version, e.last_used FROM meta m "
      "LEFT JOIN entries e ON e.key = ?1 WHERE m.name = 'local_version'";
  const char* store =
      "INSERT OR REPLACE INTO entries(key, settings, version, html, last_used) "
      "VALUES (?1, ?2, ?3, ?4, ?5)";
  if (sqlite3_prepare_v2(db_, lookup, -1, &lookup_, nullptr) != SQLITE_OK ||
      sqlite3_prepare_v2(db_, store, -1, &store_, nullptr) != SQLITE_OK) {
    return SqlError(db_, path_, "prepare");
  }
  return Status::Ok();
}

RenderCache::~RenderCache() {
  if (db_ != nullptr) Flush();  // best effort: counters are statistics
  sqlite3_finalize(lookup_);
  sqlite3_finalize(store_);
  sqlite3_close(db_);
}

std::string RenderCache::KeyOf(std::string_view markdown) const {
  return Sha256({settings_hash_, markdown});
}

Status RenderCache::Lookup(std::string_view markdown, std::string* html, bool* found) {
  *found = false;
  last_key_ = KeyOf(markdown);
  sqlite3_reset(lookup_);
  BindBlob(lookup_, 1, last_key_);
  int rc = sqlite3_step(lookup_);
  if (rc != SQLITE_ROW) {
    sqlite3_reset(lookup_);
    return SqlError(db_, path_, "lookup");
  }
  last_version_ = sqlite3_column_int64(lookup_, 0);
  if (sqlite3_column_type(lookup_, 1) != SQLITE_NULL &&
      sqlite3_column_int64(lookup_, 2) == last_version_) {
    const void* blob = sqlite3_column_blob(lookup_, 1);
    int size = sqlite3_column_bytes(lookup_, 1);
    html->assign(static_cast<const char*>(blob), static_cast<std::size_t>(size));
    *found = true;
    if (NowSeconds() - sqlite3_column_int64(lookup_, 3) > kTouchIntervalSeconds) {
      pending_touches_.push_back(last_key_);
    }
  }
  sqlite3_reset(lookup_);
  ++(*found ? pending_hits_ : pending_misses_);
  return Status::Ok();
}

Status RenderCache::StoreForLastLookup(std::string_view html) {
  if (last_key_.empty()) {
    return Status::Internal("render cache: StoreForLastLookup() without a Lookup()");
  }
  sqlite3_reset(store_);
  BindBlob(store_, 1, last_key_);
  BindBlob(store_, 2, settings_hash_);
  sqlite3_bind_int64(store_, 3, last_version_);
  BindBlob(store_, 4, html);
  sqlite3_bind_int64(store_, 5, NowSeconds());
  int rc = sqlite3_step(store_);
  sqlite3_reset(store_);
  return rc == SQLITE_DONE ? Status::Ok() : SqlError(db_, path_, "store");
}

Status RenderCache::Flush() {
  if (pending_hits_ == 0 && pending_misses_ == 0 && pending_touches_.empty()) {
    return Status::Ok();
  }
  Status status = Exec(db_, path_, "BEGIN IMMEDIATE");
  if (!status.ok()) return status;
  sqlite3_stmt* count = nullptr;
  sqlite3_stmt* touch = nullptr;
  bool ok = sqlite3_prepare_v2(db_, "UPDATE meta SET value = value + ?2 WHERE name = ?1", -1,
                               &count, nullptr) == SQLITE_OK &&
            sqlite3_prepare_v2(db_, "UPDATE entries SET last_used = ?2 WHERE key = ?1", -1, &touch,
                               nullptr) == SQLITE_OK;
  for (const auto& [name, delta] :
       {std::pair{"hits", pending_hits_}, {"misses", pending_misses_}}) {
    if (!ok) break;
    sqlite3_bind_text(count, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(count, 2, delta);
    ok = sqlite3_step(count) == SQLITE_DONE;
    sqlite3_reset(count);
  }
  const std::int64_t now = NowSeconds();
  for (const std::string& key : pending_touches_) {
    if (!ok) break;
    BindBlob(touch, 1, key);
    sqlite3_bind_int64(touch, 2, now);
    ok = sqlite3_step(touch) == SQLITE_DONE;
    sqlite3_reset(touch);
  }
  sqlite3_finalize(count);
  sqlite3_finalize(touch);
  status = ok ? Exec(db_, path_, "COMMIT") : SqlError(db_, path_, "update counters");
  if (!status.ok()) Exec(db_, path_, "ROLLBACK");
  pending_hits_ = pending_misses_ = 0;
  pending_touches_.clear();
  return status;
}

Status RenderCache::Stats(RenderCacheStats* stats) {
  Status status = Flush();
  if (!status.ok()) return status;
  RenderCacheStats result;
  result.path = path_;
  const std::pair<const char*, std::int64_t*> queries[] = {
      {"SELECT value FROM meta WHERE name = 'local_version'", &result.local_version},
      {"SELECT value FROM meta WHERE name = 'hits'", &result.hits},
      {"SELECT value FROM meta WHERE name = 'misses'", &result.misses},
      {"SELECT count(*) FROM entries", &result.entries},
      {"SELECT coalesce(sum(length(html)), 0) FROM entries", &result.bytes},
  };
  for (const auto& [sql, value] : queries) {
    status = QueryInt(db_, path_, sql, value);
    if (!status.ok()) return status;
  }
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db_, "SELECT count(*) FROM entries WHERE settings = ?1 AND version = ?2",
                         -1, &stmt, nullptr) != SQLITE_OK) {
    return SqlError(db_, path_, "stats");
  }
  BindBlob(stmt, 1, settings_hash_);
  sqlite3_bind_int64(stmt, 2, result.local_version);
  if (sqlite3_step(stmt) == SQLITE_ROW) result.current_entries = sqlite3_column_int64(stmt, 0);
  sqlite3_finalize(stmt);
  result.epoch = ToHex(settings_hash_).substr(0, 16) + "-v" + std::to_string(result.local_version);
  *stats = std::move(result);
  return Status::Ok();
}

Status RenderCache::Gc(std::int64_t max_bytes, std::int64_t* removed) {
  *removed = 0;
  Status status = Flush();
  if (status.ok()) status = Exec(db_, path_, "BEGIN IMMEDIATE");
  if (!status.ok()) return status;
  status = Exec(db_, path_,
                "DELETE FROM entries WHERE version < "
                "(SELECT value FROM meta WHERE name = 'local_version')");
  *removed += sqlite3_changes(db_);
  std::int64_t bytes = 0;
  if (status.ok()) {
    status = QueryInt(db_, path_, "SELECT coalesce(sum(length(html)), 0) FROM entries", &bytes);
  }
  if (status.ok() && bytes > max_bytes) {
    // Walk from the least recently used row, deleting until the rest fits.
    sqlite3_stmt* oldest = nullptr;
    sqlite3_stmt* erase = nullptr;
    if (sqlite3_prepare_v2(db_, "SELECT key, length(html) FROM entries ORDER BY last_used, rowid",
                           -1, &oldest, nullptr) != SQLITE_OK ||
        sqlite3_prepare_v2(db_, "DELETE FROM entries WHERE key = ?1", -1, &erase, nullptr) !=
            SQLITE_OK) {
      status = SqlError(db_, path_, "gc");
    }
    std::vector<std::string> victims;
    while (status.ok() && bytes > max_bytes && sqlite3_step(oldest) == SQLITE_ROW) {
      const void* key = sqlite3_column_blob(oldest, 0);
      victims.emplace_back(static_cast<const char*>(key),
                           static_cast<std::size_t>(sqlite3_column_bytes(oldest, 0)));
      bytes -= sqlite3_column_int64(oldest, 1);
    }
    sqlite3_finalize(oldest);
    for (const std::string& key : victims) {
      if (!status.ok()) break;
      BindBlob(erase, 1, key);
      if (sqlite3_step(erase) != SQLITE_DONE) status = SqlError(db_, path_, "gc");
      sqlite3_reset(erase);
      ++*removed;
    }
    sqlite3_finalize(erase);
  }
  if (status.ok()) status = Exec(db_, path_, "COMMIT");
  if (!status.ok()) {
    Exec(db_, path_, "ROLLBACK");
    *removed = 0;
    return status;
  }
  // Fold the WAL back into the file; SQLite reuses the freed pages. Best
  // effort: a concurrent reader may keep the WAL alive.
  Exec(db_, path_, "PRAGMA wal_checkpoint(PASSIVE)");
  return Status::Ok();
}

Status InvalidateRenderCache(const std::string& state_dir, std::int64_t* new_version) {
  sqlite3* db = nullptr;
  std::string path;
  Status status = OpenDatabase(state_dir, &db, &path);
  if (!status.ok()) return status;
  // One statement, one transaction: committed (and so seen by every later
  // lookup in any process) when this returns.
  status = Exec(db, path, "UPDATE meta SET value = value + 1 WHERE name = 'local_version'");
  std::int64_t version = 0;
  if (status.ok()) {
    status = QueryInt(db, path, "SELECT value FROM meta WHERE name = 'local_version'", &version);
  }
  sqlite3_close(db);
  if (status.ok() && new_version != nullptr) *new_version = version;
  return status;
}

}  // namespace jiralink::renderer
