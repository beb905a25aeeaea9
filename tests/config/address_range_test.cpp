// config::AddressRange, ParseAddressRange, IsLoopbackAddress and
// IsLoopbackListen (settings.h): the `[serve] auth_proxies` entries and the
// loopback rule of the pages without a login; and [issues] viewers layered
// like [issues] enabled.
#include <arpa/inet.h>

#include <cstring>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "jiralink/config/loader.h"

namespace jiralink::config {
namespace {

// The 16-byte form of an address as a peer would have it.
struct Peer {
  unsigned char bytes[16] = {};
  explicit Peer(const char* text) {
    in_addr v4{};
    if (inet_pton(AF_INET, text, &v4) == 1) {
      bytes[10] = bytes[11] = 0xff;
      std::memcpy(bytes + 12, &v4, 4);
    } else {
      EXPECT_EQ(inet_pton(AF_INET6, text, bytes), 1) << text;
    }
  }
};

bool Contains(const char* range_text, const char* peer) {
  AddressRange range;
  EXPECT_TRUE(ParseAddressRange(range_text, &range)) << range_text;
  return range.Contains(Peer(peer).bytes);
}

TEST(AddressRange, MatchesAddressesAndPrefixes) {
  EXPECT_TRUE(Contains("127.0.0.1", "127.0.0.1"));
  EXPECT_FALSE(Contains("127.0.0.1", "127.0.0.2"));
  EXPECT_TRUE(Contains("10.0.0.0/8", "10.255.1.2"));
  EXPECT_FALSE(Contains("10.0.0.0/8", "11.0.0.1"));
  EXPECT_TRUE(Contains("192.168.4.0/22", "192.168.7.255"));
  EXPECT_FALSE(Contains("192.168.4.0/22", "192.168.8.0"));
  EXPECT_TRUE(Contains("0.0.0.0/0", "203.0.113.9"));
  EXPECT_FALSE(Contains("0.0.0.0/0", "2001:db8::1"));  // IPv4 ranges hold IPv4 only
  EXPECT_TRUE(Contains("::1", "::1"));
  EXPECT_TRUE(Contains("fd00::/8", "fd12:3456::1"));
  EXPECT_FALSE(Contains("fd00::/8", "fe80::1"));
  EXPECT_TRUE(Contains("10.0.0.0/8", "::ffff:10.1.1.1"));  // a dual-stack socket's view
}

TEST(AddressRange, RefusesWhatIsNotAnAddressOrPrefix) {
  AddressRange range;
  for (const char* bad : {"", "localhost", "10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0/8",
                          "10.0.0.0/8x", "10.0.0.0/-1", "1.2.3.4/1234", " 127.0.0.1"}) {
    EXPECT_FALSE(ParseAddressRange(bad, &range)) << bad;
  }
}

TEST(AddressRange, LoopbackIsAllOf127AndColonColonOne) {
  EXPECT_TRUE(IsLoopbackAddress(Peer("127.0.0.1").bytes));
  EXPECT_TRUE(IsLoopbackAddress(Peer("127.255.0.9").bytes));
  EXPECT_TRUE(IsLoopbackAddress(Peer("::1").bytes));
  EXPECT_FALSE(IsLoopbackAddress(Peer("0.0.0.0").bytes));
  EXPECT_FALSE(IsLoopbackAddress(Peer("::").bytes));
  EXPECT_FALSE(IsLoopbackAddress(Peer("10.0.0.1").bytes));
  EXPECT_TRUE(IsLoopbackListen("127.0.0.1:8787"));
  EXPECT_TRUE(IsLoopbackListen("[::1]:8787"));
  EXPECT_TRUE(IsLoopbackListen("localhost:8787"));
  EXPECT_FALSE(IsLoopbackListen("0.0.0.0:8787"));
  EXPECT_FALSE(IsLoopbackListen("[::]:8787"));
  EXPECT_FALSE(IsLoopbackListen("git.example.com:8787"));
}

TEST(ViewersSettings, LayeredLikeEnabledTheMostSpecificLayerWins) {
  Config config;
  std::vector<Diagnostic> diagnostics;
  ASSERT_TRUE(Config::LoadFromString(R"([serve]
auth_header = "X-Forwarded-User"
auth_proxies = ["::1"]
[issues]
viewers = ["root"]
[groups."team".issues]
viewers = ["alice", "@backend"]
[projects."team/open".issues]
viewers = []
)",
                                     "/etc/jiralink/config.toml", &config, &diagnostics)
                  .ok());
  EXPECT_EQ(config.ForRepo("other/x").issues.viewers, std::vector<std::string>{"root"});
  EXPECT_EQ(config.ForRepo("team/api").issues.viewers,
            (std::vector<std::string>{"alice", "@backend"}));
  EXPECT_TRUE(config.ForRepo("team/open").issues.viewers.empty());
  EXPECT_EQ(config.ForRepo("").serve.auth_proxies, std::vector<std::string>{"::1"});
}

}  // namespace
}  // namespace jiralink::config
