#include "jiralink/renderer/render_cache.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "cache_key.h"
#include "jiralink/core/text.h"
#include "jiralink/state/private_files.h"

namespace jiralink::renderer {
namespace {

// Long enough for a burst of cgit requests writing at once; a render that
// still cannot get the lock renders uncached.
constexpr int kBusyTimeoutMs = 5000;

// A row's last use is refreshed at most this often: LRU order does not need
// second precision, and a hit then stays a pure read.
constexpr std::int64_t kTouchIntervalSeconds = 60;

// PRAGMA user_version of the layout below. Files of version 0 are new or
// were made by an earlier jiralink (meta(name, value) and entries keyed by a
// SHA-256 blob).
constexpr std::int64_t kSchemaVersion = 2;

// Brings a version-0 file (new or old layout) to the current layout, inside
// the write transaction that then sets user_version. Counters and the local
// version are carried over; old rows are dropped (it is only a cache).
constexpr const char* kUpgradeToCurrentSchema = R"sql(
CREATE TABLE IF NOT EXISTS meta(name TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT OR IGNORE INTO meta(name, value) VALUES ('local_version', 1), ('hits', 0), ('misses', 0);
CREATE TABLE state(
  id INTEGER PRIMARY KEY CHECK (id = 1),  -- a single row: one rowid seek per lookup
  local_version INTEGER NOT NULL,
  hits INTEGER NOT NULL,
  misses INTEGER NOT NULL);
INSERT INTO state(id, local_version, hits, misses) SELECT 1,
  (SELECT value FROM meta WHERE name = 'local_version'),
  (SELECT value FROM meta WHERE name = 'hits'),
  (SELECT value FROM meta WHERE name = 'misses');
DROP TABLE meta;
DROP TABLE IF EXISTS entries;
-- A rowid table keyed by the hash: one B-tree seek and no key index, and a
-- row of up to ~64 KB stays on its page (a WITHOUT ROWID row spills past
-- ~16 KB: hits measured 2.4x slower), so a hit copies it straight from the
-- memory map.
CREATE TABLE entries(
  id INTEGER PRIMARY KEY,        -- low 64 bits of XXH3-128(settings id || input)
  key_high INTEGER NOT NULL,     -- high 64 bits
  version INTEGER NOT NULL,      -- state.local_version when rendered
  last_used INTEGER NOT NULL,    -- unix seconds
  settings BLOB NOT NULL,        -- the renderer fingerprint, compared on every hit
  input BLOB NOT NULL,           -- the Markdown, compared on every hit
  html BLOB NOT NULL);
CREATE INDEX entries_by_last_use ON entries(last_used);
)sql";

// What the cache occupies: the stored input counts as much as the HTML.
constexpr const char* kStoredBytesSql =
    "SELECT coalesce(sum(length(input) + length(html)), 0) FROM entries";

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

// Binds without a copy; `bytes` must outlive the statement's next step. An
// empty view may have a null data(), which SQLite would bind as NULL.
void BindBlob(sqlite3_stmt* stmt, int index, std::string_view bytes) {
  sqlite3_bind_blob64(stmt, index, bytes.empty() ? "" : bytes.data(), bytes.size(), SQLITE_STATIC);
}

// Creates or upgrades the tables. The version is checked again under the
// write lock: concurrent processes opening an old file upgrade it once.
Status EnsureSchema(sqlite3* db, const std::string& path) {
  std::int64_t version = 0;
  Status status = QueryInt(db, path, "PRAGMA user_version", &version);
  if (!status.ok() || version == kSchemaVersion) return status;
  if (version > kSchemaVersion) {
    return Status::IOError("render cache " + path + ": layout version " + std::to_string(version) +
                           " is newer than this jiralink's (" + std::to_string(kSchemaVersion) +
                           ")");
  }
  status = Exec(db, path, "BEGIN IMMEDIATE");
  if (!status.ok()) return status;
  status = QueryInt(db, path, "PRAGMA user_version", &version);
  if (status.ok() && version < kSchemaVersion) {
    status = Exec(db, path, kUpgradeToCurrentSchema);
    const std::string set_version = "PRAGMA user_version = " + std::to_string(kSchemaVersion);
    if (status.ok()) status = Exec(db, path, set_version.c_str());
  }
  if (status.ok()) status = Exec(db, path, "COMMIT");
  if (!status.ok()) Exec(db, path, "ROLLBACK");
  return status;
}

// Opens the database file, creating the directory and the schema.
// *corrupt (may be null) tells whether it failed because the file is corrupt.
Status OpenDatabase(const std::string& state_dir, sqlite3** db, std::string* path,
                    bool* corrupt = nullptr) {
  if (corrupt != nullptr) *corrupt = false;
  *path = state_dir + "/" + std::string(kRenderCacheFileName);
  if (Status status = state::PreparePrivateDatabase(*path); !status.ok()) {
    return Status::IOError("render cache: " + status.message());
  }
  // NOMUTEX: a connection is used from one thread at a time (see the
  // header), so SQLite's per-call mutex is pure overhead on every lookup.
  if (sqlite3_open_v2(
          path->c_str(), db,
          SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_NOFOLLOW,
          nullptr) != SQLITE_OK) {
    Status status = SqlError(*db, *path, "cannot open");
    sqlite3_close(*db);
    *db = nullptr;
    return status;
  }
  sqlite3_busy_timeout(*db, kBusyTimeoutMs);
  // WAL: readers never wait for the writer. synchronous=OFF: this is a
  // cache, so nothing is ever fsynced; in exchange the last connection to
  // close checkpoints the WAL cheaply, and the next short-lived `jiralink
  // render` (each cgit request is one) starts with an empty WAL instead of
  // rebuilding the WAL index by reading megabytes of it. A file a power cut
  // left corrupt is moved aside and started afresh (RenderCache::Open).
  // Large pages and memory-mapped reads: a hit copies a rendered page (often
  // hundreds of KB) out of the file, and 4 KiB overflow pages read one by one
  // made that copy cost more than hashing the input. page_size only takes
  // effect on a new file, so it comes before WAL mode is set. 64 such pages
  // keep the WAL near its usual 4 MB, so hits mostly read the mapped file.
  Status status =
      Exec(*db, *path,
           "PRAGMA page_size=65536; PRAGMA mmap_size=268435456; PRAGMA wal_autocheckpoint=64; "
           "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF;");
  if (status.ok()) {
    // Keep the WAL file when the last connection closes (it is checkpointed
    // and, journal_size_limit=0, emptied): each short-lived process then
    // neither creates nor deletes it.
    int persist = 1;
    sqlite3_file_control(*db, "main", SQLITE_FCNTL_PERSIST_WAL, &persist);
    status = Exec(*db, *path, "PRAGMA journal_size_limit=0;");
  }
  if (status.ok()) status = EnsureSchema(*db, *path);
  if (!status.ok()) {
    int code = sqlite3_errcode(*db) & 0xff;
    if (corrupt != nullptr) *corrupt = code == SQLITE_CORRUPT || code == SQLITE_NOTADB;
    sqlite3_close(*db);
    *db = nullptr;
  }
  return status;
}

// Moves a corrupt cache file (and its WAL) aside, to <file>.corrupt, under a
// lock so that concurrent processes finding it corrupt move it only once.
// Returns false when it could not.
bool MoveCorruptFileAside(const std::string& path) {
  std::string lock_path = path + ".lock";
  int lock = -1;
  if (!state::OpenPrivateFile(lock_path, O_RDWR, &lock).ok()) return false;
  ::flock(lock, LOCK_EX);
  // Another process may have replaced it already: look again under the lock.
  sqlite3* db = nullptr;
  bool still_corrupt = true;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    still_corrupt = sqlite3_exec(db, "PRAGMA user_version", nullptr, nullptr, nullptr) != SQLITE_OK;
  }
  sqlite3_close(db);
  bool moved = !still_corrupt || std::rename(path.c_str(), (path + ".corrupt").c_str()) == 0;
  if (still_corrupt && moved) {
    std::remove((path + "-wal").c_str());
    std::remove((path + "-shm").c_str());
  }
  ::flock(lock, LOCK_UN);
  ::close(lock);
  return moved;
}

}  // namespace

