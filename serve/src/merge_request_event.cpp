#include "jiralink/serve/merge_request_event.h"

#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "jiralink/core/text.h"

namespace jiralink::serve {
namespace {

using nlohmann::json;

// The value at `path` (object keys), or null when any step is missing.
const json* At(const json& body, std::initializer_list<const char*> path) {
  const json* node = &body;
  for (const char* key : path) {
    if (!node->is_object()) return nullptr;
    auto it = node->find(key);
    if (it == node->end()) return nullptr;
    node = &*it;
  }
  return node;
}

std::string PathText(std::initializer_list<const char*> path) {
  std::string text;
  for (const char* key : path) {
    if (!text.empty()) text += '.';
    text += key;
  }
  return text;
}

// Reads the fields of one payload, remembering the first one that is missing.
class Reader {
 public:
  explicit Reader(const json& body) : body_(body) {}

  // A string that must be there.
  std::string Required(std::initializer_list<const char*> path) {
    const json* node = At(body_, path);
    if (node == nullptr || !node->is_string()) {
      Missing(path, "string");
      return "";
    }
    return node->get<std::string>();
  }
  // A string that may be missing or null ("").
  std::string Optional(std::initializer_list<const char*> path) const {
    const json* node = At(body_, path);
    return node != nullptr && node->is_string() ? node->get<std::string>() : "";
  }
  std::int64_t PositiveInteger(std::initializer_list<const char*> path) {
    const json* node = At(body_, path);
    if (node == nullptr || !node->is_number_integer() || node->get<std::int64_t>() <= 0) {
      Missing(path, "positive integer");
      return 0;
    }
    return node->get<std::int64_t>();
  }
  bool Flag(std::initializer_list<const char*> path) const {
    const json* node = At(body_, path);
    return node != nullptr && node->is_boolean() && node->get<bool>();
  }
  bool Has(std::initializer_list<const char*> path) const { return At(body_, path) != nullptr; }

  Status status() const { return status_; }

 private:
  void Missing(std::initializer_list<const char*> path, const char* type) {
    if (status_.ok()) {
      status_ =
          Status::InvalidArgument("missing or not a " + std::string(type) + ": " + PathText(path));
    }
  }

