// jiralink render [NAME] [--input FILE] [--commit-filter]: Markdown to an HTML
// fragment with Jira keys linked, or (--commit-filter) Jira keys linked in
// cgit's already-escaped commit message. How NAME, --input and stdin are
// told apart (cgit about-filter, Gitea/Forgejo external renderer, by hand)
// is described in jiralink/renderer/filter_input.h.
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>

#include "common.h"
#include "jiralink/renderer/cached_renderer.h"
#include "jiralink/renderer/filter_input.h"

namespace jiralink::cli {

namespace {

// Writes straight to fd 1: the HTML (a cached page may be megabytes) is
// never copied into a stdio buffer.
bool WriteAll(std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = write(STDOUT_FILENO, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

// Copies the rest of stdin to stdout unchanged.
bool CopyStdin() {
  char buffer[64 * 1024];
  for (;;) {
    ssize_t n = read(STDIN_FILENO, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    if (n == 0) return true;
    if (!WriteAll(std::string_view(buffer, static_cast<std::size_t>(n)))) return false;
  }
}

// cgit's commit-filter: the message arrives HTML-escaped; keys are linked
// and nothing else changes. cgit stops the page when a filter fails, so an
// over-long message is passed through unlinked (with a warning), not refused.
int RunCommitFilter(const config::Settings& settings) {
  renderer::FilterInput input;
  Status status = renderer::ReadFilterInput(renderer::InputRequest{}, STDIN_FILENO,
                                            settings.render.max_bytes, &input);
  std::unique_ptr<renderer::Renderer> renderer;
  if (status.ok()) status = renderer::Renderer::Create(ToRenderOptions(settings), &renderer);
  if (!status.ok()) {
    std::fprintf(stderr, "jiralink render --commit-filter: %s\n", status.message().c_str());
    return 2;
  }
  if (input.truncated) {
    std::fprintf(stderr,
                 "jiralink render --commit-filter: warning: message longer than [render] "
                 "max_bytes = %lld bytes; shown without links\n",
                 static_cast<long long>(settings.render.max_bytes));
    return WriteAll(input.text) && CopyStdin() ? 0 : 1;
  }
  std::string html;
  renderer->LinkKeysInHtml(input.text, &html);
  return WriteAll(html) ? 0 : 1;
}

}  // namespace

int RunRender(Context& ctx, int argc, char** argv) {
  CLI::App app{"Render Markdown (stdin, or --input FILE) to an HTML fragment, Jira keys linked.",
               "jiralink render"};
  app.footer(
      "NAME is only a name, never opened: the content is always stdin. As a cgit\n"
      "about-filter, cgit passes the README's name: *.md, *.markdown, *.mkd, *.mdown\n"
      "render as Markdown, other names as <pre> text. Empty stdin renders nothing.\n"
      "To render a file by hand: jiralink render --input FILE.\n"
      "As a cgit commit-filter: jiralink render --commit-filter (links keys in the\n"
      "message cgit has already escaped; nothing else changes).");
  renderer::InputRequest request;
  bool no_cache = false;
  bool commit_filter = false;
  std::string repo;
  CLI::Option* name_option =
      app.add_option("NAME", request.name, "the content's name (format only); content on stdin");
  CLI::Option* input_option =
      app.add_option("--input", request.input_path, "render this Markdown file instead of stdin")
          ->excludes(name_option);
  app.add_flag("--commit-filter", commit_filter,
               "cgit commit-filter: link keys in escaped HTML text from stdin")
      ->excludes(name_option)
      ->excludes(input_option);
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
  if (commit_filter) return RunCommitFilter(settings);

  renderer::FilterInput input;
  Status status =
      renderer::ReadFilterInput(request, STDIN_FILENO, settings.render.max_bytes, &input);
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
  if (input.text.empty()) return 0;  // an empty README, or a path not in the repository
  if (input.kind == renderer::InputKind::kPlainText) {
    return WriteAll(renderer::RenderPlainText(input.text)) ? 0 : 1;
  }

  renderer::CacheOptions cache;
  cache.warn = [](const std::string& message) {
    std::fprintf(stderr, "jiralink render: warning: %s\n", message.c_str());
  };
  if (no_cache) {
    cache.enabled = false;
  } else if (Status options = ToCacheOptions(settings, &cache); !options.ok()) {
    cache.warn(options.message() + "; rendering without the cache");
    cache.enabled = false;
  }
  std::unique_ptr<renderer::CachedRenderer> cached;
  status = renderer::CachedRenderer::Create(ToRenderOptions(settings), std::move(cache), &cached);
  bool written = true;
  if (status.ok())
    status = cached->RenderTo(
        input.text, [&written](std::string_view html) { return written = WriteAll(html); });
  if (!written) {
    std::fprintf(stderr, "jiralink render: cannot write the HTML to stdout\n");
    return 1;
  }
  if (!status.ok()) {
    std::fprintf(stderr, "jiralink render: %s: %s\n", input.source.c_str(),
                 status.message().c_str());
    return 2;
  }
  return 0;
}

}  // namespace jiralink::cli
