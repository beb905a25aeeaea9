#include "jiralink/serve/http_server.h"

#include <fcntl.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string_view>
#include <thread>
#include <unordered_set>

#include "stage_timing.h"

namespace jiralink::serve {

namespace {

using Clock = std::chrono::steady_clock;

enum class Route { kWebhook, kHealth, kMetrics, kNoop, kPage };

// One request's state between the libmicrohttpd calls.
struct Request {
  Route route = Route::kWebhook;
  PageWork page_work;  // kPage: the Jira half, run on a page thread
  PageResponse page;   // its answer
  bool page_sent = false;
  bool page_ready = false;
  Forge forge = Forge::kGitLab;
  Clock::time_point begun;
  std::string body;
  bool too_large = false;
  bool answered = false;
  bool started = false;  // StartRequest has routed it
  std::string raw_uri;   // as sent, with its query (the pages parse their own: '+' is a space)
};

// Called by libmicrohttpd with the raw request target, before the first
// OnRequest; the Request it returns is that request's slot.
void* KeepRawUri(void* /*cls*/, const char* uri, MHD_Connection* /*connection*/) {
  auto* request = new Request();
  if (uri != nullptr) request->raw_uri = uri;
  return request;
}

bool IsJsonContentType(std::string_view type) {
  constexpr std::string_view kJson = "application/json";
  if (type.size() < kJson.size() || strncasecmp(type.data(), kJson.data(), kJson.size()) != 0) {
    return false;
  }
  std::string_view rest = type.substr(kJson.size());
  return rest.empty() || rest[0] == ';' || rest[0] == ' ' || rest[0] == '\t';
}

MHD_Result Respond(MHD_Connection* connection, unsigned status, const std::string& body,
                   const char* content_type, const char* allow = nullptr) {
  MHD_Response* response = MHD_create_response_from_buffer(
      body.size(), const_cast<char*>(body.data()), MHD_RESPMEM_MUST_COPY);
  if (response == nullptr) return MHD_NO;
  MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
  if (allow != nullptr) MHD_add_response_header(response, MHD_HTTP_HEADER_ALLOW, allow);
  MHD_Result result = MHD_queue_response(connection, status, response);
  MHD_destroy_response(response);
  return result;
}

MHD_Result RespondPage(MHD_Connection* connection, const PageResponse& page) {
  MHD_Response* response = MHD_create_response_from_buffer(
      page.body.size(), const_cast<char*>(page.body.data()), MHD_RESPMEM_MUST_COPY);
  if (response == nullptr) return MHD_NO;
  MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, page.content_type.c_str());
  for (const auto& [name, value] : page.headers) {
    MHD_add_response_header(response, name.c_str(), value.c_str());
  }
  MHD_Result result = MHD_queue_response(connection, static_cast<unsigned>(page.status), response);
  MHD_destroy_response(response);
  return result;
}

MHD_Result RespondJson(MHD_Connection* connection, unsigned status, const std::string& body) {
  return Respond(connection, status, body, "application/json");
}

std::string_view Header(MHD_Connection* connection, const char* name) {
  const char* value = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, name);
  return value != nullptr ? std::string_view(value) : std::string_view();
}

// Binds and listens on "host:port" or "[v6]:port".
Status Listen(const std::string& listen, int* fd, int* port) {
  std::size_t colon = listen.rfind(':');
  if (colon == std::string::npos) {
    return Status::InvalidArgument("listen address \"" + listen + "\" is not host:port");
  }
  std::string host = listen.substr(0, colon);
  std::string service = listen.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  if (int rc = getaddrinfo(host.empty() ? nullptr : host.c_str(), service.c_str(), &hints, &found);
      rc != 0) {
    return Status::InvalidArgument("listen address \"" + listen + "\": " + gai_strerror(rc));
  }
  std::string problem = "no address";
  for (addrinfo* a = found; a != nullptr; a = a->ai_next) {
    int s = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol);
    if (s < 0) {
      problem = std::strerror(errno);
      continue;
    }
    int on = 1;
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    if (bind(s, a->ai_addr, a->ai_addrlen) == 0 && ::listen(s, 1024) == 0) {
      sockaddr_storage bound{};
      socklen_t length = sizeof bound;
      getsockname(s, reinterpret_cast<sockaddr*>(&bound), &length);
      *port = bound.ss_family == AF_INET6
                  ? ntohs(reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port)
                  : ntohs(reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
      *fd = s;
      freeaddrinfo(found);
      return Status::Ok();
    }
    problem = std::strerror(errno);
    close(s);
  }
  freeaddrinfo(found);
  return Status::IOError("cannot listen on " + listen + ": " + problem);
}

