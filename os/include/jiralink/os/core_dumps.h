// Keeping secrets out of core dumps.
//
// A process that holds the Jira token, a webhook secret or a database
// password must not leave them in a core file when it crashes or is sent
// SIGABRT/SIGQUIT: a core file lands where the kernel's core_pattern says,
// often readable by more people than the settings file. Such processes call
// KeepSecretsOutOfCoreDumps() before they read a secret. It marks the process
// not dumpable (prctl(PR_SET_DUMPABLE, 0)), which also refuses ptrace(2)
// attaches from other processes of the same user and makes /proc/<pid>/ files
// root's. The mark is cleared by execve(2): programs started from here (git,
// the delivery daemon) set their own.
//
// An operator debugging a crash asks for core dumps with the environment
// variable JIRALINK_ALLOW_CORE_DUMPS=1 (any other value, or none, keeps them
// off), knowing the core files then hold the secrets.
#pragma once

namespace jiralink {

inline constexpr const char* kAllowCoreDumpsVariable = "JIRALINK_ALLOW_CORE_DUMPS";

// Marks this process not dumpable unless JIRALINK_ALLOW_CORE_DUMPS=1. Returns
// true when the process is now not dumpable, false when the operator allowed
// core dumps or prctl failed (it does not on Linux).
bool KeepSecretsOutOfCoreDumps();

}  // namespace jiralink
