#include "curl_library.h"

#include <dlfcn.h>

#include <mutex>

namespace jiralink::jira::internal {

namespace {

// The soname of libcurl's ABI 4 (every libcurl since 7.16).
constexpr const char* kLibraryName = "libcurl.so.4";

struct LoadResult {
  CurlLibrary library{};
  bool loaded = false;
  std::string error;
};

template <typename Function>
bool Resolve(void* handle, const char* name, Function* out) {
  *out = reinterpret_cast<Function>(::dlsym(handle, name));
  return *out != nullptr;
}

LoadResult Load() {
  LoadResult result;
  void* handle = ::dlopen(kLibraryName, RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = ::dlerror();
    result.error = std::string("cannot load ") + kLibraryName +
                   " (install libcurl4): " + (why != nullptr ? why : "unknown error");
    return result;
  }
  CurlLibrary& lib = result.library;
  bool ok = Resolve(handle, "curl_global_init", &lib.global_init) &&
            Resolve(handle, "curl_easy_init", &lib.easy_init) &&
            Resolve(handle, "curl_easy_cleanup", &lib.easy_cleanup) &&
            Resolve(handle, "curl_easy_reset", &lib.easy_reset) &&
            Resolve(handle, "curl_easy_setopt", &lib.easy_setopt) &&
            Resolve(handle, "curl_easy_perform", &lib.easy_perform) &&
            Resolve(handle, "curl_easy_getinfo", &lib.easy_getinfo) &&
            Resolve(handle, "curl_easy_strerror", &lib.easy_strerror) &&
            Resolve(handle, "curl_easy_escape", &lib.easy_escape) &&
            Resolve(handle, "curl_free", &lib.free) &&
            Resolve(handle, "curl_slist_append", &lib.slist_append) &&
            Resolve(handle, "curl_slist_free_all", &lib.slist_free_all);
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
