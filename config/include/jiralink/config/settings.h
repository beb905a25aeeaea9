// Settings: the effective jiralink settings for one repository, as plain data.
//
// Read from one TOML file (see config/loader.h) and layered field by field:
// built-in defaults, then the [jira]/[matching]/... tables at the top level,
// then every matching [groups."<prefix>"] table, outermost first, then the
// [projects."<repo path>"] table. Every table below can appear at each layer.
// Values derived from others are computed once, by Config::ForRepo(), and
// read from here by every caller (never recomputed elsewhere).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "jiralink/core/jira_site.h"
#include "jiralink/core/redis_url.h"

namespace jiralink::config {

enum class AuthMode { kBasic, kPat };
enum class TransitionMode { kDone, kCustom };
enum class TokenSource { kNone, kInline, kFile, kEnv };

struct JiraSettings {
  std::string web_url;  // e.g. https://example.atlassian.net (no trailing '/')
  std::string api_url;  // where the REST API is called; ForRepo() fills in web_url when unset
  AuthMode auth = AuthMode::kBasic;
  std::string username;
  TokenSource token_source = TokenSource::kNone;
  std::string token;       // only with kInline
  std::string token_file;  // only with kFile; absolute (relative paths are resolved
                           // against the settings file's directory when loaded)
  std::string token_env;   // only with kEnv
  int timeout_seconds = 30;
  int connect_timeout_seconds = 10;
  std::string ca_file;  // custom CA bundle; empty = the system's
  bool verify_tls = true;
  // Derived by ForRepo(): web_url or api_url names Jira Cloud (IsJiraCloudUrl).
  bool cloud = false;
};

struct MatchingSettings {
  std::string regex;   // RE2; empty = default key pattern
  std::string prefix;  // RE2 text before the key; may be empty
};

// [comments] detail: how much the "mentioned" comment says (the forge's
// comment_detail): "standard" names "a commit" and quotes the title;
// "all_details" names "commit <short sha>" and quotes the whole message.
enum class CommentDetailLevel { kStandard, kAllDetails };

struct CommentSettings {
  bool enabled = true;
  CommentDetailLevel detail = CommentDetailLevel::kStandard;
};

// Which events queue "mentioned" comments and links ([triggers]), as the
// forge's Trigger checkboxes. Closes follow [transitions] either way.
struct TriggerSettings {
  bool commit = true;         // pushed commits that mention a key
  bool merge_request = true;  // merge requests whose title or description mentions a key
};

struct TransitionSettings {
  bool enabled = true;
  TransitionMode mode = TransitionMode::kDone;
  std::string ids;                   // raw text as configured, e.g. "11, 21"
  std::vector<std::string> id_list;  // the numbers of `ids`, in order
};

// [smart_commits]: the #comment, #time and #<transition> commands of pushed
// commits (core/smart_commit.h), as Atlassian's Smart Commits. Off by default
// at every level.
struct SmartCommitSettings {
  bool enabled = false;
  // Mention the Jira user whose email is the commit author's in the comment
  // and worklog texts (a cached /user/search lookup); otherwise the author's
  // name as recorded in the commit.
  bool map_authors = false;
};

struct GitSettings {
  std::string root;            // directory holding the repositories
  std::string commit_url;      // template with {repo} and {sha}
  std::string branch_url;      // template with {repo} and {branch}
  std::string repo_url;        // template with {repo}; links the repository name
  std::string default_branch;  // empty = the repository's HEAD
  int max_commits_per_push = 100;
};

inline constexpr const char* kDefaultMaildrop = "/var/spool/jiralink/maildrop";

struct StateSettings {
  // Where the SQLite files live (created 0700, files 0600); ForRepo() fills
  // in DefaultStateDir() when unset, so it is never empty.
  std::string dir;
  // The outbox (top level only: one per host): "" = <dir>/outbox.sqlite3;
  // an SQLite file (absolute after loading); or a PostgreSQL URI
  // (IsPostgresUri), shared by a fleet. With PostgreSQL, <dir>/outbox.sqlite3
  // is the spool a push falls back to when the server cannot be reached.
  std::string outbox;
  // The PostgreSQL password, never inline: a file (absolute, trailing
  // newline dropped) or an environment variable. kNone: the URI's or
  // libpq's own (~/.pgpass, PGPASSWORD).
  TokenSource outbox_password_source = TokenSource::kNone;  // kNone, kFile or kEnv
  std::string outbox_password_file;
  std::string outbox_password_env;
  // Where a pusher that does not own `dir` hands its push's jobs to the
  // owner (outbox/maildrop.h); top level only. The Debian package creates
  // the default (jiralink:jiralink, mode 3730).
  std::string maildrop = kDefaultMaildrop;
};

struct RenderSettings {
  std::int64_t max_bytes = 1024 * 1024;  // renderer::kDefaultMaxBytes
  // `cache` is true, false, or a Redis URL: `cache` tells whether a cache is
  // used at all, `redis` whether it is the shared one on `redis_url` (else
  // the SQLite file under [state] dir).
  bool cache = true;
  bool redis = false;
  RedisUrl redis_url;  // only with `redis`; its password only when the URL holds one
  // The Redis password, when not in the URL (never inline in the file).
  TokenSource redis_password_source = TokenSource::kNone;  // kNone, kFile or kEnv
  std::string redis_password_file;                         // absolute, like [jira] token_file
  std::string redis_password_env;
  // The key that authenticates the Redis cache's entries (HMAC-SHA256): a
  // file only jiralink's settings name, readable by the users that render.
  // Absolute; empty: entries are unauthenticated (config check warns).
  std::string cache_key_file;
  std::int64_t cache_max_mb = 256;
  bool hardbreaks = false;  // a newline inside a paragraph becomes <br />
};

struct DeliverySettings {
  int max_attempts = 20;
  int max_age_hours = 72;
  int backoff_cap_seconds = 300;
  int lease_seconds = 120;
  int pause_seconds = 300;  // after a 401/403, how long before a run asks Jira again
  int keep_done_days = 30;  // delivered jobs are forgotten after this long
  // Requests per second to one Jira site from all deliverers sharing the
  // outbox (with PostgreSQL: the fleet); 0 = no limit of our own.
  int requests_per_second = 0;
};

// [issues]: "View Jira issues". `enabled` is true by default for the command
// line (`jiralink issues`); the web pages of `jiralink serve` are off unless
// [serve] web = true and a layer that applies to the repository writes
// `enabled = true` itself (`enabled_set`), like the forge's checkbox, which is
// off until ticked.
struct IssuesSettings {
  bool enabled = true;
  bool enabled_set = false;  // some layer wrote `enabled` (the last one wins)
  std::vector<std::string> project_keys;
  // How long the web pages reuse a Jira answer (per site, JQL and page); 0 = never.
  int cache_seconds = 60;
  // Who may see the repository's web pages when [serve] auth_header is set:
  // user names as the proxy sends them, and "@group" for a group of
  // [serve] auth_groups_header. Empty = every logged-in user. Non-empty
  // without auth_header = nobody (no one can be identified).
  std::vector<std::string> viewers;
};

struct VulnerabilitySettings {
  bool enabled = false;
  std::string project_key;
  std::string issue_type;  // issue type id, as a string
  bool customize = false;
};

// [serve]: the webhook service (`jiralink serve`). `listen`, `max_body_bytes`
// and `timeout_seconds` are read only from the top level (one service); the
// secret may be set at every level, so a group or project can have its own.
struct ServeSettings {
  std::string listen = "127.0.0.1:8787";  // "host:port", "[v6]:port"
  std::int64_t max_body_bytes = 1024 * 1024;
  // A request must arrive whole within this time, and an idle connection is
  // closed after it.
  int timeout_seconds = 10;
  // The shared secret of the forges' webhooks; never inline in the file.
  TokenSource secret_source = TokenSource::kNone;  // kNone, kFile or kEnv
  std::string secret_file;                         // absolute, like token_file
  std::string secret_env;
  // The "View Jira issues" web pages (top level only; off by default). Each
  // repository also needs [issues] enabled = true written in its layers.
  bool web = false;
  // The pages' login, an authenticating reverse proxy's (top level only):
  // the header that names the user, trusted only on connections whose peer
  // address is in `auth_proxies` ("127.0.0.1", "::1", "10.0.0.0/8"; checked
  // by ParseAddressRange). Empty header = no login: the pages are then served
  // only on a loopback listen address.
  std::string auth_header;
  std::vector<std::string> auth_proxies;
  // Optional: the header with the user's groups, comma-separated.
  std::string auth_groups_header;
};

// An IP address range from the settings: "192.0.2.7", "10.0.0.0/8", "::1",
// "fd00::/8". IPv4 is held as IPv4-mapped IPv6 (::ffff:a.b.c.d), so one
// range matches a peer however the socket reports it.
struct AddressRange {
  unsigned char address[16] = {};
  int prefix_bits = 128;  // of the 128-bit form

