// hiredis, loaded when a Redis render cache is configured instead of at
// program start. Internal to the renderer module.
//
// `jiralink render` starts once per page (cgit forks it for every README and
// commit); with the default SQLite cache it never talks to Redis, so it must
// not pay for loading another library (bench: BM_ProcessStartup). The shape
// follows jira/src/curl_library.h; dlopen itself lives in
// jiralink/os/shared_library.h.
#pragma once

#include <hiredis/hiredis.h>

#include <string>

namespace jiralink::renderer::internal {

// The hiredis functions the Redis render cache uses (all in hiredis 0.14 and 1.x).
struct HiredisLibrary {
  decltype(&redisConnectWithTimeout) connect_tcp;
  decltype(&redisConnectUnixWithTimeout) connect_unix;
  decltype(&redisSetTimeout) set_timeout;
  decltype(&redisAppendCommandArgv) append_command_argv;
  decltype(&redisGetReply) get_reply;
  decltype(&freeReplyObject) free_reply;
  decltype(&redisFree) free_context;
};

// Loads the hiredis whose headers this was built with (its soname is
// HIREDIS_SONAME: the struct layouts differ between 0.14 and 1.x), once per
// process (thread-safe). Returns nullptr, with *error saying why and which
// package to install, when it cannot be loaded.
const HiredisLibrary* LoadHiredis(std::string* error);

}  // namespace jiralink::renderer::internal