Status RenderCache::Open(const std::string& state_dir, std::string_view fingerprint,
                         std::unique_ptr<RenderCache>* out) {
  std::unique_ptr<RenderCache> cache(new RenderCache());
  bool corrupt = false;
  Status status = OpenDatabase(state_dir, &cache->db_, &cache->path_, &corrupt);
  if (!status.ok() && corrupt && MoveCorruptFileAside(cache->path_)) {
    cache->recovery_note_ =
        status.message() + "; moved it to " + cache->path_ + ".corrupt and started an empty cache";
    status = OpenDatabase(state_dir, &cache->db_, &cache->path_);
  }
  if (!status.ok()) return status;
  cache->settings_ = std::string(fingerprint);
  cache->settings_id_ = SettingsIdOf(fingerprint);
  status = cache->Prepare();
  if (!status.ok()) return status;
  *out = std::move(cache);
  return Status::Ok();
}

Status RenderCache::Prepare() {
  // One statement finds the row and reads the current version together. The
  // stored input and HTML are then read through blob handles while that
  // statement is still active, so all of it is one read snapshot: an
  // invalidation is either wholly seen or not. The exact comparison of
  // settings and input makes a key collision a miss.
  const char* lookup =
      "SELECT s.local_version, e.id, e.last_used FROM state s "
      "LEFT JOIN entries e ON e.id = ?1 AND e.key_high = ?2 AND e.version = s.local_version "
      "AND e.settings = ?3 WHERE s.id = 1";
  const char* store =
      "INSERT OR REPLACE INTO entries(id, key_high, version, last_used, settings, input, html) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
  if (sqlite3_prepare_v3(db_, lookup, -1, SQLITE_PREPARE_PERSISTENT, &lookup_, nullptr) !=
          SQLITE_OK ||
      sqlite3_prepare_v3(db_, store, -1, SQLITE_PREPARE_PERSISTENT, &store_, nullptr) !=
          SQLITE_OK) {
    return SqlError(db_, path_, "prepare");
  }
  // Bound once: bindings survive sqlite3_reset, and the hash lives as long.
  BindBlob(lookup_, 3, settings_);
  BindBlob(store_, 5, settings_);
  return Status::Ok();
}

