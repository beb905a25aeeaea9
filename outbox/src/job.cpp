#include "jiralink/outbox/job.h"

#include <chrono>
#include <string>

namespace jiralink::outbox {

const char* JobKindName(JobKind kind) { return kind == JobKind::kClose ? "close" : "mention"; }

const char* JobStateName(JobState state) {
  switch (state) {
    case JobState::kPending:
      return "pending";
    case JobState::kDone:
      return "done";
    case JobState::kDead:
      return "dead";
  }
  return "pending";
}

bool ParseJobKind(std::string_view text, JobKind* kind) {
  if (text == "mention") {
    *kind = JobKind::kMention;
  } else if (text == "close") {
    *kind = JobKind::kClose;
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
  } else {
    return false;
  }
  return true;
}

std::int64_t NowMillis() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::string MergeRequestSource(std::int64_t iid) { return "!" + std::to_string(iid); }

}  // namespace jiralink::outbox
