// RenderCache: rendered HTML kept in SQLite, keyed by content and epoch.
//
// The cache is one SQLite file, <state dir>/render-cache.sqlite3, in WAL mode
// with a busy timeout, so that many short-lived `jiralink render` processes
// (cgit forks one per request) can share it.
//
// The epoch is the pair (settings, local version):
//   - the settings are Renderer::fingerprint(): the renderer version,
//     web_url, regex, prefix and render options. Changing any of them
//     selects other rows, so a stale link can never be served;
//   - the local version is a number stored in the database, bumped by
//     InvalidateRenderCache().
// A row is found by XXH3-128(XXH3-128(settings) || input), and it is a hit
// only if the row's version is the current local version and its stored
// input and settings equal the current ones byte for byte. All of that is read
// while one SQL statement is active, so in one read snapshot: a lookup that starts after an
// invalidation has committed never sees a row of the old version. Because
// equality is exact, this is stronger than a collision-resistant key: two
// inputs with the same key (even a crafted collision) can never be served
// each other's HTML; a collision is only a miss. The bump is one UPDATE:
// O(1), whatever the size of the cache. Old rows stay until Gc() or until a
// new render of the same input replaces them.
//
// Hits, misses and last-use times are counted in memory and written once,
// when the RenderCache is destroyed, so a hit is a single read.
//
// A file of an older layout (an earlier jiralink) is rebuilt on Open: its
// rows are dropped, its counters and local version kept. Nothing is fsynced
// (it is a cache); a file found corrupt on Open is moved aside to
// <file>.corrupt and replaced by an empty one.
//
// A RenderCache is used from one thread at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "jiralink/core/status.h"
#include "jiralink/renderer/render_cache_store.h"

struct sqlite3;
struct sqlite3_stmt;
struct sqlite3_blob;

namespace jiralink::renderer {

// The file name of the cache inside the state directory.
inline constexpr std::string_view kRenderCacheFileName = "render-cache.sqlite3";

class RenderCache final : public RenderCacheStore {
 public:
  // Opens (creating if needed) the cache under `state_dir`; the directory is
  // created too. `fingerprint` is Renderer::fingerprint(). Fails with
  // kIOError, naming the file, when it cannot be opened or is not a cache.
  static Status Open(const std::string& state_dir, std::string_view fingerprint,
                     std::unique_ptr<RenderCache>* out);

  // Writes the counters and last-use times gathered since Open (best effort).
  ~RenderCache() override;
  RenderCache(const RenderCache&) = delete;
  RenderCache& operator=(const RenderCache&) = delete;

  // Where a lookup looked (render_cache_store.h); `key_low` is the row's rowid.
  using Slot = CacheSlot;

  // Looks up the HTML of `markdown` in the current epoch. *slot (on success)
  // is where to Store the rendering after a miss, so the input is hashed once.
  Status Lookup(std::string_view markdown, std::string* html, bool* found, Slot* slot);

  // The same lookup, handing a hit's HTML to `sink` in pieces read straight
  // from the file (no copy of the whole page): how `jiralink render` serves a
  // cached page. A read error after the first piece fails with *found true.
  Status Lookup(std::string_view markdown, const HtmlSink& sink, bool* found, Slot* slot) override;

  // Stores `html` as the rendering of `markdown` in the `slot` its Lookup
  // gave, under the local version that Lookup saw: a render that raced an
  // invalidation is stored under the old version, where no later lookup
  // finds it. (A slot of another input would only waste a row: a hit
  // compares the stored input itself.)
  Status Store(const Slot& slot, std::string_view markdown, std::string_view html) override;

  // Counters and sizes (the counters include this object's unsaved ones).
  Status Stats(RenderCacheStats* stats);

  // Deletes the rows of older local versions, then the least recently used
  // rows until the stored input and HTML fit in `max_bytes`. *removed gets the count.
  // Rows of other settings in the current version are kept unless
  // the size limit needs them: other repositories' settings may use them.
  Status Gc(std::int64_t max_bytes, std::int64_t* removed);

  const std::string& path() const { return path_; }

  // Non-empty when Open found the file corrupt (a power cut while a render
  // wrote it, say), moved it aside and started an empty cache: says so.
  const std::string& recovery_note() const { return recovery_note_; }

 private:
  RenderCache() = default;
  Status Prepare();
  Status Flush();

  sqlite3* db_ = nullptr;
  sqlite3_stmt* lookup_ = nullptr;
  sqlite3_blob* input_blob_ = nullptr;  // a hit's stored input and HTML, read in pieces
  sqlite3_blob* html_blob_ = nullptr;
  sqlite3_stmt* store_ = nullptr;
  std::string path_;
  std::string recovery_note_;
  std::string settings_;     // Renderer::fingerprint(), stored in and compared with rows
  std::string settings_id_;  // XXH3-128 of it (16 bytes): part of every key; the epoch's name
  std::int64_t pending_hits_ = 0;
  std::int64_t pending_misses_ = 0;
  std::vector<Slot> pending_touches_;  // rows whose last use should be now
};

// Bumps the local version of the cache under `state_dir` (creating the cache
// if needed): the epoch of every setting changes at once. *new_version gets
// the new number (may be null). Used by `jiralink cache invalidate` and by
// `jiralink migrate` after a Jira URL change.
Status InvalidateRenderCache(const std::string& state_dir, std::int64_t* new_version);

}  // namespace jiralink::renderer
