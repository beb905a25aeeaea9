#include "jiralink/core/security_report.h"

#include <nlohmann/json.hpp>

#include "jiralink/core/json_depth.h"

namespace jiralink::vulnerability {
namespace {

using nlohmann::json;

// Reads one object's fields, building "<file>: <path>.<field>: ..." messages.
class FieldReader {
 public:
  FieldReader(std::string_view file, std::string where) : file_(file), where_(std::move(where)) {}

  Status Error(std::string_view field, std::string_view what) const {
    std::string path = where_;
    if (!field.empty()) path += (path.empty() ? "" : ".") + std::string(field);
    return Status::InvalidArgument(std::string(file_) + ": " + path + ": " + std::string(what));
  }

  // A string field; absent or null leaves *out unchanged unless required.
  Status String(const json& object, const char* field, bool required, std::string* out) const {
    auto it = object.find(field);
    if (it == object.end() || it->is_null()) {
      return required ? Error(field, "missing (required)") : Status::Ok();
    }
    if (!it->is_string())
      return Error(field, std::string("expected a string, found ") + TypeOf(*it));
    *out = it->get<std::string>();
    return Status::Ok();
  }

  Status Int(const json& object, const char* field, int* out) const {
    auto it = object.find(field);
    if (it == object.end() || it->is_null()) return Status::Ok();
    if (!it->is_number_integer()) {
      return Error(field, std::string("expected a whole number, found ") + TypeOf(*it));
    }
    *out = it->get<int>();
    return Status::Ok();
  }

  // The object at `field` (nullptr when absent and optional).
  Status Object(const json& object, const char* field, bool required, const json** out) const {
    *out = nullptr;
    auto it = object.find(field);
    if (it == object.end() || it->is_null()) {
      return required ? Error(field, "missing (required)") : Status::Ok();
    }
    if (!it->is_object())
      return Error(field, std::string("expected an object, found ") + TypeOf(*it));
    *out = &*it;
    return Status::Ok();
  }

  Status Array(const json& object, const char* field, bool required, const json** out) const {
    *out = nullptr;
    auto it = object.find(field);
    if (it == object.end() || it->is_null()) {
      return required ? Error(field, "missing (required)") : Status::Ok();
    }
    if (!it->is_array())
      return Error(field, std::string("expected an array, found ") + TypeOf(*it));
    *out = &*it;
    return Status::Ok();
  }

  FieldReader Nested(std::string_view field) const {
    return FieldReader(file_,
                       where_.empty() ? std::string(field) : where_ + "." + std::string(field));
  }
  FieldReader Element(std::string_view field, std::size_t index) const {
    std::string path = where_.empty() ? std::string(field) : where_ + "." + std::string(field);
    return FieldReader(file_, path + "[" + std::to_string(index) + "]");
  }

  static const char* TypeOf(const json& value) {
    switch (value.type()) {
      case json::value_t::object:
        return "an object";
      case json::value_t::array:
        return "an array";
      case json::value_t::string:
        return "a string";
      case json::value_t::boolean:
        return "a boolean";
      case json::value_t::number_float:
        return "a fractional number";
      case json::value_t::number_integer:
      case json::value_t::number_unsigned:
        return "a number";
      default:
        return "null";
    }
  }

