// The daemon's side of the enqueue relay (enqueue_relay.h): one acceptor
// thread hands connections to a few workers, each with its own outbox.
#include <fcntl.h>
#include <poll.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <iterator>

#include "jiralink/outbox/enqueue_relay.h"
#include "jiralink/outbox/relay_wire.h"
#include "relay_socket.h"

namespace jiralink::outbox {

namespace {

// Connections waiting for a worker beyond this are closed at once: their
// hooks queue the jobs themselves.
constexpr std::size_t kMaxWaiting = 64;

std::string Errno(const char* what) { return std::string(what) + ": " + std::strerror(errno); }

}  // namespace

EnqueueRelayServer::EnqueueRelayServer(RelayServerOptions options) : options_(std::move(options)) {}

EnqueueRelayServer::~EnqueueRelayServer() { Stop(); }

void EnqueueRelayServer::Log(const std::string& line) const {
  if (options_.log) options_.log(line);
}

Status EnqueueRelayServer::TryStart(bool* serving) {
  *serving = listen_fd_ >= 0;
  if (*serving) return Status::Ok();
  sockaddr_un address{};
  Status status = UnixAddress(options_.socket_path, &address);
  if (!status.ok()) return status;
  if (lock_fd_ < 0) {
    const std::string lock_path = options_.socket_path + ".lock";
    lock_fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (lock_fd_ < 0) return Status::IOError(Errno(lock_path.c_str()));
  }
  if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK) return Status::Ok();  // another daemon serves this host
    return Status::IOError(Errno("flock"));
  }
  // Ours now: a socket file there is a dead daemon's.
  ::unlink(options_.socket_path.c_str());
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) status = Status::IOError(Errno("socket"));
  if (status.ok() &&
      ::bind(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    status = Status::IOError(Errno(options_.socket_path.c_str()));
  }
  if (status.ok()) ::chmod(options_.socket_path.c_str(), 0600);
  if (status.ok() && ::listen(fd.get(), 64) != 0) status = Status::IOError(Errno("listen"));
  if (status.ok() && ::pipe2(stop_pipe_, O_CLOEXEC) != 0) {
    status = Status::IOError(Errno("pipe"));
  }
  if (!status.ok()) {
    ::flock(lock_fd_, LOCK_UN);
    return status;
  }
  listen_fd_ = fd.Release();
  stopping_ = false;
  acceptor_ = std::thread([this] { AcceptLoop(); });
  for (int i = 0; i < std::max(1, options_.workers); ++i) {
    workers_.emplace_back([this] { WorkLoop(); });
  }
  *serving = true;
  return Status::Ok();
}

void EnqueueRelayServer::Stop() {
  if (listen_fd_ < 0) {
    if (lock_fd_ >= 0) ::close(lock_fd_);
    lock_fd_ = -1;
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  char byte = 0;
  while (::write(stop_pipe_[1], &byte, 1) < 0 && errno == EINTR) {
  }
  acceptor_.join();
  ready_.notify_all();
  for (std::thread& worker : workers_) worker.join();
  workers_.clear();
  for (int fd : accepted_) ::close(fd);  // their hooks queue the jobs themselves
  accepted_.clear();
  // Removed while the lock is still held: the next daemon binds afresh.
  ::unlink(options_.socket_path.c_str());
  ::close(listen_fd_);
  listen_fd_ = -1;
  for (int& end : stop_pipe_) {
    ::close(end);
    end = -1;
  }
  ::close(lock_fd_);
  lock_fd_ = -1;
}

void EnqueueRelayServer::AcceptLoop() {
  for (;;) {
    pollfd entries[2] = {{listen_fd_, POLLIN, 0}, {stop_pipe_[0], POLLIN, 0}};
    int ready = ::poll(entries, 2, -1);
    if (ready < 0) {
      if (errno == EINTR) continue;
      Log("enqueue relay: " + Errno("poll") + "; no longer serving pushes");
      return;
    }
    if (entries[1].revents != 0) return;
    if ((entries[0].revents & POLLIN) == 0) continue;
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0) continue;  // the peer gave up already, or out of descriptors for now
    std::lock_guard<std::mutex> lock(mutex_);
    if (accepted_.size() >= kMaxWaiting) {
      ::close(fd);
      continue;
    }
    accepted_.push_back(fd);
    ready_.notify_one();
  }
}

void EnqueueRelayServer::WorkLoop() {
  std::unique_ptr<Outbox> outbox;  // this worker's own connection
  for (;;) {
    int fd = -1;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      ready_.wait(lock, [this] { return stopping_ || !accepted_.empty(); });
      if (stopping_) return;
      fd = accepted_.front();
      accepted_.pop_front();
    }
    Serve(fd, &outbox);
  }
}

