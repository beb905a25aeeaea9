// The daemon's side of the enqueue relay (enqueue_relay.h): one acceptor
// thread reads every connection's frames as they come (poll, non-blocking,
// a deadline per frame) and hands whole pushes to a few workers, each with
// its own outbox, so that a slow or stuck peer never holds a worker.
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
#include <list>

#include "jiralink/outbox/enqueue_relay.h"
#include "jiralink/outbox/relay_wire.h"
#include "relay_socket.h"

namespace jiralink::outbox {

namespace {

// Connections being read or waiting for a worker beyond this are closed at
// once: their hooks queue the jobs themselves.
constexpr std::size_t kMaxWaiting = 64;

std::string Errno(const char* what) { return std::string(what) + ": " + std::strerror(errno); }

}  // namespace

// A connection being read by the acceptor: its frames so far.
struct EnqueueRelayServer::Reading {
  UniqueFd fd;
  pid_t pid = 0;
  std::string in;              // bytes of the frame being read (header first)
  std::size_t frame_size = 0;  // its size once the header is in; else 0
  bool frame_started = false;  // a byte of the frame being read is in
  std::chrono::steady_clock::time_point frame_deadline;  // whole frame by then
  std::chrono::steady_clock::time_point idle_deadline;   // next frame starts by then
  std::size_t bytes = 0;  // of all its frames, against kMaxRelayPushBytes
  int frames = 0;
  std::vector<Job> jobs;
};

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
  ready_pushes_.clear();  // closed: their hooks queue the jobs themselves
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

namespace {

// A small answer to a peer the acceptor gives up on: written at once if the
// socket takes it (a hook reads its answer), never waited for.
void AnswerNow(int fd, const Status& outcome) {
  const std::string answer = EncodeRelayAnswer(outcome, {});
  ::send(fd, answer.data(), answer.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
}

}  // namespace

void EnqueueRelayServer::AcceptLoop() {
  using Clock = std::chrono::steady_clock;
  std::list<Reading> reading;
  auto give_up = [&](std::list<Reading>::iterator it, const Status& why) {
    Log("enqueue relay: did not queue the jobs of a push (pid " + std::to_string(it->pid) +
        "): " + why.message() + "; the hook queues them itself");
    AnswerNow(it->fd.get(), why);
    return reading.erase(it);
  };
  std::vector<pollfd> entries;
  for (;;) {
    // Deadlines first: a peer too slow for its frame, or silent too long
    // between frames, is let go (its hook queues the jobs itself).
    const auto now = Clock::now();
    auto next_deadline = Clock::time_point::max();
    for (auto it = reading.begin(); it != reading.end();) {
      const auto deadline = it->frame_started ? it->frame_deadline : it->idle_deadline;
      if (deadline <= now) {
        it = give_up(it, Status::Unavailable(
                             it->frame_started
                                 ? "a frame took longer than " +
                                       std::to_string(options_.frame_timeout_ms) + " ms to arrive"
                                 : "no frame came within " +
                                       std::to_string(options_.read_timeout_ms) + " ms"));
        continue;
      }
      next_deadline = std::min(next_deadline, deadline);
      ++it;
    }
    entries.clear();
    entries.push_back({listen_fd_, POLLIN, 0});
    entries.push_back({stop_pipe_[0], POLLIN, 0});
    for (const Reading& peer : reading) entries.push_back({peer.fd.get(), POLLIN, 0});
    int timeout_ms = -1;
    if (next_deadline != Clock::time_point::max()) {
      timeout_ms = static_cast<int>(
          std::chrono::duration_cast<std::chrono::milliseconds>(next_deadline - now).count() + 1);
    }
    int ready = ::poll(entries.data(), entries.size(), timeout_ms);
    if (ready < 0) {
      if (errno == EINTR) continue;
      Log("enqueue relay: " + Errno("poll") + "; no longer serving pushes");
      return;
    }
    if (entries[1].revents != 0) return;  // stopping: the connections close
    std::size_t at = 2;
    for (auto it = reading.begin(); it != reading.end(); ++at) {
      if (entries[at].revents == 0) {
        ++it;
        continue;
      }
      Status wire;
      bool done = false;
      ReadSome(&*it, &wire, &done);
      if (!wire.ok()) {
        it = wire.code() == Status::Code::kNotFound ? reading.erase(it) : give_up(it, wire);
        continue;
      }
      if (!done) {
        ++it;
        continue;
      }
      // The whole push is in: a worker writes it to the store and answers.
      {
        std::lock_guard<std::mutex> lock(mutex_);
        ready_pushes_.push_back(std::make_unique<Reading>(std::move(*it)));
        ready_.notify_one();
      }
      it = reading.erase(it);
    }
    if ((entries[0].revents & POLLIN) == 0) continue;
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0) continue;  // the peer gave up already, or out of descriptors for now
    UniqueFd accepted(fd);
    ucred peer{};
    socklen_t peer_size = sizeof peer;
    if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &peer, &peer_size) != 0 ||
        peer.uid != ::geteuid()) {
      Log("enqueue relay: refused a connection from uid " + std::to_string(peer.uid) +
          " (only this daemon's user may queue through it)");
      continue;
    }
    std::size_t waiting = 0;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      waiting = ready_pushes_.size();
    }
    if (reading.size() + waiting >= kMaxWaiting) continue;  // its hook queues the jobs itself
    Reading& added = reading.emplace_back();
    added.fd = std::move(accepted);
    added.pid = peer.pid;
    added.idle_deadline = Clock::now() + std::chrono::milliseconds(options_.read_timeout_ms);
  }
}

