// The end state exactly-once delivery promises, checked at the stand-in Jira
// (tests of lost replies, killed workers and fleets share it): every
// (commit, key) has one comment and one remote link naming the commit's URL,
// and every closed key is resolved with one "Issue solved" comment.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "standin.h"

namespace jiralink::testing {

// `commit_url_prefix` + sha is a commit's URL, e.g.
// "https://git.example.com/platform/api/-/commit/". `Shas`: any container
// of the shas (std::vector or std::set) that name the key.
template <typename Shas, typename Keys>
void ExpectOneCommentAndLinkPerCommitAndKey(const standin::JiraStandin& jira,
                                            const std::string& commit_url_prefix,
                                            const std::map<std::string, Shas>& shas_by_key,
                                            const Keys& closed) {
  auto bodies_of = [&](const std::string& key) {
    std::vector<std::string> bodies;
    for (const auto& comment : jira.Comments(key)) bodies.push_back(comment.value("body", ""));
    return bodies;
  };
  for (const auto& [key, shas] : shas_by_key) {
    std::vector<std::string> bodies = bodies_of(key);
    auto links = jira.RemoteLinks(key);
    EXPECT_EQ(bodies.size(), shas.size()) << key;
    EXPECT_EQ(links.size(), shas.size()) << key;
    for (const std::string& sha : shas) {
      const std::string url = commit_url_prefix + sha;
      int in_bodies = 0;
      for (const std::string& body : bodies) in_bodies += body.find(url) != std::string::npos;
      EXPECT_EQ(in_bodies, 1) << key << " " << sha;
      int with_url = 0;
      for (const auto& link : links) with_url += link["object"]["url"] == url;
      EXPECT_EQ(with_url, 1) << key << " " << sha;
    }
  }
  for (const std::string& key : closed) {
    EXPECT_EQ(jira.Resolution(key), "Done") << key;
    std::vector<std::string> bodies = bodies_of(key);
    ASSERT_EQ(bodies.size(), 1u) << key;
    EXPECT_EQ(bodies[0].rfind("Issue solved with [", 0), 0u) << bodies[0];
  }
}

}  // namespace jiralink::testing
