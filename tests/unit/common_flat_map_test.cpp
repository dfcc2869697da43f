#include "ember/common/flat_map.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <unordered_map>

namespace ember {
namespace {

TEST(FlatMap, MatchesUnorderedMapOnRandomStringKeys) {
  FlatMap<std::string, int64_t> m;
  std::unordered_map<std::string, int64_t> ref;
  std::mt19937_64 rng(7);
  for (int i = 0; i < 200000; ++i) {
    std::string k = "k" + std::to_string(rng() % 50000);
    auto [v, inserted] = m.findOrInsert(std::string(k), [] { return int64_t{0}; });
    EXPECT_EQ(inserted, ref.find(k) == ref.end());
    *v += i;
    ref[k] += i;
  }
  ASSERT_EQ(m.size(), ref.size());
  for (auto& [k, v] : ref) {
    int64_t* got = m.find(k);
    ASSERT_NE(got, nullptr) << k;
    EXPECT_EQ(*got, v);
  }
  EXPECT_EQ(m.find("absent"), nullptr);
}

TEST(FlatMap, BatchedLookupWithPrecomputedHashAgrees) {
  FlatMap<int64_t, int64_t> m;
  for (int64_t i = 0; i < 1000; ++i) {
    uint64_t h = FlatMap<int64_t, int64_t>::hash(i % 100);
    m.prefetchSlot(h);
    *m.findOrInsert(i % 100, h, [] { return int64_t{0}; }).first += 1;
  }
  ASSERT_EQ(m.size(), 100u);
  for (int64_t k = 0; k < 100; ++k) EXPECT_EQ(*m.find(k), 10);
}

TEST(FlatMap, TakeEntriesEmptiesTheTable) {
  FlatMap<int, std::string> m;
  for (int i = 0; i < 1000; ++i) m.findOrInsert(int(i), [&] { return std::to_string(i); });
  int64_t before = m.tableBytes();
  auto entries = m.takeEntries();
  ASSERT_EQ(entries.size(), 1000u);
  std::sort(entries.begin(), entries.end());
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(entries[static_cast<size_t>(i)].second, std::to_string(i));
  EXPECT_TRUE(m.empty());
  EXPECT_LE(m.tableBytes(), before);
  EXPECT_EQ(m.find(3), nullptr);
  m.findOrInsert(3, [] { return std::string("again"); });
  EXPECT_EQ(*m.find(3), "again");
}

TEST(FlatMap, TableBytesGrowsWithEntries) {
  FlatMap<int64_t, int64_t> m;
  int64_t empty = m.tableBytes();
  for (int64_t i = 0; i < 100000; ++i) m.findOrInsert(int64_t(i), [] { return int64_t{1}; });
  EXPECT_GT(m.tableBytes(), empty + 100000 * 16);
}

}  // namespace
}  // namespace ember
