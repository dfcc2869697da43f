// In-memory SQL exchange outputs for local mode (docs/design/local_exchange.md).
//
// In local mode the map and reduce tasks of an exchange run in one process, so writing
// the map output as serialised (and compressed) frames to a file only to read it back
// costs CPU and buys nothing. A map task that finished without spilling hands its
// output batches to the Context's LocalExchangeStore instead, if storage memory is free
// for them without evicting anything (and within the protected storage region), and
// registers a MapStatus whose dataPath is kInMemoryExchangePath; the reduce side reads
// such blocks from the store and every other block from its file. Nothing changes in
// cluster mode (ExecutorEnv::remoteShuffle set): there is no store.
//
// Lifetime: outputs stay until the exchange that prepared the shuffle is destroyed or
// prepared again (remove()), as shuffle files do, and are dropped with the Context;
// blocks a reduce task has read may be dropped earlier to make room for newer outputs.
// A block that is missing when read is a fetch failure: the scheduler re-runs the map.
//
// Threading: all methods are thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include "ember/columnar/batch.h"
#include "ember/sql/exec_node.h"

namespace ember {
class ExecutorEnv;
class MemoryManager;
}  // namespace ember

namespace ember::sql {

inline constexpr const char* kInMemoryExchangePath = "<in-memory sql exchange>";

class LocalExchangeStore {
 public:
  explicit LocalExchangeStore(MemoryManager* memory) : memory_(memory) {}
  ~LocalExchangeStore() { close(); }
  LocalExchangeStore(const LocalExchangeStore&) = delete;
  LocalExchangeStore& operator=(const LocalExchangeStore&) = delete;

  // The store of the Context whose tasks run with `env`; null in cluster mode, where
  // map outputs must be files other processes can fetch.
  static std::shared_ptr<LocalExchangeStore> of(const ExecutorEnv& env);

  // Keeps map task `mapId`'s output (parts[r]: the batches for reduce partition r, of
  // bytes[r] bytes; `parts` is moved from only when kept) if the storage memory can be had
  // without evicting cached blocks and within the protected storage region, after
  // dropping blocks that reduce tasks have already read if needed. False otherwise.
  // Replaces an earlier output of the same map (a re-run).
  bool put(int shuffleId, int mapId, std::vector<std::vector<BatchPtr>>& parts,
           const std::vector<int64_t>& bytes);
  // The batches of block (mapId, reduceId), marked as read; nullopt when the output is
  // not held or the block was dropped after it was read (the caller reports a fetch
  // failure, and the scheduler re-runs the map task).
  std::optional<std::vector<BatchPtr>> get(int shuffleId, int mapId, int reduceId);
  // Drops every output of the shuffle and frees its memory.
  void remove(int shuffleId);
  // Drops everything; later puts are refused (the Context is stopping).
  void close();
  int64_t bytesHeld() const;

 private:
  struct Block {
    std::vector<BatchPtr> batches;
    int64_t bytes = 0;
    bool read = false;     // a reduce task got it: may be dropped under memory pressure
    bool dropped = false;  // dropped after it was read
  };
  bool roomLocked(int64_t bytes) const;
  // Drops read blocks, oldest shuffles first, until `bytes` more would fit.
  void dropReadLocked(int64_t bytes);
  void releaseLocked(int64_t bytes);

  mutable std::mutex mutex_;
  MemoryManager* memory_;                                      // null once closed
  std::map<std::pair<int, int>, std::vector<Block>> outputs_;  // (shuffle, map) -> blocks
  int64_t held_ = 0;
};

// Local mode's reader of reduce partition `reduceId`: blocks the store holds come from
// memory, the others (map tasks that spilled or were refused memory) from their files.
// A block that can be found in neither is a FetchFailedError.
StreamPtr localShuffleReadStream(TaskContext& ctx, std::shared_ptr<LocalExchangeStore> store,
                                 int shuffleId, int numMaps, int reduceId);

}  // namespace ember::sql
