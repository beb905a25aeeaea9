#include "jiralink/os/sigpipe_blocked.h"

#include <pthread.h>

#include <cerrno>
#include <ctime>

namespace jiralink {

SigpipeBlocked::SigpipeBlocked() {
  sigemptyset(&pipe_signal_);
  sigaddset(&pipe_signal_, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_signal_, &previous_);
}

SigpipeBlocked::~SigpipeBlocked() {
  const int saved_errno = errno;
  sigset_t pending;
  sigemptyset(&pending);
  if (sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE) == 1) {
    struct timespec no_wait = {};
    while (sigtimedwait(&pipe_signal_, nullptr, &no_wait) < 0 && errno == EINTR) {
    }
  }
  pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
  errno = saved_errno;
}

}  // namespace jiralink
