// OpenSSL's libcrypto, loaded when a Redis render cache with a key
// ([render] cache_key_file) is opened instead of at program start. Internal
// to the renderer module.
//
// `jiralink render` starts once per page; with the SQLite cache, or a Redis
// cache without a key, it never loads libcrypto (bench: BM_ProcessStartup,
// BM_RenderProcess). The shape follows hiredis_library.h. The same
// libcrypto.so.3 is what libcurl loads, so a process never holds two copies.
#pragma once

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <string>

namespace jiralink::renderer::internal {

// The libcrypto functions the render cache's MAC uses (all in OpenSSL 3).
struct LibcryptoLibrary {
  decltype(&HMAC) hmac;
  decltype(&EVP_sha256) sha256;
  decltype(&CRYPTO_memcmp) memcmp;  // constant time
};

// Loads libcrypto.so.<major of the headers>, once per process (thread-safe),
// without reading the system's openssl.cnf (nothing here is configurable,
// and the file costs every render a parse). nullptr, with *error naming the
// package to install, when it cannot be loaded.
const LibcryptoLibrary* LoadLibcrypto(std::string* error);

}  // namespace jiralink::renderer::internal
