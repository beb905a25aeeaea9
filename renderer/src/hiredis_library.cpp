#include "hiredis_library.h"

#include "jiralink/os/shared_library.h"

namespace jiralink::renderer::internal {

namespace {

#define JIRALINK_STRINGIFY_INNER(x) #x
#define JIRALINK_STRINGIFY(x) JIRALINK_STRINGIFY_INNER(x)
// "libhiredis.so.0.14" on Debian bookworm; Debian names the package after it.
constexpr const char* kLibraryName = "libhiredis.so." JIRALINK_STRINGIFY(HIREDIS_SONAME);
constexpr const char* kPackageName = "libhiredis" JIRALINK_STRINGIFY(HIREDIS_SONAME);
#undef JIRALINK_STRINGIFY
#undef JIRALINK_STRINGIFY_INNER

bool Resolve(void* handle, HiredisLibrary* lib, std::string* /*error*/) {
  const bool ok = ResolveSymbol(handle, "redisConnectWithTimeout", &lib->connect_tcp) &&
                  ResolveSymbol(handle, "redisConnectUnixWithTimeout", &lib->connect_unix) &&
                  ResolveSymbol(handle, "redisSetTimeout", &lib->set_timeout) &&
                  ResolveSymbol(handle, "redisAppendCommandArgv", &lib->append_command_argv) &&
                  ResolveSymbol(handle, "redisGetReply", &lib->get_reply) &&
                  ResolveSymbol(handle, "freeReplyObject", &lib->free_reply) &&
                  ResolveSymbol(handle, "redisFree", &lib->free_context);
  return ok;
}

}  // namespace

const HiredisLibrary* LoadHiredis(std::string* error) {
  return LoadSharedLibraryOnce<HiredisLibrary>(kLibraryName, kPackageName, Resolve, error);
}

}  // namespace jiralink::renderer::internal
