// PLACEHOLDER: replaced by the module that implements this command.
#include <cstdio>

#include "commands.h"

namespace jiralink::cli {

int RunRender(Context&, int, char** argv) {
  std::fprintf(stderr, "%s: not built yet\n", argv[0]);
  return 2;
}

}  // namespace jiralink::cli
