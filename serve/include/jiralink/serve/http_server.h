// HttpServer: the HTTP side of `jiralink serve`, on GNU libmicrohttpd
// (Debian's libmicrohttpd-dev; the server systemd-journal-remote uses).
//
// Routes:
//   POST /hooks/gitlab | /hooks/gitea | /hooks/github   -> WebhookHandler
//   GET  /healthz                                        200 "ok"; 503 "unhealthy"
//        when a webhook could not be taken now (WebhookHandler::Healthy)
//   GET  /metrics                                        Prometheus text format
//   POST /_noop (only with ServerOptions::noop_route)    reads the body, 204 (benchmarks)
//   GET  /<repository>/-/integrations/jira/issues[/KEY], GET /-/jiralink.css
//        -> IssuesPages (issues_pages.h) when ServerOptions::issues_pages is set,
//           else 404. With a login (ServerOptions::login, page_login.h), a
//           page other than the stylesheet is answered 403/401/400 unless the
//           proxy's header names a viewer. Without one, the pages are served
//           only on a loopback listening socket: on any other, Start() drops
//           them (404, like no pages) and says so once on stderr.
// Anything else: 404; a known path with the wrong method: 405 with Allow.
//
// Hardening, before the handler sees a request:
//  - Content-Type must be application/json (parameters allowed)   415
//  - Content-Length over max_body_bytes: answered at once, the body
//    is not read; a chunked body that grows past it                 413
//  - the connection idles longer than timeout_seconds: closed; a request
//    (headers and body) has not arrived whole timeout_seconds after the
//    connection opened or its previous request ended: closed, however
//    steadily it trickles in (a watchdog thread shuts the socket down)
//  - at most max_connections at once (more wait in the listen backlog)
// The request threads (a pool, epoll) never wait on anything but the outbox.
// A page that needs Jira (IssuesPages::Begin) waits suspended while its Jira
// half runs on a page thread of its own; the site's call bound
// (kMaxJiraCallsPerSite) bounds those threads.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "jiralink/core/status.h"
#include "jiralink/serve/issues_pages.h"
#include "jiralink/serve/page_login.h"
#include "jiralink/serve/webhook_handler.h"

namespace jiralink::serve {

struct ServerOptions {
  std::string listen = "127.0.0.1:8787";  // "host:port" / "[v6]:port"; port 0 = any free port
  int listen_fd = -1;                     // a listening socket to use instead (systemd)
  std::int64_t max_body_bytes = 1024 * 1024;
  int timeout_seconds = 10;
  // Request threads. They mostly wait for the group commit that holds their
  // jobs: more threads make larger groups (measured: 8 gave 1.5x the
  // webhooks/s of 4 on 2 cores).
  unsigned threads = 8;
  unsigned max_connections = 1024;
  bool noop_route = false;
  IssuesPages* issues_pages = nullptr;  // the "View Jira issues" pages; null = none
  const PageLogin* login = nullptr;     // the pages' login; null or !enabled() = none
};

class HttpServer {
 public:
  // Starts serving on background threads. Errors: the address cannot be
  // parsed (InvalidArgument) or bound (IOError, with the reason).
  static Status Start(const ServerOptions& options, WebhookHandler* handler,
                      std::unique_ptr<HttpServer>* out);
  ~HttpServer();  // stops: closes the listening socket and every connection

  // The port actually bound (useful with port 0).
  int port() const { return port_; }

  // Requests cut by the watchdog so far (slow clients; for tests).
  std::uint64_t slow_requests_cut() const;

  // False when options.issues_pages was given but is not served (no login
  // and a listening socket that is not loopback; see above).
  bool pages_served() const;

  struct State;  // shared with the libmicrohttpd callbacks (http_server.cpp)

 private:
  HttpServer() = default;
  std::unique_ptr<State> state_;
  int port_ = 0;
};

// The listening socket systemd passed (socket activation: LISTEN_PID is
// this process and LISTEN_FDS >= 1): fd 3, or -1 when none was passed. The
// variables are removed from the environment either way, so children do
// not take the socket for theirs.
int TakeSystemdListenSocket();

}  // namespace jiralink::serve
