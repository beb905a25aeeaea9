// jiralink hook post-receive      (run by git, inside a bare repository)
// jiralink hook pre-receive       (run by git: the push policy, hook/hook_pre_receive.cpp)
// jiralink hook install [--uninstall] REPO...
//
// post-receive reads git's "<old> <new> <ref>" lines, queues Jira jobs for
// the new commits in the outbox, starts a detached `jiralink deliver --once`
// and exits 0 whatever happens: a push must never fail because of jiralink.
// JIRALINK_NO_AUTO_DELIVER=1 skips the detached run (tests, or hosts where a
// `jiralink deliver --daemon` does the delivering). With a PostgreSQL outbox
// and the host's `deliver --daemon` running, the jobs go through the daemon
// (outbox/enqueue_relay.h), which delivers them: no detached run then.
#include <syslog.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "commands.h"
#include "common.h"
#include "hook_pre_receive.h"
#include "jiralink/config/loader.h"
#include "jiralink/core/postgres_uri.h"
#include "jiralink/core/terminal_text.h"
#include "jiralink/delivery/delivery_log.h"
#include "jiralink/hooks/detach.h"
#include "jiralink/hooks/installer.h"
#include "jiralink/hooks/post_receive.h"
#include "jiralink/outbox/enqueue_relay.h"
#include "jiralink/outbox/maildrop.h"
#include "jiralink/outbox/sqlite_outbox.h"
#include "jiralink/state/private_files.h"
#include "jiralink/state/state_owner.h"

