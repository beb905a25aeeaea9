#include "jiralink/outbox/open_outbox.h"

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <vector>

#include "jiralink/outbox/postgres_outbox.h"
#include "jiralink/state/private_files.h"

namespace jiralink::outbox {

Status OpenOutboxAt(const OutboxLocation& location, Checkpoints checkpoints, WhenUnreachable when,
                    std::unique_ptr<Outbox>* out, std::string* spool_reason) {
  spool_reason->clear();
  if (location.postgres_uri.empty()) {
    return OpenSqliteOutbox(location.sqlite_path, out, checkpoints);
  }
  // The host's own files (the spool, delivery's lock and log) stay in the
  // state directory, which no SQLite open creates now.
  Status status =
      state::EnsurePrivateDirectory(std::filesystem::path(location.sqlite_path).parent_path());
  if (!status.ok()) return status;
  PostgresOptions options;
  options.uri = location.postgres_uri;
  options.password = location.postgres_password;
  status = OpenPostgresOutbox(options, out);
  if (status.ok() || when != WhenUnreachable::kSpool ||
      status.code() != Status::Code::kUnavailable) {
    return status;
  }
  *spool_reason = status.message();
  return OpenSqliteOutbox(location.sqlite_path, out, checkpoints);
}

Status MoveSpoolInto(const std::string& spool_path, Outbox* target, int* moved) {
  *moved = 0;
  struct stat info {};
  if (::stat(spool_path.c_str(), &info) != 0) return Status::Ok();  // never spooled
  std::unique_ptr<Outbox> spool;
  Status status = OpenSqliteOutbox(spool_path, &spool);
  if (!status.ok()) return status;
  std::vector<Job> jobs;
  // Every pending job (a spool holds only what pushes queued while the
  // server was away); List gives the newest push first.
  status = spool->List(JobState::kPending, 1 << 30, &jobs);
  if (!status.ok() || jobs.empty()) return status;
  std::reverse(jobs.begin(), jobs.end());
  // One push in the target, in the order the spool would have delivered them.
  std::int64_t position = 0;
  for (Job& job : jobs) job.position = position++;
  EnqueueResult added;
  status = target->Enqueue(jobs, &added);
  if (!status.ok()) return status;
  // Committed: only now may the spool forget them.
  for (const Job& job : jobs) {
    status = spool->Drop(job.id);
    if (!status.ok() && status.code() != Status::Code::kNotFound) return status;
    ++*moved;
  }
  return Status::Ok();
}

}  // namespace jiralink::outbox
