// Status: the result of an operation that can fail, in the style of LevelDB.
//
// A Status is either OK or carries a code and a human-readable message that
// says what failed and where. Functions return a Status (or fill an output
// parameter and return a Status) instead of throwing.
#pragma once

#include <string>
#include <string_view>
#include <utility>

namespace jiralink {

class Status {
 public:
  enum class Code {
    kOk = 0,
    kInvalidArgument,   // bad input from the user: config, flags, regex, stdin
    kNotFound,          // a file, repository, issue or row that is not there
    kIOError,           // the file system or a database failed
    kUnavailable,       // a remote service cannot be reached or answered 5xx/429
    kPermissionDenied,  // 401/403, unreadable file
    kInternal,          // a bug or a library failure that should not happen
  };

  Status() = default;
  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string msg) {
    return {Code::kInvalidArgument, std::move(msg)};
  }
  static Status NotFound(std::string msg) { return {Code::kNotFound, std::move(msg)}; }
  static Status IOError(std::string msg) { return {Code::kIOError, std::move(msg)}; }
  static Status Unavailable(std::string msg) { return {Code::kUnavailable, std::move(msg)}; }
  static Status PermissionDenied(std::string msg) {
    return {Code::kPermissionDenied, std::move(msg)};
  }
  static Status Internal(std::string msg) { return {Code::kInternal, std::move(msg)}; }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

  // "invalid argument: <message>", or "OK".
  std::string ToString() const;

  // Returns a copy whose message is "<context>: <message>".
  Status WithContext(std::string_view context) const;

 private:
  Status(Code code, std::string msg) : code_(code), message_(std::move(msg)) {}

  Code code_ = Code::kOk;
  std::string message_;
};

}  // namespace jiralink
