#include "jiralink/core/postgres_uri.h"

#include <gtest/gtest.h>

namespace jiralink {
namespace {

TEST(PostgresUri, TellsAUriFromAPath) {
  EXPECT_TRUE(IsPostgresUri("postgresql://db/jl"));
  EXPECT_TRUE(IsPostgresUri("postgres://db/jl"));
  EXPECT_FALSE(IsPostgresUri("/var/lib/jiralink/outbox.sqlite3"));
  EXPECT_FALSE(IsPostgresUri("postgresql:/db"));
  EXPECT_FALSE(IsPostgresUri("host=db dbname=jl"));
}

TEST(PostgresUri, RedactionKeepsHostsPortAndDatabaseOnly) {
  EXPECT_EQ(RedactPostgresUri("postgresql://jl:hunter2@db.example.com:5433/jiralink"
                              "?sslmode=require&password=x&port=5433"),
            "postgresql://db.example.com:5433/jiralink?port=5433");
  EXPECT_EQ(RedactPostgresUri("postgresql://postgres@/t_1?host=/tmp/pg"),
            "postgresql:///t_1?host=/tmp/pg");
  EXPECT_EQ(RedactPostgresUri("postgres://a:1,b:2/jl"), "postgres://a:1,b:2/jl");
  EXPECT_EQ(RedactPostgresUri("not a uri"), "postgresql database");
}

TEST(PostgresUri, FindsAPasswordInTheUserPartOrTheQuery) {
  EXPECT_TRUE(PostgresUriHasPassword("postgresql://jl:pw@db/jl"));
  EXPECT_TRUE(PostgresUriHasPassword("postgresql://db/jl?password=pw"));
  EXPECT_FALSE(PostgresUriHasPassword("postgresql://jl@db:5432/jl"));
}

}  // namespace
}  // namespace jiralink
