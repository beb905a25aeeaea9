#include "jiralink/os/shared_library.h"

namespace jiralink {

void* OpenSharedLibrary(const char* soname, const char* package, std::string* error) {
  void* handle = ::dlopen(soname, RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr && error != nullptr) {
    const char* why = ::dlerror();
    *error = std::string("cannot load ") + soname + " (install " + package +
             "): " + (why != nullptr ? why : "unknown error");
  }
  return handle;
}

}  // namespace jiralink
