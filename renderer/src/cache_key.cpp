#include "cache_key.h"

#define XXH_STATIC_LINKING_ONLY  // XXH3_state_t on the stack: no allocation per lookup
#include <xxhash.h>

#include <cstdlib>

namespace jiralink::renderer {

std::string SettingsIdOf(std::string_view fingerprint) {
  const XXH128_hash_t id = XXH3_128bits(fingerprint.data(), fingerprint.size());
  XXH128_canonical_t canonical;
  XXH128_canonicalFromHash(&canonical, id);
  return std::string(reinterpret_cast<const char*>(canonical.digest), sizeof canonical);
}

CacheSlot SlotOf(std::string_view settings_id, std::string_view markdown) {
  XXH3_state_t state;
  // These fail only on a null state or data pointer; a wrong key would be
  // worse than stopping.
  if (XXH3_128bits_reset(&state) != XXH_OK ||
      XXH3_128bits_update(&state, settings_id.data(), settings_id.size()) != XXH_OK ||
      XXH3_128bits_update(&state, markdown.empty() ? "" : markdown.data(), markdown.size()) !=
          XXH_OK) {
    std::abort();
  }
  const XXH128_hash_t hash = XXH3_128bits_digest(&state);
  CacheSlot slot;
  slot.key_low = static_cast<std::int64_t>(hash.low64);
  slot.key_high = static_cast<std::int64_t>(hash.high64);
  return slot;
}

}  // namespace jiralink::renderer
