// Jira Cloud's Development Information API (jiralink/jira/devinfo.h): the
// bulk body in Atlassian's schema, the OAuth token, the cloud ID, and the
// bulk and delete calls over the module's one transport.
#include "jiralink/jira/devinfo.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>

#include "http_transport.h"
#include "jiralink/jira/json_parse.h"
#include "response_status.h"

namespace jiralink::jira {

namespace {

using nlohmann::json;

// Field limits of the DevInformation schema (docs/DEVINFO.md) beyond the
// ones devinfo.h names.
constexpr std::size_t kMaxIdLength = 1024;
constexpr std::size_t kMaxUrlLength = 2000;
constexpr std::size_t kMaxBranchNameLength = 512;
constexpr std::size_t kMaxReviewerEmailLength = 254;
constexpr std::size_t kMaxDisplayIdLength = 255;

// The token is used until this long before Atlassian says it expires.
constexpr std::chrono::seconds kTokenMargin{60};

constexpr char kEllipsis[] = "\xE2\x80\xA6";  // "…", one UTF-16 unit

// Jira counts lengths in Java chars (UTF-16 units); a JSON schema validator
// counts code points. Counting UTF-16 units keeps within both. A byte that
// starts no valid sequence counts as one (JSON output replaces it by one).
std::size_t Utf16Units(unsigned char lead) { return lead >= 0xF0 && lead <= 0xF4 ? 2 : 1; }

bool IsContinuation(unsigned char byte) { return (byte & 0xC0) == 0x80; }

// `text` cut to at most `max_units` UTF-16 units at a character boundary,
// ending in "…" when cut (and `ellipsis`).
std::string Cut(std::string_view text, std::size_t max_units, bool ellipsis = true) {
  std::size_t units = 0;
  for (std::size_t i = 0; i < text.size();) {
    units += Utf16Units(static_cast<unsigned char>(text[i]));
    ++i;
    while (i < text.size() && IsContinuation(static_cast<unsigned char>(text[i]))) ++i;
  }
  if (units <= max_units) return std::string(text);
  const std::size_t budget = ellipsis ? max_units - 1 : max_units;
  std::size_t end = 0;
  units = 0;
  while (end < text.size()) {
    std::size_t next = end + 1;
    while (next < text.size() && IsContinuation(static_cast<unsigned char>(text[next]))) ++next;
    std::size_t add = Utf16Units(static_cast<unsigned char>(text[end]));
    if (units + add > budget) break;
    units += add;
    end = next;
  }
  std::string out(text.substr(0, end));
  if (ellipsis) out += kEllipsis;
  return out;
}

// Optional fields are left out when empty (and a URL when it is too long to
// be a working link).
void PutOptional(json& object, const char* name, const std::string& value, std::size_t max) {
  if (value.empty()) return;
  if (max == kMaxUrlLength) {
    if (value.size() <= max) object[name] = value;
    return;
  }
  object[name] = Cut(value, max);
}

json IssueKeys(const std::vector<std::string>& keys) {
  json list = json::array();
  for (const std::string& key : keys) {
    if (list.size() == kMaxDevinfoIssueKeysPerEntity) break;
    if (std::find(list.begin(), list.end(), key) == list.end()) list.push_back(key);
  }
  return list;
}

json Author(const DevinfoAuthor& author) {
  // The schema requires both name and email.
  json out = {{"name", Cut(author.name.empty() ? "unknown" : author.name, kMaxDevinfoNameLength)},
              {"email", Cut(author.email, kMaxDevinfoNameLength, false)}};
  PutOptional(out, "url", author.url, kMaxUrlLength);
  PutOptional(out, "avatar", author.avatar, kMaxUrlLength);
  return out;
}

json Commit(const DevinfoCommit& commit, const std::vector<std::string>& fallback_keys) {
  json out = {
      {"id", commit.id},
      {"hash", Cut(commit.id, kMaxDevinfoNameLength, false)},
      {"displayId", Cut(commit.display_id, kMaxDisplayIdLength, false)},
      {"message", Cut(commit.message, kMaxDevinfoMessageLength)},
      {"author", Author(commit.author)},
      {"authorTimestamp", commit.author_timestamp},
      {"url", Cut(commit.url, kMaxUrlLength, false)},
      {"fileCount", std::max(commit.file_count, 0)},
      {"issueKeys", IssueKeys(commit.issue_keys.empty() ? fallback_keys : commit.issue_keys)},
      {"updateSequenceId", commit.update_sequence_id},
  };
  if (commit.merge_commit) out["flags"] = json::array({"MERGE_COMMIT"});
  return out;
}

json Branch(const DevinfoBranch& branch) {
  json out = {
      {"id", branch.id},
      {"name", Cut(branch.name, kMaxBranchNameLength)},
      {"url", Cut(branch.url, kMaxUrlLength, false)},
      // A branch's last commit may name no key; the schema wants one, so
      // it carries the branch's (as GitHub for Jira sends it).
      {"lastCommit", Commit(branch.last_commit, branch.issue_keys)},
      {"issueKeys", IssueKeys(branch.issue_keys)},
      {"updateSequenceId", branch.update_sequence_id},
  };
  PutOptional(out, "createPullRequestUrl", branch.create_pull_request_url, kMaxUrlLength);
  return out;
}

const char* StatusName(PullRequestStatus status) {
  switch (status) {
    case PullRequestStatus::kOpen:
      return "OPEN";
    case PullRequestStatus::kMerged:
      return "MERGED";
    case PullRequestStatus::kDeclined:
      return "DECLINED";
    case PullRequestStatus::kUnknown:
      break;
  }
  return "UNKNOWN";
}

json PullRequest(const DevinfoPullRequest& pr) {
  json reviewers = json::array();
  for (const DevinfoReviewer& reviewer : pr.reviewers) {
    reviewers.push_back(
        {{"name", Cut(reviewer.name.empty() ? "unknown" : reviewer.name, kMaxDevinfoNameLength)},
         {"email", Cut(reviewer.email, kMaxReviewerEmailLength, false)},
         {"approvalStatus", reviewer.approved ? "APPROVED" : "UNAPPROVED"}});
  }
  json out = {
      {"id", pr.id},
      {"displayId", Cut(pr.display_id, kMaxDisplayIdLength, false)},
      {"title", Cut(pr.title, kMaxDevinfoMessageLength)},
      {"status", StatusName(pr.status)},
      {"author", Author(pr.author)},
      {"commentCount", std::max(pr.comment_count, 0)},
      {"sourceBranch", Cut(pr.source_branch, kMaxDevinfoNameLength)},
      {"lastUpdate", pr.last_update},
      {"url", Cut(pr.url, kMaxUrlLength, false)},
      {"issueKeys", IssueKeys(pr.issue_keys)},
      {"updateSequenceId", pr.update_sequence_id},
  };
  PutOptional(out, "sourceBranchUrl", pr.source_branch_url, kMaxUrlLength);
  PutOptional(out, "destinationBranch", pr.destination_branch, kMaxDevinfoNameLength);
  PutOptional(out, "destinationBranchUrl", pr.destination_branch_url, kMaxUrlLength);
  if (!reviewers.empty()) out["reviewers"] = std::move(reviewers);
  return out;
}

json Repository(const DevinfoRepository& repository) {
  json out = {
      {"id", repository.id},
      {"name", Cut(repository.name, kMaxDevinfoNameLength)},
      {"url", Cut(repository.url, kMaxUrlLength, false)},
      {"updateSequenceId", repository.update_sequence_id},
  };
  PutOptional(out, "avatar", repository.avatar, kMaxUrlLength);
  if (!repository.commits.empty()) {
    json& commits = out["commits"] = json::array();
    for (const DevinfoCommit& commit : repository.commits) commits.push_back(Commit(commit, {}));
  }
  if (!repository.branches.empty()) {
    json& branches = out["branches"] = json::array();
    for (const DevinfoBranch& branch : repository.branches) branches.push_back(Branch(branch));
  }
  if (!repository.pull_requests.empty()) {
    json& prs = out["pullRequests"] = json::array();
    for (const DevinfoPullRequest& pr : repository.pull_requests) prs.push_back(PullRequest(pr));
  }
  return out;
}

// Commit text may hold invalid UTF-8: replace it rather than throw.
std::string Dump(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string TrimTrailingSlashes(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

// The devinfo API's errors: {"errorMessages":[{"message":…},…]} (objects,
// where Jira's REST API has strings), read into status->error_messages.
void ReadDevinfoErrors(const std::string& body, ApiStatus* status) {
  json parsed = ParseResponseBody(body);
  if (parsed.is_discarded() || !parsed.is_object()) return;
  auto messages = parsed.find("errorMessages");
  if (messages == parsed.end() || !messages->is_array()) return;
  for (const json& m : *messages) {
    if (m.is_object() && m.contains("message") && m["message"].is_string()) {
      status->error_messages.push_back(m["message"].get<std::string>());
    }
  }
}

// The 202 body: failedDevinfoEntities and unknownIssueKeys.
void ReadBulkResult(const json& body, DevinfoBulkResult* result) {
  if (!body.is_object()) return;
  auto failed = body.find("failedDevinfoEntities");
  if (failed != body.end() && failed->is_object()) {
    for (const auto& [repository, errors] : failed->items()) {
      if (!errors.is_object()) continue;
      auto join = [](const json& messages) {
        std::string text;
        if (!messages.is_array()) return text;
        for (const json& m : messages) {
          if (!m.is_object() || !m.contains("message") || !m["message"].is_string()) continue;
          text += (text.empty() ? "" : "; ") + m["message"].get<std::string>();
        }
        return text;
      };
      if (errors.contains("errorMessages")) {
        result->failed_entities.emplace_back("repositories/" + repository,
                                             join(errors["errorMessages"]));
      }
      for (const char* kind : {"commits", "branches", "pullRequests"}) {
        auto list = errors.find(kind);
        if (list == errors.end() || !list->is_array()) continue;
        for (const json& entity : *list) {
          if (!entity.is_object() || !entity.contains("id") || !entity["id"].is_string()) continue;
          result->failed_entities.emplace_back(
              std::string(kind) + "/" + entity["id"].get<std::string>(),
              entity.contains("errorMessages") ? join(entity["errorMessages"]) : "");
        }
      }
    }
  }
  auto unknown = body.find("unknownIssueKeys");
  if (unknown != body.end() && unknown->is_array()) {
    for (const json& key : *unknown) {
      if (key.is_string()) result->unknown_issue_keys.push_back(key.get<std::string>());
    }
  }
}

// Fits a 2xx that is not the JSON it should be into a failure.
void NotJson(const internal::HttpResponse& response, ApiStatus* status) {
  status->http_status = 502;
  status->retryable = true;
  status->body_summary =
      "the answer (HTTP " + std::to_string(response.status) + ") is not the JSON expected";
}

}  // namespace

std::string DevinfoEntityId(std::string_view name) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string id;
  id.reserve(name.size());
  for (char c : name) {
    const auto byte = static_cast<unsigned char>(c);
    if ((byte >= '0' && byte <= '9') || (byte >= 'a' && byte <= 'z') ||
        (byte >= 'A' && byte <= 'Z') || byte == '.' || byte == '-' || byte == '_') {
      id += c;
    } else {
      id += '~';
      id += kHex[byte >> 4];
      id += kHex[byte & 0xF];
    }
  }
  if (id.size() <= kMaxIdLength) return id;
  // Too long: a prefix and a hash of the whole (FNV-1a, 64 bits: stable
  // across hosts and versions), so distinct names stay distinct IDs.
  std::uint64_t hash = 1469598103934665603ULL;
  for (char c : name) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ULL;
  }
  std::string suffix = "~~";
  for (int shift = 60; shift >= 0; shift -= 4) suffix += kHex[(hash >> shift) & 0xF];
  id.resize(kMaxIdLength - suffix.size());
  // Never end inside a "~XX" escape.
  if (std::size_t tilde = id.rfind('~'); tilde != std::string::npos && tilde + 3 > id.size()) {
    id.resize(tilde);
  }
  return id + suffix;
}

std::int64_t DevinfoSequence(std::int64_t event_millis, int counter) {
  return event_millis * 1000 + std::clamp(counter, 0, 999);
}

nlohmann::json DevinfoBulkBody(const std::vector<DevinfoRepository>& repositories, bool backfill) {
  json list = json::array();
  for (const DevinfoRepository& repository : repositories) list.push_back(Repository(repository));
  return {
      {"repositories", std::move(list)},
      // jiralink moves issues itself ([transitions]); Jira's own triggers
      // on development events would move them a second time.
      {"preventTransitions", true},
      {"operationType", backfill ? "BACKFILL" : "NORMAL"},
      // Tags every entity sent, for DELETE …/bulkByProperties?tool=jiralink.
      {"properties", {{"tool", "jiralink"}}},
      {"providerMetadata", {{"product", "jiralink"}}},
  };
}

struct DevinfoClient::Impl {
  explicit Impl(DevinfoOptions options_in)
      : options(std::move(options_in)),
        api_url(TrimTrailingSlashes(options.api_url)),
        site_url(TrimTrailingSlashes(options.site_url)),
        transport_options(MakeTransportOptions(options)),
        transport(transport_options) {}

