// Lower-case hexadecimal of raw bytes (for the render epoch shown by
// `jiralink cache stats`).
#pragma once

#include <string>
#include <string_view>

namespace jiralink::renderer {

std::string ToHex(std::string_view bytes);

}  // namespace jiralink::renderer
