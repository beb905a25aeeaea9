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
#include <unordered_map>

#include "effective_checks.h"
#include "jiralink/config/loader.h"
#include "jiralink/core/jira_site.h"
#include "jiralink/core/text.h"
#include "jiralink/os/whole_file.h"
#include "paths.h"
#include "secret_checks.h"
#include "settings_tables.h"
#include "shape_limits.h"

namespace jiralink::config {
namespace {

constexpr std::string_view kLayerTables[] = {"groups", "projects"};

// Ranks order the layers for the checks across fields (effective_checks.h):
// the top level, then groups by depth ("ops" 2, "ops/deep" 3), then projects.
constexpr int kTopRank = 0;
constexpr int kProjectRank = 1 << 20;

int GroupRank(std::string_view name) {
  return 1 + 1 + static_cast<int>(std::count(name.begin(), name.end(), '/'));
}

std::string Quoted(std::string_view name) { return "\"" + std::string(name) + "\""; }

// Defaults that depend on other fields or on the environment: the one place
// they are computed.
void FillDerivedDefaults(Settings* settings) {
  if (settings->jira.api_url.empty()) settings->jira.api_url = settings->jira.web_url;
  if (settings->state.dir.empty()) settings->state.dir = DefaultStateDir();
  settings->jira.cloud =
      IsJiraCloudUrl(settings->jira.web_url) || IsJiraCloudUrl(settings->jira.api_url);
}

// "line 12" for a source position, "" when unknown.
std::string LineOf(const toml::source_region& where) {
  return where.begin.line == 0 ? std::string() : "line " + std::to_string(where.begin.line);
}

}  // namespace

struct Config::Layers {
  // One [groups."x"] or [projects."x"] table.
  struct Layer {
    std::string key;      // as written in the file ("ops/" stays "ops/")
    std::string name;     // normalized repository path or prefix
    std::string display;  // how messages name it: groups."platform".
    int line = 0;
    toml::table body;
  };

  std::string base_dir;
  toml::table top;  // the top-level tables (without [groups] and [projects])
  std::vector<Layer> groups;
  std::vector<Layer> projects;
  std::unordered_map<std::string, std::size_t> group_index;    // name -> groups[i]
  std::unordered_map<std::string, std::size_t> project_index;  // name -> projects[i]

  // The groups that cover `repo`, outermost first: "ops", "ops/deep" for
  // "ops/deep/x" (a group may also name the repository itself).
  std::vector<const Layer*> GroupsOf(std::string_view repo) const {
    std::vector<const Layer*> out;
    if (groups.empty()) return out;
    for (std::size_t end = 0; end != std::string_view::npos;) {
      end = repo.find('/', end + 1);
      auto it = group_index.find(std::string(repo.substr(0, end)));
      if (it != group_index.end()) out.push_back(&groups[it->second]);
    }
    return out;
  }

  const Layer* Project(std::string_view repo) const {
    auto it = project_index.find(std::string(repo));
    return it == project_index.end() ? nullptr : &projects[it->second];
  }

  // Applies every covering group, outermost first, then the project.
  void Apply(std::string_view repo, ApplyContext& context, Settings* settings) const {
    if (repo.empty()) return;
    for (const Layer* group : GroupsOf(repo)) {
      context.rank = GroupRank(group->name);
      context.layer = group->display.substr(0, group->display.size() - 1);
      ApplyLayer(group->body, group->display, {}, context, settings);
    }
    if (const Layer* project = Project(repo)) {
      context.rank = kProjectRank;
      context.layer = project->display.substr(0, project->display.size() - 1);
      ApplyLayer(project->body, project->display, {}, context, settings);
    }
  }

