// The DAG scheduler turns an action into a job of stages.
//
// Stages are cut at shuffle dependencies; everything between two shuffles runs as one
// pass per partition (fused iterators). A shuffle map stage is identified by its
// shuffle and outlives the job: a later job that needs the same shuffle reuses its
// output ("skipped" stage), and two concurrent jobs needing it share one computation.
// Failures: a task that throws is retried up to ember.task.maxFailures attempts; a
// task that cannot read a map output (FetchFailed) makes the scheduler re-run only the
// missing map partitions, then the failed stage's unfinished partitions.
//
// Threading: runJob runs the job's control loop on the calling thread, so several
// threads can run jobs at once; shared stage state is guarded by one mutex.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ember/core/rdd_base.h"
#include "ember/core/task_scheduler.h"

namespace ember {

class EventBus;
class MapOutputTracker;

struct JobOptions {
  std::string callSite;     // "collect at wordcount.cpp:50"
  std::string jobGroup;     // for cancelJobGroup
  int64_t maxResultSize = 0;  // bytes, 0 = unlimited
  int maxTaskFailures = 4;
  bool serializeTasks = false;
};

class DAGScheduler {
 public:
  using ResultHandler = std::function<void(int partition, std::string_view bytes)>;

  DAGScheduler(TaskScheduler& tasks, MapOutputTracker& tracker, EventBus* bus);
  ~DAGScheduler();

  // Runs `func` on the given partitions of `rdd`; `handler` receives each partition's
  // result bytes on the calling thread. Throws JobFailedError when the job aborts
  // (task failed too often, result too large, cancelled).
  void runJob(const RDDBasePtr& rdd, std::shared_ptr<JobFunctionBase> func,
              const std::vector<int>& partitions, const ResultHandler& handler,
              const JobOptions& opts);

  void cancelJob(int jobId, const std::string& reason = "cancelled by user");
  void cancelJobGroup(const std::string& group);
  void cancelAllJobs();
  std::vector<int> activeJobIds() const;
  // Forgets a shuffle's stage (its files are removed by the caller).
  void removeShuffle(int shuffleId);
  // Cancels all jobs, refuses new ones, and waits until no thread is inside runJob,
  // so the schedulers can be destroyed safely (Context::stop).
  void shutdown();

  struct Stage;
  class Job;

 private:
  friend class Job;
  std::shared_ptr<Stage> shuffleMapStage(const std::shared_ptr<ShuffleDependencyBase>& dep);
  std::vector<std::shared_ptr<Stage>> parentStages(const RDDBasePtr& rdd);
  void notifyAllJobs();

  TaskScheduler& tasks_;
  MapOutputTracker& tracker_;
  EventBus* bus_;
  mutable std::mutex mutex_;
  // By shuffle id; kept until the shuffle is cleaned (its RDD is gone), so later jobs
  // see the same stage and skip it when its output is complete.
  std::map<int, std::shared_ptr<Stage>> shuffleStages_;
  std::map<int, int> mapStageOwner_;                     // stage id -> job computing it
  // (shuffle id, map id) -> the next task id when that map output was last registered.
  // A FetchFailed from a task launched before then is about an older output and must
  // not unregister the fresh one.
  std::map<std::pair<int, int>, int64_t> outputRegisteredAt_;
  std::map<int, std::shared_ptr<Job>> activeJobs_;
  bool stopping_ = false;
  int jobsInside_ = 0;
  std::condition_variable exited_;
  std::atomic<int> nextJobId_{0};
  std::atomic<int> nextStageId_{0};
  std::atomic<int64_t> nextTaskId_{0};
};

}  // namespace ember
