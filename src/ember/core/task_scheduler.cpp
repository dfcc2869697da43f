#include "ember/core/task_scheduler.h"

#include <algorithm>
#include <chrono>

#include "ember/common/logging.h"
#include "ember/core/event_bus.h"

namespace ember {

namespace {
int64_t nowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}
}  // namespace

LocalTaskScheduler::LocalTaskScheduler(int slots, Executor& executor, EventBus* bus)
    : executor_(executor), bus_(bus) {
  for (int i = 0; i < slots; ++i) threads_.emplace_back([this, i] { slotLoop(i); });
}

LocalTaskScheduler::~LocalTaskScheduler() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_) t.join();
}

void LocalTaskScheduler::submit(std::vector<TaskDescription> tasks,
                                std::shared_ptr<TaskResultSink> sink) {
  {
    std::lock_guard lock(mutex_);
    for (auto& t : tasks) queue_.push_back({std::move(t), sink});
  }
  cv_.notify_all();
}

int LocalTaskScheduler::cancelJob(int jobId) {
  std::lock_guard lock(mutex_);
  size_t before = queue_.size();
  queue_.erase(std::remove_if(queue_.begin(), queue_.end(),
                              [&](const Queued& q) { return q.task.jobId == jobId; }),
               queue_.end());
  return static_cast<int>(before - queue_.size());
}

void LocalTaskScheduler::slotLoop(int slot) {
  setThreadName("executor-slot-" + std::to_string(slot));
  for (;;) {
    Queued q;
    {
      std::unique_lock lock(mutex_);
      cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      q = std::move(queue_.front());
      queue_.pop_front();
    }
    const TaskDescription& t = q.task;
    if (bus_)
      bus_->post(TaskStart{t.stageId, t.stageAttempt, t.taskId, t.partition, t.attempt,
                           executor_.env().executorId, nowMs()});
    TaskResult r = executor_.run(t);
    if (bus_) {
      std::string reason;
      switch (r.outcome) {
        case TaskOutcome::Success: reason = "Success"; break;
        case TaskOutcome::Failed: reason = "ExceptionFailure: " + r.error; break;
        case TaskOutcome::FetchFailed: reason = "FetchFailed: " + r.error; break;
        case TaskOutcome::Killed: reason = "TaskKilled: " + r.error; break;
      }
      bus_->post(TaskEnd{t.stageId, t.stageAttempt, t.taskId, t.partition, t.attempt,
                         r.executorId, r.outcome == TaskOutcome::Success, std::move(reason),
                         r.metrics, nowMs()});
    }
    // Drop the task (and with it this slot's references to the stage's RDDs) before
    // reporting: once a job has all its results no slot holds its lineage, so RDDs a
    // program drops after an action are freed, and their shuffles cleaned, right away.
    auto sink = std::move(q.sink);
    q = Queued{};
    sink->taskFinished(std::move(r));
  }
}

}  // namespace ember
