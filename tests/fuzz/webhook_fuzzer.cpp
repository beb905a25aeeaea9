// libFuzzer target for webhook bodies: everything `jiralink serve` does to a
// body before and after the secret check, without I/O — the depth check, JSON
// parsing, reading each forge's payload, planning jobs, the signature check.
// The first input byte picks the forge and the event header; the rest is the
// body. Nothing may crash, hang or leak on any input.
//
// Seeds: tests/fuzz/webhook/corpus (the recorded payloads, see PROVENANCE.md).
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "jiralink/core/json_depth.h"
#include "jiralink/serve/merge_request_event.h"
#include "jiralink/serve/merge_request_jobs.h"
#include "jiralink/serve/signature.h"
#include "jiralink/serve/webhook_handler.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace jiralink;
  using namespace jiralink::serve;
  if (size == 0) return 0;
  const Forge forges[] = {Forge::kGitLab, Forge::kGitea, Forge::kGitHub};
  Forge forge = forges[data[0] % 3];
  const char* events[] = {"Merge Request Hook", "pull_request", "ping"};
  std::string_view event = (data[0] & 0x80) != 0     ? events[2]
                           : forge == Forge::kGitLab ? events[0]
                                                     : events[1];
  std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);

  SignatureMatches("secret", body, body.substr(0, 71), "sha256=");
  TokenMatches("secret", body.substr(0, 64));
  if (!JsonNestingWithin(body, kMaxJsonDepth)) return 0;
  nlohmann::json payload = ParsePayload(body);
  if (payload.is_discarded()) return 0;
  RepositoryOf(forge, payload);
  MergeRequestEvent parsed;
  if (!ParseMergeRequestEvent(forge, event, payload, &parsed).ok()) return 0;
  MergeRequestJobs jobs;
  MergeRequestPlanOptions options;
  options.site = "https://jira.example.com";
  PlanMergeRequestJobs(parsed, KeyScanner::Default(), ClosingKeywords::Default(), options, &jobs);
  return 0;
}
