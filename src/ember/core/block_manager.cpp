#include "ember/core/block_manager.h"

#include "ember/storage/disk_manager.h"
#include "ember/storage/memory_manager.h"

namespace ember {

BlockManager::BlockManager(MemoryManager* memory, DiskManager* disk)
    : memory_(memory), disk_(disk) {}

BlockManager::~BlockManager() {
  std::lock_guard lock(mutex_);
  for (auto& [id, e] : entries_) {
    if (e.memoryBytes > 0 && memory_) memory_->releaseStorage(e.memoryBytes);
    if (!e.diskPath.empty() && disk_) disk_->removeFile(e.diskPath);
  }
}

std::shared_ptr<const void> BlockManager::getMemory(BlockId id) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(id);
  if (it == entries_.end() || !it->second.data) return nullptr;
  auto& e = it->second;
  lru_.splice(lru_.end(), lru_, e.lru);  // most recently used
  return e.data;
}

std::optional<std::string> BlockManager::getDiskPath(BlockId id) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(id);
  if (it == entries_.end() || it->second.diskPath.empty()) return std::nullopt;
  return it->second.diskPath;
}

bool BlockManager::putMemory(BlockId id, StorageLevel level, std::shared_ptr<const void> data,
                             int64_t bytes, DiskWriter toDisk) {
  {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(id);
    if (it != entries_.end() && it->second.data) return true;  // another task cached it
  }
  // Outside our lock: acquiring storage may call back into evict().
  if (memory_ && !memory_->acquireStorage(bytes)) return false;
  std::lock_guard lock(mutex_);
  auto& e = entries_[id];
  if (e.data) {  // lost a race with another task caching the same block
    if (memory_) memory_->releaseStorage(bytes);
    return true;
  }
  e.level = level;
  e.data = std::move(data);
  e.memoryBytes = bytes;
  e.toDisk = std::move(toDisk);
  e.lru = lru_.insert(lru_.end(), id);
  e.inLru = true;
  return true;
}

std::string BlockManager::newDiskPath(BlockId id) {
  return disk_->createTempFile("rdd_" + std::to_string(id.rddId) + "_" +
                               std::to_string(id.partition) + "_");
}

void BlockManager::commitDisk(BlockId id, StorageLevel level, const std::string& path,
                              int64_t bytes) {
  std::lock_guard lock(mutex_);
  auto& e = entries_[id];
  if (!e.diskPath.empty()) {
    disk_->removeFile(path);  // another task stored it first
    return;
  }
  e.level = level;
  e.diskPath = path;
  e.diskBytes = bytes;
}

void BlockManager::dropMemoryLocked(Entry& e) {
  if (!e.data) return;
  e.data.reset();
  if (memory_) memory_->releaseStorage(e.memoryBytes);
  e.memoryBytes = 0;
  if (e.inLru) {
    lru_.erase(e.lru);
    e.inLru = false;
  }
}

void BlockManager::removeRdd(int rddId) {
  {
    std::lock_guard lock(mutex_);
    for (auto it = entries_.begin(); it != entries_.end();) {
      if (it->first.rddId == rddId) {
        dropMemoryLocked(it->second);
        if (!it->second.diskPath.empty()) disk_->removeFile(it->second.diskPath);
        it = entries_.erase(it);
      } else {
        ++it;
      }
    }
  }
  if (rddRemoved_) rddRemoved_(rddId);
}

std::vector<BlockInfo> BlockManager::blocks() const {
  std::lock_guard lock(mutex_);
  std::vector<BlockInfo> out;
  for (const auto& [id, e] : entries_) out.push_back({id, e.level, e.memoryBytes, e.diskBytes});
  return out;
}

int64_t BlockManager::evict(int64_t bytes) {
  // Pick victims under the lock, write MEMORY_AND_DISK ones to disk outside it.
  std::vector<std::pair<BlockId, Entry>> victims;
  {
    std::lock_guard lock(mutex_);
    int64_t freed = 0;
    while (freed < bytes && !lru_.empty()) {
      BlockId id = lru_.front();
      auto& e = entries_[id];
      victims.emplace_back(id, Entry{e.level, e.data, e.memoryBytes, e.toDisk, e.diskPath, 0, {}, false});
      freed += e.memoryBytes;
      dropMemoryLocked(e);
    }
  }
  int64_t freed = 0;
  for (auto& [id, v] : victims) {
    freed += v.memoryBytes;
    if (v.level == StorageLevel::MemoryAndDisk && v.diskPath.empty() && v.toDisk) {
      try {
        std::string path = newDiskPath(id);
        int64_t n = v.toDisk(path);
        commitDisk(id, v.level, path, n);
      } catch (...) {
        // Losing a cached block is safe: it is recomputed from lineage.
      }
    }
  }
  return freed;
}

}  // namespace ember
