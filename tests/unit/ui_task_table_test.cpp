#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <random>
#include <vector>

#include "ember/ui/task_table.h"

namespace ember::ui {
namespace {

std::vector<int64_t> idsOf(const TaskTable& t) {
  std::vector<int64_t> ids;
  for (const auto& [id, row] : t) {
    EXPECT_EQ(row.taskId, id);
    ids.push_back(id);
  }
  return ids;
}

TEST(UiTaskTable, KeepsRowsInIdOrderWhateverTheInsertionOrder) {
  TaskTable t;
  for (int64_t id : {10, 11, 13, 12, 20, 5, 14}) t.insert(id).partition = static_cast<int>(id);
  EXPECT_EQ(idsOf(t), (std::vector<int64_t>{5, 10, 11, 12, 13, 14, 20}));
  EXPECT_EQ(t.size(), 7u);
  ASSERT_NE(t.find(12), nullptr);
  EXPECT_EQ(t.find(12)->partition, 12);
  EXPECT_EQ(t.find(15), nullptr);
  EXPECT_EQ(t.find(4), nullptr);
  EXPECT_EQ(t.find(21), nullptr);
  // Inserting an existing id returns its row unchanged.
  t.insert(13).attempt = 3;
  EXPECT_EQ(t.find(13)->partition, 13);
  EXPECT_EQ(t.find(13)->attempt, 3);
  EXPECT_EQ(t.size(), 7u);
}

TEST(UiTaskTable, ErasedRowsDisappearFromFindAndIteration) {
  TaskTable t;
  for (int64_t id = 0; id < 10; ++id) t.insert(id);
  EXPECT_TRUE(t.erase(0));  // the front
  EXPECT_TRUE(t.erase(5));  // the middle: a tombstone
  EXPECT_FALSE(t.erase(5));
  EXPECT_FALSE(t.erase(42));
  EXPECT_EQ(t.size(), 8u);
  EXPECT_EQ(t.find(5), nullptr);
  EXPECT_EQ(idsOf(t), (std::vector<int64_t>{1, 2, 3, 4, 6, 7, 8, 9}));
  // A row can come back (a re-inserted id starts from defaults).
  t.insert(5).partition = 7;
  EXPECT_EQ(t.find(5)->partition, 7);
  EXPECT_EQ(t.size(), 9u);
  for (int64_t id = 0; id < 10; ++id) t.erase(id);
  EXPECT_TRUE(t.empty());
  EXPECT_EQ(t.begin(), t.end());
  t.insert(3);
  EXPECT_EQ(idsOf(t), std::vector<int64_t>{3});
}

TEST(UiTaskTable, MatchesAMapUnderRandomRetention) {
  // The store's pattern: ids mostly ascending with small reorders, gaps between stages,
  // the oldest rows erased while a few long-running ones stay.
  std::mt19937 rng(7);
  TaskTable t;
  std::map<int64_t, int> ref;
  int64_t next = 0;
  std::vector<int64_t> order;
  for (int step = 0; step < 20000; ++step) {
    if (rng() % 500 == 0) next += 1000;  // another stage's ids
    int64_t id = next++;
    if (rng() % 8 == 0 && !ref.contains(id + 1)) {
      // Out of order: the next id first.
      t.insert(id + 1).partition = static_cast<int>(id + 1);
      ref[id + 1] = static_cast<int>(id + 1);
      order.push_back(id + 1);
      ++next;
    }
    if (!ref.contains(id)) {
      t.insert(id).partition = static_cast<int>(id);
      ref[id] = static_cast<int>(id);
      order.push_back(id);
    }
    while (ref.size() > 300) {
      // Drop the oldest, except every 97th id, which "runs" for a long time.
      size_t i = rng() % 3;
      int64_t victim = order[i];
      if (victim % 97 == 0 && rng() % 50 != 0) {
        order.erase(order.begin() + static_cast<std::ptrdiff_t>(i));
        order.push_back(victim);
        continue;
      }
      order.erase(order.begin() + static_cast<std::ptrdiff_t>(i));
      ASSERT_TRUE(t.erase(victim));
      ref.erase(victim);
    }
  }
  ASSERT_EQ(t.size(), ref.size());
  auto it = ref.begin();
  for (const auto& [id, row] : t) {
    ASSERT_EQ(id, it->first);
    EXPECT_EQ(row.partition, it->second);
    ++it;
  }
  for (const auto& [id, p] : ref) ASSERT_NE(t.find(id), nullptr) << id;
}

}  // namespace
}  // namespace ember::ui