void EnqueueRelayServer::ReadSome(Reading* peer, Status* wire, bool* done) {
  using Clock = std::chrono::steady_clock;
  *done = false;
  char buffer[1 << 16];
  for (;;) {
    // Read no further than the frame being read: the next one is read after.
    const std::size_t want = peer->frame_size == 0
                                 ? kRelayFrameHeaderBytes - peer->in.size()
                                 : kRelayFrameHeaderBytes + peer->frame_size - peer->in.size();
    ssize_t n = ::recv(peer->fd.get(), buffer, std::min(want, sizeof buffer), 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;
      *wire = Status::Unavailable(Errno("recv"));
      return;
    }
    if (n == 0) {
      if (peer->frames == 0 && peer->in.empty()) {
        *wire = Status::NotFound("connected and left: nothing asked");
      } else if (peer->in.empty()) {
        *wire = Status::InvalidArgument("the push's jobs stop without their end mark");
      } else {
        *wire = Status::InvalidArgument("the push's jobs stop inside a frame");
      }
      return;
    }
    if (!peer->frame_started) {
      peer->frame_started = true;
      peer->frame_deadline = Clock::now() + std::chrono::milliseconds(options_.frame_timeout_ms);
    }
    peer->in.append(buffer, static_cast<std::size_t>(n));
    if (peer->frame_size == 0) {
      if (peer->in.size() < kRelayFrameHeaderBytes) continue;
      const std::size_t size = DecodeRelayFrameSize(peer->in);
      if (size == 0) {  // the end of the push
        *done = true;
        return;
      }
      if (size > kMaxRelayRequestBytes) {
        *wire = Status::InvalidArgument("a frame of " + std::to_string(size) +
                                        " bytes is larger than the daemon reads");
        return;
      }
      if (peer->bytes + size > kMaxRelayPushBytes) {
        *wire = Status::InvalidArgument("the push's jobs are larger than the " +
                                        std::to_string(kMaxRelayPushBytes) +
                                        " bytes the daemon takes in one push");
        return;
      }
      peer->frame_size = size;  // grown as bytes come: an announced size costs nothing
      continue;
    }
    if (peer->in.size() < kRelayFrameHeaderBytes + peer->frame_size) continue;
    std::vector<Job> jobs;
    *wire = DecodeRelayRequest(std::string_view(peer->in).substr(kRelayFrameHeaderBytes), &jobs);
    if (!wire->ok()) return;
    std::move(jobs.begin(), jobs.end(), std::back_inserter(peer->jobs));
    peer->bytes += peer->frame_size;
    ++peer->frames;
    peer->in.clear();
    peer->in.shrink_to_fit();
    peer->frame_size = 0;
    peer->frame_started = false;
    peer->idle_deadline = Clock::now() + std::chrono::milliseconds(options_.read_timeout_ms);
  }
}

void EnqueueRelayServer::WorkLoop() {
  std::unique_ptr<Outbox> outbox;  // this worker's own connection
  for (;;) {
    std::unique_ptr<Reading> push;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      ready_.wait(lock, [this] { return stopping_ || !ready_pushes_.empty(); });
      if (stopping_) return;
      push = std::move(ready_pushes_.front());
      ready_pushes_.pop_front();
    }
    Serve(push.get(), &outbox);
  }
}

void EnqueueRelayServer::Serve(Reading* push, std::unique_ptr<Outbox>* outbox) {
  // The whole push arrived before its worker took it (see AcceptLoop): the
  // worker's time is the store's only, never a slow peer's.
  const std::vector<Job>& all = push->jobs;
  const auto started = std::chrono::steady_clock::now();
  EnqueueResult result;
  Status store = Status::Ok();
  if (!*outbox) store = options_.open_outbox(outbox);
  if (store.ok()) store = (*outbox)->Enqueue(all, &result);
  if (!store.ok()) {
    // The connection may have failed (the server restarted): once more on a new one.
    outbox->reset();
    result = EnqueueResult();
    store = options_.open_outbox(outbox);
    if (store.ok()) store = (*outbox)->Enqueue(all, &result);
    if (!store.ok()) outbox->reset();
  }
  // The pid of the peer names the hook in the log.
  const std::string who = "a push (pid " + std::to_string(push->pid) + ")";
  if (!store.ok()) {
    Log("enqueue relay: did not queue the jobs of " + who + ": " + store.message() +
        "; the hook queues them itself");
  } else {
    committed_requests_.fetch_add(1);
    const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
                            std::chrono::steady_clock::now() - started)
                            .count();
    char took[32];
    std::snprintf(took, sizeof took, "%.1f ms", static_cast<double>(micros) / 1000.0);
    Log("enqueue relay: queued " + std::to_string(result.added) + " new jobs of " + who +
        (all.empty() ? "" : " to " + all.front().repository) +
        (result.duplicate > 0 ? " (" + std::to_string(result.duplicate) + " already queued)" : "") +
        " in " + took);
  }
  // The hook may have gone; it then queues the jobs itself, finding these.
  SendAll(push->fd.get(), EncodeRelayAnswer(store, result.is_new),
          std::chrono::steady_clock::now() + std::chrono::seconds(2));
}

}  // namespace jiralink::outbox
