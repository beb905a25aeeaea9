// JiraStandin: the HTTP side (cpp-httplib), authentication, fault injection,
// request recording and the /_standin/ admin routes. The Jira routes
// themselves live in standin_api.cpp, the state in standin_model.cpp.
#include "standin.h"

#include <httplib.h>

#include <algorithm>
#include <cctype>
#include <condition_variable>
#include <cstdio>
#include <random>
#include <thread>

#include "standin_api.h"
#include "standin_devinfo.h"
#include "standin_model.h"
#include "standin_socket.h"

namespace jiralink::standin {

namespace {

using nlohmann::json;

std::string Lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

std::string Base64(const std::string& in) {
  static const char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    unsigned v = (static_cast<unsigned char>(in[i]) << 16) |
                 (static_cast<unsigned char>(in[i + 1]) << 8) |
                 static_cast<unsigned char>(in[i + 2]);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (i + 1 == in.size()) {
    unsigned v = static_cast<unsigned char>(in[i]) << 16;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += "==";
  } else if (i + 2 == in.size()) {
    unsigned v =
        (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

// Tomcat's page for a 401 behind Jira Server's Seraph filter.
const char kServerUnauthorizedHtml[] =
    "<!doctype html><html lang=\"en\"><head><title>HTTP Status 401 \xe2\x80\x93 Unauthorized"
    "</title><style type=\"text/css\">body {font-family:Tahoma,Arial,sans-serif;}</style>"
    "</head><body><h1>HTTP Status 401 \xe2\x80\x93 Unauthorized</h1><hr class=\"line\" />"
    "<p><b>Type</b> Status Report</p><p><b>Message</b> Basic Authentication Failure - Reason : "
    "AUTHENTICATED_FAILED</p><p><b>Description</b> The request has not been applied because it "
    "lacks valid authentication credentials for the target resource.</p><hr class=\"line\" />"
    "<h3>Apache Tomcat/9.0.82</h3></body></html>";

const char kCloudUnauthorizedText[] = "Client must be authenticated to access this resource.";

// Headers cpp-httplib adds to the request itself; not sent by the client.
bool IsSyntheticHeader(const std::string& lower_name) {
  return lower_name == "remote_addr" || lower_name == "remote_port" || lower_name == "local_addr" ||
         lower_name == "local_port";
}

// A test set the stand-in up wrongly: say so loudly, the test will fail later.
void ReportMisuse(const std::string& error) {
  std::fprintf(stderr, "jira-standin: %s\n", error.c_str());
}

json RecordedToJson(const RecordedRequest& r) {
  return {{"method", r.method},          {"path", r.path}, {"query", r.query},
          {"headers", r.headers},        {"body", r.body}, {"status", r.status},
          {"remote_port", r.remote_port}};
}

}  // namespace

bool FaultFromJson(const json& j, Fault* fault, std::string* error) {
  if (!j.is_object()) {
    *error = "fault: expected a JSON object";
    return false;
  }
  try {
    Fault f;
    f.method = j.value("method", f.method);
    f.path_contains = j.value("path_contains", f.path_contains);
    f.status = j.value("status", f.status);
    f.body = j.value("body", f.body);
    f.content_type = j.value("content_type", f.content_type);
    f.delay_ms = j.value("delay_ms", f.delay_ms);
    f.close_connection = j.value("close_connection", f.close_connection);
    f.after_processing = j.value("after_processing", f.after_processing);
    f.probability = j.value("probability", f.probability);
    if (f.probability < 0 || f.probability > 1) {
      *error = "fault: probability must be between 0 and 1";
      return false;
    }
    f.retry_after = j.value("retry_after", f.retry_after);
    f.times = j.value("times", f.times);
    f.headers = j.value("headers", f.headers);
    f.expire_token = j.value("expire_token", f.expire_token);
    *fault = std::move(f);
  } catch (const json::exception& e) {
    *error = std::string("fault: ") + e.what();
    return false;
  }
  return true;
}

struct JiraStandin::Impl {
  explicit Impl(Options o)
      : options(std::move(o)), model(options.personality), devinfo(options.devinfo) {}

  void Handle(const httplib::Request& req, httplib::Response& res);
  void HandleAdmin(const httplib::Request& req, httplib::Response& res);
  // Waits up to `ms`, less when Stop() begins; true when stopping.
  bool Sleep(int ms);
  // The fault that applies to this request, if any (one use is consumed).
  std::optional<Fault> TakeFault(const std::string& method, const std::string& path);
  void SetStatus(size_t index, int status);

  Options options;
  mutable std::mutex mutex;  // guards model, requests, faults, stopping
  internal::Model model;
  internal::DevinfoModel devinfo;  // Jira Cloud's Development Information API
  std::vector<RecordedRequest> requests;
  std::vector<Fault> faults;
  std::mt19937 fault_dice{20261201};  // for Fault::probability; seeded: runs repeat
  bool stopping = false;
  std::condition_variable stop_cv;

  httplib::Server server;
  std::thread thread;
  int port = -1;
  bool running = false;
};

bool JiraStandin::Impl::Sleep(int ms) {
  std::unique_lock<std::mutex> lock(mutex);
  return stop_cv.wait_for(lock, std::chrono::milliseconds(ms), [&] { return stopping; });
}

std::optional<Fault> JiraStandin::Impl::TakeFault(const std::string& method,
                                                  const std::string& path) {
  std::lock_guard<std::mutex> lock(mutex);
  for (auto it = faults.begin(); it != faults.end(); ++it) {
    if (!it->method.empty() && it->method != method) continue;
    if (path.find(it->path_contains) == std::string::npos) continue;
    if (it->probability < 1.0 &&
        std::uniform_real_distribution<double>(0.0, 1.0)(fault_dice) >= it->probability) {
      continue;
    }
    Fault fault = *it;
    if (it->times > 0 && --it->times == 0) faults.erase(it);
    return fault;
  }
  return std::nullopt;
}

void JiraStandin::Impl::SetStatus(size_t index, int status) {
  std::lock_guard<std::mutex> lock(mutex);
  if (index < requests.size()) requests[index].status = status;
}

void JiraStandin::Impl::Handle(const httplib::Request& req, httplib::Response& res) {
  if (req.path.rfind("/_standin/", 0) == 0) {
    HandleAdmin(req, res);
    return;
  }
  RecordedRequest record;
  record.method = req.method;
  record.path = req.path;
  size_t question = req.target.find('?');
  record.query = question == std::string::npos ? "" : req.target.substr(question + 1);
  for (const auto& [name, value] : req.headers) {
    std::string lower = Lower(name);
    if (!IsSyntheticHeader(lower)) record.headers[lower] = value;
  }
  record.body = req.body;
  record.remote_port = req.remote_port;
  record.received = std::chrono::steady_clock::now();
  size_t index;
  {
    std::lock_guard<std::mutex> lock(mutex);
    index = requests.size();
    requests.push_back(record);
  }

  std::optional<Fault> fault = TakeFault(req.method, req.path);
  // A lost reply: the request is applied below, then the answer is dropped.
  bool drop_after = fault && fault->close_connection && fault->after_processing;
  if (drop_after) fault.reset();
  if (fault && fault->expire_token) {
    // The tokens expire now; the request itself is answered as it comes.
    std::lock_guard<std::mutex> lock(mutex);
    devinfo.ExpireTokens();
    fault.reset();
  }
  if (fault) {
    if (fault->delay_ms > 0 && Sleep(fault->delay_ms)) {
      internal::ShutdownAcceptedConnections(port, req.remote_port);
      res.status = 503;
      return;
    }
    if (fault->close_connection) {
      // Writes of this answer then fail and cpp-httplib closes the socket:
      // the client sees the connection end without an answer.
      internal::ShutdownAcceptedConnections(port, req.remote_port);
      res.status = 500;
      return;
    }
    if (fault->status > 0) {
      res.status = fault->status;
      std::string body =
          fault->body.empty()
              ? internal::ErrorBody({"Injected fault: HTTP " + std::to_string(fault->status)})
              : fault->body;
      res.set_content(body, fault->content_type.empty() ? "application/json;charset=UTF-8"
                                                        : fault->content_type);
      if (!fault->retry_after.empty()) res.set_header("Retry-After", fault->retry_after);
      for (const auto& [name, value] : fault->headers) res.set_header(name, value);
      SetStatus(index, res.status);
      return;
    }
  }

  const bool cloud = options.personality == Personality::kCloud;
  std::string path = req.path;
  const std::string& context = options.context_path;
  if (!context.empty() && path == context + "/_edge/tenant_info") path = "/_edge/tenant_info";
  if (internal::DevinfoModel::Handles(path)) {
    internal::ApiRequest api;
    api.method = req.method;
    api.path = path;
    for (const auto& [name, value] : req.params) api.params.emplace(name, value);
    api.body = req.body;
    internal::ApiReply reply;
    {
      std::lock_guard<std::mutex> lock(mutex);
      reply =
          devinfo.Handle(api, req.get_header_value("Authorization"), cloud,
                         [&](const std::string& key) { return model.FindIssue(key) != nullptr; });
    }
    res.status = reply.status;
    if (!reply.body.empty()) res.set_content(reply.body, reply.content_type);
    for (const auto& [name, value] : reply.headers) res.set_header(name, value);
    SetStatus(index, res.status);
    if (drop_after) {
      internal::ShutdownAcceptedConnections(port, req.remote_port);
      SetStatus(index, 0);
    }
    return;
  }
  if (!context.empty()) {
    if (path.rfind(context + "/", 0) != 0) {
      res.status = 404;
      res.set_content(
          "<html><head><title>404 Not Found</title></head><body>Not Found</body></html>",
          "text/html;charset=UTF-8");
      SetStatus(index, res.status);
      return;
    }
    path = path.substr(context.size());
  }

  internal::ApiRequest api;
  api.method = req.method;
  api.path = path;
  for (const auto& [name, value] : req.params) api.params.emplace(name, value);
  api.body = req.body;
  api.username = options.username;
  api.display_name = options.display_name;
  api.max_results_cap = options.max_results_cap;
  api.new_createmeta = options.new_createmeta;
  api.old_createmeta = options.old_createmeta;

  // Authentication: serverInfo is open to anonymous callers, as on Jira.
  std::string authorization = req.get_header_value("Authorization");
  bool authenticated = authorization == "Basic " + Base64(options.username + ":" + options.token) ||
                       authorization == "Bearer " + options.token;
  bool open_route = path == "/rest/api/2/serverInfo";
  if (!authenticated && !open_route) {
    bool basic = authorization.rfind("Basic ", 0) == 0;
    if (cloud && basic && options.cloud_bad_basic_is_anonymous && path != "/rest/api/2/myself") {
      api.anonymous = true;
      res.set_header("X-Seraph-LoginReason", "AUTHENTICATED_FAILED");
    } else {
      res.status = 401;
      if (!authorization.empty()) res.set_header("X-Seraph-LoginReason", "AUTHENTICATED_FAILED");
      if (cloud) {
        res.set_content(kCloudUnauthorizedText, "text/plain;charset=UTF-8");
      } else {
        res.set_header("WWW-Authenticate", "OAuth realm=\"" + options.context_path + "\"");
        res.set_content(kServerUnauthorizedHtml, "text/html;charset=utf-8");
      }
      SetStatus(index, res.status);
      return;
    }
  }

  internal::ApiReply reply;
  {
    std::lock_guard<std::mutex> lock(mutex);
    reply = internal::HandleApi(model, api);
  }
  res.status = reply.status;
  if (!reply.body.empty()) res.set_content(reply.body, reply.content_type);
  for (const auto& [name, value] : reply.headers) res.set_header(name, value);
  if (!cloud && authenticated) {
    res.set_header("X-Seraph-LoginReason", "OK");
    res.set_header("X-AUSERNAME", options.username);
  }
  SetStatus(index, res.status);
  if (drop_after) {
    // Applied, but the client never hears of it. Recorded with status 0.
    internal::ShutdownAcceptedConnections(port, req.remote_port);
    SetStatus(index, 0);
  }
}

void JiraStandin::Impl::HandleAdmin(const httplib::Request& req, httplib::Response& res) {
  auto reply = [&](int status, const json& body) {
    res.status = status;
    res.set_content(body.dump(2) + "\n", "application/json");
  };
  const std::string& path = req.path;
  if (path == "/_standin/requests" && req.method == "GET") {
    std::string method = req.get_param_value("method");
    std::string contains = req.get_param_value("path_contains");
    json out = json::array();
    std::lock_guard<std::mutex> lock(mutex);
    for (const RecordedRequest& r : requests) {
      if (!method.empty() && r.method != method) continue;
      if (r.path.find(contains) == std::string::npos) continue;
      out.push_back(RecordedToJson(r));
    }
    reply(200, out);
  } else if (path == "/_standin/requests" && req.method == "DELETE") {
    std::lock_guard<std::mutex> lock(mutex);
    requests.clear();
    reply(200, json::object());
  } else if (path.rfind("/_standin/issues/", 0) == 0 && req.method == "GET") {
    std::string key = path.substr(std::string("/_standin/issues/").size());
    std::lock_guard<std::mutex> lock(mutex);
    const internal::IssueRecord* issue = model.FindIssue(key);
    if (issue == nullptr) {
      reply(404, {{"error", "no issue " + key}});
    } else {
      reply(200, model.AdminIssueJson(*issue));
    }
  } else if (path == "/_standin/faults" && req.method == "POST") {
    Fault fault;
    std::string error;
    json body = json::parse(req.body, nullptr, false);
    if (body.is_discarded() || !FaultFromJson(body, &fault, &error)) {
      reply(400, {{"error", body.is_discarded() ? "fault: body is not JSON" : error}});
      return;
    }
    std::lock_guard<std::mutex> lock(mutex);
    faults.push_back(std::move(fault));
    reply(200, json::object());
  } else if (path == "/_standin/faults" && req.method == "DELETE") {
    std::lock_guard<std::mutex> lock(mutex);
    faults.clear();
    reply(200, json::object());
  } else if (path == "/_standin/devinfo" && req.method == "GET") {
    std::lock_guard<std::mutex> lock(mutex);
    reply(200, devinfo.State());
  } else if (path == "/_standin/devinfo" && req.method == "DELETE") {
    std::lock_guard<std::mutex> lock(mutex);
    devinfo.Clear();
    reply(200, json::object());
  } else if (path == "/_standin/devinfo/expire_tokens" && req.method == "POST") {
    std::lock_guard<std::mutex> lock(mutex);
    devinfo.ExpireTokens();
    reply(200, json::object());
  } else if (path == "/_standin/devinfo/options" && req.method == "POST") {
    json body = json::parse(req.body, nullptr, false);
    std::lock_guard<std::mutex> lock(mutex);
    DevinfoOptions& o = devinfo.options();
    try {
      if (body.is_discarded() || !body.is_object()) throw std::invalid_argument("not an object");
      o.token_lifetime_seconds = body.value("token_lifetime_seconds", o.token_lifetime_seconds);
      o.permitted = body.value("permitted", o.permitted);
      o.client_id = body.value("client_id", o.client_id);
      o.client_secret = body.value("client_secret", o.client_secret);
      reply(200, json::object());
    } catch (const std::exception& e) {
      reply(400, {{"error", std::string("devinfo options: ") + e.what()}});
    }
  } else if (path == "/_standin/seed" && req.method == "POST") {
    json body = json::parse(req.body, nullptr, false);
    std::string error = "seed: body is not JSON";
    std::lock_guard<std::mutex> lock(mutex);
    if (body.is_discarded() || !model.Seed(body, &error)) {
      reply(400, {{"error", error}});
    } else {
      reply(200, json::object());
    }
  } else {
    reply(404, {{"error", "no admin route " + req.method + " " + path}});
  }
}

JiraStandin::JiraStandin(Options options) : impl_(std::make_unique<Impl>(std::move(options))) {
  std::string& context = impl_->options.context_path;
  while (!context.empty() && context.back() == '/') context.pop_back();
  if (!context.empty() && context.front() != '/') context.insert(context.begin(), '/');
}

JiraStandin::~JiraStandin() { Stop(); }

bool JiraStandin::Start() {
  if (impl_->running) return true;
  httplib::Server& server = impl_->server;
  // Enough workers for keep-alive clients and concurrent delivery runs.
  server.new_task_queue = [] { return new httplib::ThreadPool(16); };
  server.set_keep_alive_max_count(100000);
  server.set_keep_alive_timeout(5);
  // Headers and body go out in separate writes: without this, Nagle plus
  // delayed ACKs cost 40 ms per answer.
  server.set_tcp_nodelay(true);
  auto handler = [this](const httplib::Request& req, httplib::Response& res) {
    impl_->Handle(req, res);
  };
  server.Get(".*", handler);
  server.Post(".*", handler);
  server.Put(".*", handler);
  server.Delete(".*", handler);
  server.Patch(".*", handler);
  if (impl_->options.port == 0) {
    impl_->port = server.bind_to_any_port("127.0.0.1");
  } else {
    impl_->port = server.bind_to_port("127.0.0.1", impl_->options.port) ? impl_->options.port : -1;
  }
  if (impl_->port <= 0) return false;
  {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    impl_->model.set_base_url(base_url());
    impl_->stopping = false;
  }
  impl_->thread = std::thread([this] { impl_->server.listen_after_bind(); });
  // stop() is a no-op until the server runs: wait for it (bounded).
  for (int i = 0; i < 5000 && !server.is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  impl_->running = true;
  return server.is_running();
}

void JiraStandin::Stop() {
  if (!impl_->running) return;
  {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    impl_->stopping = true;
  }
  impl_->stop_cv.notify_all();
  impl_->server.stop();
  // Idle keep-alive connections would hold their worker for seconds.
  internal::ShutdownAcceptedConnections(impl_->port, -1);
  if (impl_->thread.joinable()) impl_->thread.join();
  impl_->running = false;
}

int JiraStandin::port() const { return impl_->port; }

std::string JiraStandin::base_url() const {
  return "http://127.0.0.1:" + std::to_string(impl_->port) + impl_->options.context_path;
}

const JiraStandin::Options& JiraStandin::options() const { return impl_->options; }

nlohmann::json JiraStandin::DevinfoState() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->devinfo.State();
}

void JiraStandin::ExpireDevinfoTokens() {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  impl_->devinfo.ExpireTokens();
}

void JiraStandin::SetDevinfoTokenLifetime(int seconds) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  impl_->devinfo.options().token_lifetime_seconds = seconds;
}

void JiraStandin::SetDevinfoPermitted(bool permitted) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  impl_->devinfo.options().permitted = permitted;
}

void JiraStandin::AddProject(const std::string& key, const std::string& name,
                             const std::string& id) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  std::string error;
  if (!impl_->model.AddProject(key, name, id, &error)) ReportMisuse(error);
}

void JiraStandin::AddIssue(const IssueSeed& seed) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  std::string error;
  if (!impl_->model.AddIssue(seed, &error)) ReportMisuse(error);
}

