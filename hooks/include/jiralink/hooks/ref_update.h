// Parsing what git gives post-receive on stdin: "<old> SP <new> SP <ref> LF"
// per updated ref (all-zero old = created, all-zero new = deleted).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace jiralink::hooks {

struct RefUpdate {
  std::string old_oid;  // hex; all zeros when the ref was created
  std::string new_oid;  // hex; all zeros when the ref was deleted
  std::string ref;      // "refs/heads/main"

  bool is_create() const;
  bool is_delete() const;
  bool is_branch() const;      // refs/heads/*
  std::string branch() const;  // "main" for refs/heads/main; empty otherwise
};

// True for an all-zero object id of any length.
bool IsZeroOid(std::string_view oid);

// Splits stdin into updates. Lines that are not "<hex> <hex> <ref>" (SHA-1 or
// SHA-256 lengths) are skipped, each with a warning naming the line number;
// the valid lines are always kept.
std::vector<RefUpdate> ParseRefUpdates(std::string_view input, std::vector<std::string>* warnings);

}  // namespace jiralink::hooks