namespace jiralink::cli {

namespace {

namespace fs = std::filesystem;

std::string ReadStdin() {
  std::string text;
  char buffer[1 << 14];
  for (;;) {
    ssize_t n = ::read(STDIN_FILENO, buffer, sizeof buffer);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      break;
    }
    text.append(buffer, static_cast<std::size_t>(n));
  }
  return text;
}

// Warnings quote the push (stdin lines, commit text): shown to the pusher's
// terminal through git, so made terminal-safe first.
void Warn(const std::string& message) {
  std::fprintf(stderr, "jiralink: warning: %s\n",
               SafeTerminalText(message, LineBreaks::kFlatten).c_str());
}

// Tells the pusher how to queue the push later, with the exact input, and
// the operator too: nobody reads a push's output later, so the same lines go
// to the system log (journalctl -t jiralink).
void WarnNotQueued(const std::string& reason, const std::string& git_dir,
                   const std::string& input) {
  Warn(reason + "; this push was NOT queued for Jira");
  ::openlog("jiralink", LOG_PID, LOG_USER);
  ::syslog(LOG_WARNING,
           "a push to %s was NOT queued for Jira: %s; to queue it, feed these lines to `jiralink "
           "hook post-receive` run in that repository: %s",
           git_dir.c_str(), SafeTerminalText(reason, LineBreaks::kFlatten).c_str(),
           SafeTerminalText(input, LineBreaks::kFlatten).c_str());
  ::closelog();
  std::string lines = input;
  while (!lines.empty() && lines.back() == '\n') lines.pop_back();
  if (lines.empty()) return;
  std::fprintf(stderr,
               "jiralink: to queue it once fixed, feed these lines to `jiralink hook "
               "post-receive` run in %s:\n",
               git_dir.c_str());
  std::size_t pos = 0;
  while (pos < lines.size()) {
    std::size_t end = lines.find('\n', pos);
    if (end == std::string::npos) end = lines.size();
    std::fprintf(stderr, "jiralink:     %s\n", lines.substr(pos, end - pos).c_str());
    pos = end + 1;
  }
}

std::string ResolveGitDir() {
  const char* env = std::getenv("GIT_DIR");
  std::error_code ec;
  fs::path dir = fs::absolute(env != nullptr && *env != '\0' ? fs::path(env) : fs::path("."), ec);
  fs::path canonical = fs::weakly_canonical(dir, ec);
  return (ec ? dir : canonical).string();
}

bool AutoDeliverDisabled() {
  const char* value = std::getenv("JIRALINK_NO_AUTO_DELIVER");
  return value != nullptr && *value != '\0' && std::string(value) != "0";
}

int PostReceive(Context& ctx) {
  std::string input = ReadStdin();
  std::string git_dir = ResolveGitDir();

  config::Config cfg;
  if (!LoadConfig(ctx, &cfg)) {
    WarnNotQueued("the jiralink settings are broken (see above)", git_dir, input);
    return 0;
  }
  // GitLab keeps repositories under hashed paths and names them in $GL_PROJECT_PATH.
  const char* gl_project_path = std::getenv("GL_PROJECT_PATH");
  std::string repository = config::RepositoryName(
      git_dir, cfg.ForRepo("").git.root, gl_project_path != nullptr ? gl_project_path : "");
  config::Settings settings = cfg.ForRepo(repository);
  // Root pushing into a repository acts as the queue's owner; a pusher that
  // is not the owner hands its jobs over through the maildrop.
  if (Status owner = BecomeStateOwner(ctx, settings); !owner.ok()) {
    WarnNotQueued(owner.message(), git_dir, input);
    return 0;
  }
  const bool maildrop = state::BelongsToAnotherUser(settings.state.dir);

  hooks::PostReceiveOptions options;
  options.git_dir = git_dir;
  options.matching = ToMatchingOptions(settings.matching);
  options.walk.default_branch = settings.git.default_branch;
  options.walk.max_commits_per_update = settings.git.max_commits_per_push;
  options.plan.repository = repository;
  options.plan.site = settings.jira.api_url;
  options.plan.transitions_enabled = settings.transitions.enabled;
  options.plan.mentions_enabled = settings.triggers.commit;
  options.plan.smart_commits_enabled = settings.smart_commits.enabled;
  options.plan.commit_url_template = settings.git.commit_url;
  options.plan.repo_url_template = settings.git.repo_url;
  options.plan.branch_url_template = settings.git.branch_url;
  // Not also gated on settings.jira.cloud, which is known from the URL only:
  // a Cloud site on its own domain has the API too. On Server/Data Center
  // `config check` warns, and delivery names the missing API in each job.
  options.plan.devinfo_enabled = settings.devinfo.enabled;

  hooks::PostReceiveSummary summary;
  // Opened while git walks. The push waits for this process: the worker
  // started below checkpoints.
  // A PostgreSQL outbox that cannot be reached: the jobs go to the spool.
  std::string spooled;
  auto open_outbox = [&](std::unique_ptr<outbox::Outbox>* outbox) {
    return OpenOutbox(settings, outbox, outbox::Checkpoints::kOnlyWhenLarge, &spooled);
  };
  // With PostgreSQL, the host's `deliver --daemon` takes the jobs when it
  // runs (outbox/enqueue_relay.h): no libpq load, no new server backend.
  outbox::RelayReport relay;
  Status status;
  if (maildrop) {
    status = hooks::RunPostReceive(
        options, input,
        [&](std::unique_ptr<outbox::EnqueueBatch>* batch) {
          *batch = outbox::StartMaildropEnqueue(settings.state.maildrop);
          return Status::Ok();
        },
        &summary);
  } else if (IsPostgresUri(settings.state.outbox)) {
    outbox::RelayClientOptions relay_options;
    relay_options.socket_path = config::OutboxRelaySocketPath(settings.state);
    status = hooks::RunPostReceive(
        options, input,
        [&](std::unique_ptr<outbox::EnqueueBatch>* batch) {
          return outbox::StartRelayedEnqueue(relay_options, open_outbox, &relay, batch);
        },
        &summary);
  } else {
    status = hooks::RunPostReceive(options, input, open_outbox, &summary);
  }
  if (!relay.daemon_problem.empty()) {
    Warn("the deliver daemon did not take the jobs (" + relay.daemon_problem +
         "); this hook queues them itself");
  }
  if (!spooled.empty()) {
    Warn(spooled + "; the jobs wait in " + config::SqliteOutboxPath(settings.state) +
         " until `jiralink deliver` on this host moves them to PostgreSQL");
  }
  for (const std::string& warning : summary.warnings) Warn(warning);
  if (!status.ok()) {
    std::string reason = status.message();
    const std::string full =
        state::FullFileSystemNote(maildrop ? settings.state.maildrop : settings.state.dir);
    if (!full.empty()) reason += "; " + full;
    if (maildrop) {
      state::Owner owner;
      (void)state::OwnerOf(settings.state.dir, &owner);
      reason = "the state directory " + settings.state.dir + " belongs to " + owner.name +
               ", so this hook hands the push to it, but " + reason;
    }
    WarnNotQueued(reason, git_dir, input);
    return 0;
  }
  for (const std::string& note : summary.notes) std::printf("jiralink: %s\n", note.c_str());
  std::string line = hooks::SummaryLine(summary, settings.git.max_commits_per_push);
  if (!line.empty()) std::printf("%s\n", line.c_str());
  const int queued = summary.mentions_queued + summary.closes_queued +
                     summary.smart_commands_queued + summary.devinfo_queued;
  if (maildrop && queued > 0) {
    std::printf(
        "jiralink: handed to the queue's owner through %s (jobs queued before are "
        "dropped there)\n",
        settings.state.maildrop.c_str());
  }
  std::fflush(stdout);

  // The daemon that took the jobs delivers them (its outbox told it); the
  // owner's deliverer takes a maildrop's files.
  if (queued == 0 || relay.by_daemon || maildrop || AutoDeliverDisabled()) {
    return 0;
  }
  if (!config::RequireApiSettings(settings.jira).ok()) {
    Warn("[jira] is not configured; the jobs wait in the outbox (" + settings.state.dir + ")");
    return 0;
  }
  // No WarnAboutSite: a pusher can do nothing about the site's settings; the
  // delivery run started below says it in deliver.log, for the operator.
  std::vector<std::string> args = {hooks::CurrentExecutable()};
  std::string config_path = ctx.config_path.empty() ? cfg.path() : ctx.config_path;
  if (!config_path.empty()) {
    std::error_code ec;
    args.push_back("--config");
    args.push_back(fs::absolute(config_path, ec).string());
  }
  args.push_back("deliver");
  args.push_back("--once");
  // Its output would go nowhere: an operator finds it in the state directory.
  args.push_back("--log");
  args.push_back((fs::path(settings.state.dir) / delivery::kDeliveryLogName).string());
  status = hooks::StartDetached(args);
  if (!status.ok()) Warn(status.message() + "; run `jiralink deliver --once` to deliver");
  return 0;
}

int Install(Context& ctx, const std::vector<std::string>& repos, bool uninstall) {
  hooks::InstallOptions options;
  options.jiralink_path = hooks::CurrentExecutable();
  if (!ctx.config_path.empty()) {
    std::error_code ec;
    if (!fs::is_regular_file(ctx.config_path, ec)) {
      std::fprintf(stderr, "jiralink hook install: --config %s: no such file\n",
                   ctx.config_path.c_str());
      return 2;
    }
    options.config_path = fs::canonical(ctx.config_path, ec).string();
  }
  // Whether a repository gets pre-receive depends on its [policy].
  config::Config cfg;
  if (!uninstall && !LoadConfig(ctx, &cfg)) return 2;
  int exit_code = 0;
  for (const std::string& repo : repos) {
    const config::Settings settings =
        cfg.ForRepo(config::RepositoryName(repo, cfg.ForRepo("").git.root, ""));
    for (const char* hook : {"post-receive", "pre-receive"}) {
      options.hook = hook;
      options.reject_when_missing = settings.policy.reject_when_jiralink_missing;
      const bool wanted = options.hook == "post-receive" || settings.policy.checks_anything();
      hooks::InstallResult result;
      Status status = uninstall || !wanted ? hooks::UninstallHook(repo, &result, hook)
                                           : hooks::InstallHook(repo, options, &result);
      if (!status.ok()) {
        std::fprintf(stderr, "jiralink hook install: %s\n", status.message().c_str());
        exit_code = 2;
        break;
      }
      if (!uninstall && !wanted) {
        if (result.action.starts_with("not installed")) continue;  // nothing to say
        result.action += " ([policy] checks nothing for this repository)";
      }
      std::printf("%s: %s\n", result.hook_path.c_str(), result.action.c_str());
    }
  }
  return exit_code;
}

}  // namespace

