#include "jiralink/hooks/detach.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>

namespace jiralink::hooks {

namespace {

// In the child: from here on only async-signal-safe calls, then exec.
[[noreturn]] void BecomeDetached(const std::vector<char*>& argv) {
  if (::setsid() < 0) ::_exit(127);
  pid_t grandchild = ::fork();
  if (grandchild != 0) ::_exit(grandchild < 0 ? 127 : 0);
  int null_fd = ::open("/dev/null", O_RDWR);
  if (null_fd < 0) ::_exit(127);
  ::dup2(null_fd, 0);
  ::dup2(null_fd, 1);
  ::dup2(null_fd, 2);
  // Every other descriptor (git's pipes among them) must close, or the
  // pusher's client waits for us.
  for (int fd = 3; fd < 1024; ++fd) ::close(fd);
  if (::chdir("/") != 0) ::_exit(127);
  ::execv(argv[0], argv.data());
  ::_exit(127);
}

}  // namespace

Status StartDetached(const std::vector<std::string>& args) {
  if (args.empty() || args[0].empty() || args[0][0] != '/') {
    return Status::InvalidArgument("StartDetached needs an absolute program path");
  }
  std::vector<std::string> copy = args;  // storage for argv, built before fork
  std::vector<char*> argv;
  for (std::string& arg : copy) argv.push_back(arg.data());
  argv.push_back(nullptr);
  pid_t child = ::fork();
  if (child < 0) return Status::Internal(std::string("fork failed: ") + std::strerror(errno));
  if (child == 0) BecomeDetached(argv);
  int wstatus = 0;
  while (::waitpid(child, &wstatus, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0) {
    return Status::Internal("could not start " + args[0] + " in the background");
  }
  return Status::Ok();
}

std::string CurrentExecutable() {
  char buffer[PATH_MAX];
  ssize_t n = ::readlink("/proc/self/exe", buffer, sizeof(buffer) - 1);
  if (n <= 0) return "";
  return std::string(buffer, static_cast<std::size_t>(n));
}

}  // namespace jiralink::hooks
