#include "jiralink/hooks/post_receive.h"

#include <memory>

#include "jiralink/hooks/devinfo_planner.h"

namespace jiralink::hooks {

using outbox::EnqueueBatch;
using outbox::Job;
using outbox::JobKind;
using outbox::Outbox;

namespace {

// Smart Commit problems named to the pusher; more are counted.
constexpr int kMaxSmartProblemLines = 10;
// Commits over the key limit named to the pusher; more are counted.
constexpr int kMaxKeyLimitLines = 10;

std::string Plural(int n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

// The hook's work, given the way to the push's batch (asked for while git walks).
Status RunPostReceiveWith(const PostReceiveOptions& options, std::string_view stdin_text,
                          const BatchStarter& start_batch, PostReceiveSummary* summary) {
  *summary = PostReceiveSummary();
  std::vector<RefUpdate> updates = ParseRefUpdates(stdin_text, &summary->warnings);

  const std::int64_t pushed_at = outbox::NowMillis();  // the Development panel's sequence
  // git starts first; the set-up below runs while it walks.
  NewCommitStream stream;
  Status status = stream.Start(options.git_dir, updates, options.walk, &summary->warnings);
  if (!status.ok()) return status;

  std::unique_ptr<KeyScanner> scanner;
  status = KeyScanner::Create(options.matching, &scanner);
  if (!status.ok()) return status.WithContext("[matching]");
  // Needed with transitions off too: a closed key is then not mentioned.
  std::unique_ptr<ClosingKeywords> closing;
  status = ClosingKeywords::Create(*scanner, &closing);
  if (!status.ok()) return status.WithContext("closing keywords");
  std::unique_ptr<DevinfoPlanner> devinfo;
  if (options.plan.devinfo_enabled) {
    devinfo = std::make_unique<DevinfoPlanner>(options.plan, *scanner, pushed_at);
  }
  std::unique_ptr<EnqueueBatch> batch;
  status = start_batch(&batch);
  if (!status.ok()) return status;

  // Git is read first and the jobs written after its last line, so that the
  // outbox's write lock is held for the inserts and the commit only, never
  // while git walks. A push whose jobs would hold more than
  // kMaxHeldJobBytes in memory starts writing then instead, and goes on
  // writing as git reports the rest.
  struct PlannedCommit {
    Job job;  // the fields its jobs share
    std::vector<KeyJob> keys;
  };
  std::vector<PlannedCommit> held;
  std::size_t held_bytes = 0;
  bool writing = false;
  std::vector<JobKind> kinds;  // of each job added, in order
  auto write = [&](PlannedCommit& planned) {
    Job& job = planned.job;
    for (KeyJob& key : planned.keys) {
      job.key = std::move(key.key);
      job.kind = key.kind;
      job.command_index = key.command_index;
      job.command = std::move(key.command);
      Status added = batch->Add(job);
      if (!added.ok()) return added;
      kinds.push_back(job.kind);
    }
    return Status::Ok();
  };
  auto write_held = [&] {
    writing = true;
    for (PlannedCommit& planned : held) {
      Status written = write(planned);
      if (!written.ok()) return written;
    }
    held.clear();
    return Status::Ok();
  };

  WalkedCommit next;
  bool end = false;
  std::vector<std::string> smart_problems;
  int smart_problem_count = 0;
  while ((status = stream.Next(&next, &end)).ok() && !end) {
    ++summary->new_commits;
    if (devinfo) devinfo->AddCommit(next);
    smart_problems.clear();
    int keys_left_out = 0;
    std::vector<KeyJob> keys =
        PlanCommitKeys(next.commit, next.branch->is_default, *scanner, closing.get(), options.plan,
                       &smart_problems, &keys_left_out);
    for (const std::string& problem : smart_problems) {
      // Each named up to a bound (a screenful for the pusher), then counted.
      if (++smart_problem_count <= kMaxSmartProblemLines) {
        summary->warnings.push_back("Smart Commit in " + next.commit.sha.substr(0, 12) + ": " +
                                    problem);
      }
    }
    if (keys_left_out > 0) {
      summary->keys_left_out += keys_left_out;
      if (++summary->commits_over_key_limit <= kMaxKeyLimitLines) {
        summary->warnings.push_back(
            "commit " + next.commit.sha.substr(0, 12) + " names " +
            std::to_string(keys_left_out + kMaxKeysPerSource) + " Jira keys; only the first " +
            std::to_string(kMaxKeysPerSource) + " are queued, " + std::to_string(keys_left_out) +
            " left out (at most " + std::to_string(kMaxKeysPerSource) + " keys per commit)");
      }
    }
    if (keys.empty()) continue;
    // One job for all of the commit's keys: its message is copied once.
    PlannedCommit planned{CommitJob(*next.branch, next.commit, options.plan), std::move(keys)};
    // Updates in walk order; within one, the oldest commit first.
    planned.job.position = (static_cast<std::int64_t>(next.update) << 32) - next.from_newest;
    if (writing) {
      status = write(planned);
      if (!status.ok()) return status;
      continue;
    }
    held_bytes += planned.job.message.size() + planned.job.author.size() + 256 +
                  planned.keys.size() * sizeof(KeyJob);
    held.push_back(std::move(planned));
    if (held_bytes > kMaxHeldJobBytes) {
      status = write_held();
      if (!status.ok()) return status;
    }
  }
  if (!status.ok()) return status;
  if (summary->commits_over_key_limit > kMaxKeyLimitLines) {
    summary->warnings.push_back(
        std::to_string(summary->commits_over_key_limit - kMaxKeyLimitLines) +
        " more commits name more than " + std::to_string(kMaxKeysPerSource) +
        " Jira keys; their keys past the first " + std::to_string(kMaxKeysPerSource) +
        " are left out");
  }
  if (smart_problem_count > kMaxSmartProblemLines) {
    summary->warnings.push_back(
        "Smart Commit: " + std::to_string(smart_problem_count - kMaxSmartProblemLines) +
        " more problems not shown; those commands are left out");
  }
  status = write_held();
  if (!status.ok()) return status;
  if (devinfo) {
    // The comments' jobs are not lost for the Development panel's sake.
    std::vector<Job> jobs;
    Status planned = devinfo->Finish(options.git_dir, updates, &jobs);
    if (!planned.ok()) {
      summary->warnings.push_back("nothing queued for Jira's Development panel: " +
                                  planned.message());
    }
    for (const Job& job : jobs) {
      status = batch->Add(job);
      if (!status.ok()) return status;
      kinds.push_back(job.kind);
    }
  }
  std::vector<bool> is_new;
  status = batch->Commit(&is_new);
  if (!status.ok()) return status;
  for (std::size_t i = 0; i < kinds.size() && i < is_new.size(); ++i) {
    if (!is_new[i]) {
      ++summary->already_queued;
    } else if (outbox::IsDevinfoKind(kinds[i])) {
      ++summary->devinfo_queued;
    } else {
      ++(kinds[i] == JobKind::kClose          ? summary->closes_queued
         : kinds[i] == JobKind::kSmartCommand ? summary->smart_commands_queued
                                              : summary->mentions_queued);
    }
  }

  // Counting what the limit left out may walk long histories: after the
  // commit. The jobs are queued by now, so a failed count is only a warning.
  WalkResult walk;
  status = stream.Finish(&walk);
  if (!status.ok()) {
    summary->warnings.push_back("cannot count the older commits left out: " + status.message());
  }
  summary->branch_updates = static_cast<int>(walk.updates.size());
  for (const BranchCommits& branch : walk.updates) summary->skipped_commits += branch.skipped;
  if (!walk.head_set_to.empty()) {
    summary->notes.push_back("HEAD now names " + walk.head_set_to +
                             ", the first branch pushed: it is the default branch");
  }
  return Status::Ok();
}

}  // namespace

Status RunPostReceive(const PostReceiveOptions& options, std::string_view stdin_text,
                      const OutboxOpener& open_outbox, PostReceiveSummary* summary) {
  std::unique_ptr<Outbox> opened;  // outlives the batch
  return RunPostReceiveWith(
      options, stdin_text,
      [&](std::unique_ptr<EnqueueBatch>* batch) {
        Status status = open_outbox(&opened);
        return status.ok() ? opened->StartEnqueue(batch) : status;
      },
      summary);
}

Status RunPostReceive(const PostReceiveOptions& options, std::string_view stdin_text,
                      const BatchStarter& start_batch, PostReceiveSummary* summary) {
  return RunPostReceiveWith(options, stdin_text, start_batch, summary);
}

Status RunPostReceive(const PostReceiveOptions& options, std::string_view stdin_text,
                      Outbox* outbox, PostReceiveSummary* summary) {
  return RunPostReceiveWith(
      options, stdin_text,
      [outbox](std::unique_ptr<EnqueueBatch>* batch) { return outbox->StartEnqueue(batch); },
      summary);
}

std::string SummaryLine(const PostReceiveSummary& summary, int max_commits_per_update) {
  if (summary.branch_updates == 0) return "";
  std::string line = "jiralink: ";
  int queued = summary.mentions_queued + summary.closes_queued + summary.smart_commands_queued;
  if (queued == 0) {
    if (summary.already_queued > 0) {
      line += "nothing new for Jira (" + Plural(summary.already_queued, "job", "jobs") +
              " already queued)";
    } else if (summary.new_commits == 0) {
      line += "no new commits";
    } else {
      line += "no Jira keys in " + Plural(summary.new_commits, "new commit", "new commits");
    }
  } else {
    if (summary.mentions_queued > 0) {
      line += Plural(summary.mentions_queued, "Jira mention", "Jira mentions");
      if (summary.closes_queued > 0) {
        line += " and " + Plural(summary.closes_queued, "close", "closes");
      }
    } else if (summary.closes_queued > 0) {
      line += Plural(summary.closes_queued, "Jira close", "Jira closes");
    }
    if (summary.smart_commands_queued > 0) {
      line +=
          std::string(summary.mentions_queued + summary.closes_queued > 0 ? " and " : "") +
          Plural(summary.smart_commands_queued, "Smart Commit command", "Smart Commit commands");
    }
    line += " queued";
  }
  if (summary.devinfo_queued > 0) {
    line +=
        "; " +
        Plural(summary.devinfo_queued, "Development panel update", "Development panel updates") +
        " queued";
  }
  if (summary.skipped_commits > 0) {
    line += "; " + Plural(summary.skipped_commits, "older commit", "older commits") +
            " skipped (limit " + std::to_string(max_commits_per_update) + " per branch)";
  }
  return line;
}

}  // namespace jiralink::hooks
