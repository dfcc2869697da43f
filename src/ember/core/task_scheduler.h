// Task schedulers: hand tasks to free slots.
//
// The DAG scheduler submits the tasks of a stage attempt; free slots pull the next
// task from one FIFO queue (the "diners queue"), so a slow partition never idles the
// other slots. Results go to the submitting job's TaskResultSink. The local
// scheduler runs N slot threads in this process; the cluster scheduler (later) sends
// the same TaskDescriptions to executor processes. Thread-safe.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "ember/core/executor.h"
#include "ember/core/task.h"

namespace ember {

class Config;
class EventBus;

// Speculative execution of stragglers (Spark's spark.speculation.*; keys registered by
// task_scheduler.cpp, documented in docs/configuration.md). Once `quantile` of a stage
// attempt's tasks have finished, a task running longer than `multiplier` times the
// median duration of the finished ones (and at least 100 ms) gets one more attempt,
// checked every `intervalMs`; the first attempt to succeed wins (dag_scheduler.h).
struct SpeculationSettings {
  bool enabled = false;      // ember.speculation
  double multiplier = 1.5;   // ember.speculation.multiplier
  double quantile = 0.75;    // ember.speculation.quantile
  int64_t intervalMs = 100;  // ember.speculation.interval
  // Throws ConfigError for out-of-range values.
  static SpeculationSettings fromConfig(const Config& conf);
};

class TaskScheduler {
 public:
  virtual ~TaskScheduler() = default;
  virtual void submit(std::vector<TaskDescription> tasks, std::shared_ptr<TaskResultSink> sink) = 0;
  // Drops queued tasks of the job; running ones see their interrupt flag (set by the
  // caller) and end as Killed.
  virtual int cancelJob(int jobId) = 0;  // returns the number of queued tasks dropped
  virtual int totalSlots() const = 0;

  // --- speculation (called by the DAG scheduler only when speculation() is enabled) ---
  virtual SpeculationSettings speculation() const = 0;
  // When task `taskId` started running (steady clock, ms), or -1 if it is still queued
  // or already over. Must be cheap: called for every straggler candidate.
  virtual int64_t taskStartMs(int64_t taskId) const = 0;
  // Interrupts task `taskId` if it runs (it ends as Killed when it next checks), drops
  // it if queued (no result is reported then); no-op if unknown. Must not block on the
  // network: the DAG scheduler calls it with its lock held.
  virtual void killTask(int64_t taskId, const std::string& reason) = 0;

  // The driver has cleaned shuffle `shuffleId` (its RDD is gone): executors that keep
  // their own files remove them. Local mode shares the driver's disk manager, which
  // the cleaner empties itself. Must not block on the network.
  virtual void shuffleRemoved(int shuffleId) { (void)shuffleId; }
};

// Milliseconds of the steady clock (taskStartMs).
int64_t steadyNowMs();

class LocalTaskScheduler : public TaskScheduler {
 public:
  LocalTaskScheduler(int slots, Executor& executor, EventBus* bus);
  ~LocalTaskScheduler() override;
  void submit(std::vector<TaskDescription> tasks, std::shared_ptr<TaskResultSink> sink) override;
  int cancelJob(int jobId) override;
  int totalSlots() const override { return static_cast<int>(threads_.size()); }
  SpeculationSettings speculation() const override { return speculation_; }
  int64_t taskStartMs(int64_t taskId) const override;
  void killTask(int64_t taskId, const std::string& reason) override;

 private:
  struct Queued {
    TaskDescription task;
    std::shared_ptr<TaskResultSink> sink;
  };
  // A running task, tracked only with speculation on (killTask, taskStartMs): its own
  // interrupt flag replaces the job's, which cancelJob forwards to it.
  struct Running {
    int jobId = 0;
    int64_t startMs = 0;
    std::shared_ptr<std::atomic<bool>> flag;
  };
  void slotLoop(int slot);

  Executor& executor_;
  EventBus* bus_;
  SpeculationSettings speculation_;
  mutable std::mutex mutex_;
  std::unordered_map<int64_t, Running> running_;
  std::condition_variable cv_;
  std::deque<Queued> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace ember
