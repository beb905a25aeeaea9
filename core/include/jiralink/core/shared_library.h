// Loading a shared library at run time (dlopen), the one home for it.
//
// jiralink loads the libraries that only some commands need (libcurl for
// Jira requests, hiredis for a Redis render cache) when they are first used
// instead of linking them: every linked library is paid for at the start of
// each `jiralink render` and each push's hook, which start once per page or
// push. A module keeps its own table of function pointers (see
// jira/src/curl_library.h) and fills it with ResolveSymbol.
#pragma once

#include <dlfcn.h>

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

}  // namespace jiralink