RenderCache::~RenderCache() {
  if (db_ != nullptr) Flush();  // best effort: counters are statistics
  sqlite3_blob_close(input_blob_);
  sqlite3_blob_close(html_blob_);
  sqlite3_finalize(lookup_);
  sqlite3_finalize(store_);
  sqlite3_close(db_);
}

Status RenderCache::Lookup(std::string_view markdown, std::string* html, bool* found, Slot* slot) {
  html->clear();
  return Lookup(
      markdown, [html](std::string_view piece) { html->append(piece); }, found, slot);
}

namespace {

// Size of the pieces a hit is compared and written in: big enough for few
// calls, small enough to stay in the CPU cache (no page faults, no large
// allocation to map and unmap).
constexpr int kBlobChunk = 64 * 1024;

// Points *blob at column `column` of entries row `row`, opening the handle
// the first time (sqlite3_blob_reopen is much cheaper than an open).
int OpenBlob(sqlite3* db, const char* column, std::int64_t row, sqlite3_blob** blob) {
  if (*blob != nullptr && sqlite3_blob_reopen(*blob, row) == SQLITE_OK) return SQLITE_OK;
  sqlite3_blob_close(*blob);
  *blob = nullptr;
  return sqlite3_blob_open(db, "main", "entries", column, row, /*flags=*/0, blob);
}

}  // namespace

