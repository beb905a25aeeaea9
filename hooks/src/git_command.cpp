#include "git_command.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>

#include "jiralink/os/sigpipe_blocked.h"

extern char** environ;

namespace jiralink::hooks {

namespace {

void CloseFd(int* fd) {
  if (*fd >= 0) ::close(*fd);
  *fd = -1;
}

std::string FirstLine(const std::string& text) {
  std::string line = text.substr(0, text.find('\n'));
  return line.empty() ? "no message" : line;
}

// write() that cannot kill the process with SIGPIPE when git has exited.
ssize_t WriteWithoutSigpipe(int fd, const char* data, std::size_t size) {
  SigpipeBlocked guard;
  return ::write(fd, data, size);
}

}  // namespace

GitProcess::~GitProcess() {
  CloseAll();
  if (pid_ > 0) {
    int ignored = 0;
    while (::waitpid(pid_, &ignored, 0) < 0 && errno == EINTR) {
    }
  }
}

void GitProcess::CloseAll() {
  CloseFd(&to_child_);
  CloseFd(&from_child_);
  CloseFd(&errors_from_);
}

Status GitProcess::Start(const std::string& git_dir, const std::vector<std::string>& args,
                         std::string input) {
  command_ = "git " + (args.empty() ? std::string() : args[0]);
  std::vector<std::string> words = {"git", "--git-dir=" + git_dir};
  words.insert(words.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& word : words) argv.push_back(word.data());
  argv.push_back(nullptr);

  // git's stdin, stdout and stderr: [0] is the read end, [1] the write end.
  int pipes[3][2] = {{-1, -1}, {-1, -1}, {-1, -1}};
  for (auto& fds : pipes) {
    if (::pipe2(fds, O_CLOEXEC) == 0) continue;
    int saved = errno;
    for (auto& made : pipes) {
      for (int& fd : made) CloseFd(&fd);
    }
    return Status::IOError(command_ + ": cannot make pipes: " + std::strerror(saved));
  }
  int(&stdin_pipe)[2] = pipes[0];
  int(&stdout_pipe)[2] = pipes[1];
  int(&stderr_pipe)[2] = pipes[2];
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, stdin_pipe[0], 0);
  posix_spawn_file_actions_adddup2(&actions, stdout_pipe[1], 1);
  posix_spawn_file_actions_adddup2(&actions, stderr_pipe[1], 2);
  pid_t pid = 0;
  int spawned = ::posix_spawnp(&pid, "git", &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  // The child's ends are its own now (or nobody's).
  ::close(stdin_pipe[0]);
  ::close(stdout_pipe[1]);
  ::close(stderr_pipe[1]);
  to_child_ = stdin_pipe[1];
  from_child_ = stdout_pipe[0];
  errors_from_ = stderr_pipe[0];
  if (spawned != 0) {
    CloseAll();
    return Status::IOError("cannot run git (is it on PATH?): " +
                           std::string(std::strerror(spawned)));
  }
  pid_ = pid;
  // Only our end: git's stdin stays blocking.
  ::fcntl(to_child_, F_SETFL, ::fcntl(to_child_, F_GETFL) | O_NONBLOCK);
  input_ = std::move(input);
  written_ = 0;
  // Now, not at the first Read: git waits for its stdin, and the caller
  // means to work meanwhile.
  WriteInput();
  return Status::Ok();
}

void GitProcess::WriteInput() {
  while (to_child_ >= 0 && written_ < input_.size()) {
    ssize_t n = WriteWithoutSigpipe(to_child_, input_.data() + written_, input_.size() - written_);
    if (n > 0) {
      written_ += static_cast<std::size_t>(n);
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && errno == EAGAIN) {
      return;  // the pipe is full: Read() goes on when git has read some
    } else {
      written_ = input_.size();  // git stopped reading (EPIPE): it has all it wants
    }
  }
  if (written_ == input_.size()) CloseFd(&to_child_);
}

void GitProcess::Read(std::string* output, bool* more) {
  bool got_output = false;
  while (from_child_ >= 0 && !got_output) Pump(output, &got_output);
  *more = got_output;
}

// One poll() round over git's three pipes.
void GitProcess::Pump(std::string* output, bool* got_output) {
  pollfd fds[3];
  nfds_t count = 0;
  auto watch = [&](int fd, short events) {
    if (fd >= 0) fds[count++] = pollfd{fd, events, 0};
  };
  watch(from_child_, POLLIN);
  watch(errors_from_, POLLIN);
  watch(to_child_, POLLOUT);
  if (count == 0) return;
  if (::poll(fds, count, -1) < 0) {
    if (errno == EINTR) return;
    CloseAll();  // cannot wait for git any more; Wait() reports how it ended
    return;
  }
  for (nfds_t i = 0; i < count; ++i) {
    if (fds[i].revents == 0) continue;
    int fd = fds[i].fd;
    if (fd == to_child_) {
      WriteInput();
      continue;
    }
    bool is_output = fd == from_child_;
    char buffer[1 << 16];
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n <= 0) {
      CloseFd(is_output ? &from_child_ : &errors_from_);
      continue;
    }
    (is_output ? output : &errors_)->append(buffer, static_cast<std::size_t>(n));
    if (is_output) *got_output = true;
  }
}

Status GitProcess::Wait() {
  std::string ignored;
  bool got_output = false;
  // Whatever git still writes to stderr, until it closes it.
  while (errors_from_ >= 0 || from_child_ >= 0) Pump(&ignored, &got_output);
  CloseAll();
  if (pid_ <= 0) return Status::Internal(command_ + " was not started");
  int wait_status = 0;
  while (::waitpid(pid_, &wait_status, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
  if (!WIFEXITED(wait_status) || WEXITSTATUS(wait_status) != 0) {
    std::string how = WIFEXITED(wait_status) ? "exit " + std::to_string(WEXITSTATUS(wait_status))
                                             : "signal " + std::to_string(WTERMSIG(wait_status));
    return Status::Internal(command_ + " failed (" + how + "): " + FirstLine(errors_));
  }
  return Status::Ok();
}

Status RunGit(const std::string& git_dir, const std::vector<std::string>& args,
              std::string_view input, std::string* output) {
  output->clear();
  GitProcess git;
  Status status = git.Start(git_dir, args, std::string(input));
  if (!status.ok()) return status;
  bool more = true;
  while (more) git.Read(output, &more);
  return git.Wait();
}

}  // namespace jiralink::hooks
