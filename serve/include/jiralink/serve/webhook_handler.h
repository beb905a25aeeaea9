// WebhookHandler: one webhook request, from its headers and whole body to
// the answer, with the jobs committed to the outbox before a 2xx. It knows
// nothing of HTTP connections (http_server.h reads the requests), so tests
// drive it directly.
//
// The steps, and the answer when one fails:
//  1. The forge's secret header is present (X-Gitlab-Token;
//     X-Gitea-Signature or X-Forgejo-Signature; X-Hub-Signature-256)  401
//  2. The body is JSON (an object, nested at most 64 deep)             400
//  3. The repository it names (merge_request_event.h) picks the settings,
//     as the hook's repository name does ([groups], [projects]), and so
//     the secret: [serve] secret_file / secret_env of the repository, else
//     of the instance. No secret configured: nothing can be authentic 401
//     The secret cannot be read: 500 with no detail (the caller is not yet
//     authenticated; the reason, which names files, goes to the log)    500
//  4. The token matches, or the HMAC-SHA256 signature of the body does 401
//  5. Another event or action, or [triggers] merge_request = false     202
//  6. A field the event needs is missing                                 400
//  7. The jobs (merge_request_jobs.h) are added in one transaction      200
//     {"added":N,"duplicates":M}, plus "keys_left_out":K,"keys_limit":100
//     when the merge request names more than kMaxKeysPerMergeRequest keys
//     and "text_cut_at_bytes":65536 when its text was cut; the outbox
//     fails                                                               503
// Nothing is queued unless every step passed.
//
// Settings, scanners and secrets are kept per repository after the first
// authentic request (at most 4096 repositories; then the cache starts
// over), so a changed secret file is read at the next start.
//
// Thread-safe: many request threads call Handle() at once. Their jobs are
// written by group commit: the first waiting request writes the jobs of every
// request queued behind it in one transaction, on the one outbox connection,
// and each learns the outcome of its own jobs (all fail together if the
// transaction fails). Every request still waits for the commit that holds
// its jobs before it is answered.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "jiralink/config/loader.h"
#include "jiralink/outbox/outbox.h"
#include "jiralink/serve/merge_request_event.h"
#include "jiralink/serve/merge_request_jobs.h"
#include "jiralink/serve/metrics.h"

namespace jiralink::serve {

struct WebhookResponse {
  int status = 200;
  std::string body;  // JSON: {"added":1,"duplicates":0} or {"error":"..."} / {"ignored":"..."}
};

// A request header's value, "" when absent (names are case-insensitive).
using HeaderLookup = std::function<std::string_view(std::string_view name)>;

struct WebhookHandlerOptions {
  // Log each accepted request to stderr (rejections are always logged).
  bool log_accepted = false;
};

// Nesting deeper than this is refused before parsing (no forge sends it;
// see jiralink/core/json_depth.h).
inline constexpr int kMaxJsonDepth = 64;

// Descriptors a webhook may need (the secret file, the outbox's files, the
// connection) that /healthz wants free.
inline constexpr int kHealthFdReserve = 16;

class WebhookHandler {
 public:
  WebhookHandler(const config::Config& config, std::unique_ptr<outbox::Outbox> outbox,
                 WebhookHandlerOptions options);
  ~WebhookHandler();

  WebhookResponse Handle(Forge forge, const HeaderLookup& headers, std::string_view body);

  // The exposition text of GET /metrics (counters + the outbox's counts).
  std::string MetricsText();

  // Whether a webhook could be taken now (GET /healthz): at least
  // kHealthFdReserve descriptors to spare under RLIMIT_NOFILE, and the outbox
  // answers a query (or is busy writing). *why says what is wrong, for the
  // log.
  bool Healthy(std::string* why);

  Metrics& metrics() { return metrics_; }

 private:
  struct Repository;  // settings, scanners and secret of one repository

  // The cached entry, or a fresh one (not cached: see Remember).
  std::shared_ptr<const Repository> Find(const std::string& name);
  void Remember(const std::string& name, std::shared_ptr<const Repository> repository);
  // Adds `jobs` to the outbox (group commit, see above); (*is_new)[i] tells
  // whether jobs[i] was new.
  Status Commit(const MergeRequestJobs& jobs, std::vector<bool>* is_new);
  WebhookResponse Reject(Forge forge, RejectReason reason, int status, const std::string& message,
                         const std::string& repository);

  const config::Config& config_;
  WebhookHandlerOptions options_;
  Metrics metrics_;

  struct PendingWrite;
  std::mutex queue_mutex_;
  std::condition_variable queue_changed_;
  std::deque<PendingWrite*> queue_;  // the front one is writing

  std::mutex outbox_mutex_;  // the outbox connection: the writer, or /metrics
  std::unique_ptr<outbox::Outbox> outbox_;

  std::mutex cache_mutex_;
  std::unordered_map<std::string, std::shared_ptr<const Repository>> cache_;
};

}  // namespace jiralink::serve
