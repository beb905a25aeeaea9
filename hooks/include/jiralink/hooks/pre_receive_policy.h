// The push policy of `jiralink hook pre-receive` ([policy] in the settings):
// refuse a push whose new commits name no Jira key on a protected branch,
// or name an issue that does not exist or is in a status category not
// allowed. Git refuses the whole push when pre-receive exits non-zero.
//
// Which commits: those the push brings that no ref reached before it, i.e.
// `git rev-list <new tips> --not --all`, read by ONE git process per push.
// In pre-receive the pushed objects are still in the quarantine directory;
// git names it in the hook's environment (GIT_QUARANTINE_PATH,
// GIT_OBJECT_DIRECTORY, GIT_ALTERNATE_OBJECT_DIRECTORIES), and the git this
// module runs inherits that environment, so it sees them. A commit already
// on another branch is never checked again (moving it to `main` is not new
// work), as Git::Hooks' CheckJira does. Tags, other refs and deletions bring
// nothing to check.
//
// The rules, per new commit that is not exempt (an author in
// exempt_authors, or a message that exempt_message matches):
//   - reached from the new tip of a branch that a require_key glob matches
//     (fnmatch(3) on the branch name, no flags): it must name a key
//     (found as the hook finds keys, with [matching]);
//   - with allowed_states set, on any branch: every key it names must be
//     an issue whose status category (name or key, ignoring case) is one
//     of them. All keys of the push are looked up in ONE Jira search
//     (`key in (...)`, fields=status). A key Jira does not return is
//     "no such issue" (Jira answers the same for an issue the account
//     may not see).
// When Jira cannot answer (down, slow, 401/403, not configured), the push
// is refused with reject_when_jira_unreachable, else accepted with a
// warning. The caller bounds the whole check (jira::ClientOptions::deadline).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "jiralink/core/key_scanner.h"
#include "jiralink/core/status.h"
#include "jiralink/hooks/ref_update.h"

namespace re2 {
class RE2;
}

namespace jiralink::jira {
class Client;
}

namespace jiralink::hooks {

struct PolicyOptions {
  std::vector<std::string> require_key;     // branch globs
  std::vector<std::string> allowed_states;  // status category names or keys
  // An entry with '@' is an author email (compared ignoring case), any
  // other an author name (compared exactly). Git's %an/%ae, before .mailmap.
  std::vector<std::string> exempt_authors;
  std::string exempt_message;  // RE2, partial match against the whole message
  bool reject_when_jira_unreachable = false;
  MatchingOptions matching;
};

// One new commit, as the policy needs it (the message itself is not kept).
struct PolicyCommit {
  std::string sha;
  std::string short_sha;  // the first kShortShaLength (11) characters, the forge's short id
  std::string title;      // the first line of the message, raw
  std::string author_name;
  std::string author_email;
  std::vector<std::string> keys;  // named keys, in order of first appearance
  bool exempt = false;
  std::string required_on;  // a pushed branch whose require_key glob reaches it; "" = none
};

// What Jira answered about a set of keys.
struct IssueLookup {
  bool answered = false;  // false: Jira could not be asked, or gave no usable answer
  std::string problem;    // why not (Jira's or the network's words; never a secret)
  // Category of each issue found, by key: {name as Jira sent it, key}.
  std::map<std::string, std::pair<std::string, std::string>> categories;
  // Search requests made: 1, one more per further page (Jira caps pages: 50
  // to 100 issues), one more search after a 400 naming unknown keys.
  int searches = 0;
  // Keys of moved issues (old key -> the key Jira has now), found by one
  // GET /issue each; issue_requests counts those GETs (0 without a move).
  std::map<std::string, std::string> moved;
  int issue_requests = 0;
};

// Looks up `keys` (at least one).
using IssueLookupFn = std::function<IssueLookup(const std::vector<std::string>& keys)>;

// The issue lookup through Jira: one search `key in (...)` with
// fields=status, following further pages only when Jira caps the page below
// the number of keys. A 400 whose messages name some of the keys (Jira
// refuses a JQL naming a key that does not exist: "An issue with key 'X-1'
// does not exist for field 'key'.") leaves those keys out as unknown and
// searches once more for the rest. An issue moved to another project comes
// back under its new key; the keys the search then left out are asked for
// one by one (at most 20), so an old key still counts as that issue.
IssueLookup LookUpIssueCategories(jira::Client& client, const std::vector<std::string>& keys);

struct PolicyViolation {
  std::string sha;
  std::string short_sha;
  std::string title;                 // raw
  std::vector<std::string> reasons;  // "names no Jira issue key (required on main)", ...
};

struct PolicyVerdict {
  bool refused = false;
  std::vector<PolicyViolation> violations;  // in git's order (newest first)
  // Why the whole push is refused besides the commits (Jira unreachable
  // with reject_when_jira_unreachable).
  std::vector<std::string> problems;
  std::vector<std::string> warnings;  // stdin lines skipped, Jira unreachable (allowed)
  int commits = 0;                    // new commits read
  int exempt = 0;                     // of them, exempt
  int searches = 0;                   // Jira searches made
};

class PushPolicy {
 public:
  // Compiles the options (the key pattern and exempt_message); fails with
  // kInvalidArgument naming the setting that does not compile.
  static Status Create(const PolicyOptions& options, std::unique_ptr<PushPolicy>* out);
  ~PushPolicy();
  PushPolicy(const PushPolicy&) = delete;
  PushPolicy& operator=(const PushPolicy&) = delete;

