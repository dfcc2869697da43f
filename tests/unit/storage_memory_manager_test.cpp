#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "ember/common/errors.h"
#include "ember/storage/memory_manager.h"

namespace ember {
namespace {

constexpr int64_t kMiB = int64_t{1} << 20;

TEST(MemoryManagerTest, OneTaskMayTakeEverything) {
  MemoryManager mm(100 * kMiB, 0.5);
  mm.registerTask(1);
  EXPECT_EQ(mm.acquireExecution(1, 80 * kMiB), 80 * kMiB);
  EXPECT_EQ(mm.acquireExecution(1, 30 * kMiB), 20 * kMiB);  // only 20 left
  EXPECT_EQ(mm.acquireExecution(1, 1), 0);                  // refused
  EXPECT_EQ(mm.executionUsed(), 100 * kMiB);
  EXPECT_EQ(mm.taskExecutionUsed(1), 100 * kMiB);
}

TEST(MemoryManagerTest, TwoTasksShareFairly) {
  MemoryManager mm(100 * kMiB, 0.5);
  mm.registerTask(1);
  mm.registerTask(2);
  EXPECT_EQ(mm.acquireExecution(1, 80 * kMiB), 50 * kMiB);  // capped at total / 2
  EXPECT_EQ(mm.acquireExecution(1, 1), 0);
  EXPECT_EQ(mm.acquireExecution(2, 60 * kMiB), 50 * kMiB);
  EXPECT_EQ(mm.executionUsed(), 100 * kMiB);
  // When task 2 ends, task 1's share grows back to the whole pool.
  EXPECT_EQ(mm.releaseAllExecution(2), 50 * kMiB);
  mm.unregisterTask(2);
  EXPECT_EQ(mm.activeTasks(), 1);
  EXPECT_EQ(mm.acquireExecution(1, 80 * kMiB), 50 * kMiB);
}

TEST(MemoryManagerTest, UnregisteredTaskBecomesActiveWhileHoldingMemory) {
  MemoryManager mm(100 * kMiB, 0.5);
  EXPECT_EQ(mm.acquireExecution(7, 10 * kMiB), 10 * kMiB);
  EXPECT_EQ(mm.activeTasks(), 1);
  // A second task now gets at most half.
  EXPECT_EQ(mm.acquireExecution(8, 90 * kMiB), 50 * kMiB);
  mm.releaseExecution(7, 10 * kMiB);
  EXPECT_EQ(mm.activeTasks(), 1);  // task 7 holds nothing and was never registered
}

TEST(MemoryManagerTest, ReleaseAllAtTaskEndReturnsWhatWasHeld) {
  MemoryManager mm(100 * kMiB, 0.5);
  mm.registerTask(1);
  ASSERT_EQ(mm.acquireExecution(1, 30 * kMiB), 30 * kMiB);
  mm.releaseExecution(1, 10 * kMiB);
  EXPECT_EQ(mm.releaseAllExecution(1), 20 * kMiB);
  EXPECT_EQ(mm.releaseAllExecution(1), 0);
  EXPECT_EQ(mm.executionUsed(), 0);
  EXPECT_EQ(mm.peakExecutionUsed(), 30 * kMiB);
  mm.unregisterTask(1);
  EXPECT_EQ(mm.activeTasks(), 0);
}

TEST(MemoryManagerTest, UnregisterFreesLeftovers) {
  MemoryManager mm(100 * kMiB, 0.5);
  mm.registerTask(1);
  ASSERT_EQ(mm.acquireExecution(1, 30 * kMiB), 30 * kMiB);
  mm.unregisterTask(1);
  EXPECT_EQ(mm.executionUsed(), 0);
}

TEST(MemoryManagerTest, ReleasingMoreThanHeldIsABug) {
  MemoryManager mm(100 * kMiB, 0.5);
  ASSERT_EQ(mm.acquireExecution(1, kMiB), kMiB);
  EXPECT_THROW(mm.releaseExecution(1, 2 * kMiB), InternalError);
  EXPECT_THROW(mm.releaseExecution(2, 1), InternalError);
  EXPECT_THROW(mm.releaseStorage(1), InternalError);
  EXPECT_THROW(mm.acquireExecution(1, -1), InternalError);
}

TEST(MemoryManagerTest, InvalidConfigurationIsRejected) {
  EXPECT_THROW(MemoryManager(-1, 0.5), ConfigError);
  EXPECT_THROW(MemoryManager(100, 1.5), ConfigError);
  EXPECT_THROW(MemoryManager(100, -0.1), ConfigError);
}

TEST(MemoryManagerTest, ExecutionBorrowsFreeStorageMemory) {
  MemoryManager mm(100 * kMiB, 0.5);
  ASSERT_TRUE(mm.acquireStorage(10 * kMiB));
  mm.registerTask(1);
  // Storage region is 50 MiB but only 10 are used: execution gets the other 90.
  EXPECT_EQ(mm.acquireExecution(1, 100 * kMiB), 90 * kMiB);
  // Storage cannot take execution memory back.
  EXPECT_FALSE(mm.acquireStorage(1));
}

TEST(MemoryManagerTest, ExecutionEvictsCachedBlocksAboveTheProtectedRegion) {
  MemoryManager mm(100 * kMiB, 0.3);  // 30 MiB protected
  std::vector<int64_t> requests;
  mm.setEvictor([&](int64_t needed) {
    requests.push_back(needed);
    // The evictor runs without the manager's lock: calling back into it must not deadlock.
    mm.releaseStorage(needed);
    return needed;
  });
  ASSERT_TRUE(mm.acquireStorage(80 * kMiB));
  mm.registerTask(1);
  // 20 MiB are free; 50 more may be evicted (80 cached, 30 protected).
  EXPECT_EQ(mm.acquireExecution(1, 40 * kMiB), 40 * kMiB);
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0], 20 * kMiB);
  EXPECT_EQ(mm.storageUsed(), 60 * kMiB);
  // Asking for everything evicts only down to the protected region.
  EXPECT_EQ(mm.acquireExecution(1, 100 * kMiB), 30 * kMiB);
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[1], 30 * kMiB);
  EXPECT_EQ(mm.storageUsed(), 30 * kMiB);
  EXPECT_EQ(mm.executionUsed(), 70 * kMiB);
  // Protected blocks are never evicted for execution.
  EXPECT_EQ(mm.acquireExecution(1, kMiB), 0);
  EXPECT_EQ(requests.size(), 2u);
}

