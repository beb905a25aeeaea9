#include "support/postgres_server.h"

#include <fcntl.h>
#include <grp.h>
#include <libpq-fe.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <memory>
#include <vector>

namespace jiralink::testing {

namespace {

namespace fs = std::filesystem;

// Runs argv (argv[0] a full path) as `user` (null: as this process), its
// output appended to `log`; returns the exit code, -1 when it could not run.
int RunAs(const struct passwd* user, const std::vector<std::string>& argv, const std::string& log) {
  int log_fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) return -1;
  if (user != nullptr && ::fchown(log_fd, user->pw_uid, user->pw_gid) != 0) {
    ::close(log_fd);
    return -1;
  }
  std::vector<std::string> args = argv;
  std::vector<char*> argp;
  for (std::string& arg : args) argp.push_back(arg.data());
  argp.push_back(nullptr);
  // A small, fixed environment: no locale surprises, nothing of ours.
  std::string path = "PATH=/usr/bin:/bin";
  std::string lang = "LC_ALL=C.UTF-8";
  char* envp[] = {path.data(), lang.data(), nullptr};
  pid_t pid = ::fork();
  if (pid == 0) {
    int null_fd = ::open("/dev/null", O_RDONLY);
    if (null_fd >= 0) ::dup2(null_fd, 0);
    ::dup2(log_fd, 1);
    ::dup2(log_fd, 2);
    if (user != nullptr) {
      if (::setgroups(0, nullptr) != 0 || ::setgid(user->pw_gid) != 0 ||
          ::setuid(user->pw_uid) != 0) {
        _exit(126);
      }
    }
    if (::chdir("/") != 0) _exit(126);
    ::execve(argp[0], argp.data(), envp);
    _exit(127);
  }
  ::close(log_fd);
  if (pid < 0) return -1;
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// The user the server runs as: this process's, unless it is root (initdb
// refuses root), then `nobody`.
const struct passwd* ServerUser() {
  if (::geteuid() != 0) return nullptr;
  return ::getpwnam("nobody");
}

std::string LogTail(const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "r");
  if (file == nullptr) return "";
  std::string text;
  char buffer[4096];
  std::size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, file)) > 0) text.append(buffer, n);
  std::fclose(file);
  return text.size() > 2000 ? text.substr(text.size() - 2000) : text;
}

struct ConnectionCloser {
  void operator()(PGconn* conn) const { PQfinish(conn); }
};
struct ResultClearer {
  void operator()(PGresult* result) const { PQclear(result); }
};

}  // namespace

std::string PostgresServer::FindBinDir() {
  // Debian's packages: /usr/lib/postgresql/<major>/bin; the newest wins.
  std::string best;
  int best_major = -1;
  std::error_code ec;
  for (const fs::directory_entry& entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    std::string name = entry.path().filename().string();
    char* end = nullptr;
    long major = std::strtol(name.c_str(), &end, 10);
    if (end == name.c_str() || *end != '\0') continue;
    fs::path bin = entry.path() / "bin";
    if (::access((bin / "initdb").c_str(), X_OK) != 0 ||
        ::access((bin / "pg_ctl").c_str(), X_OK) != 0) {
      continue;
    }
    if (major > best_major) {
      best_major = static_cast<int>(major);
      best = bin.string();
    }
  }
  return best;
}

PostgresServer* PostgresServer::Shared(std::string* why_not, bool* missing_package) {
  static PostgresServer server;
  static bool tried = false;
  static bool started = false;
  static std::string error;
  *missing_package = false;
  if (FindBinDir().empty()) {
    *missing_package = true;
    *why_not =
        "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb and pg_ctl): install "
        "the Debian package `postgresql`";
    return nullptr;
  }
  if (!tried) {
    tried = true;
    started = server.Start(&error);
  }
  if (!started) {
    *why_not = error;
    return nullptr;
  }
  return &server;
}

bool PostgresServer::Start(std::string* error) {
  bin_dir_ = FindBinDir();
  if (bin_dir_.empty()) {
    *error = "no PostgreSQL binaries (install the Debian package `postgresql`)";
    return false;
  }
  const struct passwd* user = ServerUser();
  if (::geteuid() == 0 && user == nullptr) {
    *error = "running as root, and there is no user `nobody` to run PostgreSQL as";
    return false;
  }
  // Under /tmp, which every user may traverse; the socket path stays short.
  std::string templ = "/tmp/jiralink-pg-XXXXXX";
  if (::mkdtemp(templ.data()) == nullptr) {
    *error = std::string("mkdtemp: ") + std::strerror(errno);
    return false;
  }
  dir_ = templ;
  owner_ = ::getpid();
  if (user != nullptr && ::chown(dir_.c_str(), user->pw_uid, user->pw_gid) != 0) {
    *error = "chown " + dir_ + ": " + std::strerror(errno);
    return false;
  }
  const std::string data = dir_ + "/data";
  const std::string log = dir_ + "/setup.log";
  int rc = RunAs(user,
                 {bin_dir_ + "/initdb", "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8",
                  "--locale=C.UTF-8", "--no-sync", "--no-instructions"},
                 log);
  if (rc != 0) {
    *error = "initdb failed (exit " + std::to_string(rc) + "): " + LogTail(log);
    return false;
  }
  // Only the socket in dir_; fsync off: a test's data need not survive a crash.
  std::string server_options = "-c listen_addresses='' -c unix_socket_directories=" + dir_ +
                               " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
                               " -c max_connections=200";
  rc = RunAs(user,
             {bin_dir_ + "/pg_ctl", "-D", data, "-l", dir_ + "/server.log", "-o", server_options,
              "-w", "-t", "60", "-s", "start"},
             log);
  if (rc != 0) {
    *error = "pg_ctl start failed (exit " + std::to_string(rc) + "): " + LogTail(log) +
             LogTail(dir_ + "/server.log");
    return false;
  }
  running_ = true;
  StartWatchdog(user);
  return true;
}

