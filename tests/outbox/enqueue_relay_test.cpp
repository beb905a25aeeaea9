// The enqueue relay (outbox/enqueue_relay.h) against each store: jobs handed
// to a serving daemon are committed there and their newness told; with no
// daemon, a dead one, a silent one, one that committed and died before
// answering, or one whose store fails, the hook's own outbox gets the same
// jobs, exactly once. Garbage on the socket adds nothing and the server
// goes on serving. One server per socket.
#include "jiralink/outbox/enqueue_relay.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "jiralink/outbox/relay_wire.h"
#include "outbox_stores.h"
#include "support/test_support.h"

namespace jiralink::outbox {
namespace {

using ::testing::HasSubstr;

std::vector<Job> PushJobs(int n) {
  std::vector<Job> jobs;
  for (int i = 1; i <= n; ++i) {
    Job job;
    job.repository = "platform/api";
    char sha[41];
    std::snprintf(sha, sizeof sha, "%040x", i);
    job.commit = sha;
    job.key = "PROJ-" + std::to_string(i);
    job.branch = "main";
    job.author = "Ada";
    job.message = "PROJ-" + std::to_string(i) + " work";
    job.commit_url = "https://git.example.com/c/" + job.commit;
    job.position = -i;
    jobs.push_back(job);
  }
  return jobs;
}

// A listening Unix socket at `path` that the test drives by hand.
int ListenAt(const std::string& path) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, path.c_str(), sizeof address.sun_path - 1);
  EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0)
      << std::strerror(errno);
  EXPECT_EQ(::listen(fd, 8), 0);
  return fd;
}

// Sends `bytes` (a hook's stream, or garbage) to the socket at `path`; the
// answer's bytes.
std::string Exchange(const std::string& path, const std::string& bytes) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, path.c_str(), sizeof address.sun_path - 1);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ADD_FAILURE() << "connect: " << std::strerror(errno);
    ::close(fd);
    return "";
  }
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;
    sent += static_cast<std::size_t>(n);
  }
  ::shutdown(fd, SHUT_WR);
  std::string answer;
  char buffer[4096];
  ssize_t n;
  while ((n = ::read(fd, buffer, sizeof buffer)) > 0) answer.append(buffer, n);
  ::close(fd);
  return answer;
}

// The jobs of a hook's whole stream (frames, then the end mark), as a test
// daemon reads them.
bool DecodeStream(std::string_view bytes, std::vector<Job>* jobs) {
  jobs->clear();
  while (bytes.size() >= kRelayFrameHeaderBytes) {
    const std::size_t size = DecodeRelayFrameSize(bytes);
    bytes.remove_prefix(kRelayFrameHeaderBytes);
    if (size == 0) return bytes.empty();
    if (size > bytes.size()) return false;
    std::vector<Job> frame;
    if (!DecodeRelayRequest(bytes.substr(0, size), &frame).ok()) return false;
    jobs->insert(jobs->end(), frame.begin(), frame.end());
    bytes.remove_prefix(size);
  }
  return false;
}

class EnqueueRelayTest : public ::testing::TestWithParam<OutboxStore> {
 protected:
  void SetUp() override {
    if (std::string why = GetParam().unavailable(); !why.empty()) GTEST_SKIP() << why;
    socket_ = dir_.Path("outbox.sock");
    Status status = GetParam().open(dir_.path(), &reader_);
    ASSERT_TRUE(status.ok()) << status.ToString();
  }

  RelayServerOptions ServerOptions() {
    RelayServerOptions options;
    options.socket_path = socket_;
    options.open_outbox = [this](std::unique_ptr<Outbox>* out) {
      return GetParam().open(dir_.path(), out);
    };
    options.log = [this](const std::string& line) {
      std::lock_guard<std::mutex> lock(log_mutex_);
      log_ += line + "\n";
    };
    return options;
  }

  // The hook's side: adds `jobs` through the relay; the direct opener
  // counts its calls.
  Status Relay(const std::vector<Job>& jobs, RelayReport* report, std::vector<bool>* is_new,
               std::int64_t timeout_ms = 10000) {
    RelayClientOptions options;
    options.socket_path = socket_;
    options.answer_timeout_ms = timeout_ms;
    OutboxOpener direct = [this](std::unique_ptr<Outbox>* out) {
      ++direct_opens_;
      return GetParam().open(dir_.path(), out);
    };
    std::unique_ptr<EnqueueBatch> batch;
    Status status = StartRelayedEnqueue(options, direct, report, &batch);
    if (!status.ok()) return status;
    opened_before_commit_ = direct_opens_;
    for (const Job& job : jobs) {
      status = batch->Add(job);
      if (!status.ok()) return status;
    }
    return batch->Commit(is_new);
  }

