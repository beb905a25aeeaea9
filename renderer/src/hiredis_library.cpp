#include "hiredis_library.h"

#include <mutex>

#include "jiralink/core/shared_library.h"

namespace jiralink::renderer::internal {

namespace {

#define JIRALINK_STRINGIFY_INNER(x) #x
#define JIRALINK_STRINGIFY(x) JIRALINK_STRINGIFY_INNER(x)
// "libhiredis.so.0.14" on Debian bookworm; Debian names the package after it.
constexpr const char* kLibraryName = "libhiredis.so." JIRALINK_STRINGIFY(HIREDIS_SONAME);
constexpr const char* kPackageName = "libhiredis" JIRALINK_STRINGIFY(HIREDIS_SONAME);
#undef JIRALINK_STRINGIFY
#undef JIRALINK_STRINGIFY_INNER

struct LoadResult {
  HiredisLibrary library{};
  bool loaded = false;
  std::string error;
};

LoadResult Load() {
  LoadResult result;
  void* handle = OpenSharedLibrary(kLibraryName, kPackageName, &result.error);
  if (handle == nullptr) return result;
  HiredisLibrary& lib = result.library;
  const bool ok = ResolveSymbol(handle, "redisConnectWithTimeout", &lib.connect_tcp) &&
                  ResolveSymbol(handle, "redisConnectUnixWithTimeout", &lib.connect_unix) &&
                  ResolveSymbol(handle, "redisSetTimeout", &lib.set_timeout) &&
                  ResolveSymbol(handle, "redisAppendCommandArgv", &lib.append_command_argv) &&
                  ResolveSymbol(handle, "redisGetReply", &lib.get_reply) &&
                  ResolveSymbol(handle, "freeReplyObject", &lib.free_reply) &&
                  ResolveSymbol(handle, "redisFree", &lib.free_context);
  if (!ok) {
    result.error = std::string(kLibraryName) + " lacks a function jiralink needs";
    return result;
  }
  result.loaded = true;
  return result;
}

}  // namespace

const HiredisLibrary* LoadHiredis(std::string* error) {
  static std::once_flag once;
  static LoadResult result;
  std::call_once(once, [] { result = Load(); });
  if (!result.loaded) {
    if (error != nullptr) *error = result.error;
    return nullptr;
  }
  return &result.library;
}

}  // namespace jiralink::renderer::internal