  const json& body_;
  Status status_ = Status::Ok();
};

// `text` when it is a full commit SHA (SHA-1 or SHA-256, lowercase hex), else "".
std::string FullSha(std::string text) {
  if (text.size() != 40 && text.size() != 64) return "";
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return "";
  }
  return text;
}

void Ignore(MergeRequestEvent* out, std::string why) {
  out->action = MergeRequestAction::kIgnored;
  out->ignored_because = std::move(why);
}

// The merge request of a GitLab payload: its attributes under `object`
// (object_attributes in a Merge Request Hook, merge_request in a Note Hook),
// the project and the user. Not its page, which each hook gives its own way.
void ReadGitLabMergeRequest(Reader& r, const char* object, MergeRequestEvent* out) {
  out->repository = r.Required({"project", "path_with_namespace"});
  out->iid = r.PositiveInteger({object, "iid"});
  out->title = r.Required({object, "title"});
  out->description = r.Optional({object, "description"});
  out->author = r.Optional({"user", "name"});
  if (out->author.empty()) out->author = r.Optional({"user", "username"});
  out->source_branch = r.Required({object, "source_branch"});
  out->target_branch = r.Required({object, "target_branch"});
  out->default_branch = r.Optional({"project", "default_branch"});
  out->repo_url = r.Required({"project", "web_url"});
  out->source_repo_url = r.Optional({object, "source", "web_url"});
  out->head_sha = FullSha(r.Optional({object, "last_commit", "id"}));
}

// A GitLab Note Hook: a comment on a merge request mentions its keys.
Status ParseGitLabNote(const json& body, MergeRequestEvent* out) {
  Reader r(body);
  std::string type = r.Optional({"object_attributes", "noteable_type"});
  if (type != "MergeRequest") {
    Ignore(out, "a comment on a " + (type.empty() ? std::string("non-merge request") : type));
    return Status::Ok();
  }
  if (r.Flag({"object_attributes", "system"})) {
    Ignore(out, "a system note");
    return Status::Ok();
  }
  ReadGitLabMergeRequest(r, "merge_request", out);
  // The comment's page, without its "#note_<id>" fragment.
  std::string url = r.Required({"object_attributes", "url"});
  out->url = url.substr(0, url.find('#'));
  out->comment = r.Required({"object_attributes", "note"});
  // "action" came with GitLab 16.11; older notes are created ones.
  std::string action = r.Optional({"object_attributes", "action"});
  if (!r.status().ok()) return r.status();
  if (action.empty() || action == "create" || action == "update") {
    out->action = MergeRequestAction::kCommented;
  } else {
    Ignore(out, "comment action \"" + action + "\"");
  }
  return Status::Ok();
}

Status ParseGitLab(std::string_view event, const json& body, MergeRequestEvent* out) {
  Reader r(body);
  if (event == "Note Hook" && r.Optional({"object_kind"}) == "note") {
    return ParseGitLabNote(body, out);
  }
  if (event != "Merge Request Hook" || r.Optional({"object_kind"}) != "merge_request") {
    Ignore(out, "event \"" + std::string(event) + "\"");
    return Status::Ok();
  }
  ReadGitLabMergeRequest(r, "object_attributes", out);
  out->url = r.Required({"object_attributes", "url"});
  std::string action = r.Required({"object_attributes", "action"});
  if (!r.status().ok()) return r.status();
  if (action == "open" || action == "reopen") {
    out->action = MergeRequestAction::kOpened;
  } else if (action == "update" &&
             (r.Has({"changes", "title"}) || r.Has({"changes", "description"}))) {
    out->action = MergeRequestAction::kEdited;
  } else if (action == "merge") {
    out->action = MergeRequestAction::kMerged;
  } else {
    Ignore(out, action == "update" ? "update without a new title or description"
                                   : "action \"" + action + "\"");
  }
  return Status::Ok();
}

// Gitea's and GitHub's issue_comment: a comment on a pull request (the
// `issue` has a `pull_request` member) mentions its keys.
Status ParseIssueComment(Forge forge, const json& body, MergeRequestEvent* out) {
  Reader r(body);
  // GitHub marks a pull request's `issue` with a pull_request member; Gitea
  // sets is_pull (and that member when it knows the merge state).
  const json* pull = At(body, {"issue", "pull_request"});
  if ((pull == nullptr || pull->is_null()) && !r.Flag({"is_pull"})) {
    Ignore(out, "a comment on an issue, not a pull request");
    return Status::Ok();
  }
  out->repository = r.Required({"repository", "full_name"});
  out->iid = r.PositiveInteger({"issue", "number"});
  out->title = r.Required({"issue", "title"});
  out->description = r.Optional({"issue", "body"});
  out->url = r.Optional({"issue", "pull_request", "html_url"});
  if (out->url.empty()) out->url = r.Required({"issue", "html_url"});
  if (forge == Forge::kGitea) out->author = r.Optional({"sender", "full_name"});
  if (out->author.empty()) out->author = r.Optional({"sender", "login"});
  out->default_branch = r.Optional({"repository", "default_branch"});
  out->repo_url = r.Required({"repository", "html_url"});
  out->comment = r.Required({"comment", "body"});
  std::string action = r.Required({"action"});
  if (!r.status().ok()) return r.status();
  if (action == "created" || action == "edited") {
    out->action = MergeRequestAction::kCommented;
  } else {
    Ignore(out, "comment action \"" + action + "\"");
  }
  return Status::Ok();
}

// Gitea, Forgejo and GitHub share the pull_request payload's shape (GitHub's
// pull_request_review carries it too, with the review).
Status ParsePullRequest(Forge forge, std::string_view event, const json& body,
                        MergeRequestEvent* out) {
  Reader r(body);
  if (event == "issue_comment") return ParseIssueComment(forge, body, out);
  const bool review = forge == Forge::kGitHub && event == "pull_request_review";
  if (event != "pull_request" && !review) {
    Ignore(out, "event \"" + std::string(event) + "\"");
    return Status::Ok();
  }
  out->repository = r.Required({"repository", "full_name"});
  out->iid = r.PositiveInteger({"pull_request", "number"});
  out->title = r.Required({"pull_request", "title"});
  out->description = r.Optional({"pull_request", "body"});
  out->url = r.Required({"pull_request", "html_url"});
  if (forge == Forge::kGitea) out->author = r.Optional({"sender", "full_name"});
  if (out->author.empty()) out->author = r.Optional({"sender", "login"});
  out->source_branch = r.Required({"pull_request", "head", "ref"});
  out->target_branch = r.Required({"pull_request", "base", "ref"});
  out->default_branch = r.Optional({"repository", "default_branch"});
  out->repo_url = r.Required({"repository", "html_url"});
  out->source_repo_url = r.Optional({"pull_request", "head", "repo", "html_url"});
  out->head_sha = FullSha(r.Optional({"pull_request", "head", "sha"}));
  std::string action = r.Required({"action"});
  if (review) out->comment = r.Optional({"review", "body"});
  if (!r.status().ok()) return r.status();
  if (review) {
    if ((action == "submitted" || action == "edited") && !out->comment.empty()) {
      out->action = MergeRequestAction::kCommented;
    } else {
      Ignore(out, out->comment.empty() ? "a review without a comment"
                                       : "review action \"" + action + "\"");
    }
  } else if (action == "opened" || action == "reopened") {
    out->action = MergeRequestAction::kOpened;
  } else if (action == "edited" && (r.Has({"changes", "title"}) || r.Has({"changes", "body"}))) {
    out->action = MergeRequestAction::kEdited;
  } else if (action == "closed" && r.Flag({"pull_request", "merged"})) {
    out->action = MergeRequestAction::kMerged;
  } else {
    Ignore(out, action == "closed" ? "closed without merging" : "action \"" + action + "\"");
  }
  return Status::Ok();
}

// Every object key read above, at any depth.
bool IsReadKey(std::string_view key) {
  static constexpr std::string_view kKeys[] = {"action",
                                               "base",
                                               "body",
                                               "changes",
                                               "comment",
                                               "default_branch",
                                               "description",
                                               "full_name",
                                               "head",
                                               "html_url",
                                               "id",
                                               "iid",
                                               "is_pull",
                                               "issue",
                                               "last_commit",
                                               "login",
                                               "merge_request",
                                               "merged",
                                               "name",
                                               "note",
                                               "noteable_type",
                                               "number",
                                               "object_attributes",
                                               "object_kind",
                                               "path_with_namespace",
                                               "project",
                                               "pull_request",
                                               "ref",
                                               "repo",
                                               "repository",
                                               "review",
                                               "sender",
                                               "sha",
                                               "source",
                                               "source_branch",
                                               "system",
                                               "target_branch",
                                               "title",
                                               "url",
                                               "user",
                                               "username",
                                               "web_url"};
  for (std::string_view known : kKeys) {
    if (key == known) return true;
  }
  return false;
}

}  // namespace

