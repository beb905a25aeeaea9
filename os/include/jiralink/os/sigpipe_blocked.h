// SigpipeBlocked: writes to a pipe or socket whose reader is gone must fail
// with EPIPE, not kill the process with SIGPIPE (the default action).
//
// While one of these lives, SIGPIPE is blocked for the calling thread; a
// SIGPIPE raised meanwhile is taken back (sigtimedwait) before the previous
// mask is restored, so it is never delivered. errno is preserved. Used around
// writes to git (hooks) and around hiredis calls (the Redis render cache),
// whose write() to a server that went away would raise it.
#pragma once

#include <signal.h>

namespace jiralink {

class SigpipeBlocked {
 public:
  SigpipeBlocked();
  ~SigpipeBlocked();
  SigpipeBlocked(const SigpipeBlocked&) = delete;
  SigpipeBlocked& operator=(const SigpipeBlocked&) = delete;

 private:
  sigset_t pipe_signal_;
  sigset_t previous_;
};

}  // namespace jiralink
