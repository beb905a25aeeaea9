#include "jiralink/os/shared_library.h"

#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace jiralink {
namespace {

// Each case its own table type: LoadSharedLibraryOnce keeps one answer per type.
struct MissingTable {
  int (*puts)(const char*) = nullptr;
};
struct LacksTable {
  int (*nope)() = nullptr;
};
struct RefusedTable {
  int (*puts)(const char*) = nullptr;
};
struct LibcTable {
  std::size_t (*strlen)(const char*) = nullptr;
};

TEST(LoadSharedLibraryOnce, AMissingLibraryNamesItAndThePackageToInstall) {
  std::string error;
  auto resolve = [](void* handle, MissingTable* table, std::string*) {
    return ResolveSymbol(handle, "puts", &table->puts);
  };
  EXPECT_EQ(
      LoadSharedLibraryOnce<MissingTable>("libjiralink-nope.so.9", "libnope9", +resolve, &error),
      nullptr);
  EXPECT_EQ(error.rfind("cannot load libjiralink-nope.so.9 (install libnope9): ", 0), 0u) << error;
  // The answer is kept: asked again, the same error without another dlopen.
  std::string again;
  EXPECT_EQ(
      LoadSharedLibraryOnce<MissingTable>("libjiralink-nope.so.9", "libnope9", +resolve, &again),
      nullptr);
  EXPECT_EQ(again, error);
}

TEST(LoadSharedLibraryOnce, AMissingFunctionIsSaidByDefault) {
  std::string error;
  auto resolve = [](void* handle, LacksTable* table, std::string*) {
    return ResolveSymbol(handle, "jiralink_no_such_function", &table->nope);
  };
  EXPECT_EQ(LoadSharedLibraryOnce<LacksTable>("libc.so.6", "libc6", +resolve, &error), nullptr);
  EXPECT_EQ(error, "libc.so.6 lacks a function jiralink needs");
}

TEST(LoadSharedLibraryOnce, TheResolversOwnReasonIsKept) {
  std::string error;
  auto resolve = [](void*, RefusedTable*, std::string* why) {
    *why = "the library's initialisation failed";
    return false;
  };
  EXPECT_EQ(LoadSharedLibraryOnce<RefusedTable>("libc.so.6", "libc6", +resolve, &error), nullptr);
  EXPECT_EQ(error, "the library's initialisation failed");
}

TEST(LoadSharedLibraryOnce, LoadsOnceForEveryThreadAndTheFunctionsWork) {
  static int resolved = 0;
  auto resolve = [](void* handle, LibcTable* table, std::string*) {
    ++resolved;
    return ResolveSymbol(handle, "strlen", &table->strlen);
  };
  std::vector<const LibcTable*> seen(8, nullptr);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < seen.size(); ++i) {
    threads.emplace_back([&, i] {
      seen[i] = LoadSharedLibraryOnce<LibcTable>("libc.so.6", "libc6", +resolve, nullptr);
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(resolved, 1);
  ASSERT_NE(seen[0], nullptr);
  for (const LibcTable* table : seen) EXPECT_EQ(table, seen[0]);
  EXPECT_EQ(seen[0]->strlen("jiralink"), 8u);
}

}  // namespace
}  // namespace jiralink