 private:
  std::string_view file_;
  std::string where_;
};

#define REPORT_RETURN_IF_ERROR(expr)   \
  do {                                 \
    Status status_ = (expr);           \
    if (!status_.ok()) return status_; \
  } while (false)

Status ParseLocation(const FieldReader& reader, const json& object, Location* out) {
  REPORT_RETURN_IF_ERROR(reader.String(object, "file", false, &out->file));
  REPORT_RETURN_IF_ERROR(reader.Int(object, "start_line", &out->start_line));
  REPORT_RETURN_IF_ERROR(reader.Int(object, "end_line", &out->end_line));
  REPORT_RETURN_IF_ERROR(reader.String(object, "image", false, &out->image));
  const json* dependency = nullptr;
  REPORT_RETURN_IF_ERROR(reader.Object(object, "dependency", false, &dependency));
  if (dependency != nullptr) {
    FieldReader dependency_reader = reader.Nested("dependency");
    REPORT_RETURN_IF_ERROR(
        dependency_reader.String(*dependency, "version", false, &out->dependency_version));
    const json* package = nullptr;
    REPORT_RETURN_IF_ERROR(dependency_reader.Object(*dependency, "package", false, &package));
    if (package != nullptr) {
      REPORT_RETURN_IF_ERROR(
          dependency_reader.Nested("package").String(*package, "name", false, &out->dependency));
    }
  }
  return Status::Ok();
}

Status ParseFinding(const FieldReader& reader, const json& object, Finding* out) {
  if (!object.is_object()) {
    return reader.Error("",
                        std::string("expected an object, found ") + FieldReader::TypeOf(object));
  }
  REPORT_RETURN_IF_ERROR(reader.String(object, "id", true, &out->id));
  if (out->id.empty()) return reader.Error("id", "must not be empty");
  REPORT_RETURN_IF_ERROR(reader.String(object, "name", false, &out->name));
  if (out->name.empty())
    REPORT_RETURN_IF_ERROR(reader.String(object, "message", false, &out->name));
  REPORT_RETURN_IF_ERROR(reader.String(object, "description", false, &out->description));
  REPORT_RETURN_IF_ERROR(reader.String(object, "severity", false, &out->severity));
  REPORT_RETURN_IF_ERROR(reader.String(object, "solution", false, &out->solution));

  const json* location = nullptr;
  REPORT_RETURN_IF_ERROR(reader.Object(object, "location", true, &location));
  REPORT_RETURN_IF_ERROR(ParseLocation(reader.Nested("location"), *location, &out->location));

  const json* identifiers = nullptr;
  REPORT_RETURN_IF_ERROR(reader.Array(object, "identifiers", true, &identifiers));
  for (std::size_t i = 0; i < identifiers->size(); ++i) {
    FieldReader item = reader.Element("identifiers", i);
    const json& value = (*identifiers)[i];
    if (!value.is_object()) {
      return item.Error("", std::string("expected an object, found ") + FieldReader::TypeOf(value));
    }
    Identifier identifier;
    REPORT_RETURN_IF_ERROR(item.String(value, "type", false, &identifier.type));
    REPORT_RETURN_IF_ERROR(item.String(value, "name", false, &identifier.name));
    REPORT_RETURN_IF_ERROR(item.String(value, "value", false, &identifier.value));
    REPORT_RETURN_IF_ERROR(item.String(value, "url", false, &identifier.url));
    out->identifiers.push_back(std::move(identifier));
  }
  // Older reports carry only a message; the first identifier names the rest.
  if (out->name.empty() && !out->identifiers.empty()) out->name = out->identifiers[0].name;
  if (out->name.empty()) return reader.Error("name", "missing (and no message or identifier name)");
  return Status::Ok();
}

// "line L, column C" of a byte offset (1-based) in text.
std::string LineAndColumn(std::string_view text, std::size_t byte) {
  std::size_t line = 1;
  std::size_t column = 1;
  for (std::size_t i = 0; i + 1 < byte && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return std::to_string(line) + ":" + std::to_string(column);
}

}  // namespace

Status ParseSecurityReport(std::string_view text, std::string_view path, SecurityReport* out) {
  *out = SecurityReport();
  if (!JsonNestingWithin(text, kMaxSecurityReportDepth)) {
    return Status::InvalidArgument(std::string(path) + ": nested deeper than " +
                                   std::to_string(kMaxSecurityReportDepth) +
                                   " levels; not a security report");
  }
  json root;
  try {
    root = json::parse(text.begin(), text.end());
  } catch (const json::parse_error& e) {
    // what() is "[json.exception.parse_error.101] parse error at ...: <reason>".
    std::string reason = e.what();
    std::size_t colon = reason.find(": ");
    if (colon != std::string::npos) reason = reason.substr(colon + 2);
    return Status::InvalidArgument(std::string(path) + ":" + LineAndColumn(text, e.byte) +
                                   ": not valid JSON: " + reason);
  }
  FieldReader reader(path, "");
  if (!root.is_object()) {
    return Status::InvalidArgument(std::string(path) +
                                   ": expected a JSON object with \"vulnerabilities\", found " +
                                   FieldReader::TypeOf(root));
  }
  REPORT_RETURN_IF_ERROR(reader.String(root, "version", true, &out->version));
  const json* findings = nullptr;
  REPORT_RETURN_IF_ERROR(reader.Array(root, "vulnerabilities", true, &findings));
  for (std::size_t i = 0; i < findings->size(); ++i) {
    Finding finding;
    REPORT_RETURN_IF_ERROR(
        ParseFinding(reader.Element("vulnerabilities", i), (*findings)[i], &finding));
    out->findings.push_back(std::move(finding));
  }

  out->source.report_file = std::string(path);
  const json* scan = nullptr;
  REPORT_RETURN_IF_ERROR(reader.Object(root, "scan", false, &scan));
  if (scan != nullptr) {
    FieldReader scan_reader = reader.Nested("scan");
    REPORT_RETURN_IF_ERROR(scan_reader.String(*scan, "type", false, &out->source.scan_type));
    const json* scanner = nullptr;
    REPORT_RETURN_IF_ERROR(scan_reader.Object(*scan, "scanner", false, &scanner));
    if (scanner != nullptr) {
      FieldReader scanner_reader = scan_reader.Nested("scanner");
      REPORT_RETURN_IF_ERROR(scanner_reader.String(*scanner, "id", false, &out->source.scanner_id));
      REPORT_RETURN_IF_ERROR(
          scanner_reader.String(*scanner, "name", false, &out->source.scanner_name));
    }
  }
  return Status::Ok();
}

#undef REPORT_RETURN_IF_ERROR

}  // namespace jiralink::vulnerability
