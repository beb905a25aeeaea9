// Opening the outbox the settings name ([state] outbox), and the spool a
// host falls back to when its PostgreSQL outbox cannot be reached.
//
// With PostgreSQL, a push must still succeed when the server is down: the
// hook then queues its jobs in the host's own SQLite outbox file (the
// spool) and says so on stderr. The host's next `deliver` moves them to
// PostgreSQL (MoveSpoolInto) before delivering. The move is exactly once:
// the jobs are added in one PostgreSQL transaction, where the outbox's
// uniqueness (repository, source, key, kind) turns a repeat into a no-op,
// and only after that commits are they deleted from the spool. A move that
// dies in between is finished by the next one.
#pragma once

#include <memory>
#include <string>

#include "jiralink/outbox/outbox.h"
#include "jiralink/outbox/sqlite_outbox.h"

namespace jiralink::outbox {

struct OutboxLocation {
  // The SQLite outbox; with PostgreSQL, the spool.
  std::string sqlite_path;
  // A PostgreSQL URI; empty for SQLite.
  std::string postgres_uri;
  std::string postgres_password;  // empty: the URI's or libpq's own
};

enum class WhenUnreachable {
  kFail,   // an unreachable server is an error (deliver, queue, serve)
  kSpool,  // open the spool instead (the hook)
};

// Opens the outbox at `location`. With PostgreSQL, the spool's directory
// (the state directory: delivery's lock and log live there) is made
// private and created when missing. With kSpool and a PostgreSQL server that
// cannot be reached (Status::Code::kUnavailable), opens the SQLite spool at
// location.sqlite_path instead and sets *spool_reason to why (else it is
// left empty). Other errors are returned as they are.
Status OpenOutboxAt(const OutboxLocation& location, Checkpoints checkpoints, WhenUnreachable when,
                    std::unique_ptr<Outbox>* out, std::string* spool_reason);

// Moves every pending job of the SQLite spool at `spool_path` into `target`,
// exactly once (see above), keeping the order they would be delivered in.
// Nothing happens when there is no spool file. *moved counts the jobs taken
// out of the spool (including ones `target` already had).
Status MoveSpoolInto(const std::string& spool_path, Outbox* target, int* moved);

}  // namespace jiralink::outbox
