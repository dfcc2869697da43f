// Cached RDD partitions (persist/cache) of one executor.
//
// A block is one partition of one RDD. In memory it is a typed object (a
// std::vector<T> behind shared_ptr<const void>) whose estimated size is charged to the
// memory manager's storage pool; on disk it is a frame file written by the typed
// layer. When execution needs memory, least recently used memory blocks are evicted:
// MEMORY_AND_DISK blocks are first written to disk by the callback stored with them,
// MEMORY_ONLY blocks are dropped and recomputed from lineage when next needed.
// Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "ember/core/rdd_base.h"

namespace ember {

class MemoryManager;
class DiskManager;

struct BlockId {
  int rddId;
  int partition;
  auto operator<=>(const BlockId&) const = default;
};

struct BlockInfo {
  BlockId id;
  StorageLevel level;
  int64_t memoryBytes;  // 0 if not in memory
  int64_t diskBytes;    // 0 if not on disk
};

class BlockManager {
 public:
  // Writes a memory block to the given path, returns bytes written.
  using DiskWriter = std::function<int64_t(const std::string& path)>;

  BlockManager(MemoryManager* memory, DiskManager* disk);
  ~BlockManager();

  std::shared_ptr<const void> getMemory(BlockId id);
  std::optional<std::string> getDiskPath(BlockId id);

  // Stores a block in memory if storage memory can be had (possibly by evicting
  // others); false if refused.
  bool putMemory(BlockId id, StorageLevel level, std::shared_ptr<const void> data, int64_t bytes,
                 DiskWriter toDisk);
  // Reserves a disk path for a block; the caller writes the file, then commitDisk.
  std::string newDiskPath(BlockId id);
  void commitDisk(BlockId id, StorageLevel level, const std::string& path, int64_t bytes);

  // Drops every block of the RDD here, then tells the removal listener (if any).
  void removeRdd(int rddId);
  // Called by removeRdd (unpersist) after the local blocks are gone, without the lock:
  // the cluster layer forwards it to executors, which hold the blocks in cluster mode.
  // Set once, before jobs run.
  void setRddRemovedListener(std::function<void(int rddId)> listener) {
    rddRemoved_ = std::move(listener);
  }
  std::vector<BlockInfo> blocks() const;

  // Frees at least `bytes` of storage memory if it can; returns bytes freed. Called by
  // the memory manager (never with its lock held).
  int64_t evict(int64_t bytes);

 private:
  struct Entry {
    StorageLevel level = StorageLevel::None;
    std::shared_ptr<const void> data;
    int64_t memoryBytes = 0;
    DiskWriter toDisk;
    std::string diskPath;
    int64_t diskBytes = 0;
    std::list<BlockId>::iterator lru;
    bool inLru = false;
  };
  void dropMemoryLocked(Entry& e);

  MemoryManager* memory_;
  DiskManager* disk_;
  mutable std::mutex mutex_;
  std::map<BlockId, Entry> entries_;
  std::list<BlockId> lru_;  // front = least recently used
  std::function<void(int)> rddRemoved_;
};

}  // namespace ember
