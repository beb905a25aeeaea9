#include "support/redis_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <thread>

extern char** environ;

namespace jiralink::testing {
namespace {

constexpr auto kStartBound = std::chrono::seconds(30);
constexpr auto kStopBound = std::chrono::seconds(10);

// A port on 127.0.0.1 that was free a moment ago (Start retries on a clash).
int FreeLoopbackPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return 0;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t size = sizeof address;
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) == 0) {
    port = ntohs(address.sin_port);
  }
  ::close(fd);
  return port;
}

// A fresh private directory; short (a socket path must fit in 108 bytes).
std::string MakeDirectory() {
  const char* base = std::getenv("TMPDIR");
  std::string root = base != nullptr && *base != '\0' ? base : "/tmp";
  if (root.size() > 60) root = "/tmp";
  std::string templ = root + "/jiralink-redis-XXXXXX";
  return ::mkdtemp(templ.data()) != nullptr ? templ : "";
}

// True when the process has exited (reaped); waits up to `bound`.
bool WaitForExit(pid_t pid, std::chrono::milliseconds bound) {
  const auto deadline = std::chrono::steady_clock::now() + bound;
  for (;;) {
    int status = 0;
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid || (done < 0 && errno == ECHILD)) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

void Convert(const redisReply* in, RedisReply* out) {
  *out = RedisReply{};
  switch (in->type) {
    case REDIS_REPLY_STRING:
      out->type = RedisReply::Type::kString;
      out->text.assign(in->str, in->len);
      break;
    case REDIS_REPLY_STATUS:
      out->type = RedisReply::Type::kStatus;
      out->text.assign(in->str, in->len);
      break;
    case REDIS_REPLY_ERROR:
      out->type = RedisReply::Type::kError;
      out->text.assign(in->str, in->len);
      break;
    case REDIS_REPLY_INTEGER:
      out->type = RedisReply::Type::kInteger;
      out->integer = in->integer;
      break;
    case REDIS_REPLY_ARRAY:
      out->type = RedisReply::Type::kArray;
      for (std::size_t i = 0; i < in->elements; ++i) {
        const redisReply* element = in->element[i];
        out->elements.emplace_back(element->str != nullptr ? element->str : "",
                                   element->str != nullptr ? element->len : 0);
      }
      break;
    default:
      break;
  }
}

}  // namespace

