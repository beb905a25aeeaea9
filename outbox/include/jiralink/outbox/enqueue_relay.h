// The enqueue relay: a push's jobs handed to the host's running
// `jiralink deliver --daemon`, which adds them to the PostgreSQL outbox over
// the connection it keeps open.
//
// Why: a hook is a new process per push. Opening PostgreSQL costs it a
// libpq load (about twenty shared libraries, 3.5-4.5 ms), a new server
// backend (about 2 ms) and a first statement; the daemon pays that once.
// Over a Unix socket the hook's whole exchange is well under a millisecond.
//
// The socket is <state dir>/outbox.sock (config::OutboxRelaySocketPath),
// inside the private state directory; the daemon also refuses a peer of
// another user (SO_PEERCRED). One daemon per host serves it: whoever holds
// the lock file beside it (outbox.sock.lock, flock, released when the
// process dies however it dies).
//
// Guarantees, the same as the hook's own enqueue:
//  - The daemon answers only after the jobs are committed (one transaction,
//    the outbox's uniqueness making a repeat a no-op), and says which jobs
//    were new.
//  - Nothing is lost: when no daemon listens, or it refuses, fails, dies or
//    does not answer in time, the hook adds the same jobs itself (to
//    PostgreSQL, or to its spool when the server is down; open_outbox.h).
//    Adding them twice is safe: the second add finds them there.
//  - Bad input: a stream that is not whole and well formed (relay_wire.h)
//    is refused with the reason and adds nothing (the daemon rolls back).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "jiralink/core/status.h"
#include "jiralink/outbox/outbox.h"

namespace jiralink::outbox {

// How the jobs of one relayed batch were queued (StartRelayedEnqueue).
struct RelayReport {
  // The daemon committed them; nobody else needs to start a delivery.
  bool by_daemon = false;
  // Set when a daemon was there but did not take them (it refused, failed,
  // died or was silent): why. The hook then queued them itself.
  std::string daemon_problem;
};

struct RelayClientOptions {
  std::string socket_path;
  // How long to wait for the daemon's answer once the jobs are sent.
  std::int64_t answer_timeout_ms = 10000;
};

// Starts the jobs of one push. Without a socket at options.socket_path the
// batch is `open_direct`'s outbox's own, opened now (while git walks).
// With one, the batch connects at its first jobs and sends them in frames
// of kRelayFrameJobs as they are added (the hook adds them all after
// reading git); Commit sends the rest and the end of the push and waits for
// the answer. The daemon writes a push once all of it has arrived. Commit falls back to
// `open_direct` whenever the daemon does not take the jobs (nobody listens, it refuses, fails, dies
// or is silent); *report (which must outlive the batch) says which way they went.
Status StartRelayedEnqueue(const RelayClientOptions& options, const OutboxOpener& open_direct,
                           RelayReport* report, std::unique_ptr<EnqueueBatch>* batch);

struct RelayServerOptions {
  std::string socket_path;
  // Opens the outbox the relayed jobs go to; each worker keeps its own
  // (a store's connection is not shared between threads), opened at its
  // first request and opened again after a failure.
  OutboxOpener open_outbox;
  // Pushes written to the store at once; more wait for a worker. A worker
  // takes a push only once all of its frames have arrived (the acceptor
  // reads every connection meanwhile), so a slow or stuck peer holds none:
  // only one of the 64 places for connections being read or waiting.
  int workers = 4;
  // A peer must start each frame, and the end, within this time of the one
  // before (a hook sends its frames at once, after reading git): longer,
  // and its hook queues the jobs itself.
  std::int64_t read_timeout_ms = 30000;
  // A frame must arrive whole within this time of its first byte (a hook
  // writes a frame in one go).
  std::int64_t frame_timeout_ms = 5000;
  // One line per failure and at start, for the daemon's log.
  std::function<void(const std::string&)> log;
};

// The daemon's side. Not copyable; Stop (or the destructor) ends it.
class EnqueueRelayServer {
 public:
  explicit EnqueueRelayServer(RelayServerOptions options);
  ~EnqueueRelayServer();
  EnqueueRelayServer(const EnqueueRelayServer&) = delete;
  EnqueueRelayServer& operator=(const EnqueueRelayServer&) = delete;

  // Serves the socket unless another process of this host does (it holds
  // the lock): *serving tells. Cheap to call again, e.g. every round, so
  // that another daemon takes over when the serving one stops. Fails when
  // the socket cannot be made (the path is longer than a Unix socket path
  // may be, or the directory is not writable).
  Status TryStart(bool* serving);
  bool serving() const { return listen_fd_ >= 0; }

  // Stops accepting, finishes the requests being served, removes the socket.
  void Stop();

  // Requests answered with their jobs committed, since the start.
  std::int64_t committed_requests() const { return committed_requests_; }

 private:
  struct Reading;  // a connection's frames so far

  void AcceptLoop();
  void ReadSome(Reading* peer, Status* wire, bool* done);
  void WorkLoop();
  void Serve(Reading* push, std::unique_ptr<Outbox>* outbox);
  void Log(const std::string& line) const;

  RelayServerOptions options_;
  int lock_fd_ = -1;
  int listen_fd_ = -1;
  int stop_pipe_[2] = {-1, -1};
  std::thread acceptor_;
  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::unique_ptr<Reading>> ready_pushes_;  // whole pushes waiting for a worker
  bool stopping_ = false;
  std::atomic<std::int64_t> committed_requests_{0};
};

}  // namespace jiralink::outbox
