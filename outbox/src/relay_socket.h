// Unix-socket plumbing shared by the two sides of the enqueue relay
// (enqueue_relay.h): an owned descriptor, connecting, and whole writes and
// reads against a deadline. Non-blocking sockets with poll, so that neither
// side ever waits on the other past its deadline, and MSG_NOSIGNAL, so that
// a peer that went away is an error, not a SIGPIPE.
#pragma once

#include <sys/un.h>

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

#include "jiralink/core/status.h"

namespace jiralink::outbox {

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() { Reset(); }
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.Release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) {
      Reset();
      fd_ = other.Release();
    }
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int Release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }
  void Reset(int fd = -1);

 private:
  int fd_ = -1;
};

using Deadline = std::chrono::steady_clock::time_point;

// Fills *address for `path`; InvalidArgument when the path is too long for
// a Unix socket (107 bytes on Linux).
Status UnixAddress(const std::string& path, sockaddr_un* address);

// A non-blocking connection to the socket at `path`. NotFound when nobody
// listens there (no file, a file left by a daemon that died, a full
// backlog); other failures as IOError.
Status ConnectRelaySocket(const std::string& path, UniqueFd* fd);

// Writes all of `bytes` by `deadline` (Unavailable when the peer is gone or
// too slow).
Status SendAll(int fd, std::string_view bytes, Deadline deadline);

// Reads exactly `size` bytes by `deadline` into *out. NotFound when the
// peer ended its side before the first byte; InvalidArgument when it ended
// it after (a cut message); Unavailable when it is gone or too slow.
Status ReadExactly(int fd, std::size_t size, Deadline deadline, std::string* out);

// Reads until the peer ends its side, by `deadline`, at most `max_bytes`
// (InvalidArgument past it).
Status ReadToEnd(int fd, Deadline deadline, std::size_t max_bytes, std::string* out);

}  // namespace jiralink::outbox
