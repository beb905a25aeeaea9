// The stand-in's Development Information API: see standin_devinfo.h.
#include "standin_devinfo.h"

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <set>
#include <vector>

#include "standin_api.h"

namespace jiralink::standin::internal {

namespace {

using nlohmann::json;

constexpr char kCloudPrefix[] = "/jira/devinfo/0.1/cloud/";
constexpr const char* kKinds[] = {"commits", "branches", "pullRequests"};

ApiReply Json(int status, const json& body) { return {status, body.dump(), {}, {}}; }

// The devinfo API's error shape: errorMessages as objects.
ApiReply DevinfoError(int status, const std::string& message) {
  return Json(status, {{"errorMessages", json::array({{{"message", message}}})}});
}

std::vector<std::string> Split(const std::string& path, char separator) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = path.find(separator, start);
    if (end == std::string::npos) end = path.size();
    parts.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

// Java's String.length(): UTF-16 units.
std::size_t JavaLength(const std::string& text) {
  std::size_t units = 0;
  for (unsigned char c : text) {
    if ((c & 0xC0) == 0x80) continue;
    units += c >= 0xF0 ? 2 : 1;
  }
  return units;
}

bool IsEntityId(const std::string& id) {
  if (id.empty() || id.size() > 1024) return false;
  for (unsigned char c : id) {
    if (!std::isalnum(c) && c != '~' && c != '.' && c != '-' && c != '_') return false;
  }
  return true;
}

enum class Type { kString, kInteger, kBoolean, kArray, kObject };

struct Field {
  const char* name;
  Type type;
  bool required;
  std::size_t max_length = 0;  // strings: UTF-16 units; 0 = no limit
};

const char* TypeName(Type type) {
  switch (type) {
    case Type::kString:
      return "a string";
    case Type::kInteger:
      return "an integer";
    case Type::kBoolean:
      return "a boolean";
    case Type::kArray:
      return "an array";
    case Type::kObject:
      return "an object";
  }
  return "?";
}

bool HasType(const json& value, Type type) {
  switch (type) {
    case Type::kString:
      return value.is_string();
    case Type::kInteger:
      return value.is_number_integer();
    case Type::kBoolean:
      return value.is_boolean();
    case Type::kArray:
      return value.is_array();
    case Type::kObject:
      return value.is_object();
  }
  return false;
}

// The fields of one object; "" when they are fine, else what is wrong and where.
std::string CheckFields(const json& object, const std::vector<Field>& fields,
                        const std::string& where) {
  if (!object.is_object()) return where + " must be an object";
  for (const Field& field : fields) {
    auto it = object.find(field.name);
    if (it == object.end()) {
      if (field.required) return where + "." + field.name + " is required";
      continue;
    }
    if (!HasType(*it, field.type)) {
      return where + "." + field.name + " must be " + TypeName(field.type);
    }
    if (field.type == Type::kString && field.max_length > 0 &&
        JavaLength(it->get<std::string>()) > field.max_length) {
      return where + "." + field.name + " is longer than " + std::to_string(field.max_length) +
             " characters";
    }
  }
  return "";
}

const std::vector<Field> kRepositoryFields = {
    {"id", Type::kString, true, 1024},      {"name", Type::kString, true, 255},
    {"url", Type::kString, true, 2000},     {"updateSequenceId", Type::kInteger, true},
    {"avatar", Type::kString, false, 2000}, {"description", Type::kString, false, 1024},
    {"forkOf", Type::kString, false, 1024}, {"avatarDescription", Type::kString, false, 1024},
    {"commits", Type::kArray, false},       {"branches", Type::kArray, false},
    {"pullRequests", Type::kArray, false}};
const std::vector<Field> kAuthorFields = {{"name", Type::kString, true, 255},
                                          {"email", Type::kString, true, 255},
                                          {"username", Type::kString, false, 255},
                                          {"url", Type::kString, false, 2000},
                                          {"avatar", Type::kString, false, 2000}};
const std::vector<Field> kReviewerFields = {
    {"name", Type::kString, true, 255},       {"email", Type::kString, true, 254},
    {"approvalStatus", Type::kString, false}, {"url", Type::kString, false, 2000},
    {"avatar", Type::kString, false, 2000},   {"accountId", Type::kString, false, 128}};
const std::vector<Field> kCommitFields = {{"id", Type::kString, true, 1024},
                                          {"issueKeys", Type::kArray, true},
                                          {"updateSequenceId", Type::kInteger, true},
                                          {"hash", Type::kString, true, 255},
                                          {"flags", Type::kArray, false},
                                          {"message", Type::kString, true, 1024},
                                          {"author", Type::kObject, true},
                                          {"fileCount", Type::kInteger, true},
                                          {"url", Type::kString, true, 2000},
                                          {"files", Type::kArray, false},
                                          {"authorTimestamp", Type::kString, true},
                                          {"displayId", Type::kString, true, 255}};
const std::vector<Field> kBranchFields = {{"id", Type::kString, true, 1024},
                                          {"issueKeys", Type::kArray, true},
                                          {"updateSequenceId", Type::kInteger, true},
                                          {"name", Type::kString, true, 512},
                                          {"lastCommit", Type::kObject, true},
                                          {"createPullRequestUrl", Type::kString, false, 2000},
                                          {"url", Type::kString, true, 2000}};
const std::vector<Field> kPullRequestFields = {{"id", Type::kString, true, 1024},
                                               {"issueKeys", Type::kArray, true},
                                               {"updateSequenceId", Type::kInteger, true},
                                               {"status", Type::kString, true},
                                               {"title", Type::kString, true, 1024},
                                               {"author", Type::kObject, true},
                                               {"commentCount", Type::kInteger, true},
                                               {"sourceBranch", Type::kString, true, 255},
                                               {"sourceBranchUrl", Type::kString, false, 2000},
                                               {"lastUpdate", Type::kString, true},
                                               {"destinationBranch", Type::kString, false, 255},
                                               {"destinationBranchUrl", Type::kString, false, 2000},
                                               {"reviewers", Type::kArray, false},
                                               {"url", Type::kString, true, 2000},
                                               {"displayId", Type::kString, true, 255}};

std::string CheckIssueKeys(const json& keys, const std::string& where) {
  if (keys.empty()) return where + ".issueKeys must hold at least 1 issue key";
  if (keys.size() > 100) return where + ".issueKeys holds more than 100 issue keys";
  for (const json& key : keys) {
    if (!key.is_string()) return where + ".issueKeys must hold strings";
  }
  return "";
}

std::string CheckCommit(const json& commit, const std::string& where) {
  if (std::string problem = CheckFields(commit, kCommitFields, where); !problem.empty()) {
    return problem;
  }
  if (!IsEntityId(commit["id"].get<std::string>())) {
    return where + ".id may hold only alphanumerics and '~.-_'";
  }
  if (commit["fileCount"].get<long long>() < 0) return where + ".fileCount must be >= 0";
  if (commit.contains("flags")) {
    for (const json& flag : commit["flags"]) {
      if (flag != "MERGE_COMMIT") return where + ".flags may hold only \"MERGE_COMMIT\"";
    }
  }
  if (std::string problem = CheckFields(commit["author"], kAuthorFields, where + ".author");
      !problem.empty()) {
    return problem;
  }
  return CheckIssueKeys(commit["issueKeys"], where);
}

std::string CheckEntity(int kind, const json& entity, const std::string& where) {
  if (kind == 0) return CheckCommit(entity, where);
  const auto& fields = kind == 1 ? kBranchFields : kPullRequestFields;
  if (std::string problem = CheckFields(entity, fields, where); !problem.empty()) return problem;
  if (!IsEntityId(entity["id"].get<std::string>())) {
    return where + ".id may hold only alphanumerics and '~.-_'";
  }
  if (std::string problem = CheckIssueKeys(entity["issueKeys"], where); !problem.empty()) {
    return problem;
  }
  if (kind == 1) return CheckCommit(entity["lastCommit"], where + ".lastCommit");
  static const std::set<std::string> kStatuses = {"OPEN", "MERGED", "DECLINED", "UNKNOWN"};
  if (kStatuses.count(entity["status"].get<std::string>()) == 0) {
    return where + ".status must be OPEN, MERGED, DECLINED or UNKNOWN";
  }
  if (std::string problem = CheckFields(entity["author"], kAuthorFields, where + ".author");
      !problem.empty()) {
    return problem;
  }
  if (entity.contains("reviewers")) {
    for (std::size_t i = 0; i < entity["reviewers"].size(); ++i) {
      const json& reviewer = entity["reviewers"][i];
      const std::string at = where + ".reviewers[" + std::to_string(i) + "]";
      if (std::string problem = CheckFields(reviewer, kReviewerFields, at); !problem.empty()) {
        return problem;
      }
      if (reviewer.contains("approvalStatus") && reviewer["approvalStatus"] != "APPROVED" &&
          reviewer["approvalStatus"] != "UNAPPROVED") {
        return at + ".approvalStatus must be APPROVED or UNAPPROVED";
      }
    }
  }
  return "";
}

// The whole request; "" when Jira would take it.
std::string CheckBulk(const json& body) {
  if (!body.is_object()) return "the request body must be a JSON object";
  if (!body.contains("repositories") || !body["repositories"].is_array()) {
    return "repositories is required and must be an array";
  }
  const json& repositories = body["repositories"];
  if (repositories.size() > 100) {
    return "repositories holds " + std::to_string(repositories.size()) +
           " repositories; at most 100 are allowed in one request";
  }
  if (body.contains("preventTransitions") && !body["preventTransitions"].is_boolean()) {
    return "preventTransitions must be a boolean";
  }
  if (body.contains("operationType") && body["operationType"] != "NORMAL" &&
      body["operationType"] != "BACKFILL") {
    return "operationType must be NORMAL or BACKFILL";
  }
  if (body.contains("properties") && !body["properties"].is_object()) {
    return "properties must be an object";
  }
  std::size_t entities = 0;
  std::set<std::string> repository_ids;
  for (std::size_t r = 0; r < repositories.size(); ++r) {
    const json& repository = repositories[r];
    const std::string where = "repositories[" + std::to_string(r) + "]";
    if (std::string problem = CheckFields(repository, kRepositoryFields, where); !problem.empty()) {
      return problem;
    }
    if (!IsEntityId(repository["id"].get<std::string>())) {
      return where + ".id may hold only alphanumerics and '~.-_'";
    }
    if (!repository_ids.insert(repository["id"].get<std::string>()).second) {
      return where + ".id \"" + repository["id"].get<std::string>() + "\" appears twice";
    }
    for (int kind = 0; kind < 3; ++kind) {
      if (!repository.contains(kKinds[kind])) continue;
      const json& list = repository[kKinds[kind]];
      if (list.size() > 400) {
        return where + "." + kKinds[kind] + " holds " + std::to_string(list.size()) +
               "; at most 400 are allowed per repository";
      }
      entities += list.size();
      std::set<std::string> ids;
      for (std::size_t i = 0; i < list.size(); ++i) {
        const std::string at = where + "." + kKinds[kind] + "[" + std::to_string(i) + "]";
        if (std::string problem = CheckEntity(kind, list[i], at); !problem.empty()) {
          return problem;
        }
        if (!ids.insert(list[i]["id"].get<std::string>()).second) {
          return at + ".id \"" + list[i]["id"].get<std::string>() + "\" appears twice";
        }
      }
    }
  }
  if (entities > 1000) {
    return "the request holds " + std::to_string(entities) +
           " entities; at most 1000 are allowed across its repositories";
  }
  return "";
}

// Writes an accepted body for the schema check, when asked to.
void RecordAcceptedBody(const std::string& body) {
  const char* dir = std::getenv("JIRALINK_STANDIN_DEVINFO_BODIES");
  if (dir == nullptr || *dir == '\0') return;
  static std::atomic<int> counter{0};
  ::mkdir(dir, 0700);
  std::ofstream(std::string(dir) + "/" + std::to_string(::getpid()) + "-" +
                std::to_string(counter++) + ".json")
      << body;
}

std::string Param(const ApiRequest& request, const std::string& name) {
  auto it = request.params.find(name);
  return it == request.params.end() ? "" : it->second;
}

int KindOfType(const std::string& type) {
  if (type == "commit") return 0;
  if (type == "branch") return 1;
  if (type == "pull_request") return 2;
  return -1;
}

}  // namespace

bool DevinfoModel::Handles(const std::string& path) {
  return path == "/oauth/token" || path == "/_edge/tenant_info" || path.rfind(kCloudPrefix, 0) == 0;
}

ApiReply DevinfoModel::Handle(const ApiRequest& request, const std::string& authorization,
                              bool cloud_site,
                              const std::function<bool(const std::string&)>& issue_exists) {
  const auto now = std::chrono::steady_clock::now();
  if (request.path == "/_edge/tenant_info") {
    if (!cloud_site || request.method != "GET") {
      return {404, "<html><head><title>404 Not Found</title></head></html>", "text/html", {}};
    }
    return Json(200, {{"cloudId", options_.cloud_id}});
  }
  if (request.path == "/oauth/token") {
    if (request.method != "POST") return Json(405, {{"error", "method_not_allowed"}});
    json body = json::parse(request.body, nullptr, false);
    if (body.is_discarded() || !body.is_object()) {
      return Json(400,
                  {{"error", "invalid_request"}, {"error_description", "the body must be JSON"}});
    }
    if (body.value("grant_type", "") != "client_credentials") {
      return Json(400, {{"error", "unsupported_grant_type"},
                        {"error_description", "Grant type is not supported"}});
    }
    if (body.value("client_id", "") != options_.client_id ||
        body.value("client_secret", "") != options_.client_secret) {
      return Json(401, {{"error", "access_denied"}, {"error_description", "Unauthorized"}});
    }
    const std::string token = "standin-devinfo-token-" + std::to_string(++tokens_issued_);
    tokens_[token] = now + std::chrono::seconds(options_.token_lifetime_seconds);
    return Json(200, {{"access_token", token},
                      {"expires_in", options_.token_lifetime_seconds},
                      {"token_type", "Bearer"},
                      {"scope", "manage:jira-data-provider"}});
  }

  // The devinfo API: …/cloud/{cloudId}/bulk or …/cloud/{cloudId}/repository/…
  const std::string bearer = "Bearer ";
  auto token = authorization.rfind(bearer, 0) == 0
                   ? tokens_.find(authorization.substr(bearer.size()))
                   : tokens_.end();
  if (token == tokens_.end() || token->second <= now) {
    return Json(401, {{"code", 401}, {"message", "Unauthorized"}});
  }
  if (!options_.permitted) {
    return Json(403, {{"code", 403},
                      {"message",
                       "The app is not installed on this instance or does not have "
                       "the Development information permission"}});
  }
  std::vector<std::string> parts = Split(request.path.substr(sizeof(kCloudPrefix) - 1), '/');
  if (parts.empty() || parts[0] != options_.cloud_id) {
    return Json(404, {{"code", 404}, {"message", "Cannot find a site with that cloud ID"}});
  }
  if (parts.size() == 2 && parts[1] == "bulk" && request.method == "POST") {
    return Bulk(request, issue_exists);
  }
  if (parts.size() == 3 && parts[1] == "repository") {
    if (request.method == "GET") {
      auto it = repositories_.find(parts[2]);
      if (it == repositories_.end()) {
        return DevinfoError(404, "No repository with ID " + parts[2]);
      }
      json out = it->second.fields;
      for (int kind = 0; kind < 3; ++kind) {
        json& list = out[kKinds[kind]] = json::array();
        for (const auto& [id, entity] : it->second.entities[kind]) list.push_back(entity);
      }
      return Json(200, out);
    }
    if (request.method == "DELETE") return Delete(parts[2], "", "", request);
  }
  if (parts.size() == 5 && parts[1] == "repository" && request.method == "DELETE") {
    return Delete(parts[2], parts[3], parts[4], request);
  }
  return DevinfoError(404, "No devinfo route " + request.method + " " + request.path);
}

ApiReply DevinfoModel::Bulk(const ApiRequest& request,
                            const std::function<bool(const std::string&)>& issue_exists) {
  json body = json::parse(request.body, nullptr, false);
  if (body.is_discarded()) return DevinfoError(400, "The request body is not valid JSON");
  if (std::string problem = CheckBulk(body); !problem.empty()) return DevinfoError(400, problem);
  RecordAcceptedBody(request.body);

  json accepted = json::object();
  json failed = json::object();
  std::set<std::string> unknown;
  for (const json& incoming : body["repositories"]) {
    const std::string id = incoming["id"].get<std::string>();
    Repository& repository = repositories_[id];
    const long long sequence = incoming["updateSequenceId"].get<long long>();
    if (repository.fields.is_null() || sequence > repository.fields["updateSequenceId"]) {
      json fields = incoming;
      for (const char* kind : kKinds) fields.erase(kind);
      repository.fields = std::move(fields);
    }
    json& ids = accepted[id] = json::object();
    for (int kind = 0; kind < 3; ++kind) {
      if (!incoming.contains(kKinds[kind])) continue;
      for (const json& entity : incoming[kKinds[kind]]) {
        const std::string entity_id = entity["id"].get<std::string>();
        bool any_known = false;
        for (const json& key : entity["issueKeys"]) {
          if (issue_exists(key.get<std::string>())) {
            any_known = true;
          } else {
            unknown.insert(key.get<std::string>());
          }
        }
        if (!any_known) {
          failed[id][kKinds[kind]].push_back(
              {{"id", entity_id},
               {"errorMessages",
                json::array({{{"message", "None of the issue keys of this entity exists in Jira: " +
                                              entity["issueKeys"].dump()}}})}});
          continue;
        }
        ids[kKinds[kind]].push_back(entity_id);
        auto& stored = repository.entities[kind];
        auto it = stored.find(entity_id);
        if (it == stored.end() || entity["updateSequenceId"].get<long long>() >
                                      it->second["updateSequenceId"].get<long long>()) {
          stored[entity_id] = entity;
        }
      }
    }
  }
  json result = {{"acceptedDevinfoEntities", accepted}};
  if (!failed.empty()) result["failedDevinfoEntities"] = failed;
  if (!unknown.empty()) result["unknownIssueKeys"] = unknown;
  return Json(202, result);
}

ApiReply DevinfoModel::Delete(const std::string& repository_id, const std::string& type,
                              const std::string& entity_id, const ApiRequest& request) {
  long long limit = -1;  // -1: every stored update
  if (std::string text = Param(request, "_updateSequenceId"); !text.empty()) {
    char* end = nullptr;
    limit = std::strtoll(text.c_str(), &end, 10);
    if (*end != '\0' || limit < 0) {
      return DevinfoError(400,
                          "_updateSequenceId must be a non-negative integer, got \"" + text + "\"");
    }
  }
  auto at_most = [&](const json& stored) {
    return limit < 0 || stored["updateSequenceId"].get<long long>() <= limit;
  };
  auto repository = repositories_.find(repository_id);
  if (type.empty()) {
    if (repository != repositories_.end() && at_most(repository->second.fields)) {
      repositories_.erase(repository);
    }
    return {202, "", "application/json", {}};
  }
  const int kind = KindOfType(type);
  if (kind < 0) {
    return DevinfoError(400,
                        "entityType must be commit, branch or pull_request, got \"" + type + "\"");
  }
  if (repository != repositories_.end()) {
    auto& stored = repository->second.entities[kind];
    auto it = stored.find(entity_id);
    if (it != stored.end() && at_most(it->second)) stored.erase(it);
  }
  return {202, "", "application/json", {}};
}

void DevinfoModel::ExpireTokens() {
  const auto past = std::chrono::steady_clock::now() - std::chrono::seconds(1);
  for (auto& [token, expiry] : tokens_) expiry = past;
}

void DevinfoModel::Clear() { repositories_.clear(); }

json DevinfoModel::State() const {
  json repositories = json::object();
  for (const auto& [id, repository] : repositories_) {
    json out = repository.fields;
    for (int kind = 0; kind < 3; ++kind) {
      json& map = out[kKinds[kind]] = json::object();
      for (const auto& [entity_id, entity] : repository.entities[kind]) map[entity_id] = entity;
    }
    repositories[id] = std::move(out);
  }
  return {{"cloudId", options_.cloud_id},
          {"tokensIssued", tokens_issued_},
          {"repositories", std::move(repositories)}};
}

}  // namespace jiralink::standin::internal
