// The hook's side of the enqueue relay (enqueue_relay.h).
#include "jiralink/outbox/enqueue_relay.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <string_view>

#include "jiralink/outbox/relay_wire.h"
#include "relay_socket.h"

namespace jiralink::outbox {

namespace {

// A batch that goes through the daemon, or (no daemon at the start) the
// direct outbox's own batch.
class RelayedBatch : public EnqueueBatch {
 public:
  RelayedBatch(RelayClientOptions options, OutboxOpener open_direct, RelayReport* report)
      : options_(std::move(options)), open_direct_(std::move(open_direct)), report_(report) {}

  // No daemon: everything goes to the direct outbox, opened now.
  Status StartDirect() {
    Status status = open_direct_(&direct_);
    if (!status.ok()) return status;
    return direct_->StartEnqueue(&direct_batch_);
  }

  Status Add(const Job& job) override {
    if (direct_batch_) return direct_batch_->Add(job);
    jobs_.push_back(job);
    // A frame as soon as there are enough: the daemon writes them while git walks.
    if (problem_.ok() && jobs_.size() - sent_ >= kRelayFrameJobs) problem_ = SendFrame();
    return Status::Ok();
  }

  Status Commit(std::vector<bool>* is_new) override {
    if (direct_batch_) return direct_batch_->Commit(is_new);
    if (is_new != nullptr) is_new->clear();
    if (jobs_.empty()) return Status::Ok();  // as a store's: nothing to commit
    std::vector<bool> answer;
    if (problem_.ok()) problem_ = SendFrame();
    if (problem_.ok()) problem_ = Finish(&answer);
    if (problem_.ok()) {
      report_->by_daemon = true;
      if (is_new != nullptr) *is_new = std::move(answer);
      return Status::Ok();
    }
    fd_.Reset();  // the daemon rolls back what it wrote of this push
    if (problem_.code() != Status::Code::kNotFound) report_->daemon_problem = problem_.message();
    // Queued by this process after all; a job the daemon did commit before
    // it failed is then found there (not new).
    Status status = open_direct_(&direct_);
    if (!status.ok()) return status;
    EnqueueResult result;
    status = direct_->Enqueue(jobs_, &result);
    if (status.ok() && is_new != nullptr) *is_new = std::move(result.is_new);
    return status;
  }

 private:
  Deadline AnswerDeadline() const {
    return std::chrono::steady_clock::now() + std::chrono::milliseconds(options_.answer_timeout_ms);
  }

  // Sends the jobs not sent yet as one frame, connecting first. NotFound
  // when no daemon listens.
  Status SendFrame() {
    if (!fd_.valid()) {
      Status status = ConnectRelaySocket(options_.socket_path, &fd_);
      if (!status.ok()) return status;
    }
    if (sent_ == jobs_.size()) return Status::Ok();
    Status status =
        SendAll(fd_.get(), EncodeRelayFrame(jobs_, sent_, jobs_.size()), AnswerDeadline());
    sent_ = jobs_.size();
    return status.ok() ? status : status.WithContext("sending the jobs to the deliver daemon");
  }

  // Ends the push and reads the daemon's answer.
  Status Finish(std::vector<bool>* is_new) {
    const Deadline deadline = AnswerDeadline();
    Status status = SendAll(fd_.get(), EncodeRelayEnd(), deadline);
    if (!status.ok()) return status.WithContext("sending the jobs to the deliver daemon");
    ::shutdown(fd_.get(), SHUT_WR);
    std::string bytes;
    status = ReadToEnd(fd_.get(), deadline, 1 << 20, &bytes);
    if (!status.ok()) return status.WithContext("the deliver daemon's answer");
    if (bytes.empty()) return Status::Unavailable("the deliver daemon closed without answering");
    Status outcome;
    status = DecodeRelayAnswer(bytes, jobs_.size(), &outcome, is_new);
    if (!status.ok()) return status.WithContext("the deliver daemon's answer");
    if (!outcome.ok()) return outcome.WithContext("the deliver daemon could not queue the jobs");
    return Status::Ok();
  }

  RelayClientOptions options_;
  OutboxOpener open_direct_;
  RelayReport* report_;
  std::vector<Job> jobs_;
  std::size_t sent_ = 0;            // jobs_[0, sent_) are with the daemon
  UniqueFd fd_;                     // to the daemon, from the first frame on
  Status problem_;                  // why the daemon cannot take this push (then sent no more)
  std::unique_ptr<Outbox> direct_;  // declared before its batch:
  std::unique_ptr<EnqueueBatch> direct_batch_;  // destroyed first
};

}  // namespace

Status StartRelayedEnqueue(const RelayClientOptions& options, const OutboxOpener& open_direct,
                           RelayReport* report, std::unique_ptr<EnqueueBatch>* batch) {
  *report = RelayReport();
  auto relayed = std::make_unique<RelayedBatch>(options, open_direct, report);
  // A socket there means a daemon (or one that died: then the first frame
  // finds nobody listening, and Commit opens the outbox itself). The
  // connection waits for the first jobs, so that a walk that finds none
  // holds none of the daemon's workers.
  struct stat info {};
  if (::stat(options.socket_path.c_str(), &info) != 0 || !S_ISSOCK(info.st_mode)) {
    Status status = relayed->StartDirect();
    if (!status.ok()) return status;
  }
  *batch = std::move(relayed);
  return Status::Ok();
}

}  // namespace jiralink::outbox