void JiraStandin::AddNumberedIssues(const std::string& project_key, int count) {
  for (int i = 1; i <= count; ++i) {
    IssueSeed seed;
    seed.key = project_key + "-" + std::to_string(i);
    seed.summary = "Issue " + std::to_string(i);
    AddIssue(seed);
  }
}

void JiraStandin::SetIssueTypes(const std::string& project_key, std::vector<IssueTypeSeed> types) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  std::string error;
  if (!impl_->model.SetIssueTypes(project_key, std::move(types), &error)) ReportMisuse(error);
}

void JiraStandin::HideIssue(const std::string& key) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  std::string error;
  if (!impl_->model.HideIssue(key, &error)) ReportMisuse(error);
}

void JiraStandin::RequireField(const std::string& project_key, const std::string& field,
                               const std::string& message) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  std::string error;
  if (!impl_->model.RequireField(project_key, field, message, &error)) ReportMisuse(error);
}

void JiraStandin::AddTransition(const std::string& id, const std::string& name,
                                const std::string& to) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  std::string error;
  if (!impl_->model.AddTransition(id, name, to, &error)) ReportMisuse(error);
}

void JiraStandin::AddUser(const std::string& display_name, const std::string& email) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  impl_->model.AddUser(display_name, email);
}

void JiraStandin::SetServerInfo(nlohmann::json server_info) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  impl_->model.SetServerInfo(std::move(server_info));
}

