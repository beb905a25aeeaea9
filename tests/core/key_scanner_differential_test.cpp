// The default fast path against RE2 on the same pattern: over the shared
// corpus, over every short string of an adversarial alphabet, and over random
// byte strings from biased alphabets. Any difference is a bug in the fast path.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "jiralink/core/key_scanner.h"
#include "support/test_support.h"

namespace jiralink {
namespace {

namespace fs = std::filesystem;

// A printable rendering of a byte string for failure messages.
std::string Escape(std::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    if (c >= 0x20 && c < 0x7F && c != '\\') {
      out += static_cast<char>(c);
    } else {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02X", c);
      out += hex;
    }
  }
  return out;
}

std::string Describe(const std::vector<KeyMatch>& matches) {
  std::ostringstream out;
  for (const KeyMatch& m : matches) {
    out << "[" << m.offset << "+" << m.length << " key@" << m.key_offset << " " << m.key << "] ";
  }
  return out.str();
}

bool SameMatches(const std::vector<KeyMatch>& a, const std::vector<KeyMatch>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                    [](const KeyMatch& x, const KeyMatch& y) {
                      return x.offset == y.offset && x.length == y.length &&
                             x.key_offset == y.key_offset && x.key == y.key;
                    });
}

// Compares the scanners on `text`; returns false (after one failure
// message naming `where`) when they differ.
bool ExpectSameAsRe2(const KeyScanner& scanner, std::string_view text, std::string_view where) {
  const std::vector<KeyMatch> fast = scanner.FindAll(text);
  const std::vector<KeyMatch> re2 = FindAllWithRe2Default(text);
  if (SameMatches(fast, re2)) return true;
  ADD_FAILURE() << where << ": scanner and RE2 differ\n  input: \"" << Escape(text.substr(0, 200))
                << "\"\n  scanner: " << Describe(fast) << "\n  re2:     " << Describe(re2);
  return false;
}

