#include "ember/core/task_context.h"

#include "ember/common/errors.h"

namespace ember {

namespace {
thread_local TaskContext* tlsCurrent = nullptr;
}

TaskContext::TaskContext(ExecutorEnv* env, int stageId, int stageAttempt, int partition,
                         int attempt, int64_t taskAttemptId,
                         std::shared_ptr<std::atomic<bool>> interrupted)
    : env_(env),
      stageId_(stageId),
      stageAttempt_(stageAttempt),
      partition_(partition),
      attempt_(attempt),
      taskAttemptId_(taskAttemptId),
      interrupted_(std::move(interrupted)),
      previous_(tlsCurrent) {
  tlsCurrent = this;
}

TaskContext::~TaskContext() {
  runCompletionCallbacks();
  tlsCurrent = previous_;
}

TaskContext* TaskContext::current() { return tlsCurrent; }

void TaskContext::checkInterrupted() const {
  if (isInterrupted())
    throw TaskKilledError("task " + std::to_string(taskAttemptId_) + " (stage " +
                          std::to_string(stageId_) + ", partition " + std::to_string(partition_) +
                          ") was cancelled");
}

std::vector<std::pair<int64_t, std::string>> TaskContext::accumulatorUpdates() const {
  std::vector<std::pair<int64_t, std::string>> out;
  out.reserve(accumulators_.size());
  for (const auto& [id, p] : accumulators_) out.emplace_back(id, p->serialize());
  return out;
}

void TaskContext::runCompletionCallbacks() noexcept {
  while (!callbacks_.empty()) {
    auto f = std::move(callbacks_.back());
    callbacks_.pop_back();
    try {
      f();
    } catch (...) {
      // Cleanup failures must not mask the task's own outcome.
    }
  }
}

}  // namespace ember