namespace {

// Builds the document of ParsePayload: the values of read keys are built as
// a DOM parser would; the values of other keys (whole objects and arrays) are
// only lexed, never stored. Faster than a parser callback, which builds each
// dropped value before it is thrown away.
class KeepReadKeys final : public nlohmann::json_sax<json> {
 public:
  bool null() override { return Value(json(nullptr)); }
  bool boolean(bool value) override { return Value(json(value)); }
  bool number_integer(number_integer_t value) override { return Value(json(value)); }
  bool number_unsigned(number_unsigned_t value) override { return Value(json(value)); }
  bool number_float(number_float_t value, const string_t& /*text*/) override {
    return Value(json(value));
  }
  bool string(string_t& value) override { return Value(json(std::move(value))); }
  bool binary(binary_t& /*value*/) override { return false; }  // not in JSON text
  bool start_object(std::size_t /*elements*/) override { return Open(json::value_t::object); }
  bool key(string_t& key) override {
    if (skipped_ > 0) return true;
    skip_next_ = !IsReadKey(key);
    if (!skip_next_) key_ = std::move(key);
    return true;
  }
  bool end_object() override { return Close(); }
  bool start_array(std::size_t /*elements*/) override { return Open(json::value_t::array); }
  bool end_array() override { return Close(); }
  bool parse_error(std::size_t /*position*/, const std::string& /*last_token*/,
                   const nlohmann::detail::exception& /*error*/) override {
    return false;
  }

