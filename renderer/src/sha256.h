// SHA-256 over one or more byte strings (OpenSSL), for the render epoch
// (the settings hash); the cache's row keys use the faster XXH3.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

namespace jiralink::renderer {

// The 32-byte digest of the concatenation of `parts`.
std::string Sha256(std::initializer_list<std::string_view> parts);

// Lower-case hexadecimal of raw bytes.
std::string ToHex(std::string_view bytes);

}  // namespace jiralink::renderer
