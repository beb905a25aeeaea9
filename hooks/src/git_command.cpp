#include "git_command.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

extern char** environ;

namespace jiralink::hooks {

namespace {

// A pipe whose ends close themselves.
class Pipe {
 public:
  Pipe() {
    if (::pipe2(fds_, O_CLOEXEC) != 0) fds_[0] = fds_[1] = -1;
  }
  ~Pipe() {
    CloseRead();
    CloseWrite();
  }
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;

  bool ok() const { return fds_[0] >= 0; }
  int read_end() const { return fds_[0]; }
  int write_end() const { return fds_[1]; }
  void CloseRead() { Close(&fds_[0]); }
  void CloseWrite() { Close(&fds_[1]); }

 private:
  static void Close(int* fd) {
    if (*fd >= 0) ::close(*fd);
    *fd = -1;
  }
  int fds_[2];
};

std::string FirstLine(const std::string& text) {
  std::string line = text.substr(0, text.find('\n'));
  return line.empty() ? "no message" : line;
}

std::string CommandName(const std::vector<std::string>& args) {
  return "git " + (args.empty() ? std::string() : args[0]);
}

// Feeds `input` to `to_child` while draining `from_child` and `errors_from`,
// so that neither side can block the other on a full pipe.
void Exchange(std::string_view input, Pipe* to_child, Pipe* from_child, Pipe* errors_from,
              std::string* output, std::string* errors) {
  // A git that exits early must not kill us with SIGPIPE.
  struct sigaction ignore = {};
  struct sigaction previous = {};
  ignore.sa_handler = SIG_IGN;
  ::sigaction(SIGPIPE, &ignore, &previous);

  std::size_t written = 0;
  if (input.empty()) to_child->CloseWrite();
  char buffer[1 << 16];
  for (;;) {
    pollfd fds[3];
    nfds_t count = 0;
    auto watch = [&](int fd, short events) {
      if (fd >= 0) fds[count++] = pollfd{fd, events, 0};
    };
    watch(from_child->read_end(), POLLIN);
    watch(errors_from->read_end(), POLLIN);
    watch(to_child->write_end(), POLLOUT);
    if (count == 0) break;
    if (::poll(fds, count, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (nfds_t i = 0; i < count; ++i) {
      if (fds[i].revents == 0) continue;
      if (fds[i].fd == to_child->write_end()) {
        ssize_t n = ::write(fds[i].fd, input.data() + written, input.size() - written);
        if (n > 0) written += static_cast<std::size_t>(n);
        if (n < 0 && errno != EINTR && errno != EAGAIN) written = input.size();
        if (written == input.size()) to_child->CloseWrite();
        continue;
      }
      ssize_t n = ::read(fds[i].fd, buffer, sizeof buffer);
      if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      bool is_output = fds[i].fd == from_child->read_end();
      if (n <= 0) {
        is_output ? from_child->CloseRead() : errors_from->CloseRead();
      } else {
        (is_output ? output : errors)->append(buffer, static_cast<std::size_t>(n));
      }
    }
  }
  ::sigaction(SIGPIPE, &previous, nullptr);
}

}  // namespace

Status RunGit(const std::string& git_dir, const std::vector<std::string>& args,
              std::string_view input, std::string* output) {
  output->clear();
  std::vector<std::string> words = {"git", "--git-dir=" + git_dir};
  words.insert(words.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& word : words) argv.push_back(word.data());
  argv.push_back(nullptr);

  Pipe to_child, from_child, errors_from;
  if (!to_child.ok() || !from_child.ok() || !errors_from.ok()) {
    return Status::IOError(CommandName(args) + ": cannot make pipes: " + std::strerror(errno));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, to_child.read_end(), 0);
  posix_spawn_file_actions_adddup2(&actions, from_child.write_end(), 1);
  posix_spawn_file_actions_adddup2(&actions, errors_from.write_end(), 2);
  pid_t pid = 0;
  int spawned = ::posix_spawnp(&pid, "git", &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) {
    return Status::IOError("cannot run git (is it on PATH?): " +
                           std::string(std::strerror(spawned)));
  }
  to_child.CloseRead();
  from_child.CloseWrite();
  errors_from.CloseWrite();

  std::string errors;
  Exchange(input, &to_child, &from_child, &errors_from, output, &errors);
  int wait_status = 0;
  while (::waitpid(pid, &wait_status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(wait_status) || WEXITSTATUS(wait_status) != 0) {
    std::string how = WIFEXITED(wait_status) ? "exit " + std::to_string(WEXITSTATUS(wait_status))
                                             : "signal " + std::to_string(WTERMSIG(wait_status));
    return Status::Internal(CommandName(args) + " failed (" + how + "): " + FirstLine(errors));
  }
  return Status::Ok();
}

}  // namespace jiralink::hooks
