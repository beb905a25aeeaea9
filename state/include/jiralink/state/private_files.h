// Private files in the state directory.
//
// The state directory holds the outbox (commit messages of private
// repositories), the render cache and lock files. Whatever the process's
// umask, the directory is created 0700 and every file 0600, and a file is
// never opened through a symbolic link (O_NOFOLLOW), so another local user
// can neither read the queue nor make jiralink write somewhere else.
//
// Every function reports problems as a Status whose message names the path
// and the fix ("run: chmod 700 DIR").
#pragma once

#include <string>

#include "jiralink/core/status.h"

namespace jiralink::state {

// Makes sure `dir` exists and is private.
//   - Missing: it is created, with any missing parents, each mode 0700.
//   - Existing: it must be a directory (a symbolic link to one is fine),
//     not writable by group or others, and owned by this user (or by root).
//     Root may use only its own: it acts as the owner first
//     (state_owner.h), so that it never leaves a root-owned file in another
//     user's state. Otherwise an error says why and how to fix it. Its mode
//     is not changed.
Status EnsurePrivateDirectory(const std::string& dir);

// Opens `path`, creating it with mode 0600 when missing (O_CREAT is added to
// `flags`, as are O_NOFOLLOW and O_CLOEXEC). A symbolic link at `path` is
// refused. An existing file that group or others may access is set to 0600.
// The file must be a regular file. On success *fd is the open descriptor.
Status OpenPrivateFile(const std::string& path, int flags, int* fd);

// Prepares an SQLite database file before sqlite3_open_v2: its directory
// private (EnsurePrivateDirectory), the file itself created 0600
// (OpenPrivateFile), and existing "-wal", "-shm" and "-journal" files set to
// 0600. SQLite creates those companions with the database file's mode, so
// they are 0600 too. Open the database with SQLITE_OPEN_NOFOLLOW as well.
Status PreparePrivateDatabase(const std::string& path);

// After an operation in `dir` failed: when the file system that holds `dir`
// is full (less than 64 KiB left for this user), a sentence that says so and
// how to see it ("the file system of DIR is full (df -h DIR shows it): free
// space there"); otherwise "". SQLite says "database or disk is full" or
// "disk I/O error" for the same cause, so the file system itself is asked.
std::string FullFileSystemNote(const std::string& dir);

}  // namespace jiralink::state