void EnqueueRelayServer::Serve(int raw_fd, std::unique_ptr<Outbox>* outbox) {
  UniqueFd fd(raw_fd);
  ucred peer{};
  socklen_t peer_size = sizeof peer;
  if (::getsockopt(fd.get(), SOL_SOCKET, SO_PEERCRED, &peer, &peer_size) != 0 ||
      peer.uid != ::geteuid()) {
    Log("enqueue relay: refused a connection from uid " + std::to_string(peer.uid) +
        " (only this daemon's user may queue through it)");
    return;
  }
  // The push's frames, each written to the store (uncommitted) as it comes;
  // every job is kept, to add them again on a fresh connection when the
  // store fails (safe: the uniqueness makes a repeat a no-op).
  std::vector<Job> all;
  std::vector<Job> jobs;
  std::unique_ptr<EnqueueBatch> batch;
  Status wire;   // the stream's first problem
  Status store;  // the store's first problem
  std::string header;
  std::string frame;
  // The time spent in the store (not waiting for the hook), for the log.
  std::chrono::steady_clock::duration store_time{};
  for (int frames = 0;; ++frames) {
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(options_.read_timeout_ms);
    wire = ReadExactly(fd.get(), kRelayFrameHeaderBytes, deadline, &header);
    if (wire.code() == Status::Code::kNotFound) {
      if (frames == 0) return;  // connected and left: nothing asked
      wire = Status::InvalidArgument("the push's jobs stop without their end mark");
    } else if (wire.code() == Status::Code::kInvalidArgument) {
      wire = Status::InvalidArgument("the push's jobs stop inside a frame");
    }
    if (!wire.ok()) break;
    const std::size_t size = DecodeRelayFrameSize(header);
    if (size == 0) break;  // the end of the push
    if (size > kMaxRelayRequestBytes) {
      wire = Status::InvalidArgument("a frame of " + std::to_string(size) +
                                     " bytes is larger than the daemon reads");
      break;
    }
    wire = ReadExactly(fd.get(), size, deadline, &frame);
    if (wire.code() == Status::Code::kNotFound || wire.code() == Status::Code::kInvalidArgument) {
      wire = Status::InvalidArgument("the push's jobs stop inside a frame");
    }
    if (wire.ok()) wire = DecodeRelayRequest(frame, &jobs);
    if (!wire.ok()) break;
    const auto writing = std::chrono::steady_clock::now();
    if (store.ok() && !batch) {
      if (!*outbox) store = options_.open_outbox(outbox);
      if (store.ok()) store = (*outbox)->StartEnqueue(&batch);
    }
    for (const Job& job : jobs) {
      if (store.ok()) store = batch->Add(job);
    }
    if (store.ok()) store = batch->WriteAdded();
    store_time += std::chrono::steady_clock::now() - writing;
    std::move(jobs.begin(), jobs.end(), std::back_inserter(all));
  }
  const auto started = std::chrono::steady_clock::now();
  EnqueueResult result;
  Status status = wire;
  if (status.ok() && store.ok() && batch) {
    store = batch->Commit(&result.is_new);
    for (bool added : result.is_new) ++(added ? result.added : result.duplicate);
  }
  batch.reset();  // rolls back what is not committed
  if (status.ok() && !store.ok()) {
    // The connection may have failed (the server restarted): once more on a new one.
    outbox->reset();
    result = EnqueueResult();
    store = options_.open_outbox(outbox);
    if (store.ok()) store = (*outbox)->Enqueue(all, &result);
    if (!store.ok()) outbox->reset();
  }
  if (status.ok()) status = store;
  // The pid of the peer names the hook in the log.
  const std::string who = "a push (pid " + std::to_string(peer.pid) + ")";
  if (!status.ok()) {
    Log("enqueue relay: did not queue the jobs of " + who + ": " + status.message() +
        "; the hook queues them itself");
  } else {
    committed_requests_.fetch_add(1);
    store_time += std::chrono::steady_clock::now() - started;
    const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(store_time).count();
    char took[32];
    std::snprintf(took, sizeof took, "%.1f ms", static_cast<double>(micros) / 1000.0);
    Log("enqueue relay: queued " + std::to_string(result.added) + " new jobs of " + who +
        (all.empty() ? "" : " to " + all.front().repository) +
        (result.duplicate > 0 ? " (" + std::to_string(result.duplicate) + " already queued)" : "") +
        " in " + took);
  }
  // The hook may have gone; it then queues the jobs itself, finding these.
  SendAll(fd.get(), EncodeRelayAnswer(status, result.is_new),
          std::chrono::steady_clock::now() + std::chrono::seconds(2));
}

}  // namespace jiralink::outbox
