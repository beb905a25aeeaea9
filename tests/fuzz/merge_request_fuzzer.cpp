// libFuzzer target for what one authentic merge request costs `jiralink
// serve`: the fuzzed bytes are a GitLab merge request's description (the
// title is the first line), wrapped in a valid payload, then parsed and
// planned as the service does after the secret check. Bounds checked on
// every input, whatever it names:
//  - at most kMaxKeysPerMergeRequest jobs, the rest counted;
//  - the jobs' text kept once, within outbox::kMaxJobMessageBytes;
//  - memory: run.sh's -rss_limit_mb (512), which libFuzzer's -malloc_limit_mb
//    follows; MAX_LEN is a whole
//    [serve] max_body_bytes (1 MiB), so a body of keys is within reach.
// The first byte picks the action (open, update, merge into the default
// branch, merge elsewhere).
//
// Seeds: tests/fuzz/merge_request/corpus (see PROVENANCE.md).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "jiralink/outbox/job_message.h"
#include "jiralink/serve/merge_request_event.h"
#include "jiralink/serve/merge_request_jobs.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace jiralink;
  using namespace jiralink::serve;
  if (size == 0) return 0;
  const char* actions[] = {"open", "update", "merge", "merge"};
  const int pick = data[0] % 4;
  std::string text(reinterpret_cast<const char*>(data + 1), size - 1);
  std::size_t line_end = text.find('\n');
  nlohmann::json body = {
      {"object_kind", "merge_request"},
      {"project",
       {{"path_with_namespace", "group/project"},
        {"web_url", "https://gitlab.example/group/project"},
        {"default_branch", "main"}}},
      {"user", {{"name", "Fuzz"}, {"username", "fuzz"}}},
      {"object_attributes",
       {{"iid", 1},
        {"title", text.substr(0, line_end)},
        {"description", line_end == std::string::npos ? "" : text.substr(line_end + 1)},
        {"url", "https://gitlab.example/group/project/-/merge_requests/1"},
        {"source_branch", "feature"},
        {"target_branch", pick == 3 ? "stable" : "main"},
        {"action", actions[pick]},
        {"state", pick >= 2 ? "merged" : "opened"},
        {"source", {{"web_url", "https://gitlab.example/group/project"}}}}},
      {"changes", {{"description", {{"previous", ""}, {"current", "x"}}}}}};
  // Invalid UTF-8 is replaced, as the forge's JSON never carries it.
  std::string payload = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  nlohmann::json parsed_body = ParsePayload(payload);
  if (parsed_body.is_discarded()) std::abort();  // our own payload must parse
  MergeRequestEvent event;
  if (!ParseMergeRequestEvent(Forge::kGitLab, "Merge Request Hook", parsed_body, &event).ok()) {
    return 0;
  }
  MergeRequestJobs jobs;
  MergeRequestPlanOptions options;
  options.site = "https://jira.example.com";
  PlanMergeRequestJobs(event, KeyScanner::Default(), ClosingKeywords::Default(), options, &jobs);
  if (jobs.size() > kMaxKeysPerMergeRequest) std::abort();
  if (jobs.shared.message.size() > outbox::kMaxJobMessageBytes) std::abort();
  if (jobs.keys_left_out > 0 && jobs.size() != kMaxKeysPerMergeRequest) std::abort();
  return 0;
}
