#include "ember/core/task_scheduler.h"

#include <algorithm>
#include <chrono>

#include "ember/common/config.h"
#include "ember/common/errors.h"
#include "ember/common/logging.h"
#include "ember/core/event_bus.h"

namespace ember {

namespace {
int64_t nowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

const bool kSpeculationKeys = [] {
  for (ConfigEntry e : std::initializer_list<ConfigEntry>{
           {"ember.speculation", "false",
            "Run a second attempt of straggling tasks; the first attempt to finish wins."},
           {"ember.speculation.multiplier", "1.5",
            "A task is a straggler when it runs this many times longer than the median of "
            "its stage's finished tasks."},
           {"ember.speculation.quantile", "0.75",
            "Fraction of a stage's tasks that must have finished before any is speculated."},
           {"ember.speculation.interval", "100ms", "How often stragglers are looked for."},
       })
    Config::registerKey(e);
  return true;
}();
}  // namespace

int64_t steadyNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

SpeculationSettings SpeculationSettings::fromConfig(const Config& conf) {
  (void)kSpeculationKeys;
  SpeculationSettings s;
  s.enabled = conf.getBool("ember.speculation");
  s.multiplier = conf.getDouble("ember.speculation.multiplier");
  s.quantile = conf.getDouble("ember.speculation.quantile");
  s.intervalMs = conf.getDurationMs("ember.speculation.interval");
  if (!(s.multiplier >= 1.0))
    throw ConfigError("ember.speculation.multiplier must be at least 1, got " +
                      conf.get("ember.speculation.multiplier"));
  if (!(s.quantile > 0.0 && s.quantile <= 1.0))
    throw ConfigError("ember.speculation.quantile must be in (0, 1], got " +
                      conf.get("ember.speculation.quantile"));
  if (s.intervalMs <= 0)
    throw ConfigError("ember.speculation.interval must be positive, got " +
                      conf.get("ember.speculation.interval"));
  return s;
}

LocalTaskScheduler::LocalTaskScheduler(int slots, Executor& executor, EventBus* bus)
    : executor_(executor),
      bus_(bus),
      speculation_(SpeculationSettings::fromConfig(executor.env().conf)) {
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
  for (auto& [id, r] : running_)
    if (r.jobId == jobId) r.flag->store(true);
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
      if (speculation_.enabled) {
        auto flag =
            std::make_shared<std::atomic<bool>>(q.task.interrupted && q.task.interrupted->load());
        running_[q.task.taskId] = Running{q.task.jobId, steadyNowMs(), flag};
        q.task.interrupted = std::move(flag);
      }
    }
    const TaskDescription& t = q.task;
    if (bus_)
      bus_->post(TaskStart{t.stageId, t.stageAttempt, t.taskId, t.partition, t.attempt,
                           executor_.env().executorId, nowMs()});
    TaskResult r = executor_.run(t);
    if (bus_) {
      std::string reason;
      switch (r.outcome) {
        case TaskOutcome::Success:
          reason = "Success";
          break;
        case TaskOutcome::Failed:
          reason = "ExceptionFailure: " + r.error;
          break;
        case TaskOutcome::FetchFailed:
          reason = "FetchFailed: " + r.error;
          break;
        case TaskOutcome::Killed:
          reason = "TaskKilled: " + r.error;
          break;
      }
      bus_->post(TaskEnd{t.stageId, t.stageAttempt, t.taskId, t.partition, t.attempt, r.executorId,
                         r.outcome == TaskOutcome::Success, std::move(reason), r.metrics, nowMs()});
    }
    // Drop the task (and with it this slot's references to the stage's RDDs) before
    // reporting: once a job has all its results no slot holds its lineage, so RDDs a
    // program drops after an action are freed, and their shuffles cleaned, right away.
    if (speculation_.enabled) {
      std::lock_guard lock(mutex_);
      running_.erase(r.taskId);
    }
    auto sink = std::move(q.sink);
    q = Queued{};
    sink->taskFinished(std::move(r));
  }
}

int64_t LocalTaskScheduler::taskStartMs(int64_t taskId) const {
  std::lock_guard lock(mutex_);
  auto it = running_.find(taskId);
  return it == running_.end() ? -1 : it->second.startMs;
}

void LocalTaskScheduler::killTask(int64_t taskId, const std::string& reason) {
  std::lock_guard lock(mutex_);
  auto it = running_.find(taskId);
  if (it != running_.end()) {
    it->second.flag->store(true);
    logInfo("killing task {}: {}", taskId, reason);
    return;
  }
  std::erase_if(queue_, [&](const Queued& q) { return q.task.taskId == taskId; });
}

}  // namespace ember