TEST(MemoryManagerTest, EvictorThatFreesLessGrantsLess) {
  MemoryManager mm(100 * kMiB, 0.0);
  mm.setEvictor([&](int64_t) {
    mm.releaseStorage(5 * kMiB);
    return 5 * kMiB;
  });
  ASSERT_TRUE(mm.acquireStorage(100 * kMiB));
  EXPECT_EQ(mm.acquireExecution(1, 20 * kMiB), 5 * kMiB);
}

TEST(MemoryManagerTest, StorageEvictsOtherBlocks) {
  MemoryManager mm(100 * kMiB, 0.5);
  int calls = 0;
  mm.setEvictor([&](int64_t needed) {
    ++calls;
    mm.releaseStorage(needed);
    return needed;
  });
  ASSERT_TRUE(mm.acquireStorage(70 * kMiB));
  mm.registerTask(1);
  ASSERT_EQ(mm.acquireExecution(1, 20 * kMiB), 20 * kMiB);
  EXPECT_EQ(calls, 0);
  EXPECT_TRUE(mm.acquireStorage(30 * kMiB));  // 10 free, 20 evicted
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(mm.storageUsed(), 80 * kMiB);
  EXPECT_FALSE(mm.acquireStorage(81 * kMiB));  // larger than all non-execution memory
  EXPECT_EQ(calls, 1);                         // refused without evicting anything
}

TEST(MemoryManagerTest, StorageWithoutEvictorIsRefusedWhenFull) {
  MemoryManager mm(10 * kMiB, 0.5);
  EXPECT_TRUE(mm.acquireStorage(8 * kMiB));
  EXPECT_FALSE(mm.acquireStorage(4 * kMiB));
  mm.releaseStorage(8 * kMiB);
  EXPECT_TRUE(mm.acquireStorage(4 * kMiB));
}