  static ClientOptions MakeTransportOptions(const DevinfoOptions& options) {
    ClientOptions out;
    out.api_url = options.api_url;
    out.auth = AuthMode::kPat;  // Bearer with the access token; none while empty
    out.timeout_seconds = options.timeout_seconds;
    out.connect_timeout_seconds = options.connect_timeout_seconds;
    out.ca_file = options.ca_file;
    out.verify_tls = options.verify_tls;
    out.debug = options.debug;
    out.deployment = Deployment::kCloud;
    return out;
  }

  // One request; `bearer` sends the access token. `path` is for messages.
  internal::HttpResponse Send(const char* method, const std::string& url, const std::string& body,
                              bool bearer) {
    transport_options.token = bearer ? token : std::string();
    internal::HttpResponse response = transport.Send(method, url, body);
    transport_options.token.clear();
    return response;
  }

  ApiStatus Token() {
    const auto now = std::chrono::steady_clock::now();
    if (!token.empty() && now < token_good_until) return Ok("POST", "/oauth/token");
    token.clear();
    const json request = {{"audience", "api.atlassian.com"},
                          {"grant_type", "client_credentials"},
                          {"client_id", options.client_id},
                          {"client_secret", options.client_secret}};
    internal::HttpResponse response = Send("POST", api_url + "/oauth/token", Dump(request), false);
    ApiStatus status = internal::MakeApiStatus("POST", "/oauth/token", response);
    if (!status.ok()) {
      if (status.http_status == 401 || status.http_status == 403) {
        status.error_messages.insert(
            status.error_messages.begin(),
            "the client ID or secret of [devinfo] is wrong (Atlassian refused the OAuth "
            "credentials)");
      }
      return status;
    }
    json body = ParseResponseBody(response.body);
    if (body.is_discarded() || !body.is_object() || !body.contains("access_token") ||
        !body["access_token"].is_string() || body["access_token"].get<std::string>().empty()) {
      NotJson(response, &status);
      status.body_summary = "the token endpoint's answer holds no access_token";
      return status;
    }
    std::int64_t expires_in = 0;
    if (body.contains("expires_in") && body["expires_in"].is_number_integer()) {
      expires_in = body["expires_in"].get<std::int64_t>();
    }
    token = body["access_token"].get<std::string>();
    // Used until a minute before it expires; a shorter-lived token only once.
    token_good_until = now + std::chrono::seconds(expires_in) - kTokenMargin;
    return status;
  }

