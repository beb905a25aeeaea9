// jiralink-serve: the webhook service (`jiralink serve` runs this program;
// see serve_command.cpp). Wiring only: settings, the outbox, the socket, the
// signals. The service itself is serve/ (http_server.h, webhook_handler.h).
//
//   jiralink-serve [--config FILE] [--listen HOST:PORT] [--threads N] [--log-requests]
//
// It listens on the socket systemd passed (socket activation), else on
// --listen, else on [serve] listen. It prints "listening on HOST:PORT" to
// stdout once ready and stops on SIGTERM or SIGINT (exit 0). Exit 2: bad
// settings or flags; 1: it could not start (the outbox, the address).
#include <signal.h>

#include <cstdio>
#include <memory>
#include <string>

#include "CLI/CLI.hpp"
#include "common.h"
#include "jiralink/renderer/cached_renderer.h"
#include "jiralink/serve/http_server.h"
#include "jiralink/serve/issues_pages.h"
#include "jiralink/serve/page_login.h"
#include "jiralink/serve/webhook_handler.h"

namespace {

using namespace jiralink;

// "127.0.0.1:8787" -> the host part with `port` in place of the configured one.
std::string WithPort(const std::string& listen, int port) {
  std::size_t colon = listen.rfind(':');
  return (colon == std::string::npos ? listen : listen.substr(0, colon)) + ":" +
         std::to_string(port);
}

}  // namespace

int main(int argc, char** argv) {
  cli::Context ctx;
  CLI::App app{"jiralink serve: forge webhooks (GitLab, Gitea/Forgejo, GitHub) into the outbox"};
  app.name("jiralink serve");
  cli::AddConfigOption(app, ctx);
  std::string listen;
  unsigned threads = 8;
  bool log_requests = false;
  app.add_option("--listen", listen, "HOST:PORT to listen on (overrides [serve] listen)");
  app.add_option("--threads", threads, "request threads")->check(CLI::Range(1u, 64u));
  app.add_flag("--log-requests", log_requests, "also log every accepted webhook to stderr");
  if (int code = cli::ParseOrExit(app, argc, argv); code >= 0) return code;

  // The signals are taken by sigwait below, never by a request thread.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  config::Config cfg;
  if (!cli::LoadConfig(ctx, &cfg)) return 2;
  config::Settings settings = cfg.ForRepo("");
  std::string instance_secret;
  if (Status status = config::ResolveWebhookSecret(settings.serve, &instance_secret);
      status.code() == Status::Code::kNotFound) {
    std::fprintf(stderr,
                 "jiralink serve: warning: no instance webhook secret ([serve] secret_file or "
                 "secret_env): only repositories with their own secret are accepted\n");
  } else if (!status.ok()) {
    std::fprintf(stderr, "jiralink serve: %s\n", status.message().c_str());
    return 2;
  }

  // Like the hook, the service leaves checkpoints to the delivery worker (they
  // sync the disk; a request should not wait for that), unless the log grows
  // very large without one.
  std::unique_ptr<outbox::Outbox> outbox;
  Status opened = cli::BecomeStateOwner(ctx, settings);
  if (opened.ok()) opened = cli::OpenOutbox(settings, &outbox, outbox::Checkpoints::kOnlyWhenLarge);
  if (Status status = opened; !status.ok()) {
    std::fprintf(stderr, "jiralink serve: %s\n", status.message().c_str());
    return 1;
  }
  serve::WebhookHandlerOptions handler_options;
  handler_options.log_accepted = log_requests;
  serve::WebhookHandler handler(cfg, std::move(outbox), handler_options);
  // /metrics: the figures of the render cache the settings choose (never
  // creating its SQLite file: the web server's renders do).
  renderer::CacheOptions cache;
  std::unique_ptr<renderer::Renderer> epoch;
  if (cli::ToCacheOptions(settings, &cache).ok() &&
      renderer::Renderer::Create(cli::ToRenderOptions(settings), &epoch).ok()) {
    handler.metrics().SetRenderCacheReader(
        [cache, fingerprint = epoch->fingerprint()](renderer::RenderCacheStats* stats) {
          return renderer::ReadCacheStats(cache, fingerprint, stats, false).ok();
        });
  }

  serve::ServerOptions options;
  options.listen = listen.empty() ? settings.serve.listen : listen;
  options.listen_fd = serve::TakeSystemdListenSocket();
  options.max_body_bytes = settings.serve.max_body_bytes;
  options.timeout_seconds = settings.serve.timeout_seconds;
  options.threads = threads;
  // The "View Jira issues" pages: only with [serve] web = true (issues_pages.h).
  std::unique_ptr<serve::IssuesPages> pages;
  serve::PageLogin login(settings.serve);
  if (settings.serve.web) {
    pages = std::make_unique<serve::IssuesPages>(cfg);
    options.issues_pages = pages.get();
    options.login = &login;
  }
  std::unique_ptr<serve::HttpServer> server;
  if (Status status = serve::HttpServer::Start(options, &handler, &server); !status.ok()) {
    std::fprintf(stderr, "jiralink serve: %s\n", status.message().c_str());
    return 1;
  }
  std::printf("listening on %s%s\n", WithPort(options.listen, server->port()).c_str(),
              options.listen_fd >= 0 ? " (socket from systemd)" : "");
  std::fflush(stdout);

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  std::fprintf(stderr, "jiralink serve: stopping (signal %d)\n", signal_number);
  server.reset();
  return 0;
}
