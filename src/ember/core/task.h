// A task (one stage, one partition, one attempt) and its outcome, as they travel
// between the scheduler and an executor.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "ember/core/events.h"
#include "ember/core/rdd_base.h"
#include "ember/shuffle/map_output_tracker.h"

namespace ember {

struct TaskDescription {
  int64_t taskId = 0;
  int jobId = 0;
  int stageId = 0;
  int stageAttempt = 0;
  int partition = 0;
  int attempt = 0;
  bool isMapTask = false;
  // In-process form of the stage, and its shipped form (set when tasks cross the
  // serialisation boundary: ember.test.serializeTasks in local mode, always in
  // cluster mode). The executor prefers the bytes when present.
  std::shared_ptr<const StagePayload> payload;
  std::shared_ptr<const std::string> payloadBytes;
  // Set by the scheduler to cancel the task (shared by all tasks of a job).
  std::shared_ptr<std::atomic<bool>> interrupted;
};

enum class TaskOutcome { Success, Failed, FetchFailed, Killed };

struct TaskResult {
  int64_t taskId = 0;
  int jobId = 0;
  int stageId = 0;
  int stageAttempt = 0;
  int partition = 0;
  int attempt = 0;
  std::string executorId;
  TaskOutcome outcome = TaskOutcome::Success;
  std::string error;  // failure message (what() of the exception)
  // Failed with a UserError (bad input data, a bad query): another attempt would fail
  // the same way, so the job fails at once instead of after ember.task.maxFailures.
  bool deterministicError = false;
  // FetchFailed: which map output was missing.
  int fetchShuffleId = -1;
  int fetchMapId = -1;
  MapStatus mapStatus;      // map tasks
  std::string resultBytes;  // result tasks
  TaskMetrics metrics;
  std::vector<std::pair<int64_t, std::string>> accumulatorUpdates;
};

// Receives finished tasks; called from executor threads.
class TaskResultSink {
 public:
  virtual ~TaskResultSink() = default;
  virtual void taskFinished(TaskResult result) = 0;
};

}  // namespace ember