int RunHook(Context& ctx, int argc, char** argv) {
  CLI::App app{
      "The git hooks: run them as post-receive and pre-receive, or install them into bare "
      "repositories.",
      argv[0]};
  AddConfigOption(app, ctx);
  app.require_subcommand(1);
  CLI::App* post_receive = app.add_subcommand(
      "post-receive", "run by git: queue Jira work for the pushed commits (reads stdin)");
  AddConfigOption(*post_receive, ctx);
  CLI::App* pre_receive = app.add_subcommand(
      "pre-receive", "run by git: refuse pushes that break the [policy] settings (reads stdin)");
  AddConfigOption(*pre_receive, ctx);
  CLI::App* install = app.add_subcommand(
      "install",
      "install the post-receive hook (and pre-receive where [policy] checks something) into "
      "bare repositories");
  AddConfigOption(*install, ctx);
  std::vector<std::string> repos;
  bool uninstall = false;
  install->add_option("REPO", repos, "bare repository paths")->required();
  install->add_flag("--uninstall", uninstall, "remove the hooks (the previous ones come back)");
  if (int code = ParseOrExit(app, argc, argv); code >= 0) {
    // A push must not fail on a bad hook command line either.
    return post_receive->parsed() ? 0 : code;
  }
  if (post_receive->parsed()) return PostReceive(ctx);
  if (pre_receive->parsed()) return PreReceive(ctx, ReadStdin(), ResolveGitDir());
  return Install(ctx, repos, uninstall);
}

}  // namespace jiralink::cli
