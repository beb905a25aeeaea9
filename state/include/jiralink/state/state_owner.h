// Who owns jiralink's state, and acting as that user.
//
// A git server runs jiralink as several users at once: the pushers (as git
// runs the hooks), the web server (`render`), the services (`deliver
// --daemon`, `serve`) and root. One of them owns the state directory (the
// queue owner: `jiralink` in the Debian package); the others never write
// into it:
//   - a pusher that is not the owner hands its push's jobs to the owner
//     through the maildrop (outbox/maildrop.h);
//   - the web server renders without the state directory's cache
//     (renderer/cached_renderer.h), and reads no secret;
//   - root acts as the owner (ActAsOwnerOf), so that nothing it creates is
//     root's: a root-owned outbox in the owner's directory would refuse every
//     later push.
#pragma once

#include <sys/types.h>

#include <string>

#include "jiralink/core/status.h"

namespace jiralink::state {

struct Owner {
  uid_t uid = 0;
  gid_t gid = 0;     // the user's own group (from the password database)
  std::string name;  // "#1234" when the password database does not know the uid
};

// The owner of `path` (a file or directory, links followed). NotFound when
// it does not exist.
Status OwnerOf(const std::string& path, Owner* owner);

// True when the process runs as root (effective uid 0).
bool RunningAsRoot();

// True when `dir` exists and belongs to another user than this process's
// (which is not root): a pusher then hands its jobs to the owner through
// the maildrop instead of opening the outbox.
bool BelongsToAnotherUser(const std::string& dir);

// True when this process may keep files in `dir`: it is this user's (or
// root's, for root), or it is missing and its nearest existing ancestor is.
// `render` keeps its SQLite cache in the state directory only then; the web
// server's user renders without it.
bool MayKeepStateIn(const std::string& dir);

// The line that runs `command` (already quoted for a shell) as `user`:
// "runuser -u git -- jiralink --config /etc/jiralink/config.toml queue list".
std::string RunAsLine(const std::string& user, const std::string& command);

// For a process running as root: becomes the owner of `dir` for good (its
// supplementary groups, group and user; HOME, USER and LOGNAME follow), so
// that every file this process creates from now on belongs to that owner.
//   - Not root: does nothing.
//   - `dir` owned by root: stays root (root owns the state).
//   - `dir` missing, and `git_root` (the repositories' root) belongs to
//     another user: fails (kNotFound) with the line that creates the state
//     as that user, since the state root would create refuses that user's
//     pushes. With no `git_root`, or a root-owned one, root stays root and
//     may create the state (a set-up where root does everything).
// `command` is this command as the operator typed it, for that line. Call it
// before the process opens any file under `dir`. *became is the owner's name
// when the process switched, else "".
Status ActAsOwnerOf(const std::string& dir, const std::string& git_root, const std::string& command,
                    std::string* became);

}  // namespace jiralink::state