  ApiStatus CloudId() {
    if (!cloud_id.empty()) return Ok("GET", "/_edge/tenant_info");
    internal::HttpResponse response = Send("GET", site_url + "/_edge/tenant_info", "", false);
    ApiStatus status = internal::MakeApiStatus("GET", "/_edge/tenant_info", response);
    if (!status.ok()) {
      status.error_messages.insert(status.error_messages.begin(),
                                   "the site " + site_url +
                                       " did not give its cloud ID (is [jira] web_url a Jira "
                                       "Cloud site?)");
      return status;
    }
    json body = ParseResponseBody(response.body);
    if (body.is_discarded() || !body.is_object() || !body.contains("cloudId") ||
        !body["cloudId"].is_string() || body["cloudId"].get<std::string>().empty()) {
      NotJson(response, &status);
      status.body_summary = "the site's tenant_info holds no cloudId";
      return status;
    }
    cloud_id = body["cloudId"].get<std::string>();
    return status;
  }

  static ApiStatus Ok(const char* method, const char* path) {
    ApiStatus status;
    status.method = method;
    status.path = path;
    status.http_status = 200;
    return status;
  }

  ApiStatus Connect() {
    ApiStatus status = Token();
    if (!status.ok()) return status;
    return CloudId();
  }

  std::string CloudPath() const { return "/jira/devinfo/0.1/cloud/" + cloud_id; }

