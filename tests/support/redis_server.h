// RedisServer: a real redis-server (Debian's package redis-server) for tests
// and benchmarks, started on loopback and stopped when the object goes.
//
// The server runs in a fresh temporary directory with persistence off
// (--save '' --appendonly no), listening on a Unix socket there or on a free
// 127.0.0.1 port, optionally with a password (--requirepass). Start returns
// once the server answers PING (bounded by 30 s). The destructor stops it
// (SIGTERM, then SIGKILL) and removes the directory. Kill/Pause/Resume let a
// test take the server away, or make it hang, in the middle of a scenario.
//
// No GoogleTest here, so bench/ can use it too: failures are returned.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

namespace jiralink::testing {

struct RedisServerOptions {
  bool tcp = false;                     // false: a Unix socket in the temporary directory
  std::string password;                 // non-empty: --requirepass
  std::vector<std::string> extra_args;  // e.g. {"--maxmemory", "10mb"}
};

// The reply of RedisServer::Command, flattened for assertions.
struct RedisReply {
  enum class Type { kNil, kString, kInteger, kArray, kStatus, kError } type = Type::kNil;
  std::string text;  // kString, kStatus, kError
  long long integer = 0;
  std::vector<std::string> elements;  // kArray of strings (e.g. KEYS)
};

class RedisServer {
 public:
  // The redis-server program, or "" when it is not installed.
  static std::string FindProgram();

  // What to say when a test skips for lack of a server: names the package.
  static std::string MissingMessage();

  // Starts a server. nullptr, with *error saying why, when it cannot be
  // started (or redis-server is missing: then *error is MissingMessage()).
  static std::unique_ptr<RedisServer> Start(const RedisServerOptions& options, std::string* error);

  ~RedisServer();
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  // The URL for [render] cache, without the password:
  // "redis://127.0.0.1:<port>/0" or "redis+unix://<dir>/redis.sock".
  std::string url() const;
  int port() const { return port_; }                          // 0 with a Unix socket
  const std::string& socket_path() const { return socket_; }  // "" with TCP
  pid_t pid() const { return pid_; }

  // Runs one command on a fresh connection (authenticated). False, with
  // *error, when the server cannot be reached.
  bool Command(const std::vector<std::string>& argv, RedisReply* reply, std::string* error) const;

  // SIGKILL now and reap: the server is gone (a later Command fails).
  void Kill();
  // SIGSTOP / SIGCONT: connections are accepted by the kernel, never answered.
  void Pause();
  void Resume();

 private:
  RedisServer() = default;
  bool WaitForPing(std::string* error);

  std::string dir_;
  std::string socket_;
  std::string password_;
  int port_ = 0;
  pid_t pid_ = -1;
  bool paused_ = false;
};

}  // namespace jiralink::testing
