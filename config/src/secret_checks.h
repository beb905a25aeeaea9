// File checks for secrets: can a file be read, and can others read it.
#pragma once

#include <sys/types.h>

#include <string>

#include <toml++/toml.h>

#include "table_reader.h"

namespace jiralink::config {

// True when group or others may read `path` (any of the mode bits 077);
// *mode receives the permission bits.
bool ReadableByOthers(const std::string& path, mode_t* mode);

// "0644".
std::string OctalMode(mode_t mode);

// Empty when `path` is a readable regular file holding more than
// whitespace, else why not ("the file is empty", "the file holds only
// whitespace", the system's reason).
std::string CheckReadableFile(const std::string& path);

// Warns, at the first inline `token` key of `root` (top level, groups or
// projects), when the settings file at `path` is readable by others.
void WarnAboutInlineToken(const std::string& path, const toml::table& root, DiagnosticSink& sink);

}  // namespace jiralink::config
