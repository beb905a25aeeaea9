// SqliteOutbox: the Outbox in one SQLite file (WAL mode, busy timeout), for
// many concurrent hook and worker processes on one host.
//
// Schema (created on open): jobs(..., UNIQUE(repository, commit_sha,
// issue_key, kind)), messages(repository, source, message: each commit's or
// merge request's message once, however many jobs it has) and pauses(site
// PRIMARY KEY, reason, since, until). Files written by earlier releases are
// upgraded on open: missing columns are added and the messages that every
// job carried are moved to `messages`.
#pragma once

#include <memory>
#include <string>

#include "jiralink/outbox/outbox.h"

namespace jiralink::outbox {

// Which connection folds the write-ahead log back into the file. A
// checkpoint writes and fsyncs: milliseconds a pusher should not wait for.
enum class Checkpoints {
  kAutomatic,      // SQLite's default: whichever commit grows the log past ~1000 pages
  kOnlyWhenLarge,  // only past 16384 pages, and not on close: for the hook,
                   // whose delivery worker (started after every push)
                   // checkpoints (Outbox::PrepareForPushes)
};

// Opens (creating the file, its directory and the schema when missing) the
// outbox at `path`, e.g. "<state dir>/outbox.sqlite3".
Status OpenSqliteOutbox(const std::string& path, std::unique_ptr<Outbox>* out,
                        Checkpoints checkpoints = Checkpoints::kAutomatic);

// The outbox file name inside a state directory.
inline constexpr const char* kOutboxFileName = "outbox.sqlite3";

}  // namespace jiralink::outbox
