#include "curl_library.h"

#include <mutex>

#include "jiralink/core/shared_library.h"

namespace jiralink::jira::internal {

namespace {

// The soname of libcurl's ABI 4 (every libcurl since 7.16).
constexpr const char* kLibraryName = "libcurl.so.4";

struct LoadResult {
  CurlLibrary library{};
  bool loaded = false;
  std::string error;
};

LoadResult Load() {
  LoadResult result;
  void* handle = OpenSharedLibrary(kLibraryName, "libcurl4", &result.error);
  if (handle == nullptr) return result;
  CurlLibrary& lib = result.library;
  bool ok = ResolveSymbol(handle, "curl_global_init", &lib.global_init) &&
            ResolveSymbol(handle, "curl_easy_init", &lib.easy_init) &&
            ResolveSymbol(handle, "curl_easy_cleanup", &lib.easy_cleanup) &&
            ResolveSymbol(handle, "curl_easy_reset", &lib.easy_reset) &&
            ResolveSymbol(handle, "curl_easy_setopt", &lib.easy_setopt) &&
            ResolveSymbol(handle, "curl_easy_perform", &lib.easy_perform) &&
            ResolveSymbol(handle, "curl_easy_getinfo", &lib.easy_getinfo) &&
            ResolveSymbol(handle, "curl_easy_strerror", &lib.easy_strerror) &&
            ResolveSymbol(handle, "curl_easy_escape", &lib.easy_escape) &&
            ResolveSymbol(handle, "curl_free", &lib.free) &&
            ResolveSymbol(handle, "curl_slist_append", &lib.slist_append) &&
            ResolveSymbol(handle, "curl_slist_free_all", &lib.slist_free_all);
  if (!ok) {
    result.error = std::string(kLibraryName) + " lacks a function jiralink needs";
    return result;  // the handle stays open: harmless, and dlclose may not unload anyway
  }
  // Not thread-safe in libcurl: the call_once around Load() serialises it.
  if (lib.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
    result.error = "curl_global_init failed";
    return result;
  }
  result.loaded = true;
  return result;
}

}  // namespace

const CurlLibrary* LoadCurl(std::string* error) {
  static std::once_flag once;
  static LoadResult result;
  std::call_once(once, [] { result = Load(); });
  if (!result.loaded) {
    if (error != nullptr) *error = result.error;
    return nullptr;
  }
  return &result.library;
}

}  // namespace jiralink::jira::internal
