#include "libpq_library.h"

#include <dlfcn.h>

#include <mutex>

namespace jiralink::outbox::internal {

namespace {

// The soname of libpq's ABI 5 (every libpq since PostgreSQL 8.0).
constexpr const char* kLibraryName = "libpq.so.5";

struct LoadResult {
  PqLibrary library{};
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
                   " (install libpq5): " + (why != nullptr ? why : "unknown error");
    return result;
  }
  PqLibrary& lib = result.library;
  bool ok =
      Resolve(handle, "PQconnectdbParams", &lib.connectdb_params) &&
      Resolve(handle, "PQstatus", &lib.status) &&
      Resolve(handle, "PQerrorMessage", &lib.error_message) &&
      Resolve(handle, "PQfinish", &lib.finish) && Resolve(handle, "PQreset", &lib.reset) &&
      Resolve(handle, "PQexec", &lib.exec) && Resolve(handle, "PQexecParams", &lib.exec_params) &&
      Resolve(handle, "PQresultStatus", &lib.result_status) &&
      Resolve(handle, "PQresultErrorMessage", &lib.result_error_message) &&
      Resolve(handle, "PQresultErrorField", &lib.result_error_field) &&
      Resolve(handle, "PQntuples", &lib.ntuples) && Resolve(handle, "PQgetvalue", &lib.getvalue) &&
      Resolve(handle, "PQgetlength", &lib.getlength) &&
      Resolve(handle, "PQgetisnull", &lib.getisnull) &&
      Resolve(handle, "PQcmdTuples", &lib.cmd_tuples) && Resolve(handle, "PQclear", &lib.clear) &&
      Resolve(handle, "PQsocket", &lib.socket) &&
      Resolve(handle, "PQconsumeInput", &lib.consume_input) &&
      Resolve(handle, "PQnotifies", &lib.notifies) && Resolve(handle, "PQfreemem", &lib.freemem) &&
      Resolve(handle, "PQsetNoticeProcessor", &lib.set_notice_processor) &&
      Resolve(handle, "PQconninfoParse", &lib.conninfo_parse) &&
      Resolve(handle, "PQconninfoFree", &lib.conninfo_free);
  if (!ok) {
    result.error = std::string(kLibraryName) + " lacks a function jiralink needs";
    return result;  // the handle stays open: harmless
  }
  result.loaded = true;
  return result;
}

}  // namespace

const PqLibrary* LoadPq(std::string* error) {
  static std::once_flag once;
  static LoadResult result;
  std::call_once(once, [] { result = Load(); });
  if (!result.loaded) {
    if (error != nullptr) *error = result.error;
    return nullptr;
  }
  return &result.library;
}

}  // namespace jiralink::outbox::internal
