#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <unordered_map>

#include "ember/common/flat_map.h"

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
  for (int i = 0; i < 1000; ++i)
    EXPECT_EQ(entries[static_cast<size_t>(i)].second, std::to_string(i));
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

TEST(FlatMap, GrowthBytesIsTheNextSlotArray) {
  FlatMap<int64_t, int64_t> m;
  int grew = 0;
  for (int64_t i = 0; i < 300000; ++i) {
    int64_t before = m.tableBytes();
    int64_t g = m.growthBytes();
    m.findOrInsert(int64_t(i), [] { return int64_t{1}; });
    if (g == 0) {
      EXPECT_EQ(m.tableBytes(), before) << i;
    } else {
      EXPECT_EQ(m.tableBytes(), g) << i;  // also for slot arrays above 4 MiB (mapped)
      ++grew;
    }
  }
  EXPECT_GT(grew, 10);
  EXPECT_GT(m.tableBytes(), int64_t{4} << 20);
  for (int64_t i = 0; i < 300000; i += 997) EXPECT_EQ(*m.find(i), 1);
  EXPECT_EQ(m.find(-1), nullptr);
}

TEST(FlatMap, CompactSlotsHandsOutEveryEntryThenClearReuses) {
  FlatMap<std::string, int64_t> m;
  for (int i = 0; i < 5000; ++i)
    *m.findOrInsert("k" + std::to_string(i % 1000), [] { return int64_t{0}; }).first += 1;
  int64_t grown = m.tableBytes();
  auto slots = m.compactSlots();
  ASSERT_EQ(slots.size(), 1000u);
  std::vector<std::string> keys;
  for (auto& s : slots) {
    EXPECT_NE(s.hash, 0u);
    EXPECT_EQ(s.hash, (FlatMap<std::string, int64_t>::hash(s.entry.first)));
    EXPECT_EQ(s.entry.second, 5);
    keys.push_back(s.entry.first);
  }
  std::sort(keys.begin(), keys.end());
  EXPECT_EQ(std::unique(keys.begin(), keys.end()), keys.end());
  EXPECT_EQ(m.growthBytes(), 0);  // a compacted table does not grow
  m.clear();
  EXPECT_TRUE(m.empty());
  EXPECT_LT(m.tableBytes(), grown);
  EXPECT_EQ(m.find("k1"), nullptr);
  m.findOrInsert(std::string("k1"), [] { return int64_t{7}; });
  EXPECT_EQ(*m.find("k1"), 7);
}

TEST(FlatMap, StringKeysDifferingInAnyByteAreDistinct) {
  // keyEquals compares short strings with overlapping word loads: every length and
  // every differing position must still tell keys apart.
  FlatMap<std::string, int> m;
  int n = 0;
  for (size_t len = 0; len <= 40; ++len) {
    std::string base(len, 'a');
    m.findOrInsert(std::string(base), [&] { return n++; });
    for (size_t pos = 0; pos < len; ++pos) {
      std::string k = base;
      k[pos] = 'b';
      m.findOrInsert(std::move(k), [&] { return n++; });
    }
  }
  EXPECT_EQ(m.size(), static_cast<size_t>(n));
  EXPECT_EQ(n, 41 + 40 * 41 / 2);
  for (size_t len = 0; len <= 40; ++len) {
    std::string base(len, 'a');
    ASSERT_NE(m.find(base), nullptr) << len;
    for (size_t pos = 0; pos < len; ++pos) {
      std::string k = base;
      k[pos] = 'b';
      ASSERT_NE(m.find(k), nullptr) << len << " " << pos;
      EXPECT_NE(*m.find(k), *m.find(base));
    }
  }
  EXPECT_FALSE((FlatMap<std::string, int>::keyEquals("abcdefghij", "abcdefghiX")));
  EXPECT_TRUE(
      (FlatMap<std::string, int>::keyEquals(std::string("\0x\0", 3), std::string("\0x\0", 3))));
}

TEST(FlatMap, MovedTableKeepsItsEntries) {
  FlatMap<int64_t, std::string> m;
  for (int64_t i = 0; i < 200000; ++i)
    m.findOrInsert(int64_t(i), [&] { return std::to_string(i); });
  FlatMap<int64_t, std::string> other(std::move(m));
  EXPECT_EQ(other.size(), 200000u);
  EXPECT_EQ(*other.find(123456), "123456");
  m = std::move(other);
  EXPECT_EQ(*m.find(199999), "199999");
}

TEST(FlatMap, ReserveSizesOnceForTheFinalCount) {
  FlatMap<int64_t, int64_t> m;
  for (int64_t i = 0; i < 10; ++i) m.findOrInsert(int64_t(i), [] { return int64_t{1}; });
  m.reserve(100000);
  EXPECT_EQ(m.tableBytes(), (FlatMap<int64_t, int64_t>::bytesFor(100000)));
  int64_t reserved = m.tableBytes();
  for (int64_t i = 10; i < 100000; ++i) {
    ASSERT_EQ(m.growthBytes(), 0) << i;
    m.findOrInsert(int64_t(i), [] { return int64_t{1}; });
  }
  EXPECT_EQ(m.tableBytes(), reserved);
  for (int64_t i = 0; i < 100000; i += 101) EXPECT_EQ(*m.find(i), 1);
  m.reserve(10);  // never shrinks
  EXPECT_EQ(m.tableBytes(), reserved);
}

}  // namespace
}  // namespace ember
