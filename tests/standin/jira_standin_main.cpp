// jira-standin: the loopback Jira stand-in as a program, for the README demo,
// manual trials and tests that run in another process.
//
//   jira-standin --port N [--cloud] [--context-path /jira] [--user U --token T]
//                [--seed FILE.json]
//
// Prints its base URL on stdout once listening, then serves until SIGTERM or
// SIGINT. Admin routes under /_standin/ are described in standin.h.
#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include "standin.h"

namespace {

int Usage(const char* message) {
  std::fprintf(stderr,
               "jira-standin: %s\nusage: jira-standin [--port N] [--cloud] [--context-path /jira] "
               "[--user U] [--token T] [--seed FILE.json]\n",
               message);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  using jiralink::standin::JiraStandin;
  JiraStandin::Options options;
  std::string seed_path;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&](const char* name) -> const char* {
      if (i + 1 >= argc) return nullptr;
      (void)name;
      return argv[++i];
    };
    if (arg == "--cloud") {
      options.personality = jiralink::standin::Personality::kCloud;
    } else if (arg == "--server") {
      options.personality = jiralink::standin::Personality::kServer;
    } else if (arg == "--port" || arg == "--context-path" || arg == "--user" || arg == "--token" ||
               arg == "--seed") {
      const char* v = value(arg.c_str());
      if (v == nullptr) return Usage((arg + " needs a value").c_str());
      if (arg == "--port") {
        char* end = nullptr;
        long port = std::strtol(v, &end, 10);
        if (*end != '\0' || port < 0 || port > 65535) return Usage("--port: not a port number");
        options.port = static_cast<int>(port);
      } else if (arg == "--context-path") {
        options.context_path = v;
      } else if (arg == "--user") {
        options.username = v;
      } else if (arg == "--token") {
        options.token = v;
      } else {
        seed_path = v;
      }
    } else if (arg == "-h" || arg == "--help") {
      Usage("a loopback Jira for tests and demos");
      return 0;
    } else {
      return Usage(("unknown option '" + arg + "'").c_str());
    }
  }

  // Block the stop signals before any thread starts, so that only sigwait
  // below receives them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  JiraStandin standin(options);
  if (!seed_path.empty()) {
    std::ifstream in(seed_path);
    if (!in) return Usage(("cannot read seed file " + seed_path).c_str());
    std::stringstream text;
    text << in.rdbuf();
    nlohmann::json seed = nlohmann::json::parse(text.str(), nullptr, false);
    std::string error = "not JSON";
    if (seed.is_discarded() || !standin.Seed(seed, &error)) {
      std::fprintf(stderr, "jira-standin: %s: %s\n", seed_path.c_str(), error.c_str());
      return 2;
    }
  }
  if (!standin.Start()) {
    std::fprintf(stderr, "jira-standin: cannot listen on 127.0.0.1:%d\n", options.port);
    return 1;
  }
  std::printf("%s\n", standin.base_url().c_str());
  std::fflush(stdout);
  int received = 0;
  sigwait(&stop_signals, &received);
  standin.Stop();
  return 0;
}