std::vector<fs::path> CorpusFiles() {
  const fs::path corpus = fs::path(testing::SharedDir()) / "corpus";
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(corpus)) {
    if (!entry.is_regular_file()) continue;
    const std::string name = entry.path().filename().string();
    const std::string ext = entry.path().extension().string();
    const bool commits = name.rfind("commits-", 0) == 0 && ext == ".txt";
    if (commits || ext == ".md" || ext == ".markdown") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

TEST(KeyScannerDifferential, CorpusFilesMatchRe2) {
  const std::vector<fs::path> files = CorpusFiles();
  ASSERT_GT(files.size(), 6u) << "corpus missing under " << testing::SharedDir();
  std::size_t total_matches = 0;
  std::string all_commits;
  for (const fs::path& file : files) {
    const std::string text = testing::ReadFile(file.string());
    ASSERT_TRUE(ExpectSameAsRe2(KeyScanner::Default(), text, file.string()));
    total_matches += KeyScanner::Default().FindAll(text).size();
    if (file.filename().string().rfind("commits-", 0) == 0) all_commits += text;
  }
  // Concatenation creates new neighbours at the file seams.
  EXPECT_TRUE(ExpectSameAsRe2(KeyScanner::Default(), all_commits, "commits-*.txt concatenated"));
  EXPECT_GT(total_matches, 10000u);  // the corpus is full of keys: the test compares real work
}

// Every string of length <= 5 over an alphabet that hits each rule: key
// start, key continuation, lowercase (word but not key), '-', digit, '_',
// non-word ASCII, NUL, a UTF-8 lead and continuation byte, an invalid byte.
TEST(KeyScannerDifferential, AllShortStringsOfAnAdversarialAlphabet) {
  const std::string alphabet("AZa9-_ \0\xC3\x84\xFF", 11);
  std::string text;
  std::size_t checked = 0;
  for (std::size_t length = 0; length <= 5; ++length) {
    std::vector<std::size_t> digits(length, 0);
    for (;;) {
      text.resize(length);
      for (std::size_t i = 0; i < length; ++i) text[i] = alphabet[digits[i]];
      if (!ExpectSameAsRe2(KeyScanner::Default(), text, "exhaustive")) return;
      // Padded, so the 16-byte block scan sees it too, at an odd offset.
      const std::string padded = std::string(13, ' ') + text + std::string(20, ' ');
      if (!ExpectSameAsRe2(KeyScanner::Default(), padded, "exhaustive, padded")) return;
      ++checked;
      std::size_t i = 0;
      while (i < length && ++digits[i] == alphabet.size()) digits[i++] = 0;
      if (i == length) break;
    }
  }
  EXPECT_GT(checked, 160000u);
}

// Random strings from several biased alphabets, with a fixed seed and a time
// bound (so the test stays fast under sanitizers).
TEST(KeyScannerDifferential, RandomBiasedByteStrings) {
  const std::vector<std::string> alphabets = {
      "ABCXYZ0123456789-_",
      "AB-1",
      "ABab_-09 ",
      std::string("AB12-_\0\x80\xC3\xA9\xE2\x82\xAC\xFF\xFE", 16),
      "PROJ-123 fix [](),.:;\n\t",
      "A-0",
  };
  std::mt19937_64 rng(20261125);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  std::size_t cases = 0;
  std::string text;
  while (std::chrono::steady_clock::now() < deadline && cases < 300000) {
    for (int batch = 0; batch < 256; ++batch, ++cases) {
      const std::string& alphabet = alphabets[rng() % alphabets.size()];
      // Mostly short strings, sometimes long ones with many matches.
      const std::size_t length = rng() % 16 == 0 ? rng() % 2000 : rng() % 40;
      text.resize(length);
      for (std::size_t i = 0; i < length; ++i) {
        text[i] =
            rng() % 32 == 0 ? static_cast<char>(rng() % 256) : alphabet[rng() % alphabet.size()];
      }
      if (!ExpectSameAsRe2(KeyScanner::Default(), text, "random")) return;
    }
  }
  EXPECT_GT(cases, 1000u);
}

// Long runs stress the walk back over the key run and the digit run.
TEST(KeyScannerDifferential, LongRunsMatchRe2) {
  const std::vector<std::string> texts = {
      std::string(100000, 'A') + "-1",
      "AB-" + std::string(100000, '9') + "X",
      std::string(50000, '-') + "AB-1",
      [] {
        std::string s;
        for (int i = 0; i < 20000; ++i) s += "AB-1";
        return s;
      }(),
      [] {
        std::string s;
        for (int i = 0; i < 20000; ++i) s += "A-B-1_";
        return s;
      }(),
  };
  for (const std::string& text : texts) {
    EXPECT_TRUE(ExpectSameAsRe2(KeyScanner::Default(), text, "long run"));
  }
}

// The generic RE2 path of KeyScanner (custom regex equal in meaning to the
// default) agrees with the fast path too.
TEST(KeyScannerDifferential, Re2PathAgreesWithFastPathOnEquivalentRegex) {
  std::unique_ptr<KeyScanner> generic;
  ASSERT_TRUE(KeyScanner::Create({R"(\b([A-Z][A-Z_0-9]+-[0-9]+))", ""}, &generic).ok());
  ASSERT_FALSE(generic->uses_fast_path());
  std::mt19937_64 rng(7);
  const std::string alphabet("AB9-_a \xC3\x84", 9);
  for (int n = 0; n < 20000; ++n) {
    std::string text(rng() % 30, ' ');
    for (char& c : text) c = alphabet[rng() % alphabet.size()];
    if (!ExpectSameAsRe2(*generic, text, "generic RE2 path")) return;
  }
  const std::string commits =
      testing::ReadFile(testing::SharedDir() + "/corpus/commits-calcite.txt");
  EXPECT_TRUE(ExpectSameAsRe2(*generic, commits, "commits-calcite.txt via RE2 path"));
}

}  // namespace
}  // namespace jiralink
