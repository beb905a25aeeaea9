#include "jiralink/outbox/devinfo_job.h"

#include <utility>

#include <nlohmann/json.hpp>

namespace jiralink::outbox {

namespace {

using nlohmann::json;

// The start of `text`, at most `max_bytes`, never cut inside a UTF-8 sequence.
std::string CutUtf8(std::string_view text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);
  std::size_t keep = max_bytes;
  while (keep > 0 && (static_cast<unsigned char>(text[keep]) & 0xC0) == 0x80) --keep;
  return std::string(text.substr(0, keep));
}

json AuthorJson(const jira::DevinfoAuthor& author) {
  return {{"name", author.name},
          {"email", author.email},
          {"url", author.url},
          {"avatar", author.avatar}};
}

json CommitJson(const jira::DevinfoCommit& commit) {
  return {{"id", commit.id},
          {"displayId", commit.display_id},
          {"message", CutUtf8(commit.message, kMaxDevinfoPayloadMessageBytes)},
          {"author", AuthorJson(commit.author)},
          {"authorTimestamp", commit.author_timestamp},
          {"url", commit.url},
          {"fileCount", commit.file_count},
          {"merge", commit.merge_commit},
          {"issueKeys", commit.issue_keys},
          {"updateSequenceId", commit.update_sequence_id}};
}

json BranchJson(const jira::DevinfoBranch& branch) {
  return {{"id", branch.id},
          {"name", branch.name},
          {"url", branch.url},
          {"createPullRequestUrl", branch.create_pull_request_url},
          {"lastCommit", CommitJson(branch.last_commit)},
          {"issueKeys", branch.issue_keys},
          {"updateSequenceId", branch.update_sequence_id}};
}

const char* StatusName(jira::PullRequestStatus status) {
  switch (status) {
    case jira::PullRequestStatus::kOpen:
      return "OPEN";
    case jira::PullRequestStatus::kMerged:
      return "MERGED";
    case jira::PullRequestStatus::kDeclined:
      return "DECLINED";
    case jira::PullRequestStatus::kUnknown:
      break;
  }
  return "UNKNOWN";
}

jira::PullRequestStatus ParseStatus(const std::string& name) {
  if (name == "OPEN") return jira::PullRequestStatus::kOpen;
  if (name == "MERGED") return jira::PullRequestStatus::kMerged;
  if (name == "DECLINED") return jira::PullRequestStatus::kDeclined;
  return jira::PullRequestStatus::kUnknown;
}

json PullRequestJson(const jira::DevinfoPullRequest& pull) {
  json reviewers = json::array();
  for (const jira::DevinfoReviewer& reviewer : pull.reviewers) {
    reviewers.push_back(
        {{"name", reviewer.name}, {"email", reviewer.email}, {"approved", reviewer.approved}});
  }
  return {{"id", pull.id},
          {"displayId", pull.display_id},
          {"title", CutUtf8(pull.title, kMaxDevinfoPayloadMessageBytes)},
          {"status", StatusName(pull.status)},
          {"author", AuthorJson(pull.author)},
          {"reviewers", std::move(reviewers)},
          {"commentCount", pull.comment_count},
          {"sourceBranch", pull.source_branch},
          {"sourceBranchUrl", pull.source_branch_url},
          {"destinationBranch", pull.destination_branch},
          {"destinationBranchUrl", pull.destination_branch_url},
          {"lastUpdate", pull.last_update},
          {"url", pull.url},
          {"issueKeys", pull.issue_keys},
          {"updateSequenceId", pull.update_sequence_id}};
}

// Readers: a missing or mistyped field is an error (the payload is ours).
class Reader {
 public:
  explicit Reader(const json& object) : object_(object) {}
  std::string Str(const char* name) {
    const json* value = Find(name);
    if (value == nullptr || !value->is_string()) return Fail(name, "a string"), "";
    return value->get<std::string>();
  }
  std::int64_t Int(const char* name) {
    const json* value = Find(name);
    if (value == nullptr || !value->is_number_integer()) return Fail(name, "an integer"), 0;
    return value->get<std::int64_t>();
  }
  bool Bool(const char* name) {
    const json* value = Find(name);
    if (value == nullptr || !value->is_boolean()) return Fail(name, "true or false"), false;
    return value->get<bool>();
  }
  std::vector<std::string> Strings(const char* name) {
    std::vector<std::string> out;
    const json* value = Find(name);
    if (value == nullptr || !value->is_array()) return Fail(name, "a list"), out;
    for (const json& item : *value) {
      if (!item.is_string()) return Fail(name, "a list of strings"), out;
      out.push_back(item.get<std::string>());
    }
    return out;
  }
  const json& Object(const char* name) {
    static const json kEmpty = json::object();
    const json* value = Find(name);
    if (value == nullptr || !value->is_object()) return Fail(name, "an object"), kEmpty;
    return *value;
  }
  const json& Array(const char* name) {
    static const json kEmpty = json::array();
    const json* value = Find(name);
    if (value == nullptr || !value->is_array()) return Fail(name, "a list"), kEmpty;
    return *value;
  }
  const std::string& error() const { return error_; }