  json Take() { return std::move(root_); }

 private:
  // A scalar, or a container that opens (then `open` is its place).
  bool Value(json value, json** open = nullptr) {
    if (skipped_ > 0 || skip_next_) {
      skip_next_ = false;
      return true;
    }
    json* place = nullptr;
    if (stack_.empty()) {
      root_ = std::move(value);
      place = &root_;
    } else if (stack_.back()->is_object()) {
      place = &((*stack_.back())[key_] = std::move(value));
    } else {
      stack_.back()->push_back(std::move(value));
      place = &stack_.back()->back();
    }
    if (open != nullptr) *open = place;
    return true;
  }
  bool Open(json::value_t type) {
    if (skipped_ > 0 || skip_next_) {
      skip_next_ = false;
      ++skipped_;
      return true;
    }
    json* place = nullptr;
    Value(json(type), &place);
    stack_.push_back(place);
    return true;
  }
  bool Close() {
    if (skipped_ > 0) {
      --skipped_;
    } else {
      stack_.pop_back();
    }
    return true;
  }

  json root_;
  std::vector<json*> stack_;  // the open containers being kept, innermost last
  std::string key_;           // the kept key whose value comes next
  bool skip_next_ = false;    // the next value belongs to a dropped key
  int skipped_ = 0;           // depth inside a dropped object or array
};

}  // namespace

json ParsePayload(std::string_view body) {
  KeepReadKeys keep;
  if (!json::sax_parse(body, &keep, json::input_format_t::json, /*strict=*/true)) {
    return json(json::value_t::discarded);
  }
  return keep.Take();
}

const char* ForgeName(Forge forge) {
  switch (forge) {
    case Forge::kGitLab:
      return "gitlab";
    case Forge::kGitea:
      return "gitea";
    case Forge::kGitHub:
      return "github";
  }
  return "unknown";
}

std::string RepositoryOf(Forge forge, const json& body) {
  const json* node = forge == Forge::kGitLab ? At(body, {"project", "path_with_namespace"})
                                             : At(body, {"repository", "full_name"});
  return node != nullptr && node->is_string() ? node->get<std::string>() : "";
}

Status ParseMergeRequestEvent(Forge forge, std::string_view event, const json& body,
                              MergeRequestEvent* out) {
  *out = MergeRequestEvent();
  out->forge = forge;
  if (!body.is_object()) return Status::InvalidArgument("the body is not a JSON object");
  return forge == Forge::kGitLab ? ParseGitLab(event, body, out)
                                 : ParsePullRequest(forge, event, body, out);
}

std::string BranchUrl(Forge forge, std::string_view repo_url, std::string_view branch) {
  if (repo_url.empty() || branch.empty()) return "";
  std::string url(TrimTrailingSlashes(repo_url));
  switch (forge) {
    case Forge::kGitLab:
      url += "/-/tree/";
      break;
    case Forge::kGitea:
      url += "/src/branch/";
      break;
    case Forge::kGitHub:
      url += "/tree/";
      break;
  }
  url += PercentEncode(branch, "/");

  return url;
}

std::string CommitUrl(Forge forge, std::string_view repo_url, std::string_view sha) {
  if (repo_url.empty() || sha.empty()) return "";
  return std::string(TrimTrailingSlashes(repo_url)) +
         (forge == Forge::kGitLab ? "/-/commit/" : "/commit/") + std::string(sha);
}

}  // namespace jiralink::serve
