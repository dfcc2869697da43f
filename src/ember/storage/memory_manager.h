// The executor's memory budget, shared by execution (hash tables, sort buffers, shuffle
// write buffers) and storage (cached blocks), after Spark's UnifiedMemoryManager.
//
// Model. `total` bytes are split by a soft boundary: storage may use up to everything
// that execution leaves free, but cached blocks beyond `storageFraction * total` (the
// protected storage region) can be evicted when execution needs room; blocks inside the
// region are never evicted for execution. Execution memory is never taken back by
// storage: operators give it up by spilling and releasing.
//
// Fair share. With N active tasks (registered, or holding execution memory), a task may
// hold at most maxExecutionPool / N, where maxExecutionPool = total - min(storageUsed,
// storageRegion) is what execution could have after evicting everything evictable; so
// at most total / N. Unlike Spark, a request never blocks: it is granted in part or not
// at all, and the caller spills.
//
// Eviction. The evictor (set by the block store) is called WITHOUT the manager's lock
// held, may be called from several threads at once, and frees cached blocks by calling
// releaseStorage() itself; it returns the bytes it freed. Memory freed by the evictor is
// not reserved for the caller: a concurrent request may take it first, in which case
// the caller is simply granted less.
//
// Threading: all MemoryManager methods are thread-safe. MemoryConsumer is used by one
// task thread only.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>

namespace ember {

class MemoryManager {
 public:
  using Evictor = std::function<int64_t(int64_t bytesNeeded)>;

  // storageFraction in [0, 1]: the share of `totalBytes` protected from eviction.
  MemoryManager(int64_t totalBytes, double storageFraction);
  MemoryManager(const MemoryManager&) = delete;
  MemoryManager& operator=(const MemoryManager&) = delete;

  // Grants 0..bytes of execution memory to the task (which becomes active if it was
  // not), evicting cached blocks above the protected region if that helps. Never blocks.
  int64_t acquireExecution(int64_t taskAttemptId, int64_t bytes);
  // Gives back part of what the task holds; releasing more than held is a bug
  // (InternalError).
  void releaseExecution(int64_t taskAttemptId, int64_t bytes);
  // At task end: frees everything the task still holds and returns that amount (non-zero
  // means an operator leaked its reservation). An unregistered task stops being active.
  int64_t releaseAllExecution(int64_t taskAttemptId);

  // The active set used for the fair share. unregisterTask also frees whatever the task
  // still holds.
  void registerTask(int64_t taskAttemptId);
  void unregisterTask(int64_t taskAttemptId);

  // Room for a cached block of `bytes`; may evict other cached blocks (never execution
  // memory). False if the block cannot fit even after eviction.
  bool acquireStorage(int64_t bytes);
  void releaseStorage(int64_t bytes);

  void setEvictor(Evictor evictor);

  int64_t executionUsed() const;
  int64_t storageUsed() const;
  int64_t total() const { return total_; }
  int64_t storageRegion() const { return storageRegion_; }
  int64_t peakExecutionUsed() const;
  // Execution memory held by one task (0 if unknown).
  int64_t taskExecutionUsed(int64_t taskAttemptId) const;
  // The most execution memory the task held at once (kept while it is registered).
  int64_t taskPeakExecution(int64_t taskAttemptId) const;
  int activeTasks() const;

 private:
  struct TaskState {
    int64_t held = 0;
    int64_t peak = 0;
    bool registered = false;
  };
  // Bytes execution may still take after evicting everything evictable; needs mu_.
  int64_t maxTaskShareLocked() const;
  int64_t freeLocked() const { return total_ - executionUsed_ - storageUsed_; }
  int64_t evict(int64_t bytesNeeded);  // calls the evictor; mu_ must NOT be held

  const int64_t total_;
  const int64_t storageRegion_;

  mutable std::mutex mu_;
  std::unordered_map<int64_t, TaskState> tasks_;
  int64_t executionUsed_ = 0;
  int64_t storageUsed_ = 0;
  int64_t peakExecutionUsed_ = 0;
  Evictor evictor_;
};

// One operator's execution-memory reservation inside one task (hash aggregate, join
// build side, sorter, shuffle writer). The operator calls tryReserve(n) before growing
// by n bytes; when it returns false the operator spills its state and calls releaseAll().
//
// To keep the per-record cost near zero, the consumer asks the manager for at least
// kChunkBytes at a time and serves later requests from that reserve with a plain add.
// A null manager means unlimited memory (tryReserve always succeeds).
// Not thread-safe: owned and used by a single task thread.
class MemoryConsumer {
 public:
  static constexpr int64_t kChunkBytes = int64_t{1} << 20;

  MemoryConsumer(MemoryManager* manager, int64_t taskAttemptId, std::string name);
  // Releases what it holds. Never throws, also when releaseAllExecution() already freed
  // the task's memory at task end.
  ~MemoryConsumer();
  MemoryConsumer(const MemoryConsumer&) = delete;
  MemoryConsumer& operator=(const MemoryConsumer&) = delete;

  // Accounts `bytes` more. False if the manager refused: then nothing extra is held
  // (used() and held() are unchanged) and the caller should spill and releaseAll().
  bool tryReserve(int64_t bytes) {
    if (used_ + bytes <= held_ && bytes >= 0) {  // covered by the reserve already
      used_ += bytes;
      return true;
    }
    return reserveSlow(bytes);
  }

  // Bytes obtained from the manager (used() rounded up to whole requests).
  int64_t held() const { return held_; }
  // Bytes the operator has accounted through tryReserve since the last releaseAll().
  int64_t used() const { return used_; }
  // Returns everything to the manager; used() and held() become 0.
  void releaseAll();

  const std::string& name() const { return name_; }
  int64_t taskAttemptId() const { return taskAttemptId_; }

 private:
  bool reserveSlow(int64_t bytes);

  MemoryManager* manager_;
  int64_t taskAttemptId_;
  std::string name_;
  int64_t used_ = 0;
  int64_t held_ = 0;
};

}  // namespace ember
