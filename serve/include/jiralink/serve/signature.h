// Checking that a webhook comes from the forge: the shared secret, compared
// in constant time, or an HMAC-SHA256 of the body keyed with it (OpenSSL's
// libcrypto).
//
//   GitLab           X-Gitlab-Token: <secret>
//   Gitea / Forgejo  X-Gitea-Signature / X-Forgejo-Signature: <hex HMAC-SHA256 of the body>
//   GitHub           X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>
//
// Every comparison takes the same time whatever the bytes (and, for the
// token, whatever its length), so timing does not reveal the secret.
#pragma once

#include <string>
#include <string_view>

namespace jiralink::serve {

// The HMAC-SHA256 of `body` keyed with `secret`, as 64 lower-case hex digits.
std::string HmacSha256Hex(std::string_view secret, std::string_view body);

// True when `token` (X-Gitlab-Token) equals `secret`. An empty secret
// matches nothing.
bool TokenMatches(std::string_view secret, std::string_view token);

// True when `signature` is the hex HMAC-SHA256 of `body` with `secret`,
// after `prefix` ("sha256=" for GitHub, "" for Gitea). Hex digits may be
// either case. An empty secret matches nothing.
bool SignatureMatches(std::string_view secret, std::string_view body, std::string_view signature,
                      std::string_view prefix);

}  // namespace jiralink::serve
