// libFuzzer target: what can reach the enqueue relay's socket
// (outbox/relay_wire.h), read as a request by the daemon and as an answer
// by the hook.
//
// Checked contracts: a request that decodes encodes back to the same bytes
// (nothing is dropped or invented on the way to the outbox); decoded jobs
// have a repository, a source and a key and known kinds; an answer that
// decodes ok counts exactly the jobs asked about.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "jiralink/outbox/relay_wire.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace jiralink;
  using namespace jiralink::outbox;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);

  std::vector<Job> jobs;
  if (DecodeRelayRequest(bytes, &jobs).ok()) {
    if (EncodeRelayRequest(jobs) != bytes) std::abort();
    for (const Job& job : jobs) {
      if (job.repository.empty() || job.commit.empty() || job.key.empty()) std::abort();
      if (job.kind != JobKind::kMention && job.kind != JobKind::kClose &&
          job.kind != JobKind::kSmartCommand) {
        std::abort();
      }
    }
  }

  // The same bytes as an answer to a request of (first byte) jobs.
  const std::size_t asked = size > 0 ? data[0] : 0;
  Status outcome;
  std::vector<bool> is_new;
  if (DecodeRelayAnswer(bytes, asked, &outcome, &is_new).ok() && outcome.ok() &&
      is_new.size() != asked) {
    std::abort();
  }
  return 0;
}
