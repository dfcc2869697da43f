// Parallel fetch of the remote shuffle blocks of one reduce task, with a limit on the
// bytes in flight (ember.reducer.maxSizeInFlight, Spark's spark.reducer.maxSizeInFlight).
//
// A reduce task reads its blocks in map order. The prefetcher is given that order up
// front and keeps up to `maxParallel` fetches running ahead of the reader, each started
// in order, as long as the bytes requested but not yet received stay within
// `maxBytesInFlight`; a block larger than the limit is fetched alone. A received block
// is a local temporary file (FetchedBlock) that waits until the reader takes it, so
// memory stays bounded whatever the reader's pace; only disk holds the read-ahead.
//
// `fetch` does one block with its own retries (it may throw; the error is handed to the
// reader when it takes that block). `discard` removes a fetched block nobody took.
// Threading: take()/has()/stats from the reader's thread; fetches run on the
// prefetcher's own threads. The destructor stops starting fetches, waits for those
// running (`cancelled` tells them to give up early) and discards untaken blocks.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "ember/shuffle/remote_shuffle.h"

namespace ember::cluster {

class BlockPrefetcher {
 public:
  struct Block {
    int mapId = 0;
    uint64_t size = 0;  // bytes, as the map output says
  };
  using FetchFn = std::function<FetchedBlock(int mapId, const std::atomic<bool>& cancelled)>;
  using DiscardFn = std::function<void(const FetchedBlock&)>;

  BlockPrefetcher(std::vector<Block> blocks, uint64_t maxBytesInFlight, int maxParallel,
                  FetchFn fetch, DiscardFn discard);
  ~BlockPrefetcher();
  BlockPrefetcher(const BlockPrefetcher&) = delete;
  BlockPrefetcher& operator=(const BlockPrefetcher&) = delete;

  // True if `mapId` is one of the blocks and has not been taken yet.
  bool has(int mapId) const;
  // Waits for block `mapId` (has(mapId) must be true) and hands it over; rethrows the
  // fetch's error if it failed.
  FetchedBlock take(int mapId);

  // The most bytes that were in flight at once, and the most fetches running at once.
  uint64_t peakBytesInFlight() const;
  int peakParallel() const;

 private:
  struct Slot {
    Block block;
    bool started = false, done = false, taken = false;
    FetchedBlock result;
    std::exception_ptr error;
  };
  void workerLoop();
  bool canStartLocked() const;

  FetchFn fetch_;
  DiscardFn discard_;
  uint64_t maxBytesInFlight_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<Slot> slots_;
  std::map<int, size_t> indexOf_;  // map id -> slot
  size_t next_ = 0;                // first slot not started
  uint64_t inFlight_ = 0;
  int running_ = 0;
  uint64_t peakInFlight_ = 0;
  int peakRunning_ = 0;
  std::atomic<bool> cancelled_{false};
  std::vector<std::thread> threads_;
};

}  // namespace ember::cluster
