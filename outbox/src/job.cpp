#include "jiralink/outbox/job.h"
#include "jiralink/outbox/job_message.h"

#include <chrono>
#include <ctime>
#include <string>

namespace jiralink::outbox {

const char* JobKindName(JobKind kind) {
  switch (kind) {
    case JobKind::kMention:
      return "mention";
    case JobKind::kClose:
      return "close";
    case JobKind::kSmartCommand:
      return "smart";
    case JobKind::kDevinfoCommit:
      return "devinfo-commit";
    case JobKind::kDevinfoBranch:
      return "devinfo-branch";
    case JobKind::kDevinfoBranchDelete:
      return "devinfo-branch-delete";
    case JobKind::kDevinfoPullRequest:
      return "devinfo-pull-request";
  }
  return "mention";
}

const char* JobStateName(JobState state) {
  switch (state) {
    case JobState::kPending:
      return "pending";
    case JobState::kDone:
      return "done";
    case JobState::kDead:
      return "dead";
    case JobState::kSkipped:
      return "skipped";
  }
  return "pending";
}

bool ParseJobKind(std::string_view text, JobKind* kind) {
  if (text == "mention") {
    *kind = JobKind::kMention;
  } else if (text == "close") {
    *kind = JobKind::kClose;
  } else if (text == "smart") {
    *kind = JobKind::kSmartCommand;
  } else if (text == "devinfo-commit") {
    *kind = JobKind::kDevinfoCommit;
  } else if (text == "devinfo-branch") {
    *kind = JobKind::kDevinfoBranch;
  } else if (text == "devinfo-branch-delete") {
    *kind = JobKind::kDevinfoBranchDelete;
  } else if (text == "devinfo-pull-request") {
    *kind = JobKind::kDevinfoPullRequest;
  } else {
    return false;
  }
  return true;
}

bool ParseJobState(std::string_view text, JobState* state) {
  if (text == "pending") {
    *state = JobState::kPending;
  } else if (text == "done") {
    *state = JobState::kDone;
  } else if (text == "dead") {
    *state = JobState::kDead;
  } else if (text == "skipped") {
    *state = JobState::kSkipped;
  } else {
    return false;
  }
  return true;
}

std::int64_t NowMillis() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::string FormatMillisUtc(std::int64_t millis) {
  if (millis <= 0) return "-";
  std::time_t seconds = static_cast<std::time_t>(millis / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

std::string MergeRequestSource(std::int64_t iid) { return "!" + std::to_string(iid); }

std::string CapJobMessage(std::string_view message) {
  if (message.size() <= kMaxJobMessageBytes) return std::string(message);
  std::size_t keep = kMaxJobMessageBytes - kMessageCutMarker.size();
  // Never cut inside a UTF-8 sequence: back up to the start of a character.
  while (keep > 0 && (static_cast<unsigned char>(message[keep]) & 0xC0) == 0x80) --keep;
  std::string capped;
  capped.reserve(keep + kMessageCutMarker.size());
  capped.append(message.substr(0, keep));
  capped.append(kMessageCutMarker);
  return capped;
}

}  // namespace jiralink::outbox
