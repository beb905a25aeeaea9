#include "jiralink/outbox/relay_wire.h"

#include <cstdint>
#include <cstring>

namespace jiralink::outbox {

namespace {

constexpr std::string_view kRequestMagic = "JLQ1";
constexpr std::string_view kAnswerMagic = "JLA1";
// The smallest job: twelve empty strings, two kinds, a position and an index.
constexpr std::size_t kMinJobBytes = 12 * 4 + 2 + 8 + 4;

class Writer {
 public:
  explicit Writer(std::string* out) : out_(out) {}
  void Bytes(std::string_view bytes) { out_->append(bytes); }
  void U8(std::uint8_t value) { out_->push_back(static_cast<char>(value)); }
  void U32(std::uint32_t value) { Little(value, 4); }
  void I64(std::int64_t value) { Little(static_cast<std::uint64_t>(value), 8); }
  void Str(std::string_view text) {
    U32(static_cast<std::uint32_t>(text.size()));
    out_->append(text);
  }

 private:
  void Little(std::uint64_t value, int bytes) {
    for (int i = 0; i < bytes; ++i) out_->push_back(static_cast<char>((value >> (8 * i)) & 0xff));
  }
  std::string* out_;
};

// Reads fields front to back; the first short read fails every later one.
class Reader {
 public:
  explicit Reader(std::string_view bytes) : rest_(bytes) {}
  bool ok() const { return ok_; }
  bool AtEnd() const { return rest_.empty(); }
  std::size_t left() const { return rest_.size(); }

  bool Magic(std::string_view magic) {
    if (rest_.substr(0, magic.size()) != magic) return ok_ = false;
    rest_.remove_prefix(magic.size());
    return true;
  }
  std::uint8_t U8() { return static_cast<std::uint8_t>(Little(1)); }
  std::uint32_t U32() { return static_cast<std::uint32_t>(Little(4)); }
  std::int64_t I64() { return static_cast<std::int64_t>(Little(8)); }
  std::string Str() {
    std::uint32_t size = U32();
    if (!ok_ || size > rest_.size()) {
      ok_ = false;
      return "";
    }
    std::string text(rest_.substr(0, size));
    rest_.remove_prefix(size);
    return text;
  }

 private:
  std::uint64_t Little(std::size_t bytes) {
    if (!ok_ || rest_.size() < bytes) {
      ok_ = false;
      return 0;
    }
    std::uint64_t value = 0;
    for (std::size_t i = 0; i < bytes; ++i) {
      value |= static_cast<std::uint64_t>(static_cast<unsigned char>(rest_[i])) << (8 * i);
    }
    rest_.remove_prefix(bytes);
    return value;
  }

