#include "jiralink/delivery/delivery_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "jiralink/state/private_files.h"

namespace jiralink::delivery {

DeliveryLock::~DeliveryLock() { Unlock(); }

bool DeliveryLock::TryLock(std::string* error) {
  if (fd_ >= 0) return true;
  int fd = -1;
  if (Status status = state::OpenPrivateFile(path_, O_RDWR, &fd); !status.ok()) {
    if (error != nullptr) *error = status.message();
    return false;
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    return false;
  }
  fd_ = fd;
  return true;
}

void DeliveryLock::Unlock() {
  if (fd_ < 0) return;
  ::flock(fd_, LOCK_UN);
  ::close(fd_);
  fd_ = -1;
}

}  // namespace jiralink::delivery
