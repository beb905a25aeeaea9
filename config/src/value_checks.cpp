#include "value_checks.h"

#include <algorithm>
#include <cctype>

#include "jiralink/core/text.h"

namespace jiralink::config {
namespace {

// The part after "scheme://", or npos when the URL is not http(s).
std::size_t AuthorityStart(std::string_view url) {
  if (StartsWithIgnoringAsciiCase(url, "https://")) return 8;
  if (StartsWithIgnoringAsciiCase(url, "http://")) return 7;
  return std::string_view::npos;
}

std::string_view Authority(std::string_view url) {
  std::size_t start = AuthorityStart(url);
  if (start == std::string_view::npos) return {};
  std::string_view rest = url.substr(start);
  return rest.substr(0, rest.find_first_of("/?#"));
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  return text;
}

}  // namespace

std::string CheckHttpUrl(std::string_view url) {
  // The value is quoted back only when it cannot hold a password.
  std::string_view authority = Authority(url);
  if (authority.find('@') != std::string_view::npos) {
    return "must not contain a user name or password; use [jira] username and a token setting";
  }
  std::string quoted = "\"" + std::string(url) + "\"";
  if (AuthorityStart(url) == std::string_view::npos) {
    return "must be an absolute http(s) URL such as \"https://jira.example.com\", got " + quoted;
  }
  std::size_t colon = authority.find(':');
  std::string_view host = authority.substr(0, colon);
  if (host.empty()) return "must name a host, got " + quoted;
  if (colon != std::string_view::npos) {
    std::string_view port = authority.substr(colon + 1);
    if (port.empty()) return "has an empty port after ':', got " + quoted;
    if (port.size() > 5 || !std::all_of(port.begin(), port.end(), [](char c) {
          return std::isdigit(static_cast<unsigned char>(c)) != 0;
        })) {
      return "must have a port of 1 to 5 digits after ':', got " + quoted;
    }
  }
  if (std::any_of(url.begin(), url.end(),
                  [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; })) {
    return "must not contain spaces, got " + quoted;
  }
  return "";
}

std::string CheckSiteUrl(std::string_view url) {
  if (std::string problem = CheckHttpUrl(url); !problem.empty()) return problem;
  std::size_t at = url.find_first_of("?#");
  if (at == std::string_view::npos) return "";
  return std::string("must not have a ") + (url[at] == '?' ? "query string" : "fragment") +
         " (character " + std::to_string(at + 1) + ", \"" + std::string(url.substr(at)) +
         "\"): Jira API paths are appended to this URL; got \"" + std::string(url) + "\"";
}

std::string CheckUrlTemplate(std::string_view url, std::string_view required,
                             std::span<const std::string_view> allowed) {
  if (std::string problem = CheckHttpUrl(url); !problem.empty()) return problem;
  for (std::size_t open = url.find('{'); open != std::string_view::npos;
       open = url.find('{', open + 1)) {
    std::size_t close = url.find('}', open);
    if (close == std::string_view::npos) break;
    std::string_view placeholder = url.substr(open, close - open + 1);
    if (std::find(allowed.begin(), allowed.end(), placeholder) == allowed.end()) {
      std::string known;
      for (std::string_view name : allowed)
        known += (known.empty() ? "" : ", ") + std::string(name);
      return "has an unknown placeholder " + std::string(placeholder) + " (known: " + known + ")";
    }
  }
  if (url.find(required) == std::string_view::npos) {
    return "must contain " + std::string(required) + ", got \"" + std::string(url) + "\"";
  }
  return "";
}

bool ParseTransitionIds(std::string_view text, std::vector<std::string>* ids, bool* documented) {
  auto is_digit = [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; };
  std::vector<std::string> parsed;
  for (std::size_t i = 0; i < text.size();) {
    if (!is_digit(text[i])) {
      ++i;
      continue;
    }
    std::size_t end = i;
    while (end < text.size() && is_digit(text[end])) ++end;
    parsed.emplace_back(text.substr(i, end - i));
    i = end;
  }
  if (parsed.empty() && !Trim(text).empty()) return false;
  // The documented form: each ','/';'-separated item blank or all digits
  // (empty items, "11,,21" or a trailing ',', are tolerated, like the forge).
  *documented = true;
  for (std::string_view rest = text; !rest.empty();) {
    std::size_t separator = rest.find_first_of(",;");
    std::string_view item = Trim(rest.substr(0, separator));
    rest = separator == std::string_view::npos ? std::string_view() : rest.substr(separator + 1);
    if (!std::all_of(item.begin(), item.end(), is_digit)) *documented = false;
  }
  *ids = std::move(parsed);
  return true;
}

bool IsProjectKey(std::string_view key) {
  if (key.empty() || !std::isalpha(static_cast<unsigned char>(key[0]))) return false;
  return std::all_of(key.begin(), key.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
  });
}

std::vector<std::string> NormalizeProjectKeys(const std::vector<std::string>& entries) {
  std::vector<std::string> keys;
  for (std::string_view entry : entries) {
    while (true) {
      std::size_t comma = entry.find(',');
      std::string_view piece = Trim(entry.substr(0, comma));
      if (!piece.empty() && std::find(keys.begin(), keys.end(), piece) == keys.end()) {
        keys.emplace_back(piece);
      }
      if (comma == std::string_view::npos) break;
      entry.remove_prefix(comma + 1);
    }
  }
  return keys;
}

std::string CheckBranchGlob(std::string_view glob) {
  if (glob.empty()) return "must not be empty";
  const std::string quoted = "\"" + std::string(glob) + "\"";
  if (glob.starts_with("refs/")) {
    return "names branches, not refs: write " +
           (glob.starts_with("refs/heads/") ? "\"" + std::string(glob.substr(11)) + "\""
                                            : std::string("a branch name")) +
           ", got " + quoted;
  }
  // fnmatch(3) takes an unclosed '[' as a plain character, which is
  // rarely what was meant: refuse it. "[]...]" and "[!]...]" hold a ']'.
  for (std::size_t i = 0; i < glob.size(); ++i) {
    if (glob[i] == '\\') {
      ++i;
      continue;
    }
    if (glob[i] != '[') continue;
    std::size_t j = i + 1;
    if (j < glob.size() && (glob[j] == '!' || glob[j] == '^')) ++j;
    if (j < glob.size() && glob[j] == ']') ++j;
    while (j < glob.size() && glob[j] != ']') ++j;
    if (j >= glob.size()) {
      return "has a '[' at character " + std::to_string(i + 1) + " that no ']' closes, got " +
             quoted;
    }
    i = j;
  }
  return "";
}

}  // namespace jiralink::config