  // The 16-byte form of a peer (IPv4 mapped) contains in the range.
  bool Contains(const unsigned char (&peer)[16]) const;
};

// Parses one `auth_proxies` entry; false (and *out untouched) when it is not
// an address or address/prefix (an IPv4 prefix is 0..32, IPv6 0..128).
bool ParseAddressRange(std::string_view text, AddressRange* out);

// True for 127.0.0.0/8 (also IPv4-mapped) and ::1, in the 16-byte form.
bool IsLoopbackAddress(const unsigned char (&address)[16]);

// True when a `[serve] listen` value ("host:port") names a loopback host:
// a loopback address or "localhost".
bool IsLoopbackListen(std::string_view listen);

// [policy]: what `jiralink hook pre-receive` requires of the commits a push
// brings (those not reachable from any ref before the push).
enum class JiraUnreachable { kAllow, kReject };

struct PolicySettings {
  // Branch globs (fnmatch(3), no flags: `*` also matches `/`) on which every
  // new commit must name a Jira key; empty = nowhere.
  std::vector<std::string> require_key;
  // Jira status category names (or keys) a named issue must be in, compared
  // without regard to case; empty = Jira is not asked.
  std::vector<std::string> allowed_states;
  // Authors whose commits are exempt: an entry with '@' is compared with the
  // author email (ignoring case), any other with the author name (exactly).
  std::vector<std::string> exempt_authors;
  // RE2; commits whose whole message it matches (partially) are exempt.
  std::string exempt_message;
  JiraUnreachable on_jira_unreachable = JiraUnreachable::kAllow;
  int timeout_ms = 3000;  // the whole check, Jira included
  // What the installed pre-receive hook does when the jiralink program is
  // gone (the package removed): refuse the push, or let it through.
  bool reject_when_jiralink_missing = false;

