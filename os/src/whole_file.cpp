#include "jiralink/os/whole_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

namespace jiralink {
namespace {

Status FromErrno(int error) {
  std::string words = std::strerror(error);
  if (error == ENOENT || error == ENOTDIR) return Status::NotFound(words);
  if (error == EACCES || error == EPERM) return Status::PermissionDenied(words);
  return Status::IOError(words);
}

const char* KindOf(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISCHR(mode) || S_ISBLK(mode)) return "a device";
  return "not a file";
}

}  // namespace

Status ReadWholeFile(const std::string& path, std::size_t max_bytes, std::string* text) {
  text->clear();
  // O_NONBLOCK: opening a FIFO without a writer must not wait for one; the
  // file's kind is checked before anything is read.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) return FromErrno(errno);
  struct stat info {};
  if (::fstat(fd, &info) != 0) {
    Status status = FromErrno(errno);
    ::close(fd);
    return status;
  }
  if (!S_ISREG(info.st_mode)) {
    ::close(fd);
    return Status::InvalidArgument(std::string("not a regular file (") + KindOf(info.st_mode) +
                                   ")");
  }
  const auto too_large = [max_bytes](std::uint64_t size) {
    return Status::InvalidArgument("the file is " + std::to_string(size) + " bytes; at most " +
                                   std::to_string(max_bytes) + " are allowed");
  };
  // Checked before reading, so that a huge file is not read at all; and
  // again while reading, for a file that grows meanwhile.
  if (static_cast<std::uint64_t>(info.st_size) > max_bytes) {
    ::close(fd);
    return too_large(static_cast<std::uint64_t>(info.st_size));
  }
  std::string out;
  out.reserve(static_cast<std::size_t>(info.st_size));
  char buffer[65536];
  for (;;) {
    ssize_t got = ::read(fd, buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      Status status = FromErrno(errno);
      ::close(fd);
      return status;
    }
    if (got == 0) break;
    if (out.size() + static_cast<std::size_t>(got) > max_bytes) {
      ::close(fd);
      return too_large(out.size() + static_cast<std::size_t>(got));
    }
    out.append(buffer, static_cast<std::size_t>(got));
  }
  ::close(fd);
  *text = std::move(out);
  return Status::Ok();
}

}  // namespace jiralink
