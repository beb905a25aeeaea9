#include "jiralink/serve/signature.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>

#include "jiralink/core/text.h"

namespace jiralink::serve {
namespace {

using Digest = std::array<unsigned char, 32>;

Digest Hmac(std::string_view secret, std::string_view body) {
  Digest digest{};
  unsigned int length = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(body.data()), body.size(), digest.data(), &length);
  return digest;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string HmacSha256Hex(std::string_view secret, std::string_view body) {
  Digest digest = Hmac(secret, body);
  return HexLower(std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
}

bool TokenMatches(std::string_view secret, std::string_view token) {
  if (secret.empty()) return false;
  // Comparing digests keeps the time independent of the token's length too.
  Digest a{};
  Digest b{};
  unsigned int length = 0;
  EVP_Digest(secret.data(), secret.size(), a.data(), &length, EVP_sha256(), nullptr);
  EVP_Digest(token.data(), token.size(), b.data(), &length, EVP_sha256(), nullptr);
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

bool SignatureMatches(std::string_view secret, std::string_view body, std::string_view signature,
                      std::string_view prefix) {
  if (secret.empty() || !signature.starts_with(prefix)) return false;
  signature.remove_prefix(prefix.size());
  Digest expected = Hmac(secret, body);
  if (signature.size() != expected.size() * 2) return false;
  Digest given{};
  bool hex = true;
  for (std::size_t i = 0; i < given.size(); ++i) {
    int high = HexValue(signature[2 * i]);
    int low = HexValue(signature[2 * i + 1]);
    hex &= high >= 0 && low >= 0;
    given[i] = static_cast<unsigned char>(((high & 0xF) << 4) | (low & 0xF));
  }
  return (CRYPTO_memcmp(expected.data(), given.data(), expected.size()) == 0) & hex;
}

}  // namespace jiralink::serve