  std::string_view rest_;
  bool ok_ = true;
};

Status WithCode(Status::Code code, std::string message) {
  switch (code) {
    case Status::Code::kOk:
      return Status::Ok();
    case Status::Code::kInvalidArgument:
      return Status::InvalidArgument(std::move(message));
    case Status::Code::kNotFound:
      return Status::NotFound(std::move(message));
    case Status::Code::kIOError:
      return Status::IOError(std::move(message));
    case Status::Code::kUnavailable:
      return Status::Unavailable(std::move(message));
    case Status::Code::kPermissionDenied:
      return Status::PermissionDenied(std::move(message));
    case Status::Code::kInternal:
      return Status::Internal(std::move(message));
  }
  return Status::Internal(std::move(message));
}

// The request of jobs[begin, end), after `prefix` bytes left for a frame's size.
std::string EncodeJobs(const std::vector<Job>& jobs, std::size_t begin, std::size_t end,
                       std::size_t prefix) {
  std::string out(prefix, '\0');
  std::size_t size = prefix + kRequestMagic.size() + 4;
  for (std::size_t i = begin; i < end; ++i) {
    const Job& job = jobs[i];
    size += kMinJobBytes + job.repository.size() + job.commit.size() + job.key.size() +
            job.branch.size() + job.author.size() + job.author_email.size() + job.message.size() +
            job.commit_url.size() + job.repo_url.size() + job.branch_url.size() + job.site.size() +
            job.command.transition.size() + job.command.time_spent.size() + job.command.text.size();
  }
  out.reserve(size);
  Writer w(&out);
  w.Bytes(kRequestMagic);
  w.U32(static_cast<std::uint32_t>(end - begin));
  for (std::size_t i = begin; i < end; ++i) {
    const Job& job = jobs[i];
    w.Str(job.repository);
    w.Str(job.commit);
    w.Str(job.key);
    w.U8(static_cast<std::uint8_t>(job.kind));
    w.Str(job.branch);
    w.Str(job.author);
    w.Str(job.author_email);
    w.Str(job.message);
    w.Str(job.commit_url);
    w.Str(job.repo_url);
    w.Str(job.branch_url);
    w.Str(job.site);
    w.I64(job.position);
    w.U32(static_cast<std::uint32_t>(job.command_index));
    w.U8(static_cast<std::uint8_t>(job.command.kind));
    w.Str(job.command.transition);
    w.Str(job.command.time_spent);
    w.Str(job.command.text);
  }
  return out;
}

}  // namespace

std::string EncodeRelayRequest(const std::vector<Job>& jobs) {
  return EncodeJobs(jobs, 0, jobs.size(), 0);
}

std::string EncodeRelayFrame(const std::vector<Job>& jobs, std::size_t begin, std::size_t end) {
  std::string frame = EncodeJobs(jobs, begin, end, kRelayFrameHeaderBytes);
  std::string header;
  Writer(&header).U32(static_cast<std::uint32_t>(frame.size() - kRelayFrameHeaderBytes));
  frame.replace(0, kRelayFrameHeaderBytes, header);
  return frame;
}

std::string EncodeRelayEnd() { return std::string(kRelayFrameHeaderBytes, '\0'); }

std::size_t DecodeRelayFrameSize(std::string_view header) {
  Reader r(header.substr(0, kRelayFrameHeaderBytes));
  std::size_t size = r.U32();
  return r.ok() ? size : 0;
}

Status DecodeRelayRequest(std::string_view bytes, std::vector<Job>* jobs) {
  jobs->clear();
  Reader r(bytes);
  if (!r.Magic(kRequestMagic)) return Status::InvalidArgument("not a jiralink enqueue request");
  std::uint32_t count = r.U32();
  if (!r.ok()) return Status::InvalidArgument("the request ends before its job count");
  if (count > r.left() / kMinJobBytes) {
    return Status::InvalidArgument("the request counts " + std::to_string(count) +
                                   " jobs but holds fewer bytes than that many need");
  }
  jobs->reserve(count);
  for (std::uint32_t i = 0; i < count; ++i) {
    const std::string where = "job " + std::to_string(i + 1) + " of " + std::to_string(count);
    Job job;
    job.repository = r.Str();
    job.commit = r.Str();
    job.key = r.Str();
    std::uint8_t kind = r.U8();
    job.branch = r.Str();
    job.author = r.Str();
    job.author_email = r.Str();
    job.message = r.Str();
    job.commit_url = r.Str();
    job.repo_url = r.Str();
    job.branch_url = r.Str();
    job.site = r.Str();
    job.position = r.I64();
    std::uint32_t command_index = r.U32();
    std::uint8_t command_kind = r.U8();
    job.command.transition = r.Str();
    job.command.time_spent = r.Str();
    job.command.text = r.Str();
    if (!r.ok()) return Status::InvalidArgument(where + ": the request ends inside it");
    if (kind > static_cast<std::uint8_t>(JobKind::kDevinfoPullRequest)) {
      return Status::InvalidArgument(where + ": kind " + std::to_string(kind) + " is unknown");
    }
    if (command_kind > static_cast<std::uint8_t>(SmartCommandKind::kTransition)) {
      return Status::InvalidArgument(where + ": command kind " + std::to_string(command_kind) +
                                     " is unknown");
    }
    if (command_index > static_cast<std::uint32_t>(kMaxSmartCommands)) {
      return Status::InvalidArgument(where + ": command index " + std::to_string(command_index) +
                                     " is out of range");
    }
    job.kind = static_cast<JobKind>(kind);
    // Development-panel jobs carry their keys in the payload (devinfo_job.h).
    if (job.repository.empty() || job.commit.empty() ||
        (job.key.empty() && !IsDevinfoKind(job.kind))) {
      return Status::InvalidArgument(where + ": no repository, source or key");
    }
    job.command_index = static_cast<int>(command_index);
    job.command.kind = static_cast<SmartCommandKind>(command_kind);
    jobs->push_back(std::move(job));
  }
  if (!r.AtEnd()) {
    return Status::InvalidArgument(std::to_string(r.left()) + " bytes follow the last job");
  }
  return Status::Ok();
}

std::string EncodeRelayAnswer(const Status& outcome, const std::vector<bool>& is_new) {
  std::string out;
  Writer w(&out);
  w.Bytes(kAnswerMagic);
  w.U8(static_cast<std::uint8_t>(outcome.code()));
  if (outcome.ok()) {
    w.U32(static_cast<std::uint32_t>(is_new.size()));
    for (bool added : is_new) w.U8(added ? 1 : 0);
  } else {
    w.Str(outcome.message());
  }
  return out;
}

Status DecodeRelayAnswer(std::string_view bytes, std::size_t job_count, Status* outcome,
                         std::vector<bool>* is_new) {
  is_new->clear();
  *outcome = Status::Ok();
  Reader r(bytes);
  if (!r.Magic(kAnswerMagic)) return Status::InvalidArgument("not a jiralink enqueue answer");
  std::uint8_t code = r.U8();
  if (!r.ok() || code > static_cast<std::uint8_t>(Status::Code::kInternal)) {
    return Status::InvalidArgument("the answer has no known outcome");
  }
  if (code != 0) {
    std::string message = r.Str();
    if (!r.ok() || !r.AtEnd()) return Status::InvalidArgument("the answer's message is cut");
    *outcome = WithCode(static_cast<Status::Code>(code),
                        message.empty() ? "the daemon gave no reason" : std::move(message));
    return Status::Ok();
  }
  std::uint32_t count = r.U32();
  if (!r.ok() || count != job_count || r.left() != count) {
    return Status::InvalidArgument("the answer tells of other jobs than were sent");
  }
  is_new->reserve(count);
  for (std::uint32_t i = 0; i < count; ++i) {
    std::uint8_t added = r.U8();
    if (added > 1) return Status::InvalidArgument("the answer's job flags are not 0 or 1");
    is_new->push_back(added == 1);
  }
  return Status::Ok();
}

}  // namespace jiralink::outbox
