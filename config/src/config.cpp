// Config: reading the file, keeping its layers and layering them per repository.
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <tuple>

#include "effective_checks.h"
#include "jiralink/config/loader.h"
#include "paths.h"
#include "secret_checks.h"
#include "settings_tables.h"

namespace jiralink::config {
namespace {

constexpr std::string_view kLayerTables[] = {"groups", "projects"};

constexpr int kTopRank = 0;
constexpr int kGroupRank = 1;
constexpr int kProjectRank = 2;

std::string Quoted(std::string_view name) { return "\"" + std::string(name) + "\""; }

// Defaults that depend on other fields or on the environment.
void FillDerivedDefaults(Settings* settings) {
  if (settings->jira.api_url.empty()) settings->jira.api_url = settings->jira.web_url;
  if (settings->state.dir.empty()) settings->state.dir = DefaultStateDir();
}

bool GroupMatches(std::string_view group, std::string_view repo) {
  return repo == group ||
         (repo.size() > group.size() && repo.starts_with(group) && repo[group.size()] == '/');
}

std::string ReadWholeFile(const std::string& path, std::string* problem) {
  // A directory opens as a stream that reads nothing: it would pass as an
  // empty, valid file.
  struct stat info;
  if (::stat(path.c_str(), &info) == 0 && !S_ISREG(info.st_mode)) {
    *problem = "not a regular file";
    return "";
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *problem = std::strerror(errno);
    return "";
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) *problem = "read failed";
  return text.str();
}

}  // namespace

struct Config::Layers {
  // One [groups."x"] or [projects."x"] table.
  struct Layer {
    std::string name;     // normalized repository path or prefix
    std::string display;  // how messages name it: groups."platform".
    toml::table body;
  };

  std::string base_dir;
  std::vector<Layer> groups;
  std::vector<Layer> projects;

  const Layer* LongestGroup(std::string_view repo) const {
    const Layer* best = nullptr;
    for (const Layer& group : groups) {
      if (GroupMatches(group.name, repo) &&
          (best == nullptr || group.name.size() > best->name.size())) {
        best = &group;
      }
    }
    return best;
  }

  const Layer* Project(std::string_view repo) const {
    for (const Layer& project : projects) {
      if (project.name == repo) return &project;
    }
    return nullptr;
  }

  // Applies the longest matching group, then the project, onto *settings.
  void Apply(std::string_view repo, ApplyContext& context, Settings* settings) const {
    if (const Layer* group = LongestGroup(repo)) {
      context.rank = kGroupRank;
      ApplyLayer(group->body, group->display, {}, context, settings);
    }
    if (const Layer* project = Project(repo)) {
      context.rank = kProjectRank;
      ApplyLayer(project->body, project->display, {}, context, settings);
    }
  }