  // Whether the policy checks anything; without, no pre-receive hook is
  // installed and pre-receive runs no git.
  bool checks_anything() const { return !require_key.empty() || !allowed_states.empty(); }
};

// [devinfo]: Jira Cloud's Development panel (jira/devinfo.h), at every level;
// off by default. The OAuth credentials a site admin creates (Settings → Apps
// → OAuth credentials, permission "Development information"): the client ID,
// and the secret from a file or an environment variable, never inline. Jira
// Server and Data Center have no such API (config check says so).
struct DevinfoSettings {
  bool enabled = false;
  std::string client_id;
  TokenSource client_secret_source = TokenSource::kNone;  // kNone, kFile or kEnv
  std::string client_secret_file;                         // absolute, like token_file
  std::string client_secret_env;
  // Atlassian's API gateway; the token is taken at <api_url>/oauth/token.
  std::string api_url{kAtlassianApiGatewayUrl};
};

struct Settings {
  JiraSettings jira;
  MatchingSettings matching;
  CommentSettings comments;
  TriggerSettings triggers;
  TransitionSettings transitions;
  SmartCommitSettings smart_commits;
  GitSettings git;
  StateSettings state;
  RenderSettings render;
  DeliverySettings delivery;
  IssuesSettings issues;
  VulnerabilitySettings vulnerabilities;
  ServeSettings serve;
  PolicySettings policy;
  DevinfoSettings devinfo;
};

}  // namespace jiralink::config
