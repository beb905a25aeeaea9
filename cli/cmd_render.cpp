// jiralink render [FILE]: Markdown to an HTML fragment with Jira keys linked.
// How FILE and stdin are told apart (cgit about-filter, Gitea/Forgejo external
// renderer, by hand) is described in jiralink/renderer/filter_input.h.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>

#include "common.h"
#include "jiralink/renderer/cached_renderer.h"
#include "jiralink/renderer/filter_input.h"

namespace jiralink::cli {

namespace {

bool WriteAll(std::string_view html) {
  return std::fwrite(html.data(), 1, html.size(), stdout) == html.size() &&
         std::fflush(stdout) == 0;
}

}  // namespace

int RunRender(Context& ctx, int argc, char** argv) {
  CLI::App app{"Render Markdown (FILE or stdin) to an HTML fragment, Jira keys linked.",
               "jiralink render"};
  app.footer(
      "As a cgit about-filter, cgit passes the file NAME as FILE and the content on stdin:\n"
      "*.md, *.markdown, *.mkd, *.mdown render as Markdown, other names as <pre> text.\n"
      "FILE is read as a path when stdin is a terminal or empty.");
  std::optional<std::string> file;
  bool no_cache = false;
  std::string repo;
  app.add_option("FILE", file, "Markdown file, or the file name when content is on stdin");
  app.add_flag("--no-cache", no_cache, "render without reading or writing the render cache");
  app.add_option("--repo", repo,
                 "repository path selecting [groups]/[projects] settings (default: "
                 "$CGIT_REPO_URL)");
  AddConfigOption(app, ctx);
  if (int code = ParseOrExit(app, argc, argv); code >= 0) return code;

  config::Config config;
  if (!LoadConfig(ctx, &config)) return 2;
  if (const char* cgit_repo = std::getenv("CGIT_REPO_URL"); repo.empty() && cgit_repo != nullptr) {
    repo = cgit_repo;
  }
  const config::Settings settings = config.ForRepo(repo);

  renderer::FilterInput input;
  Status status = renderer::ReadFilterInput(file, STDIN_FILENO, settings.render.max_bytes, &input);
  if (!status.ok()) {
    std::fprintf(stderr, "jiralink render: %s\n", status.message().c_str());
    return 2;
  }
  if (input.truncated) {
    std::fprintf(stderr,
                 "jiralink render: %s: more than [render] max_bytes = %lld bytes; raise "
                 "[render] max_bytes in the settings to render it\n",
                 input.source.c_str(), static_cast<long long>(settings.render.max_bytes));
    return 2;
  }
  if (input.kind == renderer::InputKind::kPlainText) {
    return WriteAll(renderer::RenderPlainText(input.text)) ? 0 : 1;
  }

  renderer::CacheOptions cache;
  cache.enabled = settings.render.cache && !no_cache;
  cache.state_dir = settings.state.dir;
  cache.warn = [](const std::string& message) {
    std::fprintf(stderr, "jiralink render: warning: %s\n", message.c_str());
  };
  std::unique_ptr<renderer::CachedRenderer> cached;
  status = renderer::CachedRenderer::Create(ToRenderOptions(settings), std::move(cache), &cached);
  std::string html;
  if (status.ok()) status = cached->Render(input.text, &html);
  if (!status.ok()) {
    std::fprintf(stderr, "jiralink render: %s: %s\n", input.source.c_str(),
                 status.message().c_str());
    return 2;
  }
  if (!WriteAll(html)) {
    std::fprintf(stderr, "jiralink render: cannot write the HTML to stdout\n");
    return 1;
  }
  return 0;
}

}  // namespace jiralink::cli
