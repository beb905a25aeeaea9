// File checks for secrets: can the file be read, and can others read it.
#include "secret_checks.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace jiralink::config {

bool ReadableByOthers(const std::string& path, mode_t* mode) {
  struct stat info;
  if (::stat(path.c_str(), &info) != 0) return false;
  *mode = info.st_mode & 07777;
  return (info.st_mode & 077) != 0;
}

std::string OctalMode(mode_t mode) {
  char text[8];
  std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode));
  return text;
}

namespace {

// True when the file holds nothing but spaces, tabs and line ends. Reads at
// most 1 MiB: a longer file is taken to hold something.
bool OnlyWhitespace(int fd) {
  char buffer[8192];
  for (std::size_t total = 0; total < 1024 * 1024;) {
    ssize_t got = ::read(fd, buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return got == 0;
    for (ssize_t i = 0; i < got; ++i) {
      char c = buffer[i];
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '\v' && c != '\f') return false;
    }
    total += static_cast<std::size_t>(got);
  }
  return false;
}

}  // namespace

std::string CheckReadableFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::strerror(errno);
  struct stat info;
  std::string problem;
  if (::fstat(fd, &info) != 0) {
    problem = std::strerror(errno);
  } else if (!S_ISREG(info.st_mode)) {
    problem = "not a regular file";
  } else if (info.st_size == 0) {
    problem = "the file is empty";
  } else if (OnlyWhitespace(fd)) {
    // An editor's or echo's lone newline: a secret of nothing.
    problem = "the file holds only whitespace";
  }
  ::close(fd);
  return problem;
}

void WarnAboutInlineToken(const std::string& path, const toml::table& root, DiagnosticSink& sink) {
  const toml::key* token_key = nullptr;
  auto find_token = [&token_key](const toml::table& layer) {
    if (token_key != nullptr) return;
    const toml::table* jira = layer["jira"].as_table();
    if (jira == nullptr) return;
    if (auto it = jira->find("token"); it != jira->end()) token_key = &it->first;
  };
  find_token(root);
  for (std::string_view kind : {"groups", "projects"}) {
    if (const toml::table* layers = root[kind].as_table()) {
      for (const auto& [name, body] : *layers) {
        if (body.is_table()) find_token(*body.as_table());
      }
    }
  }
  mode_t mode = 0;
  if (token_key == nullptr || !ReadableByOthers(path, &mode)) return;
  sink.Warning(token_key->source(),
               path + " holds a Jira token and is readable by group or others (mode " +
                   OctalMode(mode) + "); run: chmod 600 " + path);
}

}  // namespace jiralink::config
