#include "relay_socket.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace jiralink::outbox {

namespace {

// Waits until `fd` is ready for `events` or the deadline passes.
Status WaitReady(int fd, short events, Deadline deadline) {
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now())
                    .count();
    if (left <= 0) return Status::Unavailable("no progress within the time allowed");
    pollfd entry{fd, events, 0};
    int ready = ::poll(&entry, 1, static_cast<int>(left));
    if (ready > 0) return Status::Ok();
    if (ready < 0 && errno != EINTR)
      return Status::IOError(std::string("poll: ") + std::strerror(errno));
  }
}

// What a send or recv that failed (-1) means: OK to try again (after an
// interruption, or once the socket is ready), else the peer is gone or slow.
Status AfterFailedIo(int fd, short events, Deadline deadline) {
  if (errno == EINTR) return Status::Ok();
  if (errno == EAGAIN || errno == EWOULDBLOCK) return WaitReady(fd, events, deadline);
  return Status::Unavailable(std::string("the peer went away: ") + std::strerror(errno));
}

}  // namespace

void UniqueFd::Reset(int fd) {
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
}

Status UnixAddress(const std::string& path, sockaddr_un* address) {
  std::memset(address, 0, sizeof *address);
  address->sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof address->sun_path) {
    return Status::InvalidArgument("the socket path " + path + " is longer than the " +
                                   std::to_string(sizeof address->sun_path - 1) +
                                   " bytes a Unix socket path may have");
  }
  std::memcpy(address->sun_path, path.data(), path.size());
  return Status::Ok();
}

Status ConnectRelaySocket(const std::string& path, UniqueFd* fd) {
  sockaddr_un address{};
  Status status = UnixAddress(path, &address);
  if (!status.ok()) return Status::NotFound(status.message());
  fd->Reset(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd->valid()) return Status::IOError(std::string("socket: ") + std::strerror(errno));
  if (::connect(fd->get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0) {
    return Status::Ok();
  }
  int error = errno;
  fd->Reset();
  if (error == ENOENT || error == ECONNREFUSED || error == EAGAIN || error == ENOTSOCK) {
    return Status::NotFound("nobody listens at " + path);
  }
  return Status::IOError("connecting to " + path + ": " + std::strerror(error));
}

Status SendAll(int fd, std::string_view bytes, Deadline deadline) {
  while (!bytes.empty()) {
    ssize_t sent = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (sent > 0) {
      bytes.remove_prefix(static_cast<std::size_t>(sent));
      continue;
    }
    if (sent == 0) return Status::Unavailable("the peer went away");
    Status status = AfterFailedIo(fd, POLLOUT, deadline);
    if (!status.ok()) return status;
  }
  return Status::Ok();
}

Status ReadExactly(int fd, std::size_t size, Deadline deadline, std::string* out) {
  out->assign(size, '\0');
  std::size_t got = 0;
  while (got < size) {
    ssize_t n = ::recv(fd, out->data() + got, size - got, 0);
    if (n > 0) {
      got += static_cast<std::size_t>(n);
      continue;
    }
    if (n == 0) {
      if (got == 0) return Status::NotFound("the peer ended its side");
      return Status::InvalidArgument("the peer ended its side inside a message");
    }
    Status status = AfterFailedIo(fd, POLLIN, deadline);
    if (!status.ok()) return status;
  }
  return Status::Ok();
}

Status ReadToEnd(int fd, Deadline deadline, std::size_t max_bytes, std::string* out) {
  out->clear();
  char buffer[1 << 16];
  for (;;) {
    ssize_t got = ::recv(fd, buffer, sizeof buffer, 0);
    if (got == 0) return Status::Ok();
    if (got > 0) {
      if (out->size() + static_cast<std::size_t>(got) > max_bytes) {
        return Status::InvalidArgument("more than " + std::to_string(max_bytes) + " bytes");
      }
      out->append(buffer, static_cast<std::size_t>(got));
      continue;
    }
    Status status = AfterFailedIo(fd, POLLIN, deadline);
    if (!status.ok()) return status;
  }
}

}  // namespace jiralink::outbox
