// Turning a push's commits into outbox jobs.
//
// Per commit: a close job for every key named by a closing keyword when the
// commit is on the default branch and transitions are enabled; a mention job
// for every other key (a key being closed gets no separate mention) unless
// mentions of commits are turned off ([triggers] commit = false; closes still
// follow [transitions], as on the forge); and with [smart_commits] enabled a
// smart-command job per Smart Commit command and key (on every branch whose
// commits the hook counts; independent of [triggers] and [transitions]).
//
// Keys and closing keywords are found in the whole message; the job keeps at
// most kMaxJobMessageBytes of it (CapJobMessage). All of one commit's jobs
// share one Job (CommitJob) that differs only in key and kind, so a commit
// naming 100 keys costs one copy of its message, not 100.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "jiralink/core/closing_keywords.h"
#include "jiralink/core/key_scanner.h"
#include "jiralink/core/smart_commit.h"
#include "jiralink/hooks/new_commits.h"
#include "jiralink/outbox/job.h"
#include "jiralink/outbox/job_message.h"

namespace jiralink::hooks {

struct PlanOptions {
  std::string repository;  // "platform/api"
  std::string site;        // the repository's Jira API URL (Job::site)
  bool transitions_enabled = true;
  bool mentions_enabled = true;        // [triggers] commit
  bool smart_commits_enabled = false;  // [smart_commits] enabled
  // URL templates of [git]; {repo}, {sha}, {branch} are filled in per job.
  std::string commit_url_template;
  std::string repo_url_template;
  std::string branch_url_template;
  // [devinfo] enabled on a Jira Cloud site: the push also queues Jira's
  // Development panel (devinfo_planner.h).
  bool devinfo_enabled = false;
};

// The cap on a commit message a job keeps: outbox/job_message.h (one rule for
// commits and merge requests).
using outbox::CapJobMessage;
using outbox::kMaxJobMessageBytes;
using outbox::kMessageCutMarker;

// One job a commit asks for.
struct KeyJob {
  std::string key;
  outbox::JobKind kind = outbox::JobKind::kMention;
  int command_index = 0;  // smart commands: see outbox::Job
  SmartCommand command;
};

// The jobs of one commit: close jobs first, then mentions, each key once,
// then (with smart_commits_enabled) one job per Smart Commit (key, command)
// pair in message order (core/smart_commit.h; at most kMaxSmartCommands).
// `closing` may be null: no close jobs. `on_default_branch`: the commit
// came in on the default branch (closes are only queued there). When
// `smart_problems` is not null, what the Smart Commit parse left out is
// appended to it, one line each, for the pusher ("#time soon: no duration",
// "12 commands over the limit of 100 left out").
//
// At most kMaxKeysPerSource keys of a commit (the first to appear) get jobs;
// *keys_left_out (when not null) is set to how many other keys it names,
// which get no job of any kind.
std::vector<KeyJob> PlanCommitKeys(const NewCommit& commit, bool on_default_branch,
                                   const KeyScanner& scanner, const ClosingKeywords* closing,
                                   const PlanOptions& options,
                                   std::vector<std::string>* smart_problems = nullptr,
                                   int* keys_left_out = nullptr);

// The fields all of one commit's jobs share (key and kind left empty), with
// the URL templates filled in and the message capped.
outbox::Job CommitJob(const BranchCommits& branch, const NewCommit& commit,
                      const PlanOptions& options);

}  // namespace jiralink::hooks
