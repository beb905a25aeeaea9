#include "jiralink/hooks/devinfo_planner.h"

#include <algorithm>
#include <cstdlib>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "git_command.h"
#include "jiralink/core/comment_text.h"
#include "jiralink/jira/devinfo.h"
#include "jiralink/outbox/devinfo_job.h"

namespace jiralink::hooks {

namespace {

// One record per commit: \x01, then the fields each ended by NUL, then
// --shortstat's line (none for a commit that changes no file).
constexpr const char* kFactsFormat = "--format=%x01%H%x00%h%x00%aN%x00%aE%x00%aI%x00%P%x00%B%x00";
constexpr int kFactsFields = 7;

constexpr int kMaxKeys = static_cast<int>(jira::kMaxDevinfoIssueKeysPerEntity);

// "…\n 3 files changed, 10 insertions(+)" → 3; 0 when there is no such line.
int FileCount(std::string_view rest) {
  std::size_t at = rest.find(" changed");
  if (at == std::string_view::npos) return 0;
  std::size_t line = rest.rfind('\n', at);
  std::string_view stat = rest.substr(line == std::string_view::npos ? 0 : line + 1);
  while (!stat.empty() && stat.front() == ' ') stat.remove_prefix(1);
  return std::atoi(std::string(stat.substr(0, stat.find(' '))).c_str());
}

// Parses `git log` output in kFactsFormat into commits by full hash. Read
// field by field (a message may hold \x01; none holds NUL).
void ParseFacts(std::string_view output,
                std::unordered_map<std::string, jira::DevinfoCommit>* out) {
  std::size_t pos = output.find('\x01');
  while (pos != std::string_view::npos) {
    ++pos;
    std::string_view fields[kFactsFields];
    for (std::string_view& field : fields) {
      std::size_t nul = output.find('\0', pos);
      if (nul == std::string_view::npos) return;  // cut short: git failed, and says so
      field = output.substr(pos, nul - pos);
      pos = nul + 1;
    }
    std::size_t next = output.find('\x01', pos);
    jira::DevinfoCommit commit;
    commit.id = std::string(fields[0]);
    commit.display_id = std::string(fields[1]);
    commit.author.name = std::string(fields[2]);
    commit.author.email = std::string(fields[3]);
    commit.author_timestamp = std::string(fields[4]);
    commit.merge_commit = fields[5].find(' ') != std::string_view::npos;
    commit.message = std::string(fields[6]);
    commit.file_count = FileCount(
        output.substr(pos, next == std::string_view::npos ? std::string_view::npos : next - pos));
    out->emplace(commit.id, std::move(commit));
    pos = next;
  }
}

}  // namespace

DevinfoPlanner::DevinfoPlanner(const PlanOptions& options, const KeyScanner& scanner,
                               std::int64_t event_millis)
    : options_(options), scanner_(scanner), event_millis_(event_millis) {}

void DevinfoPlanner::Merge(const std::vector<std::string>& keys, std::vector<std::string>* into) {
  for (const std::string& key : keys) {
    if (into->size() >= jira::kMaxDevinfoIssueKeysPerEntity) return;
    if (std::find(into->begin(), into->end(), key) == into->end()) into->push_back(key);
  }
}

void DevinfoPlanner::AddCommit(const WalkedCommit& walked) {
  std::vector<std::string> keys = scanner_.UniqueKeys(walked.commit.message, kMaxKeys, nullptr);
  if (keys.empty()) return;
  Merge(keys, &branch_keys_[walked.branch->branch]);
  commits_.push_back({walked.commit.sha, walked.branch->branch, std::move(keys)});
}

Status DevinfoPlanner::Finish(const std::string& git_dir, const std::vector<RefUpdate>& updates,
                              std::vector<outbox::Job>* jobs) {
  // The branches to send: created or moved with a key in the name or in a
  // counted commit.
  struct BranchUpdate {
    const RefUpdate* update;
    std::vector<std::string> keys;
  };
  std::vector<BranchUpdate> branches;
  std::vector<const RefUpdate*> deleted;
  for (const RefUpdate& update : updates) {
    if (!update.is_branch()) continue;
    if (update.is_delete()) {
      deleted.push_back(&update);
      continue;
    }
    const std::string name = update.branch();
    std::vector<std::string> keys = scanner_.UniqueKeys(name, kMaxKeys, nullptr);
    auto found = branch_keys_.find(name);
    if (found != branch_keys_.end()) Merge(found->second, &keys);
    if (!keys.empty()) branches.push_back({&update, std::move(keys)});
  }

  // The facts of the keyed commits and the branch tips, in one git process.
  std::unordered_map<std::string, jira::DevinfoCommit> facts;
  std::string wanted;
  std::set<std::string> asked;
  auto ask = [&](const std::string& sha) {
    if (asked.insert(sha).second) wanted += sha + "\n";
  };
  for (const KeyedCommit& commit : commits_) ask(commit.sha);
  for (const BranchUpdate& branch : branches) ask(branch.update->new_oid);
  if (!wanted.empty()) {
    std::string output;
    Status status = RunGit(git_dir,
                           {"log", "--no-walk=unsorted", "--stdin", "--no-color", kFactsFormat,
                            "--shortstat", "--diff-merges=first-parent"},
                           wanted, &output);
    if (!status.ok()) return status.WithContext("reading the commits for Jira's Development panel");
    ParseFacts(output, &facts);
  }

  outbox::DevinfoJobContext context;
  context.repository = options_.repository;
  context.jira_site = options_.site;
  context.jira_repository.id = jira::DevinfoEntityId(options_.repository);
  context.jira_repository.name = options_.repository;
  context.jira_repository.url =
      ExpandUrlTemplate(options_.repo_url_template, options_.repository, "", "");
  const std::int64_t sequence = jira::DevinfoSequence(event_millis_, 0);
  auto commit_of = [&](const std::string& sha, const std::string& branch,
                       jira::DevinfoCommit* commit) {
    auto found = facts.find(sha);
    if (found == facts.end()) return false;
    *commit = found->second;
    commit->url = ExpandUrlTemplate(options_.commit_url_template, options_.repository, sha, branch);
    commit->update_sequence_id = sequence;
    return true;
  };

  std::vector<outbox::Job> planned;
  std::int64_t position = 0;
  auto add = [&](outbox::Job job) {
    job.position = position++;
    planned.push_back(std::move(job));
  };
  for (const KeyedCommit& keyed : commits_) {
    jira::DevinfoCommit commit;
    if (!commit_of(keyed.sha, keyed.branch, &commit)) continue;
    commit.issue_keys = keyed.keys;
    add(outbox::DevinfoCommitJob(context, commit));
  }
  for (const BranchUpdate& branch : branches) {
    const std::string name = branch.update->branch();
    jira::DevinfoBranch entity;
    if (!commit_of(branch.update->new_oid, name, &entity.last_commit)) continue;
    entity.last_commit.issue_keys =
        scanner_.UniqueKeys(entity.last_commit.message, kMaxKeys, nullptr);
    entity.id = jira::DevinfoEntityId(name);
    entity.name = name;
    entity.url = ExpandUrlTemplate(options_.branch_url_template, options_.repository,
                                   branch.update->new_oid, name);
    entity.issue_keys = branch.keys;
    entity.update_sequence_id = sequence;
    add(outbox::DevinfoBranchJob(context, branch.update->old_oid, entity));
  }
  for (const RefUpdate* update : deleted) {
    const std::string name = update->branch();
    add(outbox::DevinfoBranchDeleteJob(context, update->old_oid, name, jira::DevinfoEntityId(name),
                                       sequence));
  }
  for (outbox::Job& job : planned) jobs->push_back(std::move(job));
  return Status::Ok();
}

}  // namespace jiralink::hooks
