// Typed, validating access to one TOML table of the settings file.
//
// Every problem becomes a Diagnostic at the line and column of the offending
// key or value, prefixed with the table's name as the user wrote it
// ("[jira] timeout_seconds must be an integer, got string"). The same code
// re-applies already validated tables when settings are layered; it then
// runs without a sink and reports nothing.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "jiralink/config/loader.h"

namespace jiralink::config {

// Collects diagnostics for one file, dropping exact repeats. After
// kMaxReportedErrors errors, further ones are counted but not kept.
class DiagnosticSink {
 public:
  DiagnosticSink(std::string file, std::vector<Diagnostic>* out)
      : file_(std::move(file)), out_(out) {}
  void Report(Diagnostic::Severity severity, const toml::source_region& where, std::string message);
  void Error(const toml::source_region& where, std::string message) {
    Report(Diagnostic::Severity::kError, where, std::move(message));
  }
  void Warning(const toml::source_region& where, std::string message) {
    Report(Diagnostic::Severity::kWarning, where, std::move(message));
  }
  int error_count() const { return error_count_; }
  const std::string& file() const { return file_; }

 private:
  std::string file_;
  std::vector<Diagnostic>* out_;
  int error_count_ = 0;
};

// Where the effective value of a field was set, for checks that involve
// several fields ("auth = pat" with a Cloud URL). Higher rank = more specific
// layer (top level 0, group 1, project 2).
struct Origin {
  toml::source_region where;
  int rank = 0;
  std::string layer;  // "" for the top level, else "groups.\"ops\"" etc.
};
using Origins = std::map<std::string, Origin>;  // "jira.auth" -> origin

// What a layer is being applied with.
struct ApplyContext {
  DiagnosticSink* sink = nullptr;  // null: apply silently (already validated)
  Origins* origins = nullptr;      // null: do not record
  int rank = 0;
  std::string layer;         // recorded with each origin (see Origin::layer)
  std::string base_dir;      // relative paths in the file are relative to this
  bool check_files = false;  // read token_file/ca_file now (only when validating)
};

// A TOML value type as users read it: "string", "integer", "float", ...
std::string_view TypeName(toml::node_type type);

class TableReader {
 public:
  // `table_name` is the settings table ("jira"); `display` is how messages
  // name it ("[jira]" or "[projects.\"a/b\".jira]").
  TableReader(const toml::table& table, std::string table_name, std::string display,
              ApplyContext& context);

  // Reports every key not in `known`, suggesting the nearest known one.
  void CheckKnownKeys(std::span<const std::string_view> known);

  // Each getter returns true and sets *out when the key is present with the
  // right type (and, for numbers, a positive value); reports and returns
  // false when it is present but wrong; returns false silently when absent.
  bool GetString(std::string_view key, std::string* out);
  bool GetBool(std::string_view key, bool* out);
  bool GetPositiveInt(std::string_view key, int* out);
  bool GetPositiveInt64(std::string_view key, std::int64_t* out);
  // An integer from 0 to INT_MAX (0 meaning "off").
  bool GetNonNegativeInt(std::string_view key, int* out);
  // An array of strings; every element that is not a string is reported.
  bool GetStringArray(std::string_view key, std::vector<std::string>* out);

  bool Has(std::string_view key) const { return table_.contains(key); }
  // The type of `key`'s value; toml::node_type::none when absent. For a key
  // that takes values of several types (e.g. [render] cache: a bool or a URL).
  toml::node_type TypeOf(std::string_view key) const {
    const toml::node* node = Find(key);
    return node == nullptr ? toml::node_type::none : node->type();
  }

  // Reports `message` (prefixed with the table's display name) at the
  // value of `key`, or at the key itself.
  void ErrorAtValue(std::string_view key, std::string_view message);
  void ErrorAtKey(std::string_view key, std::string_view message);
  void WarningAtValue(std::string_view key, std::string_view message);
  // The same at element `index` of the array value of `key` (at the array
  // when there is no such element).
  void ErrorAtElement(std::string_view key, std::size_t index, std::string_view message);
  void WarningAtElement(std::string_view key, std::size_t index, std::string_view message);

  // Remembers that the effective value of `key` now comes from here.
  void RecordOrigin(std::string_view key);

  const std::string& display() const { return display_; }
  ApplyContext& context() { return context_; }

 private:
  const toml::node* Find(std::string_view key) const;
  toml::source_region KeyRegion(std::string_view key) const;
  toml::source_region ValueRegion(std::string_view key) const;
  toml::source_region ElementRegion(std::string_view key, std::size_t index) const;
  void WrongType(std::string_view key, std::string_view expected);

  const toml::table& table_;
  std::string table_name_;
  std::string display_;
  ApplyContext& context_;
};

}  // namespace jiralink::config
