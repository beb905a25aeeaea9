// RedisUrl: where a Redis server is, as written in `[render] cache`.
//
// Two forms are accepted:
//   redis://[[user]:password@]host[:port][/db]     TCP; port 6379, db 0 by default;
//                                                  host a name, an IPv4 address or [IPv6]
//   redis+unix://[[user]:password@]/path[?db=N]    a Unix socket; the path is absolute
// The user and password are percent-decoded (%40 is '@'). A password may also
// come from a file or the environment ([render] cache_password_file /
// cache_password_env); it is then not part of the URL.
//
// The password is a secret: ParseRedisUrl never puts it in a message, and
// RedisUrlForDisplay leaves it out.
#pragma once

#include <string>
#include <string_view>

namespace jiralink {

struct RedisUrl {
  std::string host;         // TCP; empty for a Unix socket ([v6] without brackets)
  int port = 6379;          // TCP
  std::string socket_path;  // redis+unix; empty for TCP
  int db = 0;               // SELECT this database (0..1000000)
  std::string username;     // AUTH user (Redis 6 ACL); empty: the default user
  std::string password;     // empty: no AUTH
};

// Parses `text`. Returns "" on success, else why it is not a Redis URL (e.g.
// "port must be a number from 1 to 65535"); the message never quotes the
// password. *out is changed only on success.
std::string ParseRedisUrl(std::string_view text, RedisUrl* out);

// The URL without user and password, for messages and `config show`:
// "redis://127.0.0.1:6379/0", "redis+unix:///run/redis.sock?db=2".
std::string RedisUrlForDisplay(const RedisUrl& url);

}  // namespace jiralink
