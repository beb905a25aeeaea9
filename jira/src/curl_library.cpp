#include "curl_library.h"

#include "jiralink/os/shared_library.h"

namespace jiralink::jira::internal {

namespace {

// The soname of libcurl's ABI 4 (every libcurl since 7.16).
constexpr const char* kLibraryName = "libcurl.so.4";

bool Resolve(void* handle, CurlLibrary* lib, std::string* error) {
  const bool ok = ResolveSymbol(handle, "curl_global_init", &lib->global_init) &&
                  ResolveSymbol(handle, "curl_easy_init", &lib->easy_init) &&
                  ResolveSymbol(handle, "curl_easy_cleanup", &lib->easy_cleanup) &&
                  ResolveSymbol(handle, "curl_easy_reset", &lib->easy_reset) &&
                  ResolveSymbol(handle, "curl_easy_setopt", &lib->easy_setopt) &&
                  ResolveSymbol(handle, "curl_easy_perform", &lib->easy_perform) &&
                  ResolveSymbol(handle, "curl_easy_getinfo", &lib->easy_getinfo) &&
                  ResolveSymbol(handle, "curl_easy_strerror", &lib->easy_strerror) &&
                  ResolveSymbol(handle, "curl_easy_escape", &lib->easy_escape) &&
                  ResolveSymbol(handle, "curl_free", &lib->free) &&
                  ResolveSymbol(handle, "curl_slist_append", &lib->slist_append) &&
                  ResolveSymbol(handle, "curl_slist_free_all", &lib->slist_free_all) &&
                  ResolveSymbol(handle, "curl_getdate", &lib->getdate);
  if (!ok) return false;
  // Not thread-safe in libcurl: LoadSharedLibraryOnce runs this once.
  if (lib->global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
    *error = "curl_global_init failed";
    return false;
  }
  return ok;
}

}  // namespace

const CurlLibrary* LoadCurl(std::string* error) {
  return LoadSharedLibraryOnce<CurlLibrary>(kLibraryName, "libcurl4", Resolve, error);
}

}  // namespace jiralink::jira::internal
