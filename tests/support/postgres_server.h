// A real PostgreSQL server for the tests: Debian's `postgresql` (initdb and
// pg_ctl of /usr/lib/postgresql/<version>/bin), in a scratch directory,
// listening only on a Unix socket in that directory, with fsync off.
//
// initdb refuses to run as root (CI runs as root): then the server's files
// belong to, and its programs run as, the unprivileged user `nobody`
// (fork + setgid/setuid + execv, no shell). The test process connects as
// the database superuser "postgres" over the socket (trust authentication:
// only the socket's directory can reach it).
//
// One server per test process (PostgresServer::Shared), started on first
// use and stopped (immediate shutdown) when the process exits, even by a
// crash (a watchdog child stops it when the process is gone); each test
// gets its own database (CreateDatabase), so tests never see each other's
// rows, advisory locks or notifications.
#pragma once

#include <sys/types.h>

struct passwd;

#include <string>

namespace jiralink::testing {

class PostgresServer {
 public:
  // The process's server, started on the first call. nullptr when it cannot
  // run: *why_not then says why; *missing_package is true when the reason is
  // that Debian's postgresql is not installed (a test skips only then, and
  // fails otherwise).
  static PostgresServer* Shared(std::string* why_not, bool* missing_package);

  // Starts a server in a new scratch directory; false with *error on failure.
  bool Start(std::string* error);
  // Stops the server (immediate shutdown) and removes its directory.
  void Stop();
  ~PostgresServer() { Stop(); }

  // Creates database `name` (letters, digits, '_') when it does not exist.
  bool CreateDatabase(const std::string& name, std::string* error);
  // Runs `sql` in database `name`; false with *error when it fails.
  bool Exec(const std::string& name, const std::string& sql, std::string* error);

  // A libpq URI of database `name`: postgresql://postgres@/<name>?host=<socket dir>.
  std::string Uri(const std::string& name) const;
  const std::string& socket_dir() const { return dir_; }
  // The bin directory with initdb and pg_ctl, "" when none is installed.
  static std::string FindBinDir();

 private:
  std::string dir_;       // scratch directory: data/ and the socket
  std::string bin_dir_;   // initdb, pg_ctl
  pid_t owner_ = 0;       // the process that started it (forked children never stop it)
  int watchdog_fd_ = -1;  // closed at exit: the watchdog then stops the server
  void StartWatchdog(const struct passwd* user);
  bool running_ = false;
};

// A database name for a test's scratch directory (unique per directory).
std::string DatabaseNameFor(const std::string& dir);

// For a test's SetUp: the shared server with a new database for `dir`
// (*database names it). nullptr with *skip set when Debian's postgresql is
// not installed (the test skips, naming the package), or with *error set
// when the server does not start or the database cannot be made (the test
// fails):
//   server_ = SharedServerWithDatabase(dir, &database_, &skip, &error);
//   if (!skip.empty()) GTEST_SKIP() << skip;
//   ASSERT_NE(server_, nullptr) << error;
PostgresServer* SharedServerWithDatabase(const std::string& dir, std::string* database,
                                         std::string* skip, std::string* error);

}  // namespace jiralink::testing
