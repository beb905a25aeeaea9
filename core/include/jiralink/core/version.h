// The version of jiralink, from the project() line of the top CMakeLists.txt.
//
// Defined in one place (core/src/version.cpp, the only file compiled with
// JIRALINK_VERSION), so that a new version rebuilds one file and no two
// parts can report different versions.
#pragma once

namespace jiralink {

// "0.1.0".
const char* Version();

}  // namespace jiralink
