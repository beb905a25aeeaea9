#include "jiralink/os/core_dumps.h"

#include <sys/prctl.h>

#include <cstdlib>
#include <cstring>

namespace jiralink {

bool KeepSecretsOutOfCoreDumps() {
  const char* allow = std::getenv(kAllowCoreDumpsVariable);
  if (allow != nullptr && std::strcmp(allow, "1") == 0) return false;
  return prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == 0;
}

}  // namespace jiralink
