// The driver side of cluster mode: a TaskScheduler whose task slots are the cores of
// executor processes, reached over gRPC (proto/ember.proto).
//
// The scheduler serves the Driver RPC service (registration, heartbeats, task status,
// map output locations, broadcast bytes) and keeps one FIFO queue of tasks, as the
// local scheduler does. A task goes to a free core, preferring the executor that cached
// a block the task reads (locality); otherwise to the executor with the most free cores.
//
// Executor loss: an executor whose heartbeats stop for ember.network.timeout, whose
// process exits (launchers report it at once) or that cannot be reached to launch tasks
// is lost: ExecutorRemoved is posted with the reason, its running tasks fail (and are
// retried by the DAG scheduler), its map outputs are unregistered from the driver's
// MapOutputTracker (so they are recomputed from lineage) and the map output epoch is
// raised (so executors forget cached locations). Errors of tasks name the executor, its
// host and the recent executor losses.
//
// Speculation: a speculative copy of a task goes to another executor than the one
// running the original (the same one only when it is the only executor); killTask
// interrupts the loser over Executor.KillTask.
// Cleanup: shuffles the driver cleans and RDDs it unpersists are removed from every
// executor (Executor.RemoveBlocks), sent in the background.
//
// Threading: all public methods are thread-safe. Launching runs on one thread of the
// scheduler, status updates arrive on gRPC threads.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "ember/cluster/protocol.h"
#include "ember/core/task_scheduler.h"

namespace ember {

class Context;

namespace cluster {

// Starts executor processes for a scheduler and watches them (local-cluster, standalone).
class ExecutorLauncher {
 public:
  virtual ~ExecutorLauncher() = default;
  // Starts executor `executorId` that registers with the driver at `driverUrl`.
  // `onExit` is called (from any thread) once its process has ended, with a reason.
  virtual void launch(const std::string& executorId, const std::string& driverUrl,
                      std::function<void(const std::string& reason)> onExit) = 0;
  // Makes sure the executor's process is gone (after it was lost).
  virtual void kill(const std::string& executorId) = 0;
  // Why the executor's process ended, waiting up to `waitMs` for it to end; empty when
  // unknown or still running. Lets a broken connection be reported by its cause (e.g. a
  // SIGKILL) rather than as "Socket closed".
  virtual std::string exitReason(const std::string& /*executorId*/, int64_t /*waitMs*/) {
    return {};
  }
  // Waits up to `graceMs` for every process to exit after being asked to stop, then
  // kills the rest.
  virtual void stopAll(int64_t graceMs) = 0;
};

class ClusterScheduler : public TaskScheduler {
 public:
  // Starts the driver service. `launcher` may be null when executors are started by
  // someone else and register on their own.
  ClusterScheduler(Context& ctx, ClusterSettings settings,
                   std::unique_ptr<ExecutorLauncher> launcher);
  // Stops the executors, then the service.
  ~ClusterScheduler() override;

  // Launches `count` executors with the launcher (ids "0", "1", ...) and waits until
  // `count` executors have registered; throws UserError after the registration timeout
  // or when launched processes exit first.
  void startExecutors(int count);
  // Waits until `count` executors (started by others) have registered.
  void waitForExecutors(int count);

  void submit(std::vector<TaskDescription> tasks, std::shared_ptr<TaskResultSink> sink) override;
  int cancelJob(int jobId) override;
  int totalSlots() const override;
  SpeculationSettings speculation() const override;
  int64_t taskStartMs(int64_t taskId) const override;
  void killTask(int64_t taskId, const std::string& reason) override;
  void shuffleRemoved(int shuffleId) override;

  // host:port of the driver service (what executors are given).
  std::string driverUrl() const;
  // Ids of the live executors, sorted.
  std::vector<std::string> executorIds() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace cluster
}  // namespace ember
