// Per-task state visible to operators and user code while a task runs.
//
// One TaskContext exists per task attempt, owned by the executor thread that runs
// it; it is never shared between threads except for the interrupt flag, which the
// scheduler sets from another thread to cancel the task. TaskContext::current()
// returns the context of the task running on the calling thread (nullptr on the
// driver), which is how accumulators and broadcasts find their task.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "ember/core/events.h"

namespace ember {

class ExecutorEnv;

// A task's partial value of one accumulator, merged on the driver when the task
// succeeds (so retried or failed attempts are not counted twice).
class AccumulatorPartial {
 public:
  virtual ~AccumulatorPartial() = default;
  virtual std::string serialize() const = 0;
};

class TaskContext {
 public:
  TaskContext(ExecutorEnv* env, int stageId, int stageAttempt, int partition, int attempt,
              int64_t taskAttemptId, std::shared_ptr<std::atomic<bool>> interrupted);
  ~TaskContext();
  TaskContext(const TaskContext&) = delete;
  TaskContext& operator=(const TaskContext&) = delete;

  static TaskContext* current();

  ExecutorEnv& env() const { return *env_; }
  int stageId() const { return stageId_; }
  int stageAttempt() const { return stageAttempt_; }
  int partitionId() const { return partition_; }
  int attemptNumber() const { return attempt_; }
  int64_t taskAttemptId() const { return taskAttemptId_; }

  bool isInterrupted() const { return interrupted_ && interrupted_->load(std::memory_order_relaxed); }
  // Throws TaskKilledError when the task was cancelled. Long loops call this every
  // few thousand records.
  void checkInterrupted() const;

  TaskMetrics& metrics() { return metrics_; }

  template <class P, class Make>
  P& accumulatorPartial(int64_t id, Make&& make) {
    auto it = accumulators_.find(id);
    if (it == accumulators_.end()) it = accumulators_.emplace(id, make()).first;
    return static_cast<P&>(*it->second);
  }
  std::vector<std::pair<int64_t, std::string>> accumulatorUpdates() const;

  // Runs when the task ends, successfully or not, in reverse order of registration
  // (cleanup of spill files, iterators holding files open, ...).
  void addCompletionCallback(std::function<void()> f) { callbacks_.push_back(std::move(f)); }
  void runCompletionCallbacks() noexcept;

 private:
  ExecutorEnv* env_;
  int stageId_, stageAttempt_, partition_, attempt_;
  int64_t taskAttemptId_;
  std::shared_ptr<std::atomic<bool>> interrupted_;
  TaskMetrics metrics_;
  std::unordered_map<int64_t, std::unique_ptr<AccumulatorPartial>> accumulators_;
  std::vector<std::function<void()>> callbacks_;
  TaskContext* previous_;
};

}  // namespace ember