 private:
  const json* Find(const char* name) const {
    auto found = object_.find(name);
    return found == object_.end() ? nullptr : &*found;
  }
  void Fail(const char* name, const char* what) {
    if (error_.empty()) error_ = std::string("\"") + name + "\" is not " + what;
  }
  const json& object_;
  std::string error_;
};

// Reads with `read`, and moves a nested reader's error up.
std::string ReadAuthor(Reader& outer, const char* name, jira::DevinfoAuthor* author) {
  Reader r(outer.Object(name));
  author->name = r.Str("name");
  author->email = r.Str("email");
  author->url = r.Str("url");
  author->avatar = r.Str("avatar");
  return r.error();
}

std::string ReadCommit(const json& object, jira::DevinfoCommit* commit) {
  Reader r(object);
  commit->id = r.Str("id");
  commit->display_id = r.Str("displayId");
  commit->message = r.Str("message");
  std::string author_error = ReadAuthor(r, "author", &commit->author);
  commit->author_timestamp = r.Str("authorTimestamp");
  commit->url = r.Str("url");
  commit->file_count = static_cast<int>(r.Int("fileCount"));
  commit->merge_commit = r.Bool("merge");
  commit->issue_keys = r.Strings("issueKeys");
  commit->update_sequence_id = r.Int("updateSequenceId");
  if (!r.error().empty()) return r.error();
  return author_error.empty() ? "" : "author: " + author_error;
}

std::string ReadBranch(const json& object, jira::DevinfoBranch* branch) {
  Reader r(object);
  branch->id = r.Str("id");
  branch->name = r.Str("name");
  branch->url = r.Str("url");
  branch->create_pull_request_url = r.Str("createPullRequestUrl");
  std::string commit_error = ReadCommit(r.Object("lastCommit"), &branch->last_commit);
  branch->issue_keys = r.Strings("issueKeys");
  branch->update_sequence_id = r.Int("updateSequenceId");
  if (!r.error().empty()) return r.error();
  return commit_error.empty() ? "" : "lastCommit: " + commit_error;
}

std::string ReadPullRequest(const json& object, jira::DevinfoPullRequest* pull) {
  Reader r(object);
  pull->id = r.Str("id");
  pull->display_id = r.Str("displayId");
  pull->title = r.Str("title");
  pull->status = ParseStatus(r.Str("status"));
  std::string author_error = ReadAuthor(r, "author", &pull->author);
  const json no_reviewer = json::object();
  for (const json& item : r.Array("reviewers")) {
    Reader reviewer(item.is_object() ? item : no_reviewer);
    pull->reviewers.push_back(
        {reviewer.Str("name"), reviewer.Str("email"), reviewer.Bool("approved")});
    if (!reviewer.error().empty()) return "reviewers: " + reviewer.error();
  }
  pull->comment_count = static_cast<int>(r.Int("commentCount"));
  pull->source_branch = r.Str("sourceBranch");
  pull->source_branch_url = r.Str("sourceBranchUrl");
  pull->destination_branch = r.Str("destinationBranch");
  pull->destination_branch_url = r.Str("destinationBranchUrl");
  pull->last_update = r.Str("lastUpdate");
  pull->url = r.Str("url");
  pull->issue_keys = r.Strings("issueKeys");
  pull->update_sequence_id = r.Int("updateSequenceId");
  if (!r.error().empty()) return r.error();
  return author_error.empty() ? "" : "author: " + author_error;
}

json RepositoryJson(const jira::DevinfoRepository& repository, std::int64_t sequence) {
  return {{"id", repository.id},
          {"name", repository.name},
          {"url", repository.url},
          {"avatar", repository.avatar},
          {"updateSequenceId", sequence}};
}

Job BaseJob(const DevinfoJobContext& context, JobKind kind, std::string source,
            const std::string& branch) {
  Job job;
  job.repository = context.repository;
  job.site = DevinfoSite(context.jira_site);
  job.kind = kind;
  job.commit = std::move(source);
  job.branch = branch;
  job.repo_url = context.jira_repository.url;
  return job;
}

}  // namespace

std::string DevinfoSite(std::string_view jira_site) {
  return std::string(kDevinfoSitePrefix) + std::string(jira_site);
}

bool IsDevinfoSite(std::string_view site) {
  return site.substr(0, kDevinfoSitePrefix.size()) == kDevinfoSitePrefix;
}

