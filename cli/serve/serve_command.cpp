// jiralink serve [--config FILE] [--listen HOST:PORT] [--threads N] [--log-requests]
//
// The webhook service lives in its own program, jiralink-serve (see
// serve_main.cpp), so that the hook and `render`, which start once per push
// or page, never load its HTTP and crypto libraries. This command replaces
// itself with that program (execv: same process id, so a socket passed by
// systemd, fd 3 with LISTEN_PID, stays valid), passing the arguments on.
//
// Where jiralink-serve is looked for, beside the running jiralink
// (/proc/self/exe): <dir>/jiralink-serve (the build tree, a plain install),
// then <dir>/../libexec/jiralink/jiralink-serve (packages).
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#include "commands.h"

namespace jiralink::cli {

namespace {

namespace fs = std::filesystem;

std::string FindServeProgram() {
  std::error_code error;
  fs::path self = fs::read_symlink("/proc/self/exe", error);
  if (error) return "";
  fs::path dir = self.parent_path();
  for (const fs::path& candidate :
       {dir / "jiralink-serve", dir / ".." / "libexec" / "jiralink" / "jiralink-serve"}) {
    if (access(candidate.c_str(), X_OK) == 0) return candidate.lexically_normal().string();
  }
  return "";
}

}  // namespace

int RunServe(Context& ctx, int argc, char** argv) {
  std::string program = FindServeProgram();
  if (program.empty()) {
    std::fprintf(stderr,
                 "jiralink serve: jiralink-serve was not found beside this program or in "
                 "../libexec/jiralink/; is the package complete?\n");
    return 1;
  }
  std::vector<std::string> args = {"jiralink serve"};
  if (!ctx.config_path.empty()) {
    args.push_back("--config");
    args.push_back(ctx.config_path);
  }
  for (int i = 1; i < argc; ++i) args.emplace_back(argv[i]);
  std::vector<char*> pointers;
  for (std::string& arg : args) pointers.push_back(arg.data());
  pointers.push_back(nullptr);
  execv(program.c_str(), pointers.data());
  std::fprintf(stderr, "jiralink serve: cannot run %s: %s\n", program.c_str(),
               std::strerror(errno));
  return 1;
}

}  // namespace jiralink::cli