  // False when neither require_key nor allowed_states is set: nothing to
  // check, and no git needs to run.
  bool checks_anything() const;

  // The new commits of `updates` (see above), newest first as git lists
  // them, each classified (keys, exempt, required_on). Runs one `git
  // rev-list`, none when no branch gets a new tip. Fails when git does
  // (not a repository, a tip that is missing or not a commit).
  Status ReadCommits(const std::string& git_dir, const std::vector<RefUpdate>& updates,
                     std::vector<PolicyCommit>* commits) const;

  // Classifies one commit (as ReadCommits does; for tests and callers that
  // read commits themselves). `required_on` is left as it is.
  void Classify(std::string_view message, PolicyCommit* commit) const;

  // Judges the commits. Calls `lookup` at most once, with every distinct
  // key the non-exempt commits name, when allowed_states is set.
  PolicyVerdict Judge(const std::vector<PolicyCommit>& commits, const IssueLookupFn& lookup) const;

  // The whole check of one push: parses git's stdin lines (bad lines are
  // skipped with a warning), reads the commits and judges them. Fails only
  // when the commits cannot be read.
  Status CheckPush(const std::string& git_dir, std::string_view input, const IssueLookupFn& lookup,
                   PolicyVerdict* verdict) const;

 private:
  PushPolicy() = default;
  bool IsExemptAuthor(const std::string& name, const std::string& email) const;

  PolicyOptions options_;
  std::unique_ptr<KeyScanner> scanner_;
  std::unique_ptr<re2::RE2> exempt_message_;  // null when not set
};

// True when `branch` ("main", "release/1.0") matches one of the fnmatch(3)
// globs (no flags: `*` also matches '/').
bool BranchMatchesAny(std::string_view branch, const std::vector<std::string>& globs);

// What the pusher reads when the push is refused: a headline, one line per
// offending commit ("<short sha> <title>: <reasons>", the title cut to fit
// a terminal line), at most `max_commits` of them then "and N more
// commits", the push-wide problems, and one line saying what to do. Every
// line is made safe for a terminal (SafeTerminalText). Without prefix;
// the caller adds "jiralink: ".
std::vector<std::string> RejectionLines(const PolicyVerdict& verdict, std::size_t max_commits = 20);

}  // namespace jiralink::hooks
