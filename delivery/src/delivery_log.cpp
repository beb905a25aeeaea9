#include "jiralink/delivery/delivery_log.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace jiralink::delivery {

namespace {

Status Failed(const std::string& what, const std::string& path) {
  return Status::IOError("cannot " + what + " the delivery log " + path + ": " +
                         std::strerror(errno));
}

}  // namespace

Status RedirectOutputToLog(const std::string& path, std::int64_t max_bytes) {
  // A few tries: another run may rotate the file between our open and lock.
  for (int attempt = 0; attempt < 5; ++attempt) {
    int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return Failed("open", path);
    if (::flock(fd, LOCK_EX) != 0) {
      ::close(fd);
      return Failed("lock", path);
    }
    struct stat opened {};
    struct stat named {};
    bool same = ::fstat(fd, &opened) == 0 && ::stat(path.c_str(), &named) == 0 &&
                opened.st_ino == named.st_ino && opened.st_dev == named.st_dev;
    if (!same) {  // moved aside by another run: open the new one
      ::close(fd);
      continue;
    }
    if (opened.st_size > max_bytes) {
      std::string old = path + ".1";
      if (::rename(path.c_str(), old.c_str()) != 0) {
        ::close(fd);
        return Failed("rotate", path);
      }
      ::close(fd);
      continue;
    }
    ::flock(fd, LOCK_UN);
    std::fflush(stdout);
    std::fflush(stderr);
    bool ok = ::dup2(fd, STDOUT_FILENO) >= 0 && ::dup2(fd, STDERR_FILENO) >= 0;
    ::close(fd);
    if (!ok) return Failed("write to", path);
    return Status::Ok();
  }
  return Status::IOError("cannot open the delivery log " + path +
                         ": it keeps being moved by other runs");
}

}  // namespace jiralink::delivery
