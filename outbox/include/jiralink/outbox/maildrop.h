// The maildrop: how a user that does not own the outbox hands it a push's
// jobs. Postfix's maildrop is the model.
//
// A git server runs its hooks as many users (one account per pusher, the
// gitolite3 or gitea user), while one user, the queue owner, owns the state
// directory and its outbox (`jiralink` in the Debian package). A hook whose
// user is not the owner never opens the outbox. It writes the push's jobs as
// one file into the maildrop directory, and the owner's `deliver` takes the
// files into the outbox (PickUpMaildrop), each in one transaction.
//
// The directory (default /var/spool/jiralink/maildrop, [state] maildrop):
// owner = the queue owner, group = the pushers' group, mode 3730: members of
// the group may create files in it but not list it nor read what others
// dropped; the setgid bit gives each file that group, so that the owner
// reads it (mode 0640). A file's name carries 128 random bits, so that
// nobody can guess it.
//
// Guarantees:
//  - A push's file appears whole or not at all: it is written under a
//    temporary name, flushed to disk (fsync) and then renamed.
//  - Nothing is lost: a file is removed only after the outbox committed its
//    jobs. A file taken twice (the owner died between the commit and the
//    removal) adds nothing the second time: the outbox's uniqueness makes the
//    repeat a no-op.
//  - Bad input: a file that is not a whole, well-formed push (relay_wire.h's
//    request; anyone in the group can write one) is moved aside into
//    `rejected_dir`, named in the log with the uid that wrote it, and never
//    queued.
//  - Bounded: a file holds at most kMaxMaildropFileBytes; a pickup takes at
//    most kMaxPickupFiles files, oldest first.
//
// What the group is trusted with: a member can queue jobs for any
// repository, as the owner's own hook could; the log names the uid of every
// file taken.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "jiralink/core/status.h"
#include "jiralink/outbox/outbox.h"

namespace jiralink::outbox {

// A drop larger than this is refused by the writer and by the pickup (the
// relay's frame bound: relay_wire.h).
inline constexpr std::size_t kMaxMaildropFileBytes = 64u << 20;
// Files one PickUpMaildrop takes at most; the rest wait for the next.
inline constexpr int kMaxPickupFiles = 256;
// A temporary file older than this was left by a writer that died.
inline constexpr std::int64_t kStaleTemporarySeconds = 3600;

// Writes `jobs` into the maildrop `dir` as one file (see above). *name (may
// be null) is the file's name. Fails without leaving a file: kNotFound when
// the directory is missing, kPermissionDenied-like IOError naming the
// directory's owner and group ("run: adduser git jiralink") when this user
// may not write there.
Status DropJobs(const std::string& dir, const std::vector<Job>& jobs, std::string* name = nullptr);

// An EnqueueBatch that collects a push's jobs and drops them at Commit.
// Every job counts as new (the pusher cannot see the outbox): the owner's
// pickup drops the repeats.
std::unique_ptr<EnqueueBatch> StartMaildropEnqueue(const std::string& dir);

// What one PickUpMaildrop did.
struct PickupReport {
  int files = 0;      // taken into the outbox and removed
  int jobs = 0;       // in those files
  int new_jobs = 0;   // of those, not in the outbox before
  int rejected = 0;   // moved aside as malformed
  bool more = false;  // kMaxPickupFiles were taken and more wait
};

// Takes the maildrop's files into `outbox`, oldest first, one transaction
// each, and removes each after its commit. A malformed file is moved into
// `rejected_dir` (created private) and logged through `log`, with its
// writer's uid; a temporary file older than kStaleTemporarySeconds is
// removed. A missing `dir` is no error (nothing was dropped). Stops at the
// first outbox failure, leaving that file and the rest for the next call.
Status PickUpMaildrop(const std::string& dir, const std::string& rejected_dir, Outbox* outbox,
                      const std::function<void(const std::string&)>& log, PickupReport* report);

// The directory's modification time in nanoseconds (0 when it cannot be
// read): it changes whenever a file is dropped, so a daemon polls it to wake.
std::int64_t MaildropChangeStamp(const std::string& dir);

}  // namespace jiralink::outbox
