// PostgreSQL connection URIs as `[state] outbox` takes them: telling one
// from an SQLite path, and showing one without its secrets. Pure text.
#pragma once

#include <string>
#include <string_view>

namespace jiralink {

// True when `location` is a libpq URI: "postgresql://..." or "postgres://...".
bool IsPostgresUri(std::string_view location);

// The URI for messages and `config show`: the user name, the password and
// every query parameter except host and port are left out
// ("postgresql://u:pw@db:5432/jl?sslmode=require" -> "postgresql://db:5432/jl").
std::string RedactPostgresUri(std::string_view uri);

// True when the URI carries a password (in its user part or as ?password=).
bool PostgresUriHasPassword(std::string_view uri);

}  // namespace jiralink
