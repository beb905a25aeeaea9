// Loading a shared library at run time (dlopen), the one home for it.
//
// jiralink loads the libraries that only some commands need (libcurl for
// Jira requests, hiredis for a Redis render cache) when they are first used
// instead of linking them: every linked library is paid for at the start of
// each `jiralink render` and each push's hook, which start once per page or
// push. A module keeps its own table of function pointers (see
// jira/src/curl_library.h), filled by ResolveSymbol in the resolver it
// gives LoadSharedLibraryOnce (libcurl, libpq, hiredis).
#pragma once

#include <dlfcn.h>

#include <mutex>
#include <string>

namespace jiralink {

// dlopen(soname, RTLD_NOW | RTLD_LOCAL). Returns nullptr, with *error saying
// "cannot load <soname> (install <package>): <why>", when it cannot be loaded.
// The handle is never closed: the functions stay valid for the process's life.
void* OpenSharedLibrary(const char* soname, const char* package, std::string* error);

// Sets *out to the function `name` of `handle`; false when it is missing.
template <typename Function>
bool ResolveSymbol(void* handle, const char* name, Function* out) {
  *out = reinterpret_cast<Function>(::dlsym(handle, name));
  return *out != nullptr;
}

// The one load-once shape of every loader: the first call opens `soname`
// and lets `resolve` fill the module's table of function pointers (with
// ResolveSymbol); every later call gives the same answer, from any thread.
// `resolve` returns false when a function is missing or the library's own
// initialisation fails, with *error set (left empty: "<soname> lacks a
// function jiralink needs"). Returns nullptr with *error when the library
// cannot be used. The answer is kept per Table type: one library per Table.
template <typename Table>
const Table* LoadSharedLibraryOnce(const char* soname, const char* package,
                                   bool (*resolve)(void* handle, Table* table, std::string* error),
                                   std::string* error) {
  struct Loaded {
    Table table{};
    bool ok = false;
    std::string error;
  };
  static std::once_flag once;
  static Loaded loaded;
  std::call_once(once, [&] {
    void* handle = OpenSharedLibrary(soname, package, &loaded.error);
    if (handle == nullptr) return;
    loaded.ok = resolve(handle, &loaded.table, &loaded.error);
    if (!loaded.ok && loaded.error.empty()) {
      loaded.error = std::string(soname) + " lacks a function jiralink needs";
    }
  });
  if (!loaded.ok) {
    if (error != nullptr) *error = loaded.error;
    return nullptr;
  }
  return &loaded.table;
}

}  // namespace jiralink