// libmicrohttpd's own messages (a connection cut off, a failed accept),
// marked as the service's.
void LogLibraryMessage(void* /*cls*/, const char* format, va_list arguments) {
  char text[512];
  std::vsnprintf(text, sizeof text, format, arguments);
  std::string_view line = text;
  while (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  std::fprintf(stderr, "jiralink serve: libmicrohttpd: %.*s\n", static_cast<int>(line.size()),
               line.data());
}

int PortOf(int fd) {
  sockaddr_storage bound{};
  socklen_t length = sizeof bound;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &length) != 0) return 0;
  if (bound.ss_family == AF_INET6) return ntohs(reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port);
  if (bound.ss_family == AF_INET) return ntohs(reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  return 0;
}

}  // namespace

// The deadline of one connection's request (slow clients): libmicrohttpd's
// own timeout restarts at every byte, so headers sent a byte at a time would
// hold a connection for ever. The watchdog shuts the socket down once a
// request has been arriving for timeout_seconds; libmicrohttpd then sees the
// end of the stream and closes the connection.
struct ConnectionWatch {
  int fd = -1;
  bool receiving = true;  // the request is still arriving (headers or body)
  bool cut = false;       // the watchdog shut it down
  Clock::time_point deadline;
};

struct HttpServer::State {
  ServerOptions options;
  WebhookHandler* handler = nullptr;
  MHD_Daemon* daemon = nullptr;
  int listen_fd = -1;

  std::mutex watch_mutex;  // every ConnectionWatch, and the watchdog's stop
  std::condition_variable watch_wake;
  std::unordered_set<ConnectionWatch*> watches;
  bool stopping = false;
  std::thread watchdog;
  std::atomic<std::uint64_t> cut_slow = 0;

  std::mutex pages_mutex;  // page threads running
  std::condition_variable pages_done;
  int page_threads = 0;

