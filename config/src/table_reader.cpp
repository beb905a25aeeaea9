#include "table_reader.h"

#include <algorithm>
#include <limits>

#include "edit_distance.h"

namespace jiralink::config {

void DiagnosticSink::Report(Diagnostic::Severity severity, const toml::source_region& where,
                            std::string message) {
  Diagnostic d;
  d.severity = severity;
  d.file = file_;
  d.line = static_cast<int>(where.begin.line);
  d.column = static_cast<int>(where.begin.column);
  d.message = std::move(message);
  if (severity == Diagnostic::Severity::kError && error_count_ >= kMaxReportedErrors) {
    ++error_count_;
    return;
  }
  for (const Diagnostic& seen : *out_) {
    if (seen.severity == d.severity && seen.file == d.file && seen.line == d.line &&
        seen.column == d.column && seen.message == d.message) {
      return;
    }
  }
  if (severity == Diagnostic::Severity::kError) ++error_count_;
  out_->push_back(std::move(d));
}

std::string_view TypeName(toml::node_type type) {
  switch (type) {
    case toml::node_type::table:
      return "table";
    case toml::node_type::array:
      return "array";
    case toml::node_type::string:
      return "string";
    case toml::node_type::integer:
      return "integer";
    case toml::node_type::floating_point:
      return "float";
    case toml::node_type::boolean:
      return "boolean";
    case toml::node_type::date:
      return "date";
    case toml::node_type::time:
      return "time";
    case toml::node_type::date_time:
      return "date-time";
    case toml::node_type::none:
      break;
  }
  return "nothing";
}

TableReader::TableReader(const toml::table& table, std::string table_name, std::string display,
                         ApplyContext& context)
    : table_(table),
      table_name_(std::move(table_name)),
      display_(std::move(display)),
      context_(context) {}

void TableReader::CheckKnownKeys(std::span<const std::string_view> known) {
  if (context_.sink == nullptr) return;
  for (const auto& [key, value] : table_) {
    std::string_view name = key.str();
    if (std::find(known.begin(), known.end(), name) != known.end()) continue;
    std::string message = "unknown key '" + std::string(name) + "' in " + display_;
    if (std::string nearest = NearestName(name, known); !nearest.empty()) {
      message += "; did you mean '" + nearest + "'?";
    }
    context_.sink->Error(key.source(), std::move(message));
  }
}

const toml::node* TableReader::Find(std::string_view key) const { return table_.get(key); }

toml::source_region TableReader::KeyRegion(std::string_view key) const {
  auto it = table_.find(key);
  return it == table_.end() ? table_.source() : it->first.source();
}

toml::source_region TableReader::ValueRegion(std::string_view key) const {
  const toml::node* node = Find(key);
  if (node == nullptr || node->source().begin.line == 0) return KeyRegion(key);
  return node->source();
}

void TableReader::ErrorAtValue(std::string_view key, std::string_view message) {
  if (context_.sink == nullptr) return;
  context_.sink->Error(ValueRegion(key), display_ + " " + std::string(message));
}

void TableReader::ErrorAtKey(std::string_view key, std::string_view message) {
  if (context_.sink == nullptr) return;
  context_.sink->Error(KeyRegion(key), display_ + " " + std::string(message));
}

void TableReader::WarningAtValue(std::string_view key, std::string_view message) {
  if (context_.sink == nullptr) return;
  context_.sink->Warning(ValueRegion(key), display_ + " " + std::string(message));
}

toml::source_region TableReader::ElementRegion(std::string_view key, std::size_t index) const {
  const toml::node* node = Find(key);
  if (node != nullptr && node->is_array() && index < node->as_array()->size()) {
    const toml::node& element = *node->as_array()->get(index);
    if (element.source().begin.line != 0) return element.source();
  }
  return ValueRegion(key);
}

void TableReader::ErrorAtElement(std::string_view key, std::size_t index,
                                 std::string_view message) {
  if (context_.sink == nullptr) return;
  context_.sink->Error(ElementRegion(key, index), display_ + " " + std::string(message));
}

void TableReader::WarningAtElement(std::string_view key, std::size_t index,
                                   std::string_view message) {
  if (context_.sink == nullptr) return;
  context_.sink->Warning(ElementRegion(key, index), display_ + " " + std::string(message));
}

void TableReader::RecordOrigin(std::string_view key) {
  if (context_.origins == nullptr) return;
  (*context_.origins)[table_name_ + "." + std::string(key)] = {KeyRegion(key), context_.rank,
                                                               context_.layer};
}

void TableReader::WrongType(std::string_view key, std::string_view expected) {
  const toml::node* node = Find(key);
  ErrorAtValue(key, std::string(key) + " must be " + std::string(expected) + ", got " +
                        std::string(TypeName(node->type())));
}

bool TableReader::GetString(std::string_view key, std::string* out) {
  const toml::node* node = Find(key);
  if (node == nullptr) return false;
  if (!node->is_string()) {
    WrongType(key, "a string");
    return false;
  }
  *out = node->as_string()->get();
  RecordOrigin(key);
  return true;
}

bool TableReader::GetBool(std::string_view key, bool* out) {
  const toml::node* node = Find(key);
  if (node == nullptr) return false;
  if (!node->is_boolean()) {
    WrongType(key, "true or false");
    return false;
  }
  *out = node->as_boolean()->get();
  RecordOrigin(key);
  return true;
}

bool TableReader::GetPositiveInt64(std::string_view key, std::int64_t* out) {
  const toml::node* node = Find(key);
  if (node == nullptr) return false;
  if (!node->is_integer()) {
    WrongType(key, "an integer");
    return false;
  }
  std::int64_t value = node->as_integer()->get();
  if (value <= 0) {
    ErrorAtValue(key, std::string(key) + " must be greater than 0, got " + std::to_string(value));
    return false;
  }
  *out = value;
  RecordOrigin(key);
  return true;
}

bool TableReader::GetPositiveInt(std::string_view key, int* out) {
  std::int64_t value = 0;
  if (!GetPositiveInt64(key, &value)) return false;
  if (value > std::numeric_limits<int>::max()) {
    ErrorAtValue(key, std::string(key) + " is too large, got " + std::to_string(value));
    return false;
  }
  *out = static_cast<int>(value);
  return true;
}

bool TableReader::GetNonNegativeInt(std::string_view key, int* out) {
  const toml::node* node = Find(key);
  if (node == nullptr) return false;
  if (!node->is_integer()) {
    WrongType(key, "an integer");
    return false;
  }
  std::int64_t value = node->as_integer()->get();
  if (value < 0 || value > std::numeric_limits<int>::max()) {
    ErrorAtValue(key, std::string(key) + " must be 0 or more (and at most " +
                          std::to_string(std::numeric_limits<int>::max()) + "), got " +
                          std::to_string(value));
    return false;
  }
  *out = static_cast<int>(value);
  RecordOrigin(key);
  return true;
}

bool TableReader::GetStringArray(std::string_view key, std::vector<std::string>* out) {
  const toml::node* node = Find(key);
  if (node == nullptr) return false;
  if (!node->is_array()) {
    WrongType(key, "an array of strings");
    return false;
  }
  std::vector<std::string> values;
  bool all_strings = true;
  std::size_t index = 0;
  for (const toml::node& element : *node->as_array()) {
    if (element.is_string()) {
      values.push_back(element.as_string()->get());
    } else if (context_.sink != nullptr) {
      all_strings = false;
      context_.sink->Error(element.source(),
                           display_ + " " + std::string(key) + "[" + std::to_string(index) +
                               "] must be a string, got " + std::string(TypeName(element.type())));
    } else {
      all_strings = false;
    }
    ++index;
  }
  if (!all_strings) return false;
  *out = std::move(values);
  RecordOrigin(key);
  return true;
}

}  // namespace jiralink::config
