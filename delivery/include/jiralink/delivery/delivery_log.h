// The log of delivery runs nobody watches: the run the hook starts after a
// push has no terminal, so `jiralink deliver --log <state dir>/deliver.log`
// sends its output to a file an operator finds (README, "Where delivery
// writes"), with a timestamp on every job line and one old file kept.
#pragma once

#include <cstdint>
#include <string>

#include "jiralink/core/status.h"

namespace jiralink::delivery {

// The log file's name inside the state directory.
inline constexpr const char* kDeliveryLogName = "deliver.log";
// A log larger than this is moved to "<path>.1" (replacing an older one)
// when the next run starts.
inline constexpr std::int64_t kDeliveryLogMaxBytes = 1024 * 1024;

// Makes `path` (created 0600 when missing, appended to) this process's
// stdout and stderr. First, when the file is larger than `max_bytes`, moves
// it to "<path>.1". Safe when several runs start at once: the rotation
// happens under a lock on the file, and a run that finds the file moved
// opens the new one. Errors name the path.
Status RedirectOutputToLog(const std::string& path, std::int64_t max_bytes = kDeliveryLogMaxBytes);

}  // namespace jiralink::delivery
