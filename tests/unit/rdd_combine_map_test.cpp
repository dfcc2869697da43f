// CombineMap: the spilling aggregations' hash table charges the memory manager for
// what it holds, including a growth step's transient second slot array, before that
// memory is allocated; spilling hands every entry out exactly once.
#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <string>

#include "ember/rdd/combine_map.h"
#include "ember/storage/memory_manager.h"

namespace ember {
namespace {

constexpr int64_t kMiB = int64_t{1} << 20;

std::string keyOf(int64_t i) {  // 20 bytes: heap-allocated, like spill_demo's keys
  char buf[32];
  std::snprintf(buf, sizeof buf, "%020lld", static_cast<long long>(i * 7919));
  return std::string(buf, 20);
}

// Bytes the table really holds: its slot array and its keys' heap blocks.
int64_t heldBytes(int64_t tableBytes, int64_t keys) { return tableBytes + keys * mallocBytes(21); }

TEST(CombineMap, ChargesGrowthBeforeItHappensAndSpillsEveryEntryOnce) {
  MemoryManager mm(2 * kMiB, 0.0);
  mm.registerTask(1);
  MemoryConsumer mem(&mm, 1, "test");
  CombineMap<std::string, int64_t> m(mem);

  std::map<std::string, int64_t> spilled;
  int spills = 0;
  auto spill = [&] {
    for (auto& s : m.compact()) spilled[s.entry.first] += s.entry.second;
    m.clear();
    ++spills;
    EXPECT_EQ(mm.taskExecutionUsed(1), 0);
  };
  constexpr int64_t kKeys = 60000;
  for (int64_t i = 0; i < 3 * kKeys; ++i) {
    std::string k = keyOf(i % kKeys);
    if (!m.reserveGrowth()) spill();
    uint64_t h = CombineMap<std::string, int64_t>::hash(k);
    bool ok = m.add(
        std::move(k), h, [] { return int64_t{1}; }, [](int64_t& c) { c += 1; });
    EXPECT_LE(mm.executionUsed(), 2 * kMiB);
    if (!ok) spill();
  }
  for (auto& s : m.compact()) spilled[s.entry.first] += s.entry.second;
  m.clear();
  EXPECT_GT(spills, 2);
  ASSERT_EQ(spilled.size(), static_cast<size_t>(kKeys));
  for (auto& [k, n] : spilled) ASSERT_EQ(n, 3) << k;
  mm.unregisterTask(1);
}

TEST(CombineMap, ReservationCoversTableAndKeys) {
  // No budget pressure: the charge must equal at least the real footprint at every
  // point, and the transient peak of each growth (old + new array) must have been
  // charged before the growth.
  MemoryManager mm(1024 * kMiB, 0.0);
  mm.registerTask(1);
  MemoryConsumer mem(&mm, 1, "test");
  CombineMap<std::string, int64_t> m(mem);
  FlatMap<std::string, int64_t> shadow;  // same insertions: its table is the same size
  int64_t keys = 0;
  for (int64_t i = 0; i < 150000; ++i) {
    std::string k = keyOf(i);
    int64_t g = shadow.growthBytes();
    int64_t before = shadow.tableBytes();
    ASSERT_TRUE(m.reserveGrowth());
    if (g > 0) {
      int64_t initial = FlatMap<std::string, int64_t>().tableBytes();  // not charged
      EXPECT_GE(m.usedBytes() + initial, before + g + keys * mallocBytes(21)) << i;
    }
    shadow.findOrInsert(std::string(k), [] { return int64_t{1}; });
    uint64_t h = CombineMap<std::string, int64_t>::hash(k);
    ASSERT_TRUE(m.add(
        std::move(k), h, [] { return int64_t{1}; }, [](int64_t& c) { c += 1; }));
    ++keys;
    int64_t initial = FlatMap<std::string, int64_t>().tableBytes();
    EXPECT_GE(m.usedBytes() + initial, heldBytes(shadow.tableBytes(), keys)) << i;
  }
  EXPECT_EQ(m.size(), 150000u);
  mm.unregisterTask(1);
}

TEST(CombineMap, PresizeIsChargedAndOnlyWhenGranted) {
  MemoryManager mm(64 * kMiB, 0.0);
  mm.registerTask(1);
  MemoryConsumer mem(&mm, 1, "test");
  CombineMap<std::string, int64_t> big(mem);
  big.presize(100000);
  EXPECT_GE(big.usedBytes(), (FlatMap<std::string, int64_t>::bytesFor(100000)));
  for (int64_t i = 0; i < 100000; ++i) {
    ASSERT_TRUE(big.reserveGrowth());
    std::string k = keyOf(i);
    uint64_t h = CombineMap<std::string, int64_t>::hash(k);
    ASSERT_TRUE(big.add(
        std::move(k), h, [] { return int64_t{1}; }, [](int64_t& c) { c += 1; }));
  }
  big.clear();

  MemoryConsumer small(&mm, 1, "test2");
  CombineMap<std::string, int64_t> refused(small);
  refused.presize(10000000);  // ~480 MiB of slots: more than the budget
  EXPECT_EQ(refused.usedBytes(), 0);
  EXPECT_TRUE(refused.reserveGrowth());
  mm.unregisterTask(1);
}

}  // namespace
}  // namespace ember
