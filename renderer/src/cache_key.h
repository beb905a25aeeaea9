// The render cache's key, shared by its stores (render_cache_store.h).
#pragma once

#include <string>
#include <string_view>

#include "jiralink/renderer/render_cache_store.h"

namespace jiralink::renderer {

// XXH3-128 of Renderer::fingerprint(), as 16 canonical (big-endian) bytes:
// part of every key, and the name of the settings' epoch.
std::string SettingsIdOf(std::string_view fingerprint);

// The slot of `markdown` under `settings_id` (its version is left at 0).
// XXH3 is not a cryptographic hash, and need not be: a hit also requires
// the stored input and settings to equal the current ones exactly, so the
// key only has to be fast (a hit hashes all of the input) and well spread.
CacheSlot SlotOf(std::string_view settings_id, std::string_view markdown);

}  // namespace jiralink::renderer