  // Validates and keeps the [groups] or [projects] table of the file.
  void Read(const toml::table& root, std::string_view kind, const Settings& top, int rank,
            ApplyContext& context, std::vector<Layer>* out) {
    const toml::node* node = root.get(kind);
    if (node == nullptr) return;
    DiagnosticSink& sink = *context.sink;
    std::string example =
        kind == "groups" ? "[groups.\"platform\"]" : "[projects.\"platform/api\"]";
    if (!node->is_table()) {
      sink.Error(root.find(kind)->first.source(),
                 "[" + std::string(kind) + "] must be a table of tables such as " + example +
                     ", got " + std::string(TypeName(node->type())));
      return;
    }
    for (const auto& [key, value] : *node->as_table()) {
      std::string display = std::string(kind) + "." + Quoted(key.str()) + ".";
      std::string name = NormalizeRepoPath(key.str());
      if (!value.is_table()) {
        sink.Error(key.source(), "[" + display.substr(0, display.size() - 1) +
                                     "] must be a table, got " +
                                     std::string(TypeName(value.type())));
        continue;
      }
      if (name.empty()) {
        sink.Error(key.source(), "[" + display.substr(0, display.size() - 1) +
                                     "] needs a repository path such as " + example);
        continue;
      }
      bool duplicate = false;
      for (const Layer& seen : *out) {
        if (seen.name == name) {
          sink.Error(key.source(), "[" + display.substr(0, display.size() - 1) +
                                       "] names the same repository path as [" +
                                       seen.display.substr(0, seen.display.size() - 1) + "]");
          duplicate = true;
        }
      }
      if (duplicate) continue;
      // Validate on a scratch copy; the effective settings are built per repository.
      Settings scratch = top;
      context.rank = rank;
      ApplyLayer(*value.as_table(), display, {}, context, &scratch);
      out->push_back({name, display, *value.as_table()});
    }
  }
};

Status Config::Load(const LoadOptions& options, Config* out, std::vector<Diagnostic>* diagnostics) {
  ConfigFileChoice choice;
  if (!FindConfigFile(options.explicit_path, &choice, diagnostics)) {
    return Status::NotFound("settings file not found: " + diagnostics->back().file);
  }
  if (choice.path.empty()) {
    *out = Config();
    return Status::Ok();
  }
  std::string problem;
  std::string text = ReadWholeFile(choice.path, &problem);
  if (!problem.empty()) {
    Diagnostic d;
    d.file = choice.path;
    d.message = "cannot read the settings file: " + problem;
    diagnostics->push_back(d);
    return Status::IOError(d.ToString());
  }
  return Parse(text, choice.path, /*on_disk=*/true, out, diagnostics);
}

Status Config::LoadFromString(std::string_view toml, std::string_view path, Config* out,
                              std::vector<Diagnostic>* diagnostics) {
  return Parse(toml, std::string(path), /*on_disk=*/false, out, diagnostics);
}

Status Config::Parse(std::string_view text, const std::string& path, bool on_disk, Config* out,
                     std::vector<Diagnostic>* diagnostics) {
  const std::size_t first_diagnostic = diagnostics->size();
  DiagnosticSink sink(path, diagnostics);
  toml::table root;
  try {
    root = toml::parse(text, path);
  } catch (const toml::parse_error& error) {
    sink.Error(error.source(), "malformed TOML: " + std::string(error.description()));
    return Status::InvalidArgument("malformed TOML in " + path);
  }

  Config config;
  config.path_ = path;
  auto layers = std::make_shared<Layers>();
  if (!path.empty()) {
    std::error_code ignored;
    layers->base_dir =
        DirectoryOf(std::filesystem::absolute(path, ignored).lexically_normal().string());
  }

  Origins top_origins;
  ApplyContext context{&sink, &top_origins, kTopRank, layers->base_dir, /*check_files=*/true};
  ApplyLayer(root, "", kLayerTables, context, &config.defaults_);
  layers->Read(root, "groups", config.defaults_, kGroupRank, context, &layers->groups);
  layers->Read(root, "projects", config.defaults_, kProjectRank, context, &layers->projects);

  // Rules across fields, for every scope a repository can end up in.
  Settings top = config.defaults_;
  FillDerivedDefaults(&top);
  CheckEffective(top, top_origins, kTopRank, "", sink);
  auto check_scope = [&](const std::string& repo, int rank, const std::string& display) {
    Settings settings = config.defaults_;
    Origins origins = top_origins;
    ApplyContext silent{nullptr, &origins, kTopRank, layers->base_dir, false};
    layers->Apply(repo, silent, &settings);
    FillDerivedDefaults(&settings);
    CheckEffective(settings, origins, rank, display, sink);
  };
  for (const Layers::Layer& group : layers->groups)
    check_scope(group.name, kGroupRank, group.display);
  for (const Layers::Layer& project : layers->projects) {
    check_scope(project.name, kProjectRank, project.display);
  }

  if (on_disk) WarnAboutInlineToken(path, root, sink);

  // toml++ keeps keys sorted; users read a file top to bottom.
  std::stable_sort(diagnostics->begin() + static_cast<std::ptrdiff_t>(first_diagnostic),
                   diagnostics->end(), [](const Diagnostic& a, const Diagnostic& b) {
                     return std::tie(a.line, a.column) < std::tie(b.line, b.column);
                   });

  config.layers_ = std::move(layers);
  *out = std::move(config);
  if (sink.error_count() > 0) {
    return Status::InvalidArgument(std::to_string(sink.error_count()) +
                                   (sink.error_count() == 1 ? " error" : " errors") + " in " +
                                   path);
  }
  return Status::Ok();
}

Settings Config::ForRepo(std::string_view repo_path) const {
  Settings settings = defaults_;
  if (layers_ != nullptr) {
    ApplyContext silent{nullptr, nullptr, kTopRank, layers_->base_dir, false};
    layers_->Apply(NormalizeRepoPath(repo_path, defaults_.git.root), silent, &settings);
  }
  FillDerivedDefaults(&settings);
  return settings;
}

}  // namespace jiralink::config