  // The request on `connection` has arrived whole (or is answered): its
  // deadline no longer applies. With `next`: it is done, and the next
  // request on the connection gets timeout_seconds from now.
  void Received(MHD_Connection* connection, bool next) {
    const MHD_ConnectionInfo* info =
        MHD_get_connection_info(connection, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    if (info == nullptr || info->socket_context == nullptr) return;
    auto* watch = static_cast<ConnectionWatch*>(info->socket_context);
    std::lock_guard lock(watch_mutex);
    watch->receiving = next;
    watch->deadline = Clock::now() + std::chrono::seconds(options.timeout_seconds);
  }

  // True when the watchdog cut the connection's request.
  bool WasCut(MHD_Connection* connection) {
    const MHD_ConnectionInfo* info =
        MHD_get_connection_info(connection, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    if (info == nullptr || info->socket_context == nullptr) return false;
    std::lock_guard lock(watch_mutex);
    return static_cast<ConnectionWatch*>(info->socket_context)->cut;
  }

  void Watchdog() {
    std::unique_lock lock(watch_mutex);
    while (!stopping) {
      watch_wake.wait_for(lock, std::chrono::milliseconds(250));
      Clock::time_point now = Clock::now();
      for (ConnectionWatch* watch : watches) {
        if (watch->receiving && now >= watch->deadline) {
          // Closed by libmicrohttpd, which reads the end of the stream; the
          // descriptor stays ours to touch until its close notification,
          // which waits for this lock.
          ::shutdown(watch->fd, SHUT_RDWR);
          watch->receiving = false;
          watch->cut = true;
          ++cut_slow;
        }
      }
    }
  }
};

namespace {

void OnConnection(void* cls, MHD_Connection* connection, void** socket_context,
                  MHD_ConnectionNotificationCode code) {
  auto& state = *static_cast<HttpServer::State*>(cls);
  if (code == MHD_CONNECTION_NOTIFY_STARTED) {
    const MHD_ConnectionInfo* info =
        MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
    if (info == nullptr) return;
    auto* watch = new ConnectionWatch();
    watch->fd = info->connect_fd;
    watch->deadline = Clock::now() + std::chrono::seconds(state.options.timeout_seconds);
    std::lock_guard lock(state.watch_mutex);
    state.watches.insert(watch);
    *socket_context = watch;
  } else if (code == MHD_CONNECTION_NOTIFY_CLOSED && *socket_context != nullptr) {
    auto* watch = static_cast<ConnectionWatch*>(*socket_context);
    {
      std::lock_guard lock(state.watch_mutex);
      state.watches.erase(watch);
    }
    delete watch;
    *socket_context = nullptr;
  }
}

// Runs the page's Jira half on its own thread while the connection waits
// suspended; the request threads go on with other connections.
void StartPageThread(HttpServer::State& state, MHD_Connection* connection, Request* request) {
  {
    std::lock_guard lock(state.pages_mutex);
    ++state.page_threads;
  }
  MHD_suspend_connection(connection);
  std::thread([&state, connection, request] {
    request->page = request->page_work();
    request->page_work = nullptr;  // gives the site's call slot back
    request->page_ready = true;
    MHD_resume_connection(connection);
    std::lock_guard lock(state.pages_mutex);
    --state.page_threads;
    state.pages_done.notify_all();
  }).detach();
}

MHD_Result StartRequest(HttpServer::State& state, MHD_Connection* connection, std::string_view url,
                        std::string_view method, void** request_slot) {
  // The slot holds the Request KeepRawUri made; an early answer below frees it.
  std::unique_ptr<Request> request(static_cast<Request*>(*request_slot));
  *request_slot = nullptr;
  if (request == nullptr) request = std::make_unique<Request>();
  request->started = true;
  request->begun = Clock::now();
  bool post = method == MHD_HTTP_METHOD_POST;
  bool get = method == MHD_HTTP_METHOD_GET || method == MHD_HTTP_METHOD_HEAD;
  if (url == "/hooks/gitlab" || url == "/hooks/gitea" || url == "/hooks/github") {
    request->forge = url == "/hooks/gitlab"  ? Forge::kGitLab
                     : url == "/hooks/gitea" ? Forge::kGitea
                                             : Forge::kGitHub;
    if (!post) {
      return Respond(connection, MHD_HTTP_METHOD_NOT_ALLOWED, "{\"error\":\"use POST\"}",
                     "application/json", "POST");
    }
    Metrics& metrics = state.handler->metrics();
    if (!IsJsonContentType(Header(connection, MHD_HTTP_HEADER_CONTENT_TYPE))) {
      metrics.Rejected(request->forge, RejectReason::kUnsupportedMediaType);
      return RespondJson(connection, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE,
                         "{\"error\":\"the body must be application/json\"}");
    }
    std::string_view length = Header(connection, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (!length.empty() && std::strtoull(std::string(length).c_str(), nullptr, 10) >
                               static_cast<unsigned long long>(state.options.max_body_bytes)) {
      metrics.Rejected(request->forge, RejectReason::kTooLarge);
      return RespondJson(connection, MHD_HTTP_CONTENT_TOO_LARGE,
                         "{\"error\":\"the body is larger than [serve] max_body_bytes (" +
                             std::to_string(state.options.max_body_bytes) + ")\"}");
    }
    request->route = Route::kWebhook;
  } else if (url == "/healthz" || url == "/metrics") {
    if (!get) {
      return Respond(connection, MHD_HTTP_METHOD_NOT_ALLOWED, "use GET\n", "text/plain",
                     "GET, HEAD");
    }
    if (url == "/healthz") {
      // Healthy only while a webhook could be taken (webhook_handler.h).
      std::string why;
      if (state.handler != nullptr && !state.handler->Healthy(&why)) {
        std::fprintf(stderr, "jiralink serve: /healthz: unhealthy: %s\n", why.c_str());
        return Respond(connection, MHD_HTTP_SERVICE_UNAVAILABLE, "unhealthy\n", "text/plain");
      }
      return Respond(connection, MHD_HTTP_OK, "ok\n", "text/plain");
    }
    return Respond(connection, MHD_HTTP_OK, state.handler->MetricsText(),
                   "text/plain; version=0.0.4; charset=utf-8");
  } else if (state.options.issues_pages != nullptr && IssuesPages::Handles(url)) {
    if (!get) {
      return Respond(connection, MHD_HTTP_METHOD_NOT_ALLOWED, "use GET\n", "text/plain",
                     "GET, HEAD");
    }
    // The login (page_login.h): the stylesheet holds no data and needs none.
    Viewer viewer;
    const Viewer* who = nullptr;
    const PageLogin* login = state.options.login;
    if (login != nullptr && login->enabled() && url != kStylesheetPath) {
      const MHD_ConnectionInfo* peer =
          MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
      auto value = [&](const std::string& name) {
        return name.empty()
                   ? nullptr
                   : MHD_lookup_connection_value(connection, MHD_HEADER_KIND, name.c_str());
      };
      LoginResult result =
          login->Identify(peer != nullptr ? peer->client_addr : nullptr, value(login->header()),
                          value(login->groups_header()), &viewer);
      if (result != LoginResult::kViewer) {
        return RespondPage(connection, IssuesPages::MessageAnswer(PageLogin::StatusOf(result),
                                                                  PageLogin::TitleOf(result),
                                                                  PageLogin::MessageOf(result)));
      }
      who = &viewer;
    }
    std::string_view target = request->raw_uri;
    std::size_t mark = target.find('?');
    std::string_view query = mark == std::string_view::npos ? "" : target.substr(mark + 1);
    PageResponse answer;
    if (!state.options.issues_pages->Begin(url, IssuesPages::ParseQuery(query), &answer,
                                           &request->page_work, who)) {
      return RespondPage(connection, answer);
    }
    request->route = Route::kPage;  // on a page thread at the next call
  } else if (url == "/_noop" && state.options.noop_route && post) {
    request->route = Route::kNoop;
  } else {
    return Respond(connection, MHD_HTTP_NOT_FOUND, "not found\n", "text/plain");
  }
  *request_slot = request.release();
  return MHD_YES;
}

MHD_Result OnRequest(void* cls, MHD_Connection* connection, const char* url, const char* method,
                     const char* /*version*/, const char* upload_data, size_t* upload_data_size,
                     void** request_slot) {
  auto& state = *static_cast<HttpServer::State*>(cls);
  auto* request = static_cast<Request*>(*request_slot);
  if (request == nullptr || !request->started) {
    MHD_Result result = StartRequest(state, connection, url, method, request_slot);
    // Answered at once: the deadline is over. Else it runs on for the body.
    if (*request_slot == nullptr) state.Received(connection, false);
    return result;
  }
  if (request->route == Route::kPage) {
    if (request->page_ready) {
      request->answered = true;
      return RespondPage(connection, request->page);
    }
    if (!request->page_sent) {
      request->page_sent = true;
      state.Received(connection, false);
      StartPageThread(state, connection, request);
    }
    *upload_data_size = 0;
    return MHD_YES;
  }

  if (*upload_data_size > 0) {
    auto limit = std::chrono::seconds(state.options.timeout_seconds);
    if (Clock::now() - request->begun > limit) {
      if (request->route == Route::kWebhook) {
        state.handler->metrics().Rejected(request->forge, RejectReason::kTimeout);
      }
      request->answered = true;  // counted: the close is the answer
      return MHD_NO;
    }
    if (!request->too_large) {
      if (request->body.size() + *upload_data_size >
          static_cast<std::size_t>(state.options.max_body_bytes)) {
        request->too_large = true;
        request->body.clear();
        request->body.shrink_to_fit();
      } else {
        request->body.append(upload_data, *upload_data_size);
      }
    }
    *upload_data_size = 0;
    return MHD_YES;
  }

  // The whole body is here.
  request->answered = true;
  state.Received(connection, false);
  if (request->route == Route::kNoop) {
    return Respond(connection, MHD_HTTP_NO_CONTENT, "", "text/plain");
  }
  timing::Add(
      timing::kBody,
      std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - request->begun).count());
  if (request->too_large) {
    state.handler->metrics().Rejected(request->forge, RejectReason::kTooLarge);
    return RespondJson(connection, MHD_HTTP_CONTENT_TOO_LARGE,
                       "{\"error\":\"the body is larger than [serve] max_body_bytes (" +
                           std::to_string(state.options.max_body_bytes) + ")\"}");
  }
  HeaderLookup headers = [connection](std::string_view name) {
    return Header(connection, std::string(name).c_str());
  };
  WebhookResponse response = state.handler->Handle(request->forge, headers, request->body);
  return RespondJson(connection, static_cast<unsigned>(response.status), response.body);
}

void OnCompleted(void* cls, MHD_Connection* connection, void** request_slot,
                 MHD_RequestTerminationCode code) {
  auto& state = *static_cast<HttpServer::State*>(cls);
  bool cut = state.WasCut(connection);
  state.Received(connection, true);  // a next request on the connection starts its deadline
  auto* request = static_cast<Request*>(*request_slot);
  if (request == nullptr) return;
  if (!request->answered && request->route == Route::kWebhook &&
      (code == MHD_REQUEST_TERMINATED_TIMEOUT_REACHED || cut)) {
    state.handler->metrics().Rejected(request->forge, RejectReason::kTimeout);
  }
  delete request;
  *request_slot = nullptr;
}

}  // namespace

Status HttpServer::Start(const ServerOptions& options, WebhookHandler* handler,
                         std::unique_ptr<HttpServer>* out) {
  auto state = std::make_unique<State>();
  state->options = options;
  state->handler = handler;
  int port = 0;
  if (options.listen_fd >= 0) {
    state->listen_fd = options.listen_fd;
    int flags = fcntl(state->listen_fd, F_GETFL);
    if (flags >= 0) fcntl(state->listen_fd, F_SETFL, flags | O_NONBLOCK);
    port = PortOf(state->listen_fd);
  } else if (Status status = Listen(options.listen, &state->listen_fd, &port); !status.ok()) {
    return status;
  }
  // Without a login, the pages are for whoever can reach a loopback socket.
  bool login = options.login != nullptr && options.login->enabled();
  if (options.issues_pages != nullptr && !login && !ListensOnLoopback(state->listen_fd)) {
    std::fprintf(stderr,
                 "jiralink serve: the Jira issue pages are not served: [serve] web = true, but "
                 "there is no login ([serve] auth_header) and %s is not a loopback address; "
                 "webhooks are served. Put an authenticating reverse proxy in front and set "
                 "[serve] auth_header and auth_proxies, or listen on 127.0.0.1\n",
                 options.listen_fd >= 0 ? "the socket from systemd" : options.listen.c_str());
    state->options.issues_pages = nullptr;
  }
  // MHD_USE_ITC: stopping wakes the threads through an eventfd, never by
  // shutdown() of the listening socket, which systemd shares with us.
  // MHD_ALLOW_SUSPEND_RESUME: a page waits for Jira suspended, off the
  // request threads.
  unsigned flags =
      MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME;
  state->daemon = MHD_start_daemon(
      flags, 0, nullptr, nullptr, &OnRequest, state.get(), MHD_OPTION_EXTERNAL_LOGGER,
      &LogLibraryMessage, nullptr, MHD_OPTION_LISTEN_SOCKET, state->listen_fd,
      MHD_OPTION_THREAD_POOL_SIZE, options.threads, MHD_OPTION_CONNECTION_TIMEOUT,
      static_cast<unsigned>(options.timeout_seconds), MHD_OPTION_CONNECTION_LIMIT,
      options.max_connections, MHD_OPTION_CONNECTION_MEMORY_LIMIT, static_cast<size_t>(64 * 1024),
      MHD_OPTION_NOTIFY_COMPLETED, &OnCompleted, state.get(), MHD_OPTION_NOTIFY_CONNECTION,
      &OnConnection, state.get(), MHD_OPTION_URI_LOG_CALLBACK, &KeepRawUri, nullptr,
      MHD_OPTION_END);
  if (state->daemon == nullptr) {
    if (options.listen_fd < 0) close(state->listen_fd);
    return Status::IOError("libmicrohttpd could not start on " +
                           (options.listen_fd >= 0 ? "the passed socket" : options.listen));
  }
  state->watchdog = std::thread([raw = state.get()] { raw->Watchdog(); });
  out->reset(new HttpServer());
  (*out)->state_ = std::move(state);
  (*out)->port_ = port;
  return Status::Ok();
}

HttpServer::~HttpServer() {
  if (state_ == nullptr || state_->daemon == nullptr) return;
  // Quiescing hands the listening socket back instead of shutting it down.
  MHD_socket fd = MHD_quiesce_daemon(state_->daemon);
  {
    // Suspended pages must be resumed before the daemon stops: their threads
    // end within [jira] timeout_seconds.
    std::unique_lock lock(state_->pages_mutex);
    state_->pages_done.wait(lock, [&] { return state_->page_threads == 0; });
  }
  MHD_stop_daemon(state_->daemon);
  if (fd != MHD_INVALID_SOCKET) close(fd);
  {
    std::lock_guard lock(state_->watch_mutex);
    state_->stopping = true;
  }
  state_->watch_wake.notify_all();
  state_->watchdog.join();
}

std::uint64_t HttpServer::slow_requests_cut() const { return state_->cut_slow.load(); }

bool HttpServer::pages_served() const { return state_->options.issues_pages != nullptr; }

int TakeSystemdListenSocket() {
  const char* pid = std::getenv("LISTEN_PID");
  const char* fds = std::getenv("LISTEN_FDS");
  bool ours = pid != nullptr && fds != nullptr && std::strtol(pid, nullptr, 10) == getpid() &&
              std::strtol(fds, nullptr, 10) >= 1;
  unsetenv("LISTEN_PID");
  unsetenv("LISTEN_FDS");
  unsetenv("LISTEN_FDNAMES");
  if (!ours) return -1;
  constexpr int kFirstPassedFd = 3;  // SD_LISTEN_FDS_START
  fcntl(kFirstPassedFd, F_SETFD, FD_CLOEXEC);
  return kFirstPassedFd;
}

}  // namespace jiralink::serve
