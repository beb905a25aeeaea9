// `jiralink serve` started the way systemd's socket activation starts it, for
// the tests of the service: a loopback socket listening before the service
// runs, passed as fd 3 with LISTEN_FDS=1 and LISTEN_PID set to the child's
// pid. The socket outlives the process, so a restarted service finds the
// connections that queued meanwhile.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "support/test_support.h"

extern char** environ;

namespace jiralink::testing {

// A socket listening on 127.0.0.1 at a free port (*port); -1 on failure.
inline int ListenOnLoopback(int* port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(fd, 128) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    ::close(fd);
    return -1;
  }
  *port = ntohs(address.sin_port);
  return fd;
}

// Starts `jiralink --config <config> serve` with `listen_fd` as fd 3, this
// process's environment without LISTEN_* and without the variables `env`
// sets (given as "NAME=value"), plus `env`; stdout and stderr are appended
// to `log_path`. With `run_as` (not 0), the child takes that user and group
// id first (the test runs as root). Returns the child's pid, -1 when it
// cannot fork.
inline pid_t StartSocketActivatedServe(const std::string& config, int listen_fd,
                                       const std::string& log_path,
                                       const std::vector<std::string>& env = {}, uid_t run_as = 0) {
  std::vector<std::string> args = {JiralinkBin(), "--config", config, "serve"};
  std::vector<std::string> env_text;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string_view entry = *e;
    bool replaced = entry.starts_with("LISTEN_");
    for (const std::string& set : env) {
      replaced = replaced || entry.starts_with(set.substr(0, set.find('=') + 1));
    }
    if (!replaced) env_text.emplace_back(entry);
  }
  env_text.insert(env_text.end(), env.begin(), env.end());
  env_text.push_back("LISTEN_FDS=1");
  env_text.push_back("LISTEN_PID=0000000000");  // filled in by the child
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (std::string& e : env_text) envp.push_back(e.data());
  envp.push_back(nullptr);
  char* pid_slot = envp[envp.size() - 2] + std::strlen("LISTEN_PID=");
  int log = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  pid_t child = ::fork();
  if (child == 0) {
    // Only async-signal-safe calls from here on.
    pid_t self = ::getpid();
    for (int i = 9; i >= 0; --i) {
      pid_slot[i] = static_cast<char>('0' + self % 10);
      self /= 10;
    }
    // dup2 onto itself keeps close-on-exec: clear it for fd 3 either way.
    if (listen_fd == 3) {
      ::fcntl(3, F_SETFD, 0);
    } else {
      ::dup2(listen_fd, 3);
    }
    ::dup2(log, 1);
    ::dup2(log, 2);
    if (run_as != 0 &&
        (::setgroups(0, nullptr) != 0 || ::setgid(run_as) != 0 || ::setuid(run_as) != 0)) {
      ::_exit(126);
    }
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  if (log >= 0) ::close(log);
  return child;
}

}  // namespace jiralink::testing
