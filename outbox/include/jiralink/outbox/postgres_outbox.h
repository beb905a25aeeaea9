// PostgresOutbox: the Outbox in a PostgreSQL database, shared by every git
// server, `serve` and deliverer of a fleet (`[state] outbox =
// "postgresql://..."`).
//
// libpq is loaded at run time, by OpenPostgresOutbox only: a process that
// never opens a PostgreSQL outbox never loads it.
//
// Schema (created, or migrated, on open; `jiralink state init` opens it on
// purpose): jiralink_schema_version(version), jiralink_jobs (UNIQUE
// (repository, commit_sha, issue_key, kind)), jiralink_messages (each
// commit's or merge request's message once), jiralink_pauses,
// jiralink_site_budgets (one request budget per Jira site for the fleet) and
// the sequence jiralink_push_numbers. Migrations run under an advisory lock,
// so hosts that start together migrate once.
//
// Concurrency, as the Outbox interface promises:
//   - an EnqueueBatch takes a transaction-scoped advisory lock at its first
//     Add (the "write lock": pushes are numbered in the order they commit);
//     its INSERT ... ON CONFLICT DO NOTHING keeps the uniqueness;
//   - Claim picks the job with SELECT ... FOR UPDATE SKIP LOCKED and leases
//     it in the same statement, so two deliverers on any hosts never hold
//     one job at once;
//   - a batch that added jobs, and `queue retry`, NOTIFY jiralink_jobs in
//     their transaction; WaitForJobs LISTENs for it.
//
// Errors name the database as RedactPostgresUri shows it (never the password)
// and PostgreSQL's reason. A server that cannot be reached gives
// Status::Code::kUnavailable.
#pragma once

#include <memory>
#include <string>

#include "jiralink/outbox/outbox.h"

namespace jiralink::outbox {

// The schema version this build writes and reads.
inline constexpr int kPostgresSchemaVersion = 1;

struct PostgresOptions {
  std::string uri;       // a libpq connection URI
  std::string password;  // empty: the URI's, or libpq's (PGPASSWORD, ~/.pgpass)
  // Used unless the URI sets connect_timeout: a push must not hang on a
  // server that is down.
  int connect_timeout_seconds = 5;
};

// Connects, creates or migrates the schema, and returns the outbox.
// kUnavailable when the server cannot be reached; kInvalidArgument for a
// schema newer than this build (kPostgresSchemaVersion).
Status OpenPostgresOutbox(const PostgresOptions& options, std::unique_ptr<Outbox>* out);

}  // namespace jiralink::outbox