void PostgresServer::StartWatchdog(const struct passwd* user) {
  // A test that crashes never runs Stop(): a child of ours, in its own
  // session, waits for this process's end of a pipe to close (which any
  // exit does) and then stops the server. Between fork and execve it makes
  // only async-signal-safe calls, as a threaded test process requires.
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return;
  std::vector<std::string> args = {bin_dir_ + "/pg_ctl", "-D", dir_ + "/data", "-m",
                                   "immediate",          "-w", "-s",           "stop"};
  std::vector<char*> argp;
  for (std::string& arg : args) argp.push_back(arg.data());
  argp.push_back(nullptr);
  std::string path = "PATH=/usr/bin:/bin";
  char* envp[] = {path.data(), nullptr};
  pid_t pid = ::fork();
  if (pid == 0) {
    ::setsid();
    int null_fd = ::open("/dev/null", O_RDWR);
    if (null_fd >= 0) {
      ::dup2(null_fd, 0);
      ::dup2(null_fd, 1);
      ::dup2(null_fd, 2);
    }
    ::close(fds[1]);
    char byte;
    while (::read(fds[0], &byte, 1) < 0 && errno == EINTR) {
    }
    if (user != nullptr && (::setgroups(0, nullptr) != 0 || ::setgid(user->pw_gid) != 0 ||
                            ::setuid(user->pw_uid) != 0)) {
      _exit(126);
    }
    ::execve(argp[0], argp.data(), envp);
    _exit(127);
  }
  ::close(fds[0]);
  if (pid > 0) {
    watchdog_fd_ = fds[1];
  } else {
    ::close(fds[1]);
  }
}

void PostgresServer::Stop() {
  if (dir_.empty() || owner_ != ::getpid()) return;
  if (running_) {
    RunAs(ServerUser(),
          {bin_dir_ + "/pg_ctl", "-D", dir_ + "/data", "-m", "immediate", "-w", "-s", "stop"},
          dir_ + "/setup.log");
    running_ = false;
  }
  if (watchdog_fd_ >= 0) ::close(watchdog_fd_);  // the watchdog finds it stopped
  watchdog_fd_ = -1;
  std::error_code ec;
  fs::remove_all(dir_, ec);
  dir_.clear();
}

std::string PostgresServer::Uri(const std::string& name) const {
  return "postgresql://postgres@/" + name + "?host=" + dir_;
}

bool PostgresServer::Exec(const std::string& name, const std::string& sql, std::string* error) {
  std::unique_ptr<PGconn, ConnectionCloser> conn(PQconnectdb(Uri(name).c_str()));
  if (PQstatus(conn.get()) != CONNECTION_OK) {
    *error = PQerrorMessage(conn.get());
    return false;
  }
  std::unique_ptr<PGresult, ResultClearer> result(PQexec(conn.get(), sql.c_str()));
  ExecStatusType status = PQresultStatus(result.get());
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    *error = PQresultErrorMessage(result.get());
    return false;
  }
  return true;
}

bool PostgresServer::CreateDatabase(const std::string& name, std::string* error) {
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') {
      *error = "bad database name " + name;
      return false;
    }
  }
  std::string failure;
  if (Exec("postgres", "CREATE DATABASE " + name + " TEMPLATE template0", &failure)) return true;
  if (failure.find("already exists") != std::string::npos) return true;
  *error = failure;
  return false;
}

PostgresServer* SharedServerWithDatabase(const std::string& dir, std::string* database,
                                         std::string* skip, std::string* error) {
  bool missing = false;
  std::string why;
  PostgresServer* server = PostgresServer::Shared(&why, &missing);
  if (server == nullptr) {
    *(missing ? skip : error) = why;
    return nullptr;
  }
  *database = DatabaseNameFor(dir);
  if (!server->CreateDatabase(*database, error)) return nullptr;
  return server;
}

std::string DatabaseNameFor(const std::string& dir) {
  char name[32];
  std::snprintf(name, sizeof name, "t_%016zx", std::hash<std::string>{}(dir));
  return name;
}

}  // namespace jiralink::testing
