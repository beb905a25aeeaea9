// ParseRedisUrl: the two forms of [render] cache's Redis URL, their defaults,
// every malformed part refused with a reason that never quotes the password,
// and the display form without credentials.
#include "jiralink/core/redis_url.h"

#include <gtest/gtest.h>

namespace jiralink {
namespace {

RedisUrl Parsed(std::string_view text) {
  RedisUrl url;
  const std::string problem = ParseRedisUrl(text, &url);
  EXPECT_EQ(problem, "") << text;
  return url;
}

TEST(RedisUrlTest, TcpWithDefaults) {
  const RedisUrl url = Parsed("redis://cache.example.com");
  EXPECT_EQ(url.host, "cache.example.com");
  EXPECT_EQ(url.port, 6379);
  EXPECT_EQ(url.db, 0);
  EXPECT_EQ(url.password, "");
  EXPECT_EQ(url.socket_path, "");
  EXPECT_EQ(RedisUrlForDisplay(url), "redis://cache.example.com:6379/0");
}

TEST(RedisUrlTest, TcpWithPortDatabaseAndPassword) {
  const RedisUrl url = Parsed("redis://:s%40cret@127.0.0.1:6380/3");
  EXPECT_EQ(url.host, "127.0.0.1");
  EXPECT_EQ(url.port, 6380);
  EXPECT_EQ(url.db, 3);
  EXPECT_EQ(url.username, "");
  EXPECT_EQ(url.password, "s@cret");
  EXPECT_EQ(RedisUrlForDisplay(url), "redis://127.0.0.1:6380/3");
}

TEST(RedisUrlTest, UserAndPassword) {
  const RedisUrl url = Parsed("redis://render:pw@10.0.0.5:7000");
  EXPECT_EQ(url.username, "render");
  EXPECT_EQ(url.password, "pw");
}

TEST(RedisUrlTest, Ipv6) {
  const RedisUrl url = Parsed("redis://[::1]:6390/1");
  EXPECT_EQ(url.host, "::1");
  EXPECT_EQ(url.port, 6390);
  EXPECT_EQ(RedisUrlForDisplay(url), "redis://[::1]:6390/1");
}

TEST(RedisUrlTest, UnixSocket) {
  const RedisUrl url = Parsed("redis+unix:///run/redis/redis-server.sock?db=2");
  EXPECT_EQ(url.socket_path, "/run/redis/redis-server.sock");
  EXPECT_EQ(url.host, "");
  EXPECT_EQ(url.db, 2);
  EXPECT_EQ(RedisUrlForDisplay(url), "redis+unix:///run/redis/redis-server.sock?db=2");
  const RedisUrl with_password = Parsed("redis+unix://:pw@/tmp/r.sock");
  EXPECT_EQ(with_password.password, "pw");
  EXPECT_EQ(with_password.socket_path, "/tmp/r.sock");
}

TEST(RedisUrlTest, MalformedUrlsAreRefusedWithAReason) {
  const std::pair<const char*, const char*> cases[] = {
      {"http://127.0.0.1:6379", "starts with redis://"},
      {"redis://", "host is missing"},
      {"redis://:6379", "host is missing"},
      {"redis://127.0.0.1:", "port must be a number"},
      {"redis://127.0.0.1:0", "port must be a number"},
      {"redis://127.0.0.1:65536", "port must be a number"},
      {"redis://127.0.0.1:63a9", "port must be a number"},
      {"redis://127.0.0.1:6379/x", "database after '/'"},
      {"redis://127.0.0.1:6379/-1", "database after '/'"},
      {"redis://[::1:6379", "closing ']'"},
      {"redis://host name", "host may hold only"},
      {"redis://nopassword@host", "\":password\""},
      {"redis://:@host", "password before '@' is empty"},
      {"redis://:%zz@host", "malformed %-escape"},
      {"redis+unix://relative/path", "must be absolute"},
      {"redis+unix:///tmp/r.sock?db=x", "?db=N"},
      {"redis+unix:///tmp/r.sock?timeout=1", "?db=N"},
  };
  for (const auto& [text, reason] : cases) {
    RedisUrl url;
    url.host = "untouched";
    const std::string problem = ParseRedisUrl(text, &url);
    EXPECT_NE(problem.find(reason), std::string::npos) << text << " -> " << problem;
    EXPECT_EQ(url.host, "untouched") << text;
  }
}

TEST(RedisUrlTest, ProblemsNeverQuoteThePassword) {
  RedisUrl url;
  const std::string problem = ParseRedisUrl("redis://:hunter2@host:99999", &url);
  EXPECT_NE(problem, "");
  EXPECT_EQ(problem.find("hunter2"), std::string::npos) << problem;
}

}  // namespace
}  // namespace jiralink
