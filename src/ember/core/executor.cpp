#include "ember/core/executor.h"

#include <chrono>

#include "ember/common/errors.h"
#include "ember/core/task_context.h"
#include "ember/core/task_input.h"
#include "ember/storage/memory_manager.h"

namespace ember {

TaskResult Executor::run(const TaskDescription& task) {
  TaskResult res;
  res.taskId = task.taskId;
  res.jobId = task.jobId;
  res.stageId = task.stageId;
  res.stageAttempt = task.stageAttempt;
  res.partition = task.partition;
  res.attempt = task.attempt;
  res.executorId = env_.executorId;
  auto start = std::chrono::steady_clock::now();
  if (env_.memory) env_.memory->registerTask(task.taskId);
  {
    TaskContext ctx(&env_, task.stageId, task.stageAttempt, task.partition, task.attempt,
                    task.taskId, task.interrupted);
    clearTaskInput();
    try {
      ctx.checkInterrupted();
      std::shared_ptr<const StagePayload> payload = task.payload;
      if (task.payloadBytes) payload = StagePayload::deserialize(*task.payloadBytes);
      if (task.isMapTask) {
        res.mapStatus = payload->shuffleDep->runMapTask(task.partition, ctx);
        res.mapStatus.executorId = env_.executorId;
      } else {
        res.resultBytes = payload->func->run(*payload->rdd, task.partition, ctx);
        ctx.metrics().resultBytes = static_cast<int64_t>(res.resultBytes.size());
      }
      res.accumulatorUpdates = ctx.accumulatorUpdates();
    } catch (const FetchFailedError& e) {
      res.outcome = TaskOutcome::FetchFailed;
      res.error = e.what();
      res.fetchShuffleId = e.shuffleId;
      res.fetchMapId = e.mapId;
    } catch (const TaskKilledError& e) {
      res.outcome = TaskOutcome::Killed;
      res.error = e.what();
    } catch (const UserError& e) {
      res.outcome = TaskOutcome::Failed;
      res.error = e.what();
      res.deterministicError = e.deterministic();
    } catch (const std::exception& e) {
      res.outcome = TaskOutcome::Failed;
      res.error = e.what();
    } catch (...) {
      res.outcome = TaskOutcome::Failed;
      res.error = "unknown exception (not derived from std::exception)";
    }
    if (res.outcome == TaskOutcome::Failed) {
      // Where the data being processed came from (readers' own errors name it already).
      std::string file = taskInputFile();
      if (!file.empty() && res.error.find(file) == std::string::npos)
        res.error += " (while processing " + describeTaskInput() + ")";
    }
    res.metrics = ctx.metrics();
  }  // completion callbacks (spill file cleanup) run here
  if (env_.memory) {
    res.metrics.peakExecutionMemory = env_.memory->taskPeakExecution(task.taskId);
    env_.memory->releaseAllExecution(task.taskId);
    env_.memory->unregisterTask(task.taskId);
  }
  res.metrics.runTimeNs =
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start)
          .count();
  return res;
}

}  // namespace ember