  // An API call with the token to …/cloud/{cloudId}<suffix>; a 401 takes a
  // new token and sends once more.
  ApiStatus Call(const char* method, const std::string& suffix, const std::string& body,
                 internal::HttpResponse* response) {
    ApiStatus status = Connect();
    if (!status.ok()) return status;
    const std::string path = CloudPath() + suffix;
    for (int attempt = 0;; ++attempt) {
      *response = Send(method, api_url + path, body, true);
      const std::string display_path = path.substr(0, path.find('?'));
      status = internal::MakeApiStatus(method, display_path, *response);
      if (!status.ok()) ReadDevinfoErrors(response->body, &status);
      if (status.http_status != 401 || attempt > 0) break;
      token.clear();
      ApiStatus refreshed = Token();
      if (!refreshed.ok()) return refreshed;
    }
    if (status.http_status == 403) {
      status.error_messages.insert(status.error_messages.begin(),
                                   "the OAuth credentials of [devinfo] lack the \"Development "
                                   "information\" permission");
    }
    return status;
  }

  DevinfoOptions options;
  std::string api_url;
  std::string site_url;
  ClientOptions transport_options;  // the transport reads it at every Send
  internal::HttpTransport transport;
  std::string token;
  std::chrono::steady_clock::time_point token_good_until;
  std::string cloud_id;
};

DevinfoClient::DevinfoClient(DevinfoOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}

DevinfoClient::~DevinfoClient() = default;

ApiStatus DevinfoClient::Connect(std::string* cloud_id) {
  ApiStatus status = impl_->Connect();
  if (status.ok() && cloud_id != nullptr) *cloud_id = impl_->cloud_id;
  return status;
}

ApiStatus DevinfoClient::CheckAccess() {
  internal::HttpResponse response;
  ApiStatus status =
      impl_->Call("GET", "/repository/" + std::string(kDevinfoProbeRepositoryId), "", &response);
  // No such repository is the expected answer: the credentials may read.
  if (status.http_status == 404) {
    status.http_status = 200;
    status.error_messages.clear();
    status.body_summary.clear();
  }
  return status;
}

ApiStatus DevinfoClient::SubmitBulk(const std::vector<DevinfoRepository>& repositories,
                                    bool backfill, DevinfoBulkResult* result) {
  internal::HttpResponse response;
  ApiStatus status =
      impl_->Call("POST", "/bulk", Dump(DevinfoBulkBody(repositories, backfill)), &response);
  if (!status.ok() || result == nullptr) return status;
  *result = DevinfoBulkResult();
  json body = ParseResponseBody(response.body);
  if (!body.is_discarded()) ReadBulkResult(body, result);
  return status;
}

ApiStatus DevinfoClient::DeleteEntity(std::string_view repository_id, std::string_view entity_type,
                                      std::string_view entity_id, std::int64_t update_sequence_id) {
  internal::HttpResponse response;
  Impl& impl = *impl_;
  std::string path = "/repository/" + impl.transport.Escape(repository_id) + "/" +
                     impl.transport.Escape(entity_type) + "/" + impl.transport.Escape(entity_id) +
                     "?_updateSequenceId=" + std::to_string(update_sequence_id);
  return impl.Call("DELETE", path, "", &response);
}

}  // namespace jiralink::jira
