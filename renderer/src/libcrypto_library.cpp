#include "libcrypto_library.h"

#include <openssl/opensslv.h>

#include "jiralink/os/shared_library.h"

namespace jiralink::renderer::internal {

namespace {

#define JIRALINK_STRINGIFY_INNER(x) #x
#define JIRALINK_STRINGIFY(x) JIRALINK_STRINGIFY_INNER(x)
// "libcrypto.so.3" with OpenSSL 3; Debian ships it in libssl3.
constexpr const char* kLibraryName = "libcrypto.so." JIRALINK_STRINGIFY(OPENSSL_VERSION_MAJOR);
constexpr const char* kPackageName = "libssl" JIRALINK_STRINGIFY(OPENSSL_VERSION_MAJOR);
#undef JIRALINK_STRINGIFY
#undef JIRALINK_STRINGIFY_INNER

bool Resolve(void* handle, LibcryptoLibrary* lib, std::string* error) {
  decltype(&OPENSSL_init_crypto) init = nullptr;
  if (!ResolveSymbol(handle, "OPENSSL_init_crypto", &init) ||
      !ResolveSymbol(handle, "HMAC", &lib->hmac) ||
      !ResolveSymbol(handle, "EVP_sha256", &lib->sha256) ||
      !ResolveSymbol(handle, "CRYPTO_memcmp", &lib->memcmp)) {
    return false;
  }
  if (init(OPENSSL_INIT_NO_LOAD_CONFIG, nullptr) != 1) {
    *error = std::string(kLibraryName) + ": OPENSSL_init_crypto failed";
    return false;
  }
  return true;
}

}  // namespace

const LibcryptoLibrary* LoadLibcrypto(std::string* error) {
  return LoadSharedLibraryOnce<LibcryptoLibrary>(kLibraryName, kPackageName, Resolve, error);
}

}  // namespace jiralink::renderer::internal
