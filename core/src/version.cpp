#include "jiralink/core/version.h"

namespace jiralink {

const char* Version() { return JIRALINK_VERSION; }

}  // namespace jiralink
