#include "ember/storage/memory_manager.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "ember/common/errors.h"

namespace ember {

namespace {

// Validates before the region is computed: a NaN fraction must not reach the cast.
int64_t storageRegionBytes(int64_t totalBytes, double storageFraction) {
  if (totalBytes < 0) {
    throw ConfigError("memory manager: total memory must be >= 0 bytes, got " +
                      std::to_string(totalBytes) + "; check the executor memory settings");
  }
  if (!(storageFraction >= 0.0 && storageFraction <= 1.0)) {
    throw ConfigError("memory manager: storage fraction must be in [0, 1], got " +
                      std::to_string(storageFraction));
  }
  return static_cast<int64_t>(std::floor(static_cast<double>(totalBytes) * storageFraction));
}

}  // namespace

MemoryManager::MemoryManager(int64_t totalBytes, double storageFraction)
    : total_(totalBytes), storageRegion_(storageRegionBytes(totalBytes, storageFraction)) {}

int64_t MemoryManager::maxTaskShareLocked() const {
  // Execution could grow to everything except the storage it may not evict.
  int64_t maxPool = total_ - std::min(storageUsed_, storageRegion_);
  auto n = static_cast<int64_t>(std::max<size_t>(tasks_.size(), 1));
  return maxPool / n;
}

int64_t MemoryManager::evict(int64_t bytesNeeded) {
  Evictor evictor;
  {
    std::lock_guard lock(mu_);
    evictor = evictor_;
  }
  // The evictor calls releaseStorage(), which takes mu_: it must run unlocked.
  return evictor ? evictor(bytesNeeded) : 0;
}

int64_t MemoryManager::acquireExecution(int64_t taskAttemptId, int64_t bytes) {
  EMBER_CHECK(bytes >= 0, "acquireExecution of " + std::to_string(bytes) + " bytes");
  int64_t toEvict = 0;
  {
    std::lock_guard lock(mu_);
    TaskState& task = tasks_[taskAttemptId];  // a task asking for memory is active
    int64_t want = std::min(bytes, std::max<int64_t>(0, maxTaskShareLocked() - task.held));
    int64_t free = freeLocked();
    if (want > free && evictor_) {
      toEvict = std::min(want - free, storageUsed_ - storageRegion_);
    }
    if (toEvict <= 0) {
      int64_t grant = std::min(want, free);
      task.held += grant;
      task.peak = std::max(task.peak, task.held);
      executionUsed_ += grant;
      peakExecutionUsed_ = std::max(peakExecutionUsed_, executionUsed_);
      if (task.held == 0 && !task.registered) tasks_.erase(taskAttemptId);
      return grant;
    }
  }
  evict(toEvict);
  // Recompute from scratch: other tasks may have come, gone, or taken the freed memory.
  std::lock_guard lock(mu_);
  TaskState& task = tasks_[taskAttemptId];
  int64_t want = std::min(bytes, std::max<int64_t>(0, maxTaskShareLocked() - task.held));
  int64_t grant = std::min(want, std::max<int64_t>(0, freeLocked()));
  task.held += grant;
  task.peak = std::max(task.peak, task.held);
  executionUsed_ += grant;
  peakExecutionUsed_ = std::max(peakExecutionUsed_, executionUsed_);
  if (task.held == 0 && !task.registered) tasks_.erase(taskAttemptId);
  return grant;
}

void MemoryManager::releaseExecution(int64_t taskAttemptId, int64_t bytes) {
  if (bytes == 0) return;
  std::lock_guard lock(mu_);
  auto it = tasks_.find(taskAttemptId);
  int64_t held = it == tasks_.end() ? 0 : it->second.held;
  EMBER_CHECK(bytes > 0 && bytes <= held,
              "task " + std::to_string(taskAttemptId) + " releases " + std::to_string(bytes) +
                  " bytes of execution memory but holds " + std::to_string(held));
  it->second.held -= bytes;
  executionUsed_ -= bytes;
  // As in Spark, a task that holds nothing and was never registered stops counting
  // towards the fair share.
  if (it->second.held == 0 && !it->second.registered) tasks_.erase(it);
}

int64_t MemoryManager::releaseAllExecution(int64_t taskAttemptId) {
  std::lock_guard lock(mu_);
  auto it = tasks_.find(taskAttemptId);
  if (it == tasks_.end()) return 0;
  int64_t held = it->second.held;
  it->second.held = 0;
  executionUsed_ -= held;
  if (!it->second.registered) tasks_.erase(it);
  return held;
}

void MemoryManager::registerTask(int64_t taskAttemptId) {
  std::lock_guard lock(mu_);
  tasks_[taskAttemptId].registered = true;
}

void MemoryManager::unregisterTask(int64_t taskAttemptId) {
  std::lock_guard lock(mu_);
  auto it = tasks_.find(taskAttemptId);
  if (it == tasks_.end()) return;
  executionUsed_ -= it->second.held;
  tasks_.erase(it);
}

bool MemoryManager::acquireStorage(int64_t bytes) {
  EMBER_CHECK(bytes >= 0, "acquireStorage of " + std::to_string(bytes) + " bytes");
  int64_t toEvict = 0;
  {
    std::lock_guard lock(mu_);
    // Storage can never take memory execution holds, however many blocks it evicts.
    if (bytes > total_ - executionUsed_) return false;
    int64_t free = freeLocked();
    if (bytes <= free) {
      storageUsed_ += bytes;
      return true;
    }
    if (!evictor_) return false;
    toEvict = bytes - free;
  }
  evict(toEvict);
  std::lock_guard lock(mu_);
  if (bytes > freeLocked()) return false;
  storageUsed_ += bytes;
  return true;
}

void MemoryManager::releaseStorage(int64_t bytes) {
  std::lock_guard lock(mu_);
  EMBER_CHECK(bytes >= 0 && bytes <= storageUsed_,
              "releaseStorage of " + std::to_string(bytes) + " bytes but only " +
                  std::to_string(storageUsed_) + " are used for storage");
  storageUsed_ -= bytes;
}

void MemoryManager::setEvictor(Evictor evictor) {
  std::lock_guard lock(mu_);
  evictor_ = std::move(evictor);
}

int64_t MemoryManager::executionUsed() const {
  std::lock_guard lock(mu_);
  return executionUsed_;
}

int64_t MemoryManager::storageUsed() const {
  std::lock_guard lock(mu_);
  return storageUsed_;
}

int64_t MemoryManager::peakExecutionUsed() const {
  std::lock_guard lock(mu_);
  return peakExecutionUsed_;
}

int64_t MemoryManager::taskPeakExecution(int64_t taskAttemptId) const {
  std::lock_guard lock(mu_);
  auto it = tasks_.find(taskAttemptId);
  return it == tasks_.end() ? 0 : it->second.peak;
}

int64_t MemoryManager::taskExecutionUsed(int64_t taskAttemptId) const {
  std::lock_guard lock(mu_);
  auto it = tasks_.find(taskAttemptId);
  return it == tasks_.end() ? 0 : it->second.held;
}

int MemoryManager::activeTasks() const {
  std::lock_guard lock(mu_);
  return static_cast<int>(tasks_.size());
}

// ---------------------------------------------------------------------------------------

MemoryConsumer::MemoryConsumer(MemoryManager* manager, int64_t taskAttemptId, std::string name)
    : manager_(manager), taskAttemptId_(taskAttemptId), name_(std::move(name)) {}

MemoryConsumer::~MemoryConsumer() {
  try {
    releaseAll();
  } catch (const EmberError&) {
    // The task's memory was already freed wholesale (releaseAllExecution at task end ran
    // before this operator was destroyed): nothing is left to give back.
  }
}

bool MemoryConsumer::reserveSlow(int64_t bytes) {
  EMBER_CHECK(bytes >= 0, name_ + ": tryReserve of " + std::to_string(bytes) + " bytes");
  int64_t missing = used_ + bytes - held_;
  // Ask for a whole chunk so the next many small requests take the fast path, but accept
  // a smaller grant if it still covers this request: near the limit, a partial chunk is
  // better than a needless spill.
  int64_t ask = std::max(missing, kChunkBytes);
  int64_t granted = manager_ ? manager_->acquireExecution(taskAttemptId_, ask) : ask;
  if (granted < missing) {
    if (granted > 0) manager_->releaseExecution(taskAttemptId_, granted);
    return false;
  }
  held_ += granted;
  used_ += bytes;
  return true;
}

void MemoryConsumer::releaseAll() {
  if (manager_ && held_ > 0) manager_->releaseExecution(taskAttemptId_, held_);
  held_ = 0;
  used_ = 0;
}

}  // namespace ember