  std::vector<Job> Stored() {
    std::vector<Job> jobs;
    EXPECT_TRUE(reader_->List(std::nullopt, 100000, &jobs).ok());
    return jobs;
  }

  std::string Log() {
    std::lock_guard<std::mutex> lock(log_mutex_);
    return log_;
  }

  testing::TempDir dir_;
  std::string socket_;
  std::unique_ptr<Outbox> reader_;
  int direct_opens_ = 0;
  int opened_before_commit_ = 0;
  std::mutex log_mutex_;
  std::string log_;
};

INSTANTIATE_TEST_SUITE_P(Stores, EnqueueRelayTest, ::testing::ValuesIn(AllOutboxStores()),
                         OutboxStoreName());

TEST_P(EnqueueRelayTest, AServingDaemonCommitsTheJobsAndTellsWhichWereNew) {
  EnqueueRelayServer server(ServerOptions());
  bool serving = false;
  ASSERT_TRUE(server.TryStart(&serving).ok());
  ASSERT_TRUE(serving);
  struct stat info {};
  ASSERT_EQ(::stat(socket_.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u) << "only this user may connect";

  RelayReport report;
  std::vector<bool> is_new;
  Status status = Relay(PushJobs(3), &report, &is_new);
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_TRUE(report.by_daemon);
  EXPECT_TRUE(report.daemon_problem.empty()) << report.daemon_problem;
  EXPECT_EQ(direct_opens_, 0) << "the hook never opened the outbox";
  EXPECT_EQ(is_new, (std::vector<bool>{true, true, true}));
  EXPECT_EQ(Stored().size(), 3u);
  EXPECT_EQ(server.committed_requests(), 1);

  // The same push again, plus one more commit: only that one is new.
  status = Relay(PushJobs(4), &report, &is_new);
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(is_new, (std::vector<bool>{false, false, false, true}));
  EXPECT_EQ(Stored().size(), 4u);
  EXPECT_THAT(Log(), HasSubstr("queued 1 new jobs of a push"));
  EXPECT_THAT(Log(), HasSubstr("(3 already queued)"));

  server.Stop();
  EXPECT_NE(::stat(socket_.c_str(), &info), 0) << "a stopped server removes its socket";
}

TEST_P(EnqueueRelayTest, WithoutADaemonTheOutboxIsOpenedAtOnceAndGetsTheJobs) {
  RelayReport report;
  std::vector<bool> is_new;
  Status status = Relay(PushJobs(2), &report, &is_new);
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(opened_before_commit_, 1) << "opened while git walks, as without the relay";
  EXPECT_FALSE(report.by_daemon);
  EXPECT_TRUE(report.daemon_problem.empty()) << "no daemon is no problem";
  EXPECT_EQ(is_new, (std::vector<bool>{true, true}));
  EXPECT_EQ(Stored().size(), 2u);
}

TEST_P(EnqueueRelayTest, ASocketLeftByAKilledDaemonFallsBackQuietly) {
  // A socket file nobody listens on, as SIGKILL leaves it.
  ::close(ListenAt(socket_));
  RelayReport report;
  std::vector<bool> is_new;
  Status status = Relay(PushJobs(2), &report, &is_new);
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_FALSE(report.by_daemon);
  EXPECT_TRUE(report.daemon_problem.empty()) << report.daemon_problem;
  EXPECT_EQ(direct_opens_, 1);
  EXPECT_EQ(Stored().size(), 2u);
  // A new daemon takes the place over.
  EnqueueRelayServer server(ServerOptions());
  bool serving = false;
  ASSERT_TRUE(server.TryStart(&serving).ok());
  EXPECT_TRUE(serving);
  status = Relay(PushJobs(3), &report, &is_new);
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_TRUE(report.by_daemon);
  EXPECT_EQ(Stored().size(), 3u);
}

TEST_P(EnqueueRelayTest, ADaemonThatCommitsAndDiesBeforeAnsweringLeavesEachJobOnce) {
  int listener = ListenAt(socket_);
  std::thread daemon([&] {
    int fd = ::accept(listener, nullptr, nullptr);
    std::string request;
    char buffer[4096];
    ssize_t n;
    while ((n = ::read(fd, buffer, sizeof buffer)) > 0) request.append(buffer, n);
    std::vector<Job> jobs;
    std::unique_ptr<Outbox> outbox;
    EnqueueResult result;
    EXPECT_TRUE(DecodeStream(request, &jobs)) << request.size();
    if (GetParam().open(dir_.path(), &outbox).ok()) {
      EXPECT_TRUE(outbox->Enqueue(jobs, &result).ok());
    }
    ::close(fd);  // dies without a word
  });
  RelayReport report;
  std::vector<bool> is_new;
  Status status = Relay(PushJobs(3), &report, &is_new);
  daemon.join();
  ::close(listener);
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_FALSE(report.by_daemon);
  EXPECT_THAT(report.daemon_problem, HasSubstr("closed without answering"));
  EXPECT_EQ(direct_opens_, 1) << "opened only after the daemon failed";
  EXPECT_EQ(is_new, (std::vector<bool>{false, false, false})) << "the daemon had them";
  EXPECT_EQ(Stored().size(), 3u) << "each job once";
}

TEST_P(EnqueueRelayTest, ASilentDaemonIsWaitedForOnlyUntilTheTimeout) {
  int listener = ListenAt(socket_);  // the kernel accepts; nobody ever reads
  RelayReport report;
  std::vector<bool> is_new;
  Status status = Relay(PushJobs(2), &report, &is_new, /*timeout_ms=*/300);
  ::close(listener);
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_FALSE(report.by_daemon);
  EXPECT_THAT(report.daemon_problem, HasSubstr("within the time allowed"));
  EXPECT_EQ(is_new, (std::vector<bool>{true, true}));
  EXPECT_EQ(Stored().size(), 2u);
}

TEST_P(EnqueueRelayTest, GarbageOnTheSocketIsRefusedAndTheServerGoesOn) {
  EnqueueRelayServer server(ServerOptions());
  bool serving = false;
  ASSERT_TRUE(server.TryStart(&serving).ok());
  Status outcome;
  std::vector<bool> is_new;
  const std::vector<Job> jobs = PushJobs(2);
  const std::string frame = EncodeRelayFrame(jobs, 0, jobs.size());
  const std::vector<std::pair<std::string, std::string>> streams = {
      {"GET / HTTP/1.1\r\n\r\n", "is larger than the daemon reads"},
      {std::string("\x08\x00\x00\x00JLQ1\x05\x00\x00\x00", 12), "holds fewer bytes"},
      {std::string("\x04\x00\x00\x00JLQX", 8) + EncodeRelayEnd(), "not a jiralink enqueue request"},
      {frame.substr(0, 40), "stop inside a frame"},
      // Whole frames, written to the store, but no end: rolled back.
      {frame + frame, "without their end mark"},
      {std::string(70000, '\xff'), "is larger than the daemon reads"},
  };
  for (const auto& [garbage, reason] : streams) {
    std::string answer = Exchange(socket_, garbage);
    ASSERT_TRUE(DecodeRelayAnswer(answer, 0, &outcome, &is_new).ok()) << answer.size();
    EXPECT_EQ(outcome.code(), Status::Code::kInvalidArgument) << outcome.ToString();
    EXPECT_THAT(outcome.message(), HasSubstr(reason));
    EXPECT_THAT(Log(), HasSubstr(reason));
  }
  EXPECT_TRUE(Stored().empty()) << "nothing of it was queued";
  // Connecting and leaving is not worth a line.
  EXPECT_EQ(Exchange(socket_, ""), "");

  RelayReport report;
  Status status = Relay(PushJobs(1), &report, &is_new);
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_TRUE(report.by_daemon);
  EXPECT_EQ(Stored().size(), 1u);
}

TEST_P(EnqueueRelayTest, ADaemonWhoseStoreFailsSaysWhyAndTheHookQueuesItself) {
  RelayServerOptions options = ServerOptions();
  options.open_outbox = [](std::unique_ptr<Outbox>*) {
    return Status::Unavailable("connection to server on socket \"/nowhere\" failed");
  };
  EnqueueRelayServer server(options);
  bool serving = false;
  ASSERT_TRUE(server.TryStart(&serving).ok());
  RelayReport report;
  std::vector<bool> is_new;
  Status status = Relay(PushJobs(2), &report, &is_new);
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_FALSE(report.by_daemon);
  EXPECT_THAT(report.daemon_problem, HasSubstr("could not queue the jobs"));
  EXPECT_THAT(report.daemon_problem, HasSubstr("/nowhere"));
  EXPECT_EQ(Stored().size(), 2u);
  EXPECT_EQ(server.committed_requests(), 0);
}

TEST_P(EnqueueRelayTest, OneDaemonServesTheSocketAndAnotherTakesOverWhenItStops) {
  EnqueueRelayServer first(ServerOptions());
  EnqueueRelayServer second(ServerOptions());
  bool serving = false;
  ASSERT_TRUE(first.TryStart(&serving).ok());
  EXPECT_TRUE(serving);
  ASSERT_TRUE(second.TryStart(&serving).ok());
  EXPECT_FALSE(serving) << "the first holds the lock";
  first.Stop();
  ASSERT_TRUE(second.TryStart(&serving).ok());
  EXPECT_TRUE(serving);
  RelayReport report;
  std::vector<bool> is_new;
  ASSERT_TRUE(Relay(PushJobs(1), &report, &is_new).ok());
  EXPECT_TRUE(report.by_daemon);
  EXPECT_EQ(second.committed_requests(), 1);
}

TEST_P(EnqueueRelayTest, APushOfSeveralFramesIsCommittedOnce) {
  EnqueueRelayServer server(ServerOptions());
  bool serving = false;
  ASSERT_TRUE(server.TryStart(&serving).ok());
  const int kJobs = static_cast<int>(2 * kRelayFrameJobs + 50);
  RelayReport report;
  std::vector<bool> is_new;
  Status status = Relay(PushJobs(kJobs), &report, &is_new);
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_TRUE(report.by_daemon) << report.daemon_problem;
  ASSERT_EQ(is_new.size(), static_cast<std::size_t>(kJobs));
  EXPECT_EQ(std::count(is_new.begin(), is_new.end(), true), kJobs);
  std::vector<Job> stored = Stored();
  ASSERT_EQ(stored.size(), static_cast<std::size_t>(kJobs));
  // One push, in the hook's order: its positions are all there.
  std::set<std::int64_t> positions;
  for (const Job& job : stored) positions.insert(job.position);
  EXPECT_EQ(positions.size(), static_cast<std::size_t>(kJobs));
  EXPECT_EQ(server.committed_requests(), 1);
}

TEST_P(EnqueueRelayTest, ManyPushesAtOnceAreEachQueued) {
  EnqueueRelayServer server(ServerOptions());
  bool serving = false;
  ASSERT_TRUE(server.TryStart(&serving).ok());
  constexpr int kPushes = 8;
  std::vector<std::thread> pushes;
  std::atomic<int> by_daemon{0};
  for (int p = 0; p < kPushes; ++p) {
    pushes.emplace_back([&, p] {
      std::vector<Job> jobs = PushJobs(5);
      for (Job& job : jobs) job.repository = "repo-" + std::to_string(p);
      RelayClientOptions options;
      options.socket_path = socket_;
      RelayReport report;
      std::unique_ptr<EnqueueBatch> batch;
      std::vector<bool> is_new;
      OutboxOpener direct = [this](std::unique_ptr<Outbox>* out) {
        return GetParam().open(dir_.path(), out);
      };
      ASSERT_TRUE(StartRelayedEnqueue(options, direct, &report, &batch).ok());
      for (const Job& job : jobs) ASSERT_TRUE(batch->Add(job).ok());
      Status status = batch->Commit(&is_new);
      EXPECT_TRUE(status.ok()) << status.ToString();
      if (report.by_daemon) ++by_daemon;
    });
  }
  for (std::thread& push : pushes) push.join();
  EXPECT_EQ(by_daemon.load(), kPushes);
  EXPECT_EQ(Stored().size(), static_cast<std::size_t>(kPushes * 5));
}

// Issue #24: six peers each holding half a frame took the daemon's four
// workers, and a real push waited 10.5 s for its hook to give up on the
// daemon. Now a worker only takes a whole push: the real push is queued by
// the daemon at once, and the slow peers are let go at the frame's bound.
TEST_P(EnqueueRelayTest, PeersHoldingHalfAFrameDoNotDelayOtherPushes) {
  RelayServerOptions options = ServerOptions();
  options.frame_timeout_ms = 8000;
  EnqueueRelayServer server(options);
  bool serving = false;
  ASSERT_TRUE(server.TryStart(&serving).ok());
  const std::vector<Job> slow_jobs = PushJobs(50);
  const std::string frame = EncodeRelayFrame(slow_jobs, 0, slow_jobs.size());
  std::vector<int> slow;
  for (int i = 0; i < 6; ++i) {
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, socket_.c_str(), sizeof address.sun_path - 1);
    ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0)
        << std::strerror(errno);
    const std::string half = frame.substr(0, frame.size() / 2);
    ASSERT_EQ(::send(fd, half.data(), half.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(half.size()));
    slow.push_back(fd);
  }
  std::vector<Job> jobs = PushJobs(3);
  for (Job& job : jobs) job.repository = "platform/web";
  RelayReport report;
  std::vector<bool> is_new;
  const auto start = std::chrono::steady_clock::now();
  Status status = Relay(jobs, &report, &is_new);
  const double took =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_TRUE(report.by_daemon) << report.daemon_problem;
  EXPECT_EQ(direct_opens_, 0) << "the hook did not have to queue them itself";
  EXPECT_LT(took, 5.0) << "the real push waited behind the slow peers (let go after 8 s)";
  EXPECT_EQ(Stored().size(), 3u);
  // The slow peers are let go at the frame's bound, told why.
  for (int fd : slow) {
    std::string answer;
    char buffer[4096];
    ssize_t n;
    while ((n = ::read(fd, buffer, sizeof buffer)) > 0) answer.append(buffer, n);
    ::close(fd);
    Status outcome;
    std::vector<bool> none;
    ASSERT_TRUE(DecodeRelayAnswer(answer, 0, &outcome, &none).ok()) << answer.size();
    EXPECT_THAT(outcome.message(), HasSubstr("a frame took longer than 8000 ms"));
  }
  EXPECT_EQ(Stored().size(), 3u) << "nothing of the half frames was queued";
}

