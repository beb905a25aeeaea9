#include "jiralink/state/private_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include "jiralink/state/state_owner.h"

namespace jiralink::state {
namespace {

constexpr mode_t kDirMode = 0700;
constexpr mode_t kFileMode = 0600;

std::string Octal(mode_t mode) {
  char text[8];
  std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode & 07777));
  return text;
}

std::string Errno() { return std::strerror(errno); }

// The directory part of `path` ("" for a bare name, "/" for "/x").
std::string ParentOf(const std::string& path) {
  std::size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return "";
  return slash == 0 ? "/" : path.substr(0, slash);
}

Status CheckExistingDirectory(const std::string& dir, const struct stat& info) {
  if (!S_ISDIR(info.st_mode)) {
    return Status::InvalidArgument("the state directory " + dir +
                                   " exists but is not a directory; set [state] dir to a "
                                   "directory");
  }
  if ((info.st_mode & 022) != 0) {
    return Status::InvalidArgument(
        "the state directory " + dir + " is writable by group or others (mode " +
        Octal(info.st_mode) +
        "); it holds commit messages and delivery state, so jiralink refuses it: run "
        "chmod 700 " +
        dir + ", or set [state] dir to a private directory");
  }
  uid_t me = ::geteuid();
  if (me == 0 && info.st_uid != 0) {
    // A file root made here would refuse its owner's next push.
    Owner owner;
    std::string name = OwnerOf(dir, &owner).ok() ? owner.name : std::to_string(info.st_uid);
    return Status::InvalidArgument("the state directory " + dir + " belongs to " + name +
                                   ", and root does not write into it; run the command as " + name +
                                   ": " + RunAsLine(name, "jiralink ..."));
  }
  if (info.st_uid != me && info.st_uid != 0) {
    return Status::InvalidArgument("the state directory " + dir + " belongs to another user (uid " +
                                   std::to_string(info.st_uid) +
                                   "), who could change it; run jiralink as that user, or set "
                                   "[state] dir to a directory of your own");
  }
  return Status::Ok();
}

// Creates `dir` and missing parents, each 0700 whatever the umask.
Status CreateDirectories(const std::string& dir) {
  std::vector<std::string> missing;
  std::string path = dir;
  struct stat info;
  while (!path.empty() && path != "/" && ::stat(path.c_str(), &info) != 0) {
    if (errno != ENOENT) return Status::IOError("cannot inspect " + path + ": " + Errno());
    missing.push_back(path);
    path = ParentOf(path);
  }
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
    if (::mkdir(it->c_str(), kDirMode) != 0 && errno != EEXIST) {
      return Status::IOError("cannot create the state directory " + *it + ": " + Errno());
    }
    // The umask may have taken bits away (or another process made it first).
    if (::chmod(it->c_str(), kDirMode) != 0 && errno != EPERM) {
      return Status::IOError("cannot set mode 0700 on " + *it + ": " + Errno());
    }
  }
  return Status::Ok();
}

// The error for a failed open(2) of `path` (ELOOP: O_NOFOLLOW met a link).
Status OpenError(const std::string& path) {
  if (errno == ELOOP) {
    return Status::InvalidArgument(path +
                                   " is a symbolic link; jiralink does not follow links "
                                   "in the state directory: remove it");
  }
  return Status::IOError("cannot open " + path + ": " + Errno());
}

// Checks the open file `fd` (a regular file, when `require_regular`) and
// takes away every permission of group and others.
Status MakePrivate(int fd, const std::string& path, bool require_regular) {
  struct stat info;
  if (::fstat(fd, &info) != 0) return Status::IOError("cannot inspect " + path + ": " + Errno());
  if (require_regular && !S_ISREG(info.st_mode)) {
    return Status::InvalidArgument(path + " is not a regular file: remove it");
  }
  if ((info.st_mode & 077) != 0 && ::fchmod(fd, kFileMode) != 0) {
    return Status::IOError("cannot set mode 0600 on " + path + " (mode " + Octal(info.st_mode) +
                           "): " + Errno());
  }
  return Status::Ok();
}

// Sets 0600 on an existing companion file; a missing one is fine.
Status TightenIfPresent(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return errno == ENOENT ? Status::Ok() : OpenError(path);
  Status status = MakePrivate(fd, path, /*require_regular=*/false);
  ::close(fd);
  return status;
}

}  // namespace

Status EnsurePrivateDirectory(const std::string& dir) {
  if (dir.empty()) return Status::InvalidArgument("the state directory is not set");
  struct stat info;
  if (::stat(dir.c_str(), &info) == 0) return CheckExistingDirectory(dir, info);
  if (errno != ENOENT) return Status::IOError("cannot inspect " + dir + ": " + Errno());
  return CreateDirectories(dir);
}

Status OpenPrivateFile(const std::string& path, int flags, int* fd) {
  *fd = -1;
  int opened = ::open(path.c_str(), flags | O_CREAT | O_NOFOLLOW | O_CLOEXEC, kFileMode);
  if (opened < 0) return OpenError(path);
  Status status = MakePrivate(opened, path, /*require_regular=*/true);
  if (!status.ok()) {
    ::close(opened);
    return status;
  }
  *fd = opened;
  return Status::Ok();
}

Status PreparePrivateDatabase(const std::string& path) {
  if (std::string parent = ParentOf(path); !parent.empty()) {
    if (Status status = EnsurePrivateDirectory(parent); !status.ok()) return status;
  }
  int fd = -1;
  if (Status status = OpenPrivateFile(path, O_RDWR, &fd); !status.ok()) return status;
  ::close(fd);
  for (const char* suffix : {"-wal", "-shm", "-journal"}) {
    if (Status status = TightenIfPresent(path + suffix); !status.ok()) return status;
  }
  return Status::Ok();
}

std::string FullFileSystemNote(const std::string& dir) {
  struct statvfs info;
  if (dir.empty() || ::statvfs(dir.c_str(), &info) != 0) return "";
  const unsigned long long available = static_cast<unsigned long long>(info.f_bavail) *
                                       static_cast<unsigned long long>(info.f_frsize);
  if (available >= 64 * 1024) return "";
  return "the file system of " + dir + " is full (df -h " + dir + " shows it): free space there";
}

}  // namespace jiralink::state
