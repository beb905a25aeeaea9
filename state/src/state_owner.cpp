#include "jiralink/state/state_owner.h"

#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace jiralink::state {
namespace {

std::string Errno() { return std::strerror(errno); }

// The password-database entry of `uid`, into *owner; false when unknown.
bool LookUpUid(uid_t uid, Owner* owner, std::string* home) {
  std::vector<char> buffer(16384);
  passwd entry{};
  passwd* found = nullptr;
  if (::getpwuid_r(uid, &entry, buffer.data(), buffer.size(), &found) != 0 || found == nullptr) {
    return false;
  }
  owner->gid = found->pw_gid;
  owner->name = found->pw_name;
  if (home != nullptr) *home = found->pw_dir != nullptr ? found->pw_dir : "";
  return true;
}

}  // namespace

Status OwnerOf(const std::string& path, Owner* owner) {
  struct stat info;
  if (::stat(path.c_str(), &info) != 0) {
    if (errno == ENOENT) return Status::NotFound(path + " does not exist");
    return Status::IOError("cannot inspect " + path + ": " + Errno());
  }
  *owner = Owner{};
  owner->uid = info.st_uid;
  owner->gid = info.st_gid;
  if (!LookUpUid(info.st_uid, owner, nullptr)) owner->name = "#" + std::to_string(info.st_uid);
  return Status::Ok();
}

bool RunningAsRoot() { return ::geteuid() == 0; }

bool BelongsToAnotherUser(const std::string& dir) {
  struct stat info;
  return !RunningAsRoot() && ::stat(dir.c_str(), &info) == 0 && info.st_uid != ::geteuid();
}

bool MayKeepStateIn(const std::string& dir) {
  std::string path = dir;
  struct stat info;
  while (!path.empty() && ::stat(path.c_str(), &info) != 0) {
    if (errno != ENOENT) return false;
    std::size_t slash = path.find_last_of('/');
    path = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
    if (path == "/" && ::stat("/", &info) == 0) break;
  }
  if (path.empty()) return false;
  return info.st_uid == ::geteuid();
}

std::string RunAsLine(const std::string& user, const std::string& command) {
  return "runuser -u " +
         (user.empty() ? std::string("<the user that runs your git hooks>") : user) + " -- " +
         command;
}

Status ActAsOwnerOf(const std::string& dir, const std::string& git_root, const std::string& command,
                    std::string* became) {
  became->clear();
  if (!RunningAsRoot()) return Status::Ok();
  Owner owner;
  Status status = OwnerOf(dir, &owner);
  if (status.code() == Status::Code::kNotFound) {
    // Root creates the state only where no other user is known to push: a
    // [git] root of its own, or none (a single-user set-up run as root).
    Owner repositories;
    if (git_root.empty() || !OwnerOf(git_root, &repositories).ok() || repositories.uid == 0) {
      return Status::Ok();
    }
    return Status::NotFound(
        "the state directory " + dir +
        " does not exist, and root does not create it (whatever root creates there would "
        "refuse the pushes of its owner); create it as the user that owns jiralink's queue: " +
        RunAsLine(repositories.name, command));
  }
  if (!status.ok()) return status;
  if (owner.uid == 0) return Status::Ok();
  std::string home;
  const bool known = LookUpUid(owner.uid, &owner, &home);
  // Groups first: once the uid is not root, they can no longer be changed.
  int groups_set = known ? ::initgroups(owner.name.c_str(), owner.gid) : ::setgroups(0, nullptr);
  if (groups_set != 0 || ::setgid(owner.gid) != 0 || ::setuid(owner.uid) != 0) {
    return Status::IOError("cannot act as " + owner.name + ", the owner of the state directory " +
                           dir + ": " + Errno() + "; run: " + RunAsLine(owner.name, command));
  }
  // Root can never come back: a failed setuid above would have returned.
  if (::setuid(0) == 0) std::abort();
  if (known) {
    ::setenv("HOME", home.c_str(), 1);
    ::setenv("USER", owner.name.c_str(), 1);
    ::setenv("LOGNAME", owner.name.c_str(), 1);
  }
  *became = owner.name;
  return Status::Ok();
}

}  // namespace jiralink::state