  // Validates and keeps the [groups] or [projects] table of the file.
  void Read(const toml::table& root, std::string_view kind, const Settings& top_settings,
            ApplyContext& context, std::vector<Layer>* out,
            std::unordered_map<std::string, std::size_t>* index) {
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
      std::string bracketed = "[" + display.substr(0, display.size() - 1) + "]";
      std::string name = NormalizeRepoName(key.str());
      if (!value.is_table()) {
        sink.Error(key.source(),
                   bracketed + " must be a table, got " + std::string(TypeName(value.type())));
        continue;
      }
      if (name.empty()) {
        sink.Error(key.source(), bracketed + " needs a repository path such as " + example);
        continue;
      }
      if (auto seen = index->find(name); seen != index->end()) {
        const std::string& other = (*out)[seen->second].display;
        sink.Error(key.source(), bracketed + " names the same repository path as [" +
                                     other.substr(0, other.size() - 1) + "]");
        continue;
      }
      // Validate on a scratch copy; the effective settings (and where each
      // value came from) are built per repository.
      Settings scratch = top_settings;
      ApplyContext validate = context;
      validate.origins = nullptr;
      validate.rank = kind == "groups" ? GroupRank(name) : kProjectRank;
      ApplyLayer(*value.as_table(), display, {}, validate, &scratch);
      index->emplace(name, out->size());
      out->push_back({std::string(key.str()), name, display,
                      static_cast<int>(key.source().begin.line), *value.as_table()});
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
  std::string text;
  if (Status read = ReadWholeFile(choice.path, kMaxSettingsFileBytes, &text); !read.ok()) {
    Diagnostic d;
    d.file = choice.path;
    d.message = "cannot read the settings file: " + read.message();
    diagnostics->push_back(d);
    return Status::IOError(d.ToString());
  }
  return Parse(text, choice.path, /*on_disk=*/true, options.check_files, out, diagnostics);
}

Status Config::LoadFromString(std::string_view toml, std::string_view path, Config* out,
                              std::vector<Diagnostic>* diagnostics) {
  return Parse(toml, std::string(path), /*on_disk=*/false, /*check_files=*/true, out, diagnostics);
}

Status Config::Parse(std::string_view text, const std::string& path, bool on_disk, bool check_files,
                     Config* out, std::vector<Diagnostic>* diagnostics) {
  const std::size_t first_diagnostic = diagnostics->size();
  if (ShapeProblem shape; !CheckShape(text, &shape)) {
    Diagnostic d;
    d.file = path;
    d.line = shape.line;
    d.column = shape.column;
    d.message = shape.message;
    diagnostics->push_back(d);
    return Status::InvalidArgument("the settings file " + path + " is refused: " + shape.message);
  }
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
  ApplyContext context{&sink, &top_origins, kTopRank, "", layers->base_dir, check_files};
  ApplyLayer(root, "", kLayerTables, context, &config.defaults_);
  for (const auto& [key, origin] : top_origins) {
    config.top_sources_[key] = "top level (" + LineOf(origin.where) + ")";
  }
  layers->Read(root, "groups", config.defaults_, context, &layers->groups, &layers->group_index);
  layers->Read(root, "projects", config.defaults_, context, &layers->projects,
               &layers->project_index);

  if (const toml::table* jira = root["jira"].as_table()) layers->top.insert("jira", *jira);

  // Rules across fields, for every scope a repository can end up in.
  DiagnosticSink site_sink(path, &config.site_diagnostics_);
  Settings top = config.defaults_;
  FillDerivedDefaults(&top);
  CheckEffective(top, top_origins, kTopRank, "", sink, site_sink);
  auto check_scope = [&](const std::string& repo, int rank, const std::string& display) {
    Settings settings = config.defaults_;
    Origins origins = top_origins;
    ApplyContext silent{nullptr, &origins, kTopRank, "", layers->base_dir, false};
    layers->Apply(repo, silent, &settings);
    FillDerivedDefaults(&settings);
    CheckEffective(settings, origins, rank, display, sink, site_sink);
  };
  for (const Layers::Layer& group : layers->groups) {
    check_scope(group.name, GroupRank(group.name), group.display);
  }
  for (const Layers::Layer& project : layers->projects) {
    check_scope(project.name, kProjectRank, project.display);
  }

  if (on_disk) WarnAboutInlineToken(path, root, sink);

  // toml++ keeps keys sorted; users read a file top to bottom.
  auto by_position = [](const Diagnostic& a, const Diagnostic& b) {
    return std::tie(a.line, a.column) < std::tie(b.line, b.column);
  };
  std::stable_sort(diagnostics->begin() + static_cast<std::ptrdiff_t>(first_diagnostic),
                   diagnostics->end(), by_position);
  std::stable_sort(config.site_diagnostics_.begin(), config.site_diagnostics_.end(), by_position);
  if (sink.error_count() > kMaxReportedErrors) {
    Diagnostic d;
    d.file = path;
    d.message = std::to_string(sink.error_count() - kMaxReportedErrors) +
                " more errors not shown (only the first " + std::to_string(kMaxReportedErrors) +
                " are listed)";
    diagnostics->push_back(d);
  }

  config.layers_ = std::move(layers);
  *out = std::move(config);
  if (sink.error_count() > 0) {
    return Status::InvalidArgument(std::to_string(sink.error_count()) +
                                   (sink.error_count() == 1 ? " error" : " errors") + " in " +
                                   path);
  }
  return Status::Ok();
}

Settings Config::ForRepo(std::string_view repo_path, ValueSources* sources) const {
  Settings settings = defaults_;
  Origins origins;
  if (layers_ != nullptr) {
    ApplyContext context{
        nullptr, sources != nullptr ? &origins : nullptr, kTopRank, "", layers_->base_dir, false};
    layers_->Apply(RepositoryName(repo_path, defaults_.git.root), context, &settings);
  }
  FillDerivedDefaults(&settings);
  if (sources != nullptr) {
    *sources = top_sources_;
    for (const auto& [key, origin] : origins) {
      (*sources)[key] = origin.layer + " (" + LineOf(origin.where) + ")";
    }
  }
  return settings;
}

std::vector<Config::Level> Config::Levels() const {
  std::vector<Level> levels;
  auto describe = [](const toml::table& body, Level* level) {
    const toml::table* jira = body["jira"].as_table();
    if (jira == nullptr) return;
    if (auto url = (*jira)["web_url"].value<std::string>()) level->web_url = *url;
    if (auto url = (*jira)["api_url"].value<std::string>()) level->api_url = *url;
    for (std::string_view key : {"auth", "username", "token", "token_file", "token_env"}) {
      if (jira->contains(key)) level->sets_credentials = true;
    }
    level->web_url = TrimTrailingSlashes(level->web_url);
    level->api_url = TrimTrailingSlashes(level->api_url);
  };
  if (layers_ == nullptr) return levels;
  Level top;
  top.display = "the top level";
  describe(layers_->top, &top);
  levels.push_back(top);
  for (const auto* list : {&layers_->groups, &layers_->projects}) {
    for (const Layers::Layer& layer : *list) {
      Level level;
      level.table_path = {list == &layers_->groups ? "groups" : "projects", layer.key};
      level.display = "[" + layer.display.substr(0, layer.display.size() - 1) + "]";
      level.line = layer.line;
      describe(layer.body, &level);
      levels.push_back(level);
    }
  }
  return levels;
}

}  // namespace jiralink::config
