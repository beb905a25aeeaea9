// Where the settings file and the state live on disk.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "jiralink/config/loader.h"

namespace jiralink::config {

// The outcome of the search described in loader.h.
struct ConfigFileChoice {
  std::string path;    // empty when no file applies (defaults)
  std::string reason;  // "--config", "$JIRALINK_CONFIG", "$XDG_CONFIG_HOME", ...
};

// Finds the settings file. An explicit path or $JIRALINK_CONFIG that does
// not exist is reported in *diagnostics and makes the result false.
bool FindConfigFile(std::string_view explicit_path, ConfigFileChoice* choice,
                    std::vector<Diagnostic>* diagnostics);

// `path` made absolute against `base_dir` (the settings file's directory);
// absolute paths and an empty base are returned unchanged.
std::string ResolveAgainst(std::string_view base_dir, std::string_view path);

// A repository name as [groups] and [projects] keys and webhook payloads
// spell it, normalized: no leading or trailing '/', no trailing ".git" or
// "/.git", no empty or "." components ("a//b.git/" -> "a/b").
std::string NormalizeRepoName(std::string_view name);

// The directory part of a file path ("" for a bare name).
std::string DirectoryOf(std::string_view file);

}  // namespace jiralink::config
