// The recorded forge payloads of tests/fixtures/webhooks (see PROVENANCE.md),
// read as JSON, and what the forges send with them.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "jiralink/serve/signature.h"
#include "support/test_support.h"

namespace jiralink::testing {

// tests/fixtures/webhooks/<relative>, parsed.
inline nlohmann::json LoadWebhookFixture(const std::string& relative) {
  return nlohmann::json::parse(ReadFile(SourceDir() + "/tests/fixtures/webhooks/" + relative));
}

// GitLab's documented merge-request event, with `action`, title and description set.
inline nlohmann::json GitLabEvent(const std::string& action, const std::string& title,
                                  const std::string& description) {
  nlohmann::json body = LoadWebhookFixture("gitlab/merge_request.open.json");
  body["object_attributes"]["action"] = action;
  body["object_attributes"]["title"] = title;
  body["object_attributes"]["description"] = description;
  if (action == "merge") body["object_attributes"]["state"] = "merged";
  return body;
}

// Gitea's pull-request payload with `action`, title and body set.
inline nlohmann::json GiteaEvent(const std::string& action, const std::string& title,
                                 const std::string& text) {
  nlohmann::json body = LoadWebhookFixture("gitea/pull_request.opened.json");
  body["action"] = action;
  body["pull_request"]["title"] = title;
  body["pull_request"]["body"] = text;
  return body;
}

// GitHub's (octokit) opened example with `action`, title and body set.
inline nlohmann::json GitHubEvent(const std::string& action, const std::string& title,
                                  const std::string& text) {
  nlohmann::json body = LoadWebhookFixture("github/pull_request.opened.json");
  body["action"] = action;
  body["pull_request"]["title"] = title;
  body["pull_request"]["body"] = text;
  return body;
}

// GitLab's documented comment on a merge request (Note Hook) saying `note`.
inline nlohmann::json GitLabNote(const std::string& note) {
  nlohmann::json body = LoadWebhookFixture("gitlab/note.merge_request.json");
  body["object_attributes"]["note"] = note;
  return body;
}

// GitHub's (octokit) issue_comment example saying `text`, made a comment on a
// pull request as GitHub sends one (`issue.pull_request`).
inline nlohmann::json GitHubPullRequestComment(const std::string& text) {
  nlohmann::json body = LoadWebhookFixture("github/issue_comment.created.json");
  body["comment"]["body"] = text;
  body["issue"]["pull_request"] = {
      {"url", "https://api.github.com/repos/Codertocat/Hello-World/pulls/1"},
      {"html_url", "https://github.com/Codertocat/Hello-World/pull/1"}};
  return body;
}

}  // namespace jiralink::testing