TEST(EnqueueRelayServerTest, ASocketPathTooLongForUnixIsAClearError) {
  RelayServerOptions options;
  options.socket_path = "/tmp/" + std::string(120, 'd') + "/outbox.sock";
  options.open_outbox = [](std::unique_ptr<Outbox>*) { return Status::Ok(); };
  EnqueueRelayServer server(options);
  bool serving = true;
  Status status = server.TryStart(&serving);
  EXPECT_FALSE(status.ok());
  EXPECT_FALSE(serving);
  EXPECT_THAT(status.message(), HasSubstr("longer than the 107 bytes"));
}

TEST(EnqueueRelayServerTest, APeerOfAnotherUserIsRefused) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root, to connect as another user";
  testing::TempDir dir;
  ::chmod(dir.path().c_str(), 0755);
  std::string log;
  std::mutex log_mutex;
  RelayServerOptions options;
  options.socket_path = dir.Path("outbox.sock");
  options.open_outbox = [&](std::unique_ptr<Outbox>* out) {
    return OpenSqliteOutbox(dir.Path("outbox.sqlite3"), out);
  };
  options.log = [&](const std::string& line) {
    std::lock_guard<std::mutex> lock(log_mutex);
    log += line + "\n";
  };
  EnqueueRelayServer server(options);
  bool serving = false;
  ASSERT_TRUE(server.TryStart(&serving).ok());
  ::chmod(options.socket_path.c_str(), 0777);  // as if the mode were lost
  pid_t child = ::fork();
  if (child == 0) {
    if (::setgid(65534) != 0 || ::setuid(65534) != 0) _exit(3);
    std::vector<Job> jobs = PushJobs(1);
    std::string answer =
        Exchange(options.socket_path, EncodeRelayFrame(jobs, 0, 1) + EncodeRelayEnd());
    _exit(answer.empty() ? 0 : 1);
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "the other user got an answer";
  EXPECT_TRUE(testing::WaitFor([&] {
    std::lock_guard<std::mutex> lock(log_mutex);
    return log.find("refused a connection from uid 65534") != std::string::npos;
  }));
  EXPECT_EQ(server.committed_requests(), 0);
}

}  // namespace
}  // namespace jiralink::outbox
