// jiralink state init
//
// Creates the outbox the settings name, or brings its schema up to date:
// the SQLite file, or the PostgreSQL tables (outbox/postgres_outbox.h), so
// that an operator can prepare a fleet's database before the first push.
// Every command also does this on first use.
#include <cstdio>
#include <memory>
#include <string>

#include "commands.h"
#include "common.h"
#include "jiralink/core/postgres_uri.h"

namespace jiralink::cli {

namespace {

int RunStateInit(Context& ctx, int argc, char** argv) {
  CLI::App app{"Create the outbox, or bring its schema up to date.", argv[0]};
  AddConfigOption(app, ctx);
  if (int code = ParseOrExit(app, argc, argv); code >= 0) return code;
  config::Config cfg;
  config::Settings settings;
  std::unique_ptr<outbox::Outbox> outbox;
  if (int code = OpenTopLevelOutbox(ctx, "jiralink state init", &cfg, &settings, &outbox);
      code >= 0) {
    return code;
  }
  const std::string& where = settings.state.outbox;
  std::printf("jiralink state init: the outbox is ready: %s\n",
              IsPostgresUri(where) ? RedactPostgresUri(where).c_str()
                                   : config::SqliteOutboxPath(settings.state).c_str());
  return 0;
}

}  // namespace

int RunState(Context& ctx, int argc, char** argv) {
  return RunSubcommands(ctx, argc, argv, "The state of this host: state init.",
                        {{"init", RunStateInit, "create the outbox or update its schema"}});
}

}  // namespace jiralink::cli