Status RenderCache::Lookup(std::string_view markdown, const HtmlSink& sink, bool* found,
                           Slot* slot) {
  *found = false;
  Slot here = SlotOf(settings_id_, markdown);
  sqlite3_bind_int64(lookup_, 1, here.key_low);
  sqlite3_bind_int64(lookup_, 2, here.key_high);
  int rc = sqlite3_step(lookup_);
  bool failed = rc != SQLITE_ROW;
  if (rc == SQLITE_ROW) {
    here.version = sqlite3_column_int64(lookup_, 0);
    if (sqlite3_column_type(lookup_, 1) != SQLITE_NULL) {
      const std::int64_t row = sqlite3_column_int64(lookup_, 1);
      const std::int64_t last_used = sqlite3_column_int64(lookup_, 2);
      char chunk[kBlobChunk];
      // The stored input must equal `markdown` byte for byte.
      bool same = OpenBlob(db_, "input", row, &input_blob_) == SQLITE_OK;
      failed = !same;
      same = same && static_cast<std::size_t>(sqlite3_blob_bytes(input_blob_)) == markdown.size();
      for (std::size_t offset = 0; same && offset < markdown.size(); offset += kBlobChunk) {
        const int n = static_cast<int>(std::min<std::size_t>(kBlobChunk, markdown.size() - offset));
        failed = sqlite3_blob_read(input_blob_, chunk, n, static_cast<int>(offset)) != SQLITE_OK;
        same = !failed && std::memcmp(chunk, markdown.data() + offset, n) == 0;
      }
      // A hit: the HTML goes to the sink in pieces, straight from the file.
      if (same && OpenBlob(db_, "html", row, &html_blob_) == SQLITE_OK) {
        *found = true;
        const int size = sqlite3_blob_bytes(html_blob_);
        for (int offset = 0; offset < size && !failed; offset += kBlobChunk) {
          const int n = std::min(kBlobChunk, size - offset);
          failed = sqlite3_blob_read(html_blob_, chunk, n, offset) != SQLITE_OK;
          if (!failed) sink(std::string_view(chunk, static_cast<std::size_t>(n)));
        }
        if (NowSeconds() - last_used > kTouchIntervalSeconds) pending_touches_.push_back(here);
      } else if (same) {
        failed = true;
      }
    }
  }
  sqlite3_reset(lookup_);
  if (failed) return SqlError(db_, path_, "lookup");
  ++(*found ? pending_hits_ : pending_misses_);
  *slot = here;
  return Status::Ok();
}

