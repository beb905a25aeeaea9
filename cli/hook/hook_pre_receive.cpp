#include "hook_pre_receive.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "common.h"
#include "jiralink/config/loader.h"
#include "jiralink/core/terminal_text.h"
#include "jiralink/hooks/pre_receive_policy.h"
#include "jiralink/jira/client.h"

namespace jiralink::cli {

namespace {

void Print(const std::string& prefix, const std::string& line) {
  std::fprintf(stderr, "jiralink: %s%s\n", prefix.c_str(),
               SafeTerminalText(line, LineBreaks::kFlatten).c_str());
}

hooks::PolicyOptions ToPolicyOptions(const config::Settings& settings) {
  hooks::PolicyOptions options;
  options.require_key = settings.policy.require_key;
  options.allowed_states = settings.policy.allowed_states;
  options.exempt_authors = settings.policy.exempt_authors;
  options.exempt_message = settings.policy.exempt_message;
  options.reject_when_jira_unreachable =
      settings.policy.on_jira_unreachable == config::JiraUnreachable::kReject;
  options.matching = ToMatchingOptions(settings.matching);
  return options;
}

}  // namespace

int PreReceive(Context& ctx, const std::string& input, const std::string& git_dir) {
  // timeout_ms bounds the whole check from here.
  const auto started = std::chrono::steady_clock::now();
  config::Config cfg;
  if (!LoadConfig(ctx, &cfg)) {
    Print("warning: ",
          "the jiralink settings are broken (see above); the push policy was NOT "
          "checked and the push is accepted");
    return 0;
  }
  const char* gl_project_path = std::getenv("GL_PROJECT_PATH");
  std::string repository = config::RepositoryName(
      git_dir, cfg.ForRepo("").git.root, gl_project_path != nullptr ? gl_project_path : "");
  config::Settings settings = cfg.ForRepo(repository);

  std::unique_ptr<hooks::PushPolicy> policy;
  Status status = hooks::PushPolicy::Create(ToPolicyOptions(settings), &policy);
  if (!status.ok()) {
    Print("warning: ", status.message() + "; the push policy was NOT checked");
    return 0;
  }
  if (!policy->checks_anything()) return 0;

  const auto deadline = started + std::chrono::milliseconds(settings.policy.timeout_ms);
  auto lookup = [&](const std::vector<std::string>& keys) {
    hooks::IssueLookup none;
    std::string token;
    Status usable = config::RequireApiSettings(settings.jira);
    if (usable.ok()) usable = config::ResolveToken(settings.jira, &token);
    if (!usable.ok()) {
      none.problem = usable.message();
      return none;
    }
    jira::ClientOptions options = ToClientOptions(settings.jira);
    options.token = std::move(token);
    // Known from the URL, so the search is the only request (a Cloud site
    // on its own domain answers /search with 410; the client then moves on).
    options.deployment = settings.jira.cloud ? jira::Deployment::kCloud : jira::Deployment::kServer;
    options.deadline = deadline;
    jira::Client client(std::move(options));
    return hooks::LookUpIssueCategories(client, keys);
  };

  hooks::PolicyVerdict verdict;
  status = policy->CheckPush(git_dir, input, lookup, &verdict);
  for (const std::string& warning : verdict.warnings) Print("warning: ", warning);
  if (!status.ok()) {
    Print("", "push refused: the pushed commits cannot be read for the Jira policy: " +
                  status.message());
    return 1;
  }
  if (!verdict.refused) return 0;
  for (const std::string& line : hooks::RejectionLines(verdict)) Print("", line);
  return 1;
}

}  // namespace jiralink::cli
