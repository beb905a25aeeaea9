// serve/signature.h: the forges' token and HMAC-SHA256 signatures.
#include "jiralink/serve/signature.h"

#include <gtest/gtest.h>

namespace jiralink::serve {
namespace {

TEST(ServeSignature, HmacMatchesRfc4231TestCase2) {
  // RFC 4231, test case 2: key "Jefe".
  EXPECT_EQ(HmacSha256Hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(ServeSignature, GitHubSignatureIsCheckedWithItsPrefix) {
  std::string body = R"({"action":"opened"})";
  std::string hex = HmacSha256Hex("s3cret", body);
  EXPECT_TRUE(SignatureMatches("s3cret", body, "sha256=" + hex, "sha256="));
  EXPECT_FALSE(SignatureMatches("s3cret", body, hex, "sha256="));  // prefix missing
  EXPECT_FALSE(SignatureMatches("other", body, "sha256=" + hex, "sha256="));
  EXPECT_FALSE(SignatureMatches("s3cret", body + " ", "sha256=" + hex, "sha256="));
}

TEST(ServeSignature, GiteaSignatureIsBareHexInEitherCase) {
  std::string body = "{}";
  std::string hex = HmacSha256Hex("k", body);
  EXPECT_TRUE(SignatureMatches("k", body, hex, ""));
  std::string upper = hex;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_TRUE(SignatureMatches("k", body, upper, ""));
  EXPECT_FALSE(SignatureMatches("k", body, hex.substr(0, 63), ""));
  EXPECT_FALSE(SignatureMatches("k", body, hex.substr(0, 63) + "g", ""));
  EXPECT_FALSE(SignatureMatches("k", body, hex + "00", ""));
}

TEST(ServeSignature, EmptySecretMatchesNothing) {
  EXPECT_FALSE(SignatureMatches("", "{}", HmacSha256Hex("", "{}"), ""));
  EXPECT_FALSE(TokenMatches("", ""));
}

TEST(ServeSignature, TokenMustBeEqual) {
  EXPECT_TRUE(TokenMatches("token-1", "token-1"));
  EXPECT_FALSE(TokenMatches("token-1", "token-2"));
  EXPECT_FALSE(TokenMatches("token-1", "token-1 "));
  EXPECT_FALSE(TokenMatches("token-1", ""));
}

}  // namespace
}  // namespace jiralink::serve