Status RenderCache::Store(const Slot& slot, std::string_view markdown, std::string_view html) {
  sqlite3_bind_int64(store_, 1, slot.key_low);
  sqlite3_bind_int64(store_, 2, slot.key_high);
  sqlite3_bind_int64(store_, 3, slot.version);
  sqlite3_bind_int64(store_, 4, NowSeconds());
  BindBlob(store_, 6, markdown);
  BindBlob(store_, 7, html);
  const int rc = sqlite3_step(store_);
  sqlite3_reset(store_);
  sqlite3_bind_null(store_, 6);
  sqlite3_bind_null(store_, 7);
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
  bool ok =
      sqlite3_prepare_v2(db_,
                         "UPDATE state SET hits = hits + ?1, misses = misses + ?2 "
                         "WHERE id = 1",
                         -1, &count, nullptr) == SQLITE_OK &&
      sqlite3_prepare_v2(db_, "UPDATE entries SET last_used = ?3 WHERE id = ?1 AND key_high = ?2",
                         -1, &touch, nullptr) == SQLITE_OK;
  if (ok) {
    sqlite3_bind_int64(count, 1, pending_hits_);
    sqlite3_bind_int64(count, 2, pending_misses_);
    ok = sqlite3_step(count) == SQLITE_DONE;
  }
  const std::int64_t now = NowSeconds();
  for (const Slot& row : pending_touches_) {
    if (!ok) break;
    sqlite3_bind_int64(touch, 1, row.key_low);
    sqlite3_bind_int64(touch, 2, row.key_high);
    sqlite3_bind_int64(touch, 3, now);
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
  result.store = "sqlite";
  result.location = path_;
  const std::pair<const char*, std::int64_t*> queries[] = {
      {"SELECT local_version FROM state", &result.local_version},
      {"SELECT hits FROM state", &result.hits},
      {"SELECT misses FROM state", &result.misses},
  };
  for (const auto& [sql, value] : queries) {
    status = QueryInt(db_, path_, sql, value);
    if (!status.ok()) return status;
  }
  // One pass over the rows: every epoch, this one, and older versions.
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db_,
                         "SELECT count(*), coalesce(sum(length(input) + length(html)), 0), "
                         "coalesce(sum(settings = ?1 AND version = ?2), 0), "
                         "coalesce(sum(CASE WHEN settings = ?1 AND version = ?2 "
                         "THEN length(input) + length(html) END), 0), "
                         "coalesce(sum(version < ?2), 0), "
                         "coalesce(sum(CASE WHEN version < ?2 "
                         "THEN length(input) + length(html) END), 0) FROM entries",
                         -1, &stmt, nullptr) != SQLITE_OK) {
    return SqlError(db_, path_, "stats");
  }
  BindBlob(stmt, 1, settings_);
  sqlite3_bind_int64(stmt, 2, result.local_version);
  const bool read = sqlite3_step(stmt) == SQLITE_ROW;
  if (read) {
    std::int64_t* columns[] = {&result.entries,       &result.bytes,       &result.current_entries,
                               &result.current_bytes, &result.old_entries, &result.old_bytes};
    for (int i = 0; i < 6; ++i) *columns[i] = sqlite3_column_int64(stmt, i);
  }
  sqlite3_finalize(stmt);
  if (!read) return SqlError(db_, path_, "stats");
  result.epoch = HexLower(settings_id_).substr(0, 16) + "-v" + std::to_string(result.local_version);
  *stats = std::move(result);
  return Status::Ok();
}

Status RenderCache::Gc(std::int64_t max_bytes, std::int64_t* removed) {
  *removed = 0;
  Status status = Flush();
  if (status.ok()) status = Exec(db_, path_, "BEGIN IMMEDIATE");
  if (!status.ok()) return status;
  status =
      Exec(db_, path_, "DELETE FROM entries WHERE version < (SELECT local_version FROM state)");
  *removed += sqlite3_changes(db_);
  std::int64_t bytes = 0;
  if (status.ok()) {
    status = QueryInt(db_, path_, kStoredBytesSql, &bytes);
  }
  if (status.ok() && bytes > max_bytes) {
    // Walk from the least recently used row, deleting until the rest fits.
    sqlite3_stmt* oldest = nullptr;
    sqlite3_stmt* erase = nullptr;
    if (sqlite3_prepare_v2(db_,
                           "SELECT id, length(input) + length(html) FROM entries "
                           "ORDER BY last_used, id",
                           -1, &oldest, nullptr) != SQLITE_OK ||
        sqlite3_prepare_v2(db_, "DELETE FROM entries WHERE id = ?1", -1, &erase, nullptr) !=
            SQLITE_OK) {
      status = SqlError(db_, path_, "gc");
    }
    std::vector<std::int64_t> victims;
    while (status.ok() && bytes > max_bytes && sqlite3_step(oldest) == SQLITE_ROW) {
      victims.push_back(sqlite3_column_int64(oldest, 0));
      bytes -= sqlite3_column_int64(oldest, 1);
    }
    sqlite3_finalize(oldest);
    for (const std::int64_t id : victims) {
      if (!status.ok()) break;
      sqlite3_bind_int64(erase, 1, id);
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
  status = Exec(db, path, "UPDATE state SET local_version = local_version + 1 WHERE id = 1");
  std::int64_t version = 0;
  if (status.ok()) status = QueryInt(db, path, "SELECT local_version FROM state", &version);
  sqlite3_close(db);
  if (status.ok() && new_version != nullptr) *new_version = version;
  return status;
}

}  // namespace jiralink::renderer
