// jiralink keys [--regex R] [--prefix P] [--repo PATH] [FILE]
//
// Prints every Jira key match in FILE (or stdin) as "<offset>\t<key>", where
// offset is the byte offset of the whole match (prefix included). With
// --json: {"matches": [{"offset": N, "length": N, "key": "PROJ-1"}, ...]},
// the same matches in the same order (length: bytes of the whole match). The input
// is read whole into memory, as bytes (binary input is fine), so offsets are
// offsets into the file and a match is never cut by a buffer boundary.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "commands.h"
#include "common.h"
#include "jiralink/core/key_scanner.h"

namespace jiralink::cli {

namespace {

// Reads all of `fd` into *out; on failure returns errno.
int ReadAll(int fd, std::string* out) {
  char buffer[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n == 0) return 0;
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    out->append(buffer, static_cast<std::size_t>(n));
  }
}

// Reads FILE, or stdin when path is empty or "-". Prints the reason and
// returns false on failure.
bool ReadInput(const std::string& path, std::string* text) {
  if (path.empty() || path == "-") {
    if (const int error = ReadAll(STDIN_FILENO, text); error != 0) {
      std::fprintf(stderr, "jiralink keys: cannot read stdin: %s\n", std::strerror(error));
      return false;
    }
    return true;
  }
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  int error = fd < 0 ? errno : ReadAll(fd, text);
  if (fd >= 0) ::close(fd);
  if (error != 0) {
    std::fprintf(stderr, "jiralink keys: cannot read %s: %s\n", path.c_str(), std::strerror(error));
    return false;
  }
  return true;
}

}  // namespace

int RunKeys(Context& ctx, int argc, char** argv) {
  CLI::App app{"Print the Jira keys found in FILE (or stdin): byte offset, a tab, the key.",
               argv[0]};
  std::optional<std::string> regex;
  std::optional<std::string> prefix;
  std::string repo;
  std::string path;
  bool json = false;
  app.add_option("--regex", regex, "RE2 key regex (overrides [matching] regex; \"\" = default)");
  app.add_option("--prefix", prefix, "RE2 text before the key (overrides [matching] prefix)");
  app.add_option("--repo", repo, "use the settings of this repository path (groups/projects)");
  app.add_option("FILE", path, "file to scan; stdin when absent or '-'");
  app.add_flag("--json", json, "print JSON: {\"matches\": [{\"offset\", \"length\", \"key\"}]}");
  AddConfigOption(app, ctx);
  if (const int code = ParseOrExit(app, argc, argv); code >= 0) return code;

  config::Config config;
  if (!LoadConfig(ctx, &config)) return 2;
  MatchingOptions options = ToMatchingOptions(config.ForRepo(repo).matching);
  if (regex) options.regex = *regex;
  if (prefix) options.prefix = *prefix;

  std::unique_ptr<KeyScanner> scanner;
  if (const Status status = KeyScanner::Create(options, &scanner); !status.ok()) {
    std::fprintf(stderr, "jiralink keys: %s\n", status.message().c_str());
    return 2;
  }

  std::string text;
  if (!ReadInput(path, &text)) return 2;

  std::string out = json ? "{\"matches\": [" : "";
  bool first = true;
  scanner->ForEach(text, [&out, &first, json](const KeyMatch& match) {
    if (json) {
      out += first ? "\n  " : ",\n  ";
      out += nlohmann::json{{"offset", match.offset}, {"length", match.length}, {"key", match.key}}
                 .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    } else {
      out += std::to_string(match.offset);
      out += '\t';
      out += match.key;
      out += '\n';
    }
    first = false;
    if (out.size() >= (1 << 16)) {
      std::fwrite(out.data(), 1, out.size(), stdout);
      out.clear();
    }
    return true;
  });
  if (json) out += first ? "]}\n" : "\n]}\n";
  std::fwrite(out.data(), 1, out.size(), stdout);
  if (std::fflush(stdout) != 0) {
    std::fprintf(stderr, "jiralink keys: cannot write the output: %s\n", std::strerror(errno));
    return 2;
  }
  return 0;
}

}  // namespace jiralink::cli
