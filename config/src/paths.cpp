#include "paths.h"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

namespace jiralink::config {
namespace {

// The value of an environment variable, "" when unset.
std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? std::string() : std::string(value);
}

std::string HomeDir() {
  std::string home = Env("HOME");
  if (!home.empty()) return home;
  // Hooks may run with a scrubbed environment; the password database still knows.
  if (const passwd* entry = getpwuid(getuid()); entry != nullptr && entry->pw_dir != nullptr) {
    return entry->pw_dir;
  }
  return "";
}

// XDG base directories must be absolute; a relative value is ignored.
std::string XdgDir(const char* variable, const char* fallback_under_home) {
  std::string dir = Env(variable);
  if (!dir.empty() && dir[0] == '/') return dir;
  std::string home = HomeDir();
  return home.empty() ? std::string() : home + "/" + fallback_under_home;
}

bool Exists(const std::string& path) {
  struct stat info;
  return ::stat(path.c_str(), &info) == 0;
}

Diagnostic MissingFile(const std::string& path, const std::string& named_by) {
  Diagnostic d;
  d.file = path;
  d.message = "settings file not found (named by " + named_by + ")";
  return d;
}

}  // namespace

bool FindConfigFile(std::string_view explicit_path, ConfigFileChoice* choice,
                    std::vector<Diagnostic>* diagnostics) {
  *choice = {};
  if (!explicit_path.empty()) {
    std::string path(explicit_path);
    if (!Exists(path)) {
      diagnostics->push_back(MissingFile(path, "--config"));
      return false;
    }
    *choice = {path, "--config"};
    return true;
  }
  if (std::string path = Env("JIRALINK_CONFIG"); !path.empty()) {
    if (!Exists(path)) {
      diagnostics->push_back(MissingFile(path, "$JIRALINK_CONFIG"));
      return false;
    }
    *choice = {path, "$JIRALINK_CONFIG"};
    return true;
  }
  if (std::string dir = XdgDir("XDG_CONFIG_HOME", ".config"); !dir.empty()) {
    std::string path = dir + "/jiralink/config.toml";
    if (Exists(path)) {
      *choice = {path, Env("XDG_CONFIG_HOME").empty() ? "~/.config" : "$XDG_CONFIG_HOME"};
      return true;
    }
  }
  if (std::string path = "/etc/jiralink/config.toml"; Exists(path)) {
    *choice = {path, "/etc/jiralink"};
    return true;
  }
  return true;
}

std::string ResolveAgainst(std::string_view base_dir, std::string_view path) {
  if (path.empty() || path[0] == '/' || base_dir.empty()) return std::string(path);
  return std::string(base_dir) + "/" + std::string(path);
}

std::string DirectoryOf(std::string_view file) {
  std::size_t slash = file.rfind('/');
  if (slash == std::string_view::npos) return "";
  if (slash == 0) return "/";
  return std::string(file.substr(0, slash));
}

std::string DefaultStateDir(const std::string& system_dir) {
  if (struct stat info;
      !system_dir.empty() && ::stat(system_dir.c_str(), &info) == 0 && S_ISDIR(info.st_mode)) {
    return system_dir;
  }
  std::string dir = XdgDir("XDG_STATE_HOME", ".local/state");
  // With neither a home nor XDG_STATE_HOME, a relative directory is the only
  // user-writable guess left.
  return dir.empty() ? std::string(".jiralink-state") : dir + "/jiralink";
}

std::string NormalizeRepoName(std::string_view name) {
  while (!name.empty() && name.front() == '/') name.remove_prefix(1);
  while (!name.empty() && name.back() == '/') name.remove_suffix(1);
  if (name.ends_with("/.git")) name.remove_suffix(5);
  if (name.ends_with(".git")) name.remove_suffix(4);
  while (!name.empty() && name.back() == '/') name.remove_suffix(1);
  // "a//b" and "a/./b" name the same repository as "a/b".
  std::string normal = std::filesystem::path(std::string(name)).lexically_normal().generic_string();
  while (!normal.empty() && normal.back() == '/') normal.pop_back();
  return normal == "." ? std::string() : normal;
}

std::string RepositoryName(std::string_view path, std::string_view git_root,
                           std::string_view gl_project_path) {
  namespace fs = std::filesystem;
  if (!gl_project_path.empty()) return NormalizeRepoName(gl_project_path);
  if (path.empty() || path.front() != '/') return NormalizeRepoName(path);
  // A directory: the same spelling whatever symbolic links lead to it.
  auto canonical = [](std::string_view text) {
    std::error_code ec;
    fs::path resolved = fs::weakly_canonical(fs::path(text), ec);
    return ec ? fs::path(text).lexically_normal() : resolved;
  };
  fs::path dir = canonical(path);
  if (!git_root.empty()) {
    fs::path relative = dir.lexically_relative(canonical(git_root));
    std::string text = relative.generic_string();
    if (!relative.empty() && text != "." && !text.starts_with("..")) {
      return NormalizeRepoName(text);
    }
  }
  // Outside the root (or with none): the directory's own name, so that
  // "/srv/git/tools.git" and "/srv/work/.git" are "tools" and "work".
  std::string name = NormalizeRepoName(dir.generic_string());
  std::size_t slash = name.find_last_of('/');
  return slash == std::string::npos ? name : name.substr(slash + 1);
}

}  // namespace jiralink::config
