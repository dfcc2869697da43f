// Task schedulers: hand tasks to free slots.
//
// The DAG scheduler submits the tasks of a stage attempt; free slots pull the next
// task from one FIFO queue (the "diners queue"), so a slow partition never idles the
// other slots. Results go to the submitting job's TaskResultSink. The local
// scheduler runs N slot threads in this process; the cluster scheduler (later) sends
// the same TaskDescriptions to executor processes. Thread-safe.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "ember/core/executor.h"
#include "ember/core/task.h"

namespace ember {

class EventBus;

class TaskScheduler {
 public:
  virtual ~TaskScheduler() = default;
  virtual void submit(std::vector<TaskDescription> tasks, std::shared_ptr<TaskResultSink> sink) = 0;
  // Drops queued tasks of the job; running ones see their interrupt flag (set by the
  // caller) and end as Killed.
  virtual int cancelJob(int jobId) = 0;  // returns the number of queued tasks dropped
  virtual int totalSlots() const = 0;
};

class LocalTaskScheduler : public TaskScheduler {
 public:
  LocalTaskScheduler(int slots, Executor& executor, EventBus* bus);
  ~LocalTaskScheduler() override;
  void submit(std::vector<TaskDescription> tasks, std::shared_ptr<TaskResultSink> sink) override;
  int cancelJob(int jobId) override;
  int totalSlots() const override { return static_cast<int>(threads_.size()); }

 private:
  struct Queued {
    TaskDescription task;
    std::shared_ptr<TaskResultSink> sink;
  };
  void slotLoop(int slot);

  Executor& executor_;
  EventBus* bus_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<Queued> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace ember