std::string RedisServer::FindProgram() {
  const char* path = std::getenv("PATH");
  std::string dirs = std::string(path != nullptr ? path : "") + ":/usr/bin:/usr/sbin:/bin";
  std::size_t start = 0;
  while (start <= dirs.size()) {
    const std::size_t end = dirs.find(':', start);
    const std::string dir = dirs.substr(start, end == std::string::npos ? end : end - start);
    if (!dir.empty()) {
      const std::string candidate = dir + "/redis-server";
      if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    }
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return "";
}

std::string RedisServer::MissingMessage() {
  return "redis-server is not installed: install the Debian package redis-server "
         "(./quickstart.sh test installs it)";
}

std::unique_ptr<RedisServer> RedisServer::Start(const RedisServerOptions& options,
                                                std::string* error) {
  const std::string program = FindProgram();
  if (program.empty()) {
    *error = MissingMessage();
    return nullptr;
  }
  // A free TCP port may be taken between the probe and the server's bind:
  // then the server exits, and another port is tried.
  for (int attempt = 0; attempt < 5; ++attempt) {
    std::unique_ptr<RedisServer> server(new RedisServer());
    server->dir_ = MakeDirectory();
    if (server->dir_.empty()) {
      *error = std::string("mkdtemp: ") + std::strerror(errno);
      return nullptr;
    }
    server->password_ = options.password;
    std::vector<std::string> args = {program,
                                     "--bind",
                                     "127.0.0.1",
                                     "--save",
                                     "",
                                     "--appendonly",
                                     "no",
                                     "--dir",
                                     server->dir_,
                                     "--logfile",
                                     server->dir_ + "/redis.log",
                                     "--daemonize",
                                     "no"};
    if (options.tcp) {
      server->port_ = FreeLoopbackPort();
      args.insert(args.end(), {"--port", std::to_string(server->port_)});
    } else {
      server->socket_ = server->dir_ + "/redis.sock";
      args.insert(args.end(),
                  {"--port", "0", "--unixsocket", server->socket_, "--unixsocketperm", "700"});
    }
    if (!options.password.empty()) args.insert(args.end(), {"--requirepass", options.password});
    args.insert(args.end(), options.extra_args.begin(), options.extra_args.end());
    std::vector<char*> argv;
    for (std::string& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    const int spawned =
        ::posix_spawn(&server->pid_, program.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (spawned != 0) {
      server->pid_ = -1;
      *error = "cannot start " + program + ": " + std::strerror(spawned);
      return nullptr;
    }
    if (server->WaitForPing(error)) return server;
    if (!options.tcp) return nullptr;  // a socket in a fresh directory cannot clash
  }
  return nullptr;
}

bool RedisServer::WaitForPing(std::string* error) {
  const auto deadline = std::chrono::steady_clock::now() + kStartBound;
  std::string last;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      *error = "redis-server exited at start; its log: " + dir_ + "/redis.log";
      return false;
    }
    RedisReply reply;
    if (Command({"PING"}, &reply, &last) && reply.text == "PONG") return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  *error = "redis-server did not answer PING within 30 s: " + last;
  return false;
}

RedisServer::~RedisServer() {
  if (pid_ > 0) {
    if (paused_) ::kill(pid_, SIGCONT);
    ::kill(pid_, SIGTERM);
    if (!WaitForExit(pid_, kStopBound)) {
      ::kill(pid_, SIGKILL);
      WaitForExit(pid_, kStopBound);
    }
  }
  std::error_code ignored;
  if (!dir_.empty()) std::filesystem::remove_all(dir_, ignored);
}

std::string RedisServer::url() const {
  if (!socket_.empty()) return "redis+unix://" + socket_;
  return "redis://127.0.0.1:" + std::to_string(port_) + "/0";
}

bool RedisServer::Command(const std::vector<std::string>& argv, RedisReply* reply,
                          std::string* error) const {
  const timeval timeout = {5, 0};
  redisContext* context = socket_.empty() ? redisConnectWithTimeout("127.0.0.1", port_, timeout)
                                          : redisConnectUnixWithTimeout(socket_.c_str(), timeout);
  if (context == nullptr || context->err != 0) {
    *error = context != nullptr ? context->errstr : "out of memory";
    if (context != nullptr) redisFree(context);
    return false;
  }
  redisSetTimeout(context, timeout);
  bool ok = true;
  if (!password_.empty()) {
    auto* auth = static_cast<redisReply*>(redisCommand(context, "AUTH %s", password_.c_str()));
    ok = auth != nullptr;
    if (auth != nullptr) freeReplyObject(auth);
  }
  std::vector<const char*> words;
  std::vector<std::size_t> lengths;
  for (const std::string& word : argv) {
    words.push_back(word.data());
    lengths.push_back(word.size());
  }
  redisReply* raw = ok ? static_cast<redisReply*>(redisCommandArgv(
                             context, static_cast<int>(words.size()), words.data(), lengths.data()))
                       : nullptr;
  if (raw == nullptr) {
    *error = context->errstr;
    redisFree(context);
    return false;
  }
  Convert(raw, reply);
  freeReplyObject(raw);
  redisFree(context);
  return true;
}

void RedisServer::Kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  WaitForExit(pid_, kStopBound);
  pid_ = -1;
}

void RedisServer::Pause() {
  if (pid_ > 0 && ::kill(pid_, SIGSTOP) == 0) paused_ = true;
}

void RedisServer::Resume() {
  if (pid_ > 0 && ::kill(pid_, SIGCONT) == 0) paused_ = false;
}

}  // namespace jiralink::testing