bool JiraStandin::Seed(const nlohmann::json& seed, std::string* error) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->model.Seed(seed, error);
}

nlohmann::json JiraStandin::Issue(const std::string& key) const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  const internal::IssueRecord* issue = impl_->model.FindIssue(key);
  if (issue == nullptr) return nullptr;
  return impl_->model.IssueJson(*issue, {}, false, false);
}

std::vector<nlohmann::json> JiraStandin::Comments(const std::string& key) const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  std::vector<nlohmann::json> out;
  if (const internal::IssueRecord* issue = impl_->model.FindIssue(key)) {
    for (const auto& c : issue->comments) out.push_back(impl_->model.CommentJson(*issue, c));
  }
  return out;
}

std::vector<nlohmann::json> JiraStandin::RemoteLinks(const std::string& key) const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  std::vector<nlohmann::json> out;
  if (const internal::IssueRecord* issue = impl_->model.FindIssue(key)) {
    for (const auto& l : issue->links) out.push_back(impl_->model.RemoteLinkJson(*issue, l));
  }
  return out;
}

std::vector<nlohmann::json> JiraStandin::Worklogs(const std::string& key) const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  std::vector<nlohmann::json> out;
  if (const internal::IssueRecord* issue = impl_->model.FindIssue(key)) {
    for (const auto& w : issue->worklogs) out.push_back(impl_->model.WorklogJson(*issue, w));
  }
  return out;
}

std::string JiraStandin::Status(const std::string& key) const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  const internal::IssueRecord* issue = impl_->model.FindIssue(key);
  return issue == nullptr ? "" : issue->status;
}

std::string JiraStandin::Resolution(const std::string& key) const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  const internal::IssueRecord* issue = impl_->model.FindIssue(key);
  return issue == nullptr ? "" : issue->resolution;
}

std::vector<RecordedRequest> JiraStandin::Requests() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->requests;
}

std::vector<RecordedRequest> JiraStandin::Requests(const std::string& method,
                                                   const std::string& path_contains) const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  std::vector<RecordedRequest> out;
  for (const RecordedRequest& r : impl_->requests) {
    if ((method.empty() || r.method == method) && r.path.find(path_contains) != std::string::npos) {
      out.push_back(r);
    }
  }
  return out;
}

void JiraStandin::ClearRequests() {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  impl_->requests.clear();
}

void JiraStandin::InjectFault(Fault fault) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  impl_->faults.push_back(std::move(fault));
}

void JiraStandin::ClearFaults() {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  impl_->faults.clear();
}

}  // namespace jiralink::standin
