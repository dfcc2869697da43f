// Context: the entry point of an Ember program (Spark's SparkContext).
//
// It owns one configuration, the event bus, the schedulers and, in local mode, the
// single executor with N task slots that runs in this process through the same
// scheduler, shuffle and block-store code cluster mode uses. Create one per
// application; it is thread-safe, and several threads may run jobs at once.
//
// The typed creation functions (parallelize, range, textFile, broadcast, ...) are
// declared here and defined in rdd/rdd.h; include "ember/ember.h".
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <source_location>
#include <string>
#include <vector>

#include "ember/common/config.h"
#include "ember/core/accumulator.h"
#include "ember/core/broadcast.h"
#include "ember/core/dag_scheduler.h"
#include "ember/core/executor_env.h"

namespace ember {

template <class T>
class RDD;
class EventBus;
class EventListener;
class MemoryManager;
class DiskManager;
class MapOutputTracker;
class BlockManager;
class Executor;
class TaskScheduler;
class ConsoleProgressBar;
class ContextPlugin;

struct MasterSpec {
  std::string kind;  // "local", or "cluster" for masters of the cluster layer (cluster_hooks.h)
  int slots = 1;
  static MasterSpec parse(const std::string& master);
};

class Context {
 public:
  explicit Context(Config conf);
  // Parses --master/--conf/--name from the command line (see app_args.h); the other
  // arguments are in args(). Prints usage and exits on --help.
  static std::unique_ptr<Context> fromArgs(int argc, const char* const* argv,
                                           const std::string& usageTail = "");
  ~Context();
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  // Waits for running jobs' events to be delivered and releases everything
  // (threads, scratch files). Called by the destructor.
  void stop();

  const Config& conf() const { return conf_; }
  const std::string& appId() const { return appId_; }
  const std::string& master() const { return master_; }
  const std::vector<std::string>& args() const { return args_; }
  int defaultParallelism() const { return defaultParallelism_; }

  // --- creating RDDs (defined in rdd/rdd.h) ---
  template <class T>
  RDD<T> parallelize(std::vector<T> data, int numSlices = 0,
                     std::source_location loc = std::source_location::current());
  RDD<int64_t> range(int64_t start, int64_t end, int64_t step = 1, int numSlices = 0,
                     std::source_location loc = std::source_location::current());
  RDD<std::string> textFile(const std::string& path, int minPartitions = 0,
                            std::source_location loc = std::source_location::current());
  template <class T>
  RDD<T> union_(const std::vector<RDD<T>>& rdds,
                std::source_location loc = std::source_location::current());
  template <class T>
  Broadcast<T> broadcast(T value);
  template <class T, class Op = std::plus<T>>
  Accumulator<T, Op> accumulator(T initial = T{});

  // --- jobs ---
  // Runs `func` on `partitions` of `rdd`; results reach `handler` on this thread.
  void runJob(const RDDBasePtr& rdd, std::shared_ptr<JobFunctionBase> func,
              const std::vector<int>& partitions, const DAGScheduler::ResultHandler& handler,
              const std::string& callSite);
  // Jobs started from this thread belong to `group` until cleared (Spark's setJobGroup).
  void setJobGroup(const std::string& group);
  void clearJobGroup();
  void cancelJobGroup(const std::string& group);
  void cancelJob(int jobId) { dag_->cancelJob(jobId); }
  void cancelAllJobs();
  std::vector<int> activeJobIds() const;

  void setCheckpointDir(const std::string& dir);
  std::string checkpointDir() const;

  // --- internals used by the RDD layer and tests ---
  int newRddId() { return nextRddId_++; }
  int newShuffleId();
  // Makes the shuffle's output go away with the RDD that reads it (driver side).
  void trackShuffle(RDDBase& owner, int shuffleId) { owner.ownShuffle(shuffleId, shuffleCleaner_); }
  ExecutorEnv& env() { return env_; }
  EventBus& eventBus() { return *bus_; }
  void addListener(std::shared_ptr<EventListener> listener);
  BlockManager& blockManager() { return *blocks_; }
  MemoryManager& memoryManager() { return *memory_; }
  DiskManager& diskManager() { return *disk_; }
  MapOutputTracker& mapOutputTracker() { return *tracker_; }
  DAGScheduler& dagScheduler() { return *dag_; }

 private:
  void checkpointLineage(const RDDBasePtr& rdd);

  Config conf_;
  std::string appId_;
  std::string master_;
  std::vector<std::string> args_;
  int defaultParallelism_ = 1;
  std::unique_ptr<EventBus> bus_;
  std::unique_ptr<MemoryManager> memory_;
  std::unique_ptr<DiskManager> disk_;
  std::unique_ptr<MapOutputTracker> tracker_;
  std::unique_ptr<BlockManager> blocks_;
  ExecutorEnv env_;
  std::unique_ptr<Executor> executor_;
  std::unique_ptr<TaskScheduler> taskScheduler_;
  std::unique_ptr<DAGScheduler> dag_;
  std::shared_ptr<ConsoleProgressBar> progress_;
  std::shared_ptr<ShuffleCleaner> shuffleCleaner_;
  std::vector<std::unique_ptr<ContextPlugin>> plugins_;  // context_plugin.h
  std::atomic<int> nextRddId_{0};
  mutable std::mutex mutex_;
  std::string checkpointDir_;
  std::set<int> checkpointsInProgress_;  // RDD ids whose checkpoint job is running
  bool stopped_ = false;
};

}  // namespace ember
