#include "shape_limits.h"

#include <vector>

#include "jiralink/config/loader.h"

namespace jiralink::config {
namespace {

class ShapeScanner {
 public:
  explicit ShapeScanner(std::string_view text) : text_(text) {}

  bool Run(ShapeProblem* problem) {
    problem_ = problem;
    while (ok_ && i_ < text_.size()) {
      char c = text_[i_];
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
        ++i_;
      } else if (c == '#') {
        SkipComment();
      } else if (c == '[') {
        Header();
      } else {
        KeyValue();
      }
    }
    return ok_;
  }

 private:
  void Fail(std::size_t at, std::string message) {
    if (!ok_) return;
    ok_ = false;
    int line = 1;
    std::size_t line_start = 0;
    for (std::size_t k = 0; k < at && k < text_.size(); ++k) {
      if (text_[k] == '\n') {
        ++line;
        line_start = k + 1;
      }
    }
    problem_->line = line;
    problem_->column = static_cast<int>(at - line_start) + 1;
    problem_->message = std::move(message);
  }

  void SkipComment() {
    while (i_ < text_.size() && text_[i_] != '\n') ++i_;
  }

  // Skips a string that starts at i_ (a quote), multi-line or not.
  void SkipString() {
    const char quote = text_[i_];
    const bool basic = quote == '"';
    const std::string_view triple = basic ? "\"\"\"" : "'''";
    if (text_.substr(i_, 3) == triple) {
      for (i_ += 3; i_ < text_.size(); ++i_) {
        if (basic && text_[i_] == '\\') {
          ++i_;
        } else if (text_.substr(i_, 3) == triple) {
          i_ += 3;
          // Up to two quotes may stand right before the closing ones.
          for (int extra = 0; extra < 2 && i_ < text_.size() && text_[i_] == quote; ++extra) ++i_;
          return;
        }
      }
      return;
    }
    for (++i_; i_ < text_.size() && text_[i_] != '\n'; ++i_) {
      if (basic && text_[i_] == '\\') {
        ++i_;
      } else if (text_[i_] == quote) {
        ++i_;
        return;
      }
    }
  }

  // A key (bare, quoted or dotted) up to `stop`; counts its parts. A
  // problem is reported at `report_at` (npos: where the key starts).
  void Key(char stop, std::size_t report_at = std::string_view::npos) {
    const std::size_t start = report_at == std::string_view::npos ? i_ : report_at;
    std::size_t parts = 1;
    while (ok_ && i_ < text_.size()) {
      char c = text_[i_];
      if (c == '"' || c == '\'') {
        SkipString();
        continue;
      }
      if (c == stop || c == '\n' || c == '#') break;
      if (c == '.' && ++parts > kMaxKeyParts) {
        Fail(start, "a key or table name has more than " + std::to_string(kMaxKeyParts) +
                        " dotted parts; at most " + std::to_string(kMaxKeyParts) + " are allowed");
      }
      ++i_;
    }
  }

  void CountTable(std::size_t at) {
    if (++tables_ > kMaxTables) {
      Fail(at, "the file has more than " + std::to_string(kMaxTables) +
                   " tables (headers and inline tables); at most " + std::to_string(kMaxTables) +
                   " are allowed");
    }
  }

  void Header() {
    const std::size_t start = i_;
    ++i_;
    if (i_ < text_.size() && text_[i_] == '[') ++i_;
    CountTable(start);
    Key(']', start);
    while (i_ < text_.size() && text_[i_] == ']') ++i_;
  }

  void KeyValue() {
    Key('=');
    if (i_ < text_.size() && text_[i_] == '=') ++i_;
    Value();
  }

  // A value up to the end of its line (arrays and inline tables may span lines).
  void Value() {
    std::vector<char> open;  // '[' or '{'
    bool expect_key = false;
    while (ok_ && i_ < text_.size()) {
      char c = text_[i_];
      if (expect_key && c != ' ' && c != '\t' && c != '\r' && c != '\n' && c != '}') {
        expect_key = false;
        Key('=');
        if (i_ < text_.size() && text_[i_] == '=') ++i_;
        continue;
      }
      if (c == '\n' && open.empty()) return;
      if (c == '"' || c == '\'') {
        SkipString();
      } else if (c == '#') {
        SkipComment();
      } else if (c == '[' || c == '{') {
        if (open.size() + 1 > kMaxNesting) {
          Fail(i_, "arrays and inline tables are nested more than " + std::to_string(kMaxNesting) +
                       " deep; at most " + std::to_string(kMaxNesting) + " levels are allowed");
          return;
        }
        if (c == '{') CountTable(i_);
        open.push_back(c);
        expect_key = c == '{';
        ++i_;
      } else if (c == ']' || c == '}') {
        if (!open.empty()) open.pop_back();
        ++i_;
        if (open.empty()) return;
      } else if (c == ',' && !open.empty() && open.back() == '{') {
        expect_key = true;
        ++i_;
      } else {
        ++i_;
      }
    }
  }

  std::string_view text_;
  std::size_t i_ = 0;
  std::size_t tables_ = 0;
  bool ok_ = true;
  ShapeProblem* problem_ = nullptr;
};

}  // namespace

bool CheckShape(std::string_view text, ShapeProblem* problem) {
  if (text.size() > kMaxSettingsFileBytes) {
    *problem = {0, 0,
                "the settings file is " + std::to_string(text.size()) + " bytes; at most " +
                    std::to_string(kMaxSettingsFileBytes) + " are allowed"};
    return false;
  }
  return ShapeScanner(text).Run(problem);
}

}  // namespace jiralink::config
