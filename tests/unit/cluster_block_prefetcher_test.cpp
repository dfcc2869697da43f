// BlockPrefetcher: parallel fetches within a limit on bytes in flight, measured by the
// fake fetch itself (not by the prefetcher's own counters), results in the reader's
// order, errors handed to the reader, untaken blocks discarded.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>

#include "ember/cluster/block_prefetcher.h"
#include "ember/common/errors.h"

namespace ember::cluster {
namespace {

// A fetch that takes `ms` and records the bytes and fetches in flight at once.
struct FakeNetwork {
  std::mutex mutex;
  uint64_t inFlight = 0, peakInFlight = 0;
  int running = 0, peakRunning = 0;
  std::atomic<int> completed{0};
  std::set<int> failing;
  std::vector<std::string> discarded;
  int ms = 15;

  BlockPrefetcher::FetchFn fetcher(const std::vector<BlockPrefetcher::Block>& blocks) {
    return [this, blocks](int mapId, const std::atomic<bool>&) {
      uint64_t size = 0;
      for (const auto& b : blocks)
        if (b.mapId == mapId) size = b.size;
      {
        std::lock_guard lock(mutex);
        inFlight += size;
        running++;
        peakInFlight = std::max(peakInFlight, inFlight);
        peakRunning = std::max(peakRunning, running);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(ms));
      std::lock_guard lock(mutex);
      inFlight -= size;
      running--;
      completed++;
      if (failing.count(mapId)) throw IoError("block " + std::to_string(mapId) + " is gone");
      return FetchedBlock{"block-" + std::to_string(mapId), size};
    };
  }
  BlockPrefetcher::DiscardFn discarder() {
    return [this](const FetchedBlock& b) {
      std::lock_guard lock(mutex);
      discarded.push_back(b.path);
    };
  }
};

std::vector<BlockPrefetcher::Block> blocks(int n, uint64_t size) {
  std::vector<BlockPrefetcher::Block> out;
  for (int i = 0; i < n; ++i) out.push_back({i * 2, size});  // map ids need not be dense
  return out;
}

TEST(BlockPrefetcher, ParallelWithinTheByteLimit) {
  FakeNetwork net;
  auto bs = blocks(24, 10);
  BlockPrefetcher pf(bs, 35, 8, net.fetcher(bs), net.discarder());
  for (const auto& b : bs) {
    FetchedBlock got = pf.take(b.mapId);
    EXPECT_EQ(got.path, "block-" + std::to_string(b.mapId));
    EXPECT_EQ(got.length, 10u);
  }
  // 8 fetch threads could put 80 bytes in flight; the limit allows 3 blocks at once.
  EXPECT_LE(net.peakInFlight, 35u);
  EXPECT_EQ(net.peakRunning, 3);
  EXPECT_EQ(pf.peakBytesInFlight(), 30u);
  EXPECT_EQ(pf.peakParallel(), 3);
  EXPECT_TRUE(net.discarded.empty());
}

TEST(BlockPrefetcher, ParallelismBoundedByThreadsWhenTheLimitIsLarge) {
  FakeNetwork net;
  auto bs = blocks(20, 10);
  BlockPrefetcher pf(bs, 1 << 20, 4, net.fetcher(bs), net.discarder());
  for (const auto& b : bs) pf.take(b.mapId);
  EXPECT_EQ(net.peakRunning, 4);
}

TEST(BlockPrefetcher, BlockLargerThanTheLimitIsFetchedAlone) {
  FakeNetwork net;
  std::vector<BlockPrefetcher::Block> bs{{0, 10}, {1, 100}, {2, 10}, {3, 10}};
  BlockPrefetcher pf(bs, 50, 8, net.fetcher(bs), net.discarder());
  for (const auto& b : bs) EXPECT_EQ(pf.take(b.mapId).length, b.size);
  EXPECT_EQ(net.peakInFlight, 100u);  // never 100 plus another block
}

TEST(BlockPrefetcher, ErrorsReachTheReaderOfThatBlock) {
  FakeNetwork net;
  net.failing = {4};
  auto bs = blocks(5, 10);
  BlockPrefetcher pf(bs, 100, 8, net.fetcher(bs), net.discarder());
  EXPECT_EQ(pf.take(0).length, 10u);
  EXPECT_EQ(pf.take(2).length, 10u);
  EXPECT_THROW(pf.take(4), IoError);
  EXPECT_TRUE(pf.has(6));
  EXPECT_FALSE(pf.has(4));
  EXPECT_FALSE(pf.has(1));  // not one of the blocks
}

TEST(BlockPrefetcher, UntakenBlocksAreDiscarded) {
  FakeNetwork net;
  net.ms = 1;
  auto bs = blocks(6, 10);
  {
    BlockPrefetcher pf(bs, 1000, 8, net.fetcher(bs), net.discarder());
    pf.take(0);
    pf.take(2);
    for (int i = 0; i < 500 && net.completed < 6; ++i)  // the rest arrive untaken
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  std::sort(net.discarded.begin(), net.discarded.end());
  EXPECT_EQ(net.discarded, (std::vector<std::string>{"block-10", "block-4", "block-6", "block-8"}));
}

TEST(BlockPrefetcher, NoBlocks) {
  FakeNetwork net;
  BlockPrefetcher pf({}, 10, 8, net.fetcher({}), net.discarder());
  EXPECT_FALSE(pf.has(0));
}

}  // namespace
}  // namespace ember::cluster