TEST(MemoryManagerTest, ConcurrentTasksNeverExceedTotal) {
  MemoryManager mm(64 * kMiB, 0.5);
  std::atomic<bool> overflow{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      mm.registerTask(t);
      for (int i = 0; i < 2000; ++i) {
        int64_t got = mm.acquireExecution(t, 3 * kMiB);
        if (mm.executionUsed() > mm.total()) overflow = true;
        if (got > 0) mm.releaseExecution(t, got);
      }
      mm.unregisterTask(t);
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_FALSE(overflow);
  EXPECT_EQ(mm.executionUsed(), 0);
  EXPECT_LE(mm.peakExecutionUsed(), 64 * kMiB);
}

TEST(MemoryConsumerTest, ReservesInChunks) {
  MemoryManager mm(100 * kMiB, 0.5);
  MemoryConsumer c(&mm, 1, "hash aggregate");
  EXPECT_TRUE(c.tryReserve(100));
  EXPECT_EQ(c.used(), 100);
  EXPECT_EQ(c.held(), kMiB);
  EXPECT_EQ(mm.executionUsed(), kMiB);
  // Covered by the chunk: no new request.
  EXPECT_TRUE(c.tryReserve(kMiB - 100));
  EXPECT_EQ(c.held(), kMiB);
  // One byte more needs another chunk.
  EXPECT_TRUE(c.tryReserve(1));
  EXPECT_EQ(c.held(), 2 * kMiB);
  // A request larger than a chunk asks for exactly what is missing.
  EXPECT_TRUE(c.tryReserve(5 * kMiB));
  EXPECT_EQ(c.used(), 6 * kMiB + 1);
  EXPECT_EQ(c.held(), 6 * kMiB + 1);
  EXPECT_EQ(mm.executionUsed(), c.held());
}

TEST(MemoryConsumerTest, RefusalKeepsNothingExtra) {
  MemoryManager mm(3 * kMiB, 0.5);
  mm.registerTask(1);
  mm.registerTask(2);  // task 1's share is 1.5 MiB
  MemoryConsumer c(&mm, 1, "sorter");
  ASSERT_TRUE(c.tryReserve(kMiB));
  EXPECT_EQ(c.held(), kMiB);
  // Only 0.5 MiB more can be granted: a partial chunk that covers the request is kept...
  EXPECT_TRUE(c.tryReserve(100));
  EXPECT_EQ(c.held(), kMiB + kMiB / 2);
  // ...one that does not is given back.
  EXPECT_FALSE(c.tryReserve(kMiB));
  EXPECT_EQ(c.held(), kMiB + kMiB / 2);
  EXPECT_EQ(c.used(), kMiB + 100);
  EXPECT_EQ(mm.executionUsed(), kMiB + kMiB / 2);
  // The caller spills and releases everything; then it can grow again.
  c.releaseAll();
  EXPECT_EQ(c.held(), 0);
  EXPECT_EQ(c.used(), 0);
  EXPECT_EQ(mm.executionUsed(), 0);
  EXPECT_TRUE(c.tryReserve(kMiB));
}

TEST(MemoryConsumerTest, DestructorReleases) {
  MemoryManager mm(100 * kMiB, 0.5);
  {
    MemoryConsumer a(&mm, 1, "a");
    MemoryConsumer b(&mm, 1, "b");
    ASSERT_TRUE(a.tryReserve(10));
    ASSERT_TRUE(b.tryReserve(3 * kMiB));
    EXPECT_EQ(mm.taskExecutionUsed(1), 4 * kMiB);
  }
  EXPECT_EQ(mm.executionUsed(), 0);
}

TEST(MemoryConsumerTest, DestructorAfterTaskEndDoesNotThrow) {
  MemoryManager mm(100 * kMiB, 0.5);
  mm.registerTask(1);
  {
    MemoryConsumer a(&mm, 1, "a");
    ASSERT_TRUE(a.tryReserve(10));
    EXPECT_EQ(mm.releaseAllExecution(1), kMiB);  // the scheduler frees the task first
  }
  EXPECT_EQ(mm.executionUsed(), 0);
}

TEST(MemoryConsumerTest, NullManagerIsUnlimited) {
  MemoryConsumer c(nullptr, 1, "unlimited");
  EXPECT_TRUE(c.tryReserve(int64_t{1} << 40));
  EXPECT_TRUE(c.tryReserve(1));
  EXPECT_EQ(c.used(), (int64_t{1} << 40) + 1);
  c.releaseAll();
  EXPECT_EQ(c.held(), 0);
}

}  // namespace
}  // namespace ember