std::string JiraSiteOfDevinfoSite(std::string_view site) {
  return IsDevinfoSite(site) ? std::string(site.substr(kDevinfoSitePrefix.size())) : "";
}

Job DevinfoCommitJob(const DevinfoJobContext& context, const jira::DevinfoCommit& commit) {
  Job job = BaseJob(context, JobKind::kDevinfoCommit, "devinfo:commit:" + commit.id, "");
  job.author = commit.author.name;
  job.author_email = commit.author.email;
  job.commit_url = commit.url;
  job.message =
      json{{"repository", RepositoryJson(context.jira_repository, commit.update_sequence_id)},
           {"commit", CommitJson(commit)}}
          .dump();
  return job;
}

Job DevinfoBranchJob(const DevinfoJobContext& context, std::string_view old_sha,
                     const jira::DevinfoBranch& branch) {
  Job job = BaseJob(
      context, JobKind::kDevinfoBranch,
      "devinfo:branch:" + std::string(old_sha) + ".." + branch.last_commit.id + ":" + branch.name,
      branch.name);
  job.branch_url = branch.url;
  job.message =
      json{{"repository", RepositoryJson(context.jira_repository, branch.update_sequence_id)},
           {"branch", BranchJson(branch)}}
          .dump();
  return job;
}

Job DevinfoBranchDeleteJob(const DevinfoJobContext& context, std::string_view old_sha,
                           std::string_view branch, std::string_view branch_id,
                           std::int64_t update_sequence_id) {
  Job job = BaseJob(context, JobKind::kDevinfoBranchDelete,
                    "devinfo:branch-delete:" + std::string(old_sha) + ":" + std::string(branch),
                    std::string(branch));
  job.message = json{{"repository", RepositoryJson(context.jira_repository, update_sequence_id)},
                     {"delete",
                      {{"type", "branch"},
                       {"id", branch_id},
                       {"name", branch},
                       {"updateSequenceId", update_sequence_id}}}}
                    .dump();
  return job;
}

Job DevinfoPullRequestJob(const DevinfoJobContext& context, std::string_view event,
                          const jira::DevinfoPullRequest& pull_request) {
  Job job = BaseJob(context, JobKind::kDevinfoPullRequest,
                    "devinfo:pull-request:" + pull_request.id + ":" + std::string(event),
                    pull_request.source_branch);
  job.author = pull_request.author.name;
  job.commit_url = pull_request.url;
  job.message =
      json{{"repository", RepositoryJson(context.jira_repository, pull_request.update_sequence_id)},
           {"pullRequest", PullRequestJson(pull_request)}}
          .dump();
  return job;
}

Status ReadDevinfoPayload(const Job& job, DevinfoPayload* payload) {
  *payload = DevinfoPayload();
  const std::string where = "job " + std::to_string(job.id) + " (" + JobKindName(job.kind) + " " +
                            job.repository + " " + job.commit + ")";
  if (!IsDevinfoKind(job.kind)) {
    return Status::InvalidArgument(where + " is not a Development-panel job");
  }
  json document = json::parse(job.message, nullptr, /*allow_exceptions=*/false);
  if (!document.is_object()) {
    return Status::InvalidArgument(where + ": its payload is not a JSON object");
  }
  Reader top(document);
  std::string error;
  {
    Reader r(top.Object("repository"));
    payload->repository.id = r.Str("id");
    payload->repository.name = r.Str("name");
    payload->repository.url = r.Str("url");
    payload->repository.avatar = r.Str("avatar");
    payload->repository.update_sequence_id = r.Int("updateSequenceId");
    if (!r.error().empty()) error = "repository: " + r.error();
  }
  if (error.empty()) {
    switch (job.kind) {
      case JobKind::kDevinfoCommit:
        error = ReadCommit(top.Object("commit"), &payload->commit);
        payload->update_sequence_id = payload->commit.update_sequence_id;
        break;
      case JobKind::kDevinfoBranch:
        error = ReadBranch(top.Object("branch"), &payload->branch);
        payload->update_sequence_id = payload->branch.update_sequence_id;
        break;
      case JobKind::kDevinfoBranchDelete: {
        Reader r(top.Object("delete"));
        payload->branch.id = r.Str("id");
        payload->branch.name = r.Str("name");
        payload->update_sequence_id = r.Int("updateSequenceId");
        payload->branch.update_sequence_id = payload->update_sequence_id;
        error = r.error();
        break;
      }
      case JobKind::kDevinfoPullRequest:
        error = ReadPullRequest(top.Object("pullRequest"), &payload->pull_request);
        payload->update_sequence_id = payload->pull_request.update_sequence_id;
        break;
      default:
        break;
    }
  }
  if (error.empty()) error = top.error();
  if (!error.empty()) return Status::InvalidArgument(where + ": its payload: " + error);
  return Status::Ok();
}

}  // namespace jiralink::outbox
