#include "ember/core/dag_scheduler.h"

#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <optional>
#include <unordered_map>
#include <variant>

#include "ember/common/errors.h"
#include "ember/common/logging.h"
#include "ember/core/accumulator.h"
#include "ember/core/event_bus.h"
#include "ember/shuffle/map_output_tracker.h"

namespace ember {

namespace {
int64_t nowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}
constexpr int kMaxConsecutiveStageAttempts = 4;
// How long a failed or cancelled job waits for its interrupted tasks to end.
constexpr int64_t kAbortWaitMs = 10000;

std::string mib(int64_t bytes) { return fmt::format("{:.1f} MiB", bytes / 1048576.0); }
}  // namespace

struct DAGScheduler::Stage {
  int id = 0;
  RDDBasePtr rdd;
  std::shared_ptr<ShuffleDependencyBase> dep;  // null for a result stage
  std::vector<std::shared_ptr<Stage>> parents;
  int numTasks = 0;
  std::string name;
  int attempt = -1;       // latest attempt submitted
  int fetchFailures = 0;  // consecutive failed attempts
  bool isMap() const { return dep != nullptr; }
};

namespace {
// The stage's RDDs for the UI's DAG: its own RDD and the narrow lineage above it, up to
// (not into) shuffle inputs. Each RDD once, even when the lineage is a diamond.
StageInfo stageInfo(const DAGScheduler::Stage& s) {
  StageInfo info{s.id, s.name, s.numTasks, {}, {}};
  for (auto& p : s.parents) info.parentStageIds.push_back(p->id);
  std::vector<const RDDBase*> todo{s.rdd.get()};
  std::set<int> seen;
  while (!todo.empty()) {
    const RDDBase* r = todo.back();
    todo.pop_back();
    if (!seen.insert(r->id()).second) continue;
    RddInfo ri{r->id(), r->opName(), r->callSite(), r->numPartitions(), "", {}};
    if (r->storageLevel() != StorageLevel::None)
      ri.storageLevel = storageLevelName(r->storageLevel());
    for (auto& d : r->dependencies()) {
      if (!d->rdd()) continue;
      ri.parentIds.push_back(d->rdd()->id());
      if (!d->isShuffle()) todo.push_back(d->rdd().get());
    }
    info.rdds.push_back(std::move(ri));
  }
  return info;
}
}  // namespace

// One running job: its control loop state and its inbox of task results.
class DAGScheduler::Job : public TaskResultSink {
 public:
  struct Wake {};
  struct Cancel {
    std::string reason;
  };
  using Event = std::variant<TaskResult, Wake, Cancel>;

  void taskFinished(TaskResult r) override { push(std::move(r)); }
  // Wakes the control loop only when it sleeps: with many short tasks, a wake-up per
  // result (a futex call and a context switch) was the largest cost per task.
  void push(Event e) {
    bool wake;
    {
      std::lock_guard lock(mutex_);
      inbox_.push_back(std::move(e));
      wake = sleeping_;
    }
    if (wake) cv_.notify_one();
  }
  // Waits for at least one event (at most `timeoutMs` if positive), then moves every
  // queued event to the back of `out`.
  void popAll(std::deque<Event>& out, int64_t timeoutMs = 0) {
    std::unique_lock lock(mutex_);
    sleeping_ = true;
    if (timeoutMs > 0)
      cv_.wait_for(lock, std::chrono::milliseconds(timeoutMs), [&] { return !inbox_.empty(); });
    else
      cv_.wait(lock, [&] { return !inbox_.empty(); });
    sleeping_ = false;
    if (out.empty()) {
      out.swap(inbox_);
    } else {
      for (auto& e : inbox_) out.push_back(std::move(e));
      inbox_.clear();
    }
  }

  int id = 0;
  std::string group;
  std::shared_ptr<std::atomic<bool>> interrupted = std::make_shared<std::atomic<bool>>(false);

  // Control-loop state (touched only by the job's own thread, under the DAG mutex
  // where shared stages are involved).
  std::shared_ptr<Stage> finalStage;
  std::map<int, std::shared_ptr<Stage>> stages;  // every stage this job touched, by id
  std::set<int> waiting, running, failed;
  std::map<int, std::set<int>> pending;  // stage id -> partitions not yet done
  std::map<int, TaskMetrics> stageMetrics;
  std::map<std::pair<int, int>, int> taskFailures;  // (stage, partition) -> failures
  // Speculation state (kept only with speculation on). Attempts launched and not yet
  // reported, by (stage, partition); the highest attempt number used; the partitions
  // already given a speculative copy; durations of successful tasks and the number of
  // tasks of the current attempt, by stage.
  std::map<std::pair<int, int>, std::vector<int64_t>> inFlight;
  std::map<std::pair<int, int>, int> maxAttempt;
  std::set<std::pair<int, int>> speculated;
  std::map<int, std::vector<int64_t>> successMs;
  std::map<int, size_t> stageTasks;
  std::vector<int> partitions;                  // result partitions
  std::unordered_map<int, size_t> resultIndex;  // partition -> index in partitions
  std::vector<bool> finished;
  size_t numFinished = 0;
  int64_t resultBytes = 0;
  std::optional<std::string> abortReason;
  // Tasks submitted whose result has not been taken from the inbox yet (an upper bound:
  // speculative copies killed while queued never report).
  int64_t outstanding = 0;

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<Event> inbox_;
  bool sleeping_ = false;  // the control loop waits in popAll
};

DAGScheduler::DAGScheduler(TaskScheduler& tasks, MapOutputTracker& tracker, EventBus* bus)
    : tasks_(tasks), tracker_(tracker), bus_(bus) {}

DAGScheduler::~DAGScheduler() = default;

std::shared_ptr<DAGScheduler::Stage> DAGScheduler::shuffleMapStage(
    const std::shared_ptr<ShuffleDependencyBase>& dep) {
  auto it = shuffleStages_.find(dep->shuffleId());
  if (it != shuffleStages_.end()) return it->second;
  auto s = std::make_shared<Stage>();
  s->parents = parentStages(dep->rdd());
  s->id = nextStageId_++;
  s->rdd = dep->rdd();
  s->dep = dep;
  s->numTasks = dep->numMapPartitions();
  s->name = dep->rdd()->displayName();
  if (!tracker_.hasShuffle(dep->shuffleId()))
    tracker_.registerShuffle(dep->shuffleId(), dep->numMapPartitions());
  shuffleStages_[dep->shuffleId()] = s;
  return s;
}

std::vector<std::shared_ptr<DAGScheduler::Stage>> DAGScheduler::parentStages(
    const RDDBasePtr& rdd) {
  std::vector<std::shared_ptr<Stage>> out;
  std::set<int> visited;
  std::vector<RDDBasePtr> stack{rdd};
  while (!stack.empty()) {
    RDDBasePtr r = stack.back();
    stack.pop_back();
    if (!visited.insert(r->id()).second) continue;
    for (const auto& d : r->dependencies()) {
      if (d->isShuffle()) {
        auto s = shuffleMapStage(std::static_pointer_cast<ShuffleDependencyBase>(d));
        bool seen = false;
        for (auto& p : out) seen |= p == s;
        if (!seen) out.push_back(s);
      } else {
        stack.push_back(d->rdd());
      }
    }
  }
  return out;
}

void DAGScheduler::notifyAllJobs() {
  for (auto& [id, job] : activeJobs_) job->push(Job::Wake{});
}

void DAGScheduler::runJob(const RDDBasePtr& rdd, std::shared_ptr<JobFunctionBase> func,
                          const std::vector<int>& partitions, const ResultHandler& handler,
                          const JobOptions& opts) {
  // Counts this call so that shutdown() can wait until no thread is inside.
  struct Inside {
    DAGScheduler& d;
    explicit Inside(DAGScheduler& d) : d(d) {
      std::lock_guard lock(d.mutex_);
      if (d.stopping_)
        throw UserError("the context has been stopped; create a new Context to run jobs");
      ++d.jobsInside_;
    }
    ~Inside() {
      std::lock_guard lock(d.mutex_);
      if (--d.jobsInside_ == 0) d.exited_.notify_all();
    }
  } inside(*this);

  auto job = std::make_shared<Job>();
  job->id = nextJobId_++;
  job->group = opts.jobGroup;
  job->partitions = partitions;
  job->finished.assign(partitions.size(), false);
  job->resultIndex.reserve(partitions.size());
  for (size_t i = 0; i < partitions.size(); ++i) job->resultIndex[partitions[i]] = i;

  std::unique_lock lock(mutex_);
  activeJobs_[job->id] = job;
  auto finalStage = std::make_shared<Stage>();
  finalStage->parents = parentStages(rdd);  // first, so parents get the lower ids as in Spark
  finalStage->id = nextStageId_++;
  finalStage->rdd = rdd;
  finalStage->numTasks = static_cast<int>(partitions.size());
  finalStage->name = opts.callSite;
  job->finalStage = finalStage;

  // Collect every stage of the job for lookups and the JobStart event.
  std::vector<int> stageIds;
  std::vector<std::shared_ptr<Stage>> todo{finalStage};
  while (!todo.empty()) {
    auto s = todo.back();
    todo.pop_back();
    if (!job->stages.emplace(s->id, s).second) continue;
    stageIds.push_back(s->id);
    for (auto& p : s->parents) todo.push_back(p);
  }
  if (bus_) {
    std::vector<StageInfo> infos;
    for (int id : stageIds) infos.push_back(stageInfo(*job->stages.at(id)));
    bus_->post(JobStart{job->id, opts.callSite, opts.callSite, opts.jobGroup, stageIds, nowMs(),
                        std::move(infos)});
  }

  const SpeculationSettings spec = tasks_.speculation();
  // Speculation bookkeeping of a launched attempt (see Job::inFlight).
  auto track = [&](const TaskDescription& t) {
    job->outstanding++;
    if (!spec.enabled) return;
    job->inFlight[{t.stageId, t.partition}].push_back(t.taskId);
    int& m = job->maxAttempt[{t.stageId, t.partition}];
    m = std::max(m, t.attempt);
  };

  std::shared_ptr<const StagePayload> resultPayload;
  auto abort = [&](std::string reason) {
    if (!job->abortReason) job->abortReason = std::move(reason);
  };

  // --- stage submission (called with mutex_ held) ---
  std::function<void(const std::shared_ptr<Stage>&)> submitStage;
  auto submitTasks = [&](const std::shared_ptr<Stage>& s) {
    std::vector<int> parts;
    if (s->isMap()) {
      parts = tracker_.missingMaps(s->dep->shuffleId());
    } else {
      for (size_t i = 0; i < job->partitions.size(); ++i)
        if (!job->finished[i]) parts.push_back(job->partitions[i]);
    }
    if (parts.empty()) return false;
    s->attempt++;
    if (s->isMap()) mapStageOwner_[s->id] = job->id;
    job->running.insert(s->id);
    job->pending[s->id] = std::set<int>(parts.begin(), parts.end());
    job->stageMetrics[s->id] = TaskMetrics{};
    std::vector<int> parentIds;
    for (auto& p : s->parents) parentIds.push_back(p->id);
    if (bus_)
      bus_->post(StageSubmitted{s->id, s->attempt, s->name, static_cast<int>(parts.size()),
                                parentIds, s->rdd->toDebugString(), nowMs()});
    auto payload = std::make_shared<StagePayload>();
    payload->rdd = s->rdd;
    payload->shuffleDep = s->dep;
    payload->func = func;
    std::shared_ptr<const std::string> bytes;
    if (opts.serializeTasks) bytes = std::make_shared<const std::string>(payload->serialize());
    std::vector<TaskDescription> descs;
    descs.reserve(parts.size());
    for (int p : parts) {
      TaskDescription t;
      t.taskId = nextTaskId_++;
      t.jobId = job->id;
      t.stageId = s->id;
      t.stageAttempt = s->attempt;
      t.partition = p;
      auto failed = job->taskFailures.find({s->id, p});  // find: no entry per task
      t.attempt = failed == job->taskFailures.end() ? 0 : failed->second;
      t.isMapTask = s->isMap();
      t.payload = payload;
      t.payloadBytes = bytes;
      t.interrupted = job->interrupted;
      track(t);
      descs.push_back(std::move(t));
    }
    if (spec.enabled) {
      job->stageTasks[s->id] = parts.size();
      job->successMs[s->id].clear();
    }
    tasks_.submit(std::move(descs), job);
    return true;
  };
  // One more attempt of a partition of a running stage (a retry, a speculative copy).
  auto launchOne = [&](const std::shared_ptr<Stage>& stage, int partition, int attempt) {
    TaskDescription t;
    t.taskId = nextTaskId_++;
    t.jobId = job->id;
    t.stageId = stage->id;
    t.stageAttempt = stage->attempt;
    t.partition = partition;
    t.attempt = attempt;
    t.isMapTask = stage->isMap();
    auto payload = std::make_shared<StagePayload>();
    payload->rdd = stage->rdd;
    payload->shuffleDep = stage->dep;
    payload->func = func;
    t.payload = payload;
    if (opts.serializeTasks)
      t.payloadBytes = std::make_shared<const std::string>(payload->serialize());
    t.interrupted = job->interrupted;
    track(t);
    std::vector<TaskDescription> one;
    one.push_back(std::move(t));
    tasks_.submit(std::move(one), job);
  };
  auto isPending = [&](int stageId, int partition) {
    auto it = job->pending.find(stageId);
    return it != job->pending.end() && it->second.count(partition) > 0;
  };
  // Once a partition has a result, its other attempts are only in the way.
  auto killOtherAttempts = [&](int stageId, int partition, int64_t winner) {
    auto it = job->inFlight.find({stageId, partition});
    if (it == job->inFlight.end()) return;
    for (int64_t tid : it->second)
      if (tid != winner)
        tasks_.killTask(tid, fmt::format("another attempt of partition {} of stage {} finished "
                                         "first",
                                         partition, stageId));
    job->inFlight.erase(it);
  };
  // Spark's checkSpeculatableTasks: once `quantile` of a stage's tasks are done, a task
  // running longer than multiplier x their median (at least 100 ms) gets one copy.
  auto checkSpeculation = [&] {
    int64_t now = steadyNowMs();
    for (int sid : job->running) {
      auto pit = job->pending.find(sid);
      auto total = job->stageTasks.find(sid);
      auto durations = job->successMs.find(sid);
      if (pit == job->pending.end() || pit->second.empty() || total == job->stageTasks.end() ||
          durations == job->successMs.end() || durations->second.empty())
        continue;
      size_t done = total->second - std::min(total->second, pit->second.size());
      size_t need = std::max<size_t>(
          1, static_cast<size_t>(spec.quantile * static_cast<double>(total->second)));
      if (done < need) continue;
      std::vector<int64_t> d = durations->second;
      std::nth_element(d.begin(), d.begin() + static_cast<ptrdiff_t>(d.size() / 2), d.end());
      double threshold = std::max(spec.multiplier * static_cast<double>(d[d.size() / 2]), 100.0);
      auto stage = job->stages.at(sid);
      std::vector<int> copies;
      for (int p : pit->second) {
        if (job->speculated.count({sid, p})) continue;
        auto f = job->inFlight.find({sid, p});
        if (f == job->inFlight.end() || f->second.size() != 1) continue;
        int64_t start = tasks_.taskStartMs(f->second.front());
        if (start < 0 || static_cast<double>(now - start) <= threshold) continue;
        copies.push_back(p);
      }
      for (int p : copies) {
        job->speculated.insert({sid, p});
        int attempt = job->maxAttempt[{sid, p}] + 1;
        logInfo(
            "speculating partition {} of stage {}: running for more than {:.0f} ms "
            "(multiplier x median of {} finished tasks); launching attempt {}",
            p, sid, threshold, d.size(), attempt);
        launchOne(stage, p, attempt);
      }
    }
  };
  auto parentsReady = [&](const std::shared_ptr<Stage>& s) {
    for (auto& p : s->parents)
      if (!tracker_.isComplete(p->dep->shuffleId())) return false;
    return true;
  };
  submitStage = [&](const std::shared_ptr<Stage>& s) {
    if (job->waiting.count(s->id) || job->running.count(s->id)) return;
    if (s->isMap()) {
      if (tracker_.isComplete(s->dep->shuffleId())) return;
      auto owner = mapStageOwner_.find(s->id);
      if (owner != mapStageOwner_.end() && owner->second != job->id) return;  // shared: wait
    }
    if (parentsReady(s)) {
      job->failed.erase(s->id);
      submitTasks(s);
      return;
    }
    job->waiting.insert(s->id);
    job->failed.erase(s->id);
    for (auto& p : s->parents)
      if (!tracker_.isComplete(p->dep->shuffleId())) submitStage(p);
  };
  auto submitWaiting = [&] {
    std::vector<int> ids(job->waiting.begin(), job->waiting.end());
    for (int id : ids) {
      auto s = job->stages[id];
      if (s->isMap()) {
        if (tracker_.isComplete(s->dep->shuffleId())) {
          job->waiting.erase(id);
          continue;
        }
        // Another job waiting for the same parents got there first: let it compute the
        // stage (we are woken when it finishes or gives up) instead of running it twice.
        auto owner = mapStageOwner_.find(s->id);
        if (owner != mapStageOwner_.end() && owner->second != job->id) continue;
      }
      if (parentsReady(s)) {
        job->waiting.erase(id);
        if (!submitTasks(s) && s->isMap()) continue;
      } else {
        for (auto& p : s->parents)
          if (!tracker_.isComplete(p->dep->shuffleId())) submitStage(p);
      }
    }
    std::vector<int> f(job->failed.begin(), job->failed.end());
    for (int id : f) submitStage(job->stages[id]);
  };
  auto finishStage = [&](const std::shared_ptr<Stage>& s, bool ok, const std::string& why) {
    job->running.erase(s->id);
    job->pending.erase(s->id);
    if (s->isMap()) mapStageOwner_.erase(s->id);
    if (bus_)
      bus_->post(StageCompleted{s->id, s->attempt, s->name, s->numTasks, ok, why,
                                job->stageMetrics[s->id], nowMs()});
    if (s->isMap()) notifyAllJobs();
  };

  submitStage(finalStage);
  // The job may need no tasks at all (no partitions).
  bool done = job->partitions.empty();

  std::deque<Job::Event> inbox;  // taken from the job in batches, not handled yet
  int64_t lastSpeculationCheck = steadyNowMs();
  while (!done && !job->abortReason) {
    if (spec.enabled && steadyNowMs() - lastSpeculationCheck >= spec.intervalMs) {
      checkSpeculation();
      lastSpeculationCheck = steadyNowMs();
    }
    if (inbox.empty()) {
      lock.unlock();
      // One wake-up for all the results that came meanwhile; with speculation, at least
      // one per interval to look for stragglers.
      job->popAll(inbox, spec.enabled ? spec.intervalMs : 0);
      lock.lock();
      if (inbox.empty()) continue;
    }
    Job::Event ev = std::move(inbox.front());
    inbox.pop_front();
    if (auto* c = std::get_if<Job::Cancel>(&ev)) {
      abort("Job " + std::to_string(job->id) + " cancelled: " + c->reason);
      break;
    }
    if (std::holds_alternative<Job::Wake>(ev)) {
      submitWaiting();
      continue;
    }
    TaskResult& r = std::get<TaskResult>(ev);
    job->outstanding--;
    auto sit = job->stages.find(r.stageId);
    if (sit == job->stages.end()) continue;
    auto stage = sit->second;
    job->stageMetrics[stage->id].add(r.metrics);
    // Other attempts of the same partition still out (speculation only).
    bool othersInFlight = false;
    if (spec.enabled) {
      auto f = job->inFlight.find({stage->id, r.partition});
      if (f != job->inFlight.end()) {
        std::erase(f->second, r.taskId);
        othersInFlight = !f->second.empty();
        if (!othersInFlight) job->inFlight.erase(f);
      }
    }

    switch (r.outcome) {
      case TaskOutcome::Success: {
        if (spec.enabled) {
          job->successMs[stage->id].push_back(r.metrics.runTimeNs / 1000000);
          killOtherAttempts(stage->id, r.partition, r.taskId);
        }
        if (stage->isMap()) {
          // A second successful attempt of the same map task (speculation) leaves the
          // first one's output and accumulator updates as they are: counted once.
          if (!tracker_.mapStatus(stage->dep->shuffleId(), r.partition)) {
            for (auto& [id, bytes] : r.accumulatorUpdates)
              AccumulatorRegistry::global().merge(id, bytes);
            tracker_.registerMapOutput(stage->dep->shuffleId(), r.partition,
                                       std::move(r.mapStatus));
            outputRegisteredAt_[{stage->dep->shuffleId(), r.partition}] = nextTaskId_.load();
          }
          auto pit = job->pending.find(stage->id);
          if (pit != job->pending.end()) {
            pit->second.erase(r.partition);
            if (pit->second.empty() && job->running.count(stage->id)) {
              finishStage(stage, true, "");
              if (tracker_.isComplete(stage->dep->shuffleId())) {
                stage->fetchFailures = 0;
                submitWaiting();
              } else {
                submitStage(stage);  // outputs were lost meanwhile: run the missing ones
              }
            }
          }
        } else {
          size_t idx = job->resultIndex.at(r.partition);
          if (job->finished[idx]) break;
          for (auto& [id, bytes] : r.accumulatorUpdates)
            AccumulatorRegistry::global().merge(id, bytes);
          job->resultBytes += static_cast<int64_t>(r.resultBytes.size());
          if (opts.maxResultSize > 0 && job->resultBytes > opts.maxResultSize) {
            abort(fmt::format(
                "Job {} aborted: total size of serialized results of {} tasks ({}) is bigger "
                "than ember.driver.maxResultSize ({}). Collecting this much to the driver "
                "risks running it out of memory: write the result out (saveAsTextFile), "
                "fetch a part with take(n), or raise the limit with --conf "
                "ember.driver.maxResultSize=<size>.",
                job->id, job->numFinished + 1, mib(job->resultBytes), mib(opts.maxResultSize)));
            break;
          }
          job->finished[idx] = true;
          job->numFinished++;
          job->pending[stage->id].erase(r.partition);
          lock.unlock();
          try {
            handler(r.partition, r.resultBytes);
          } catch (const std::exception& e) {
            lock.lock();
            abort(
                fmt::format("Job {} aborted: the driver failed to handle the result of "
                            "partition {}: {}",
                            job->id, r.partition, e.what()));
            break;
          }
          lock.lock();
          if (job->numFinished == job->partitions.size()) {
            finishStage(stage, true, "");
            done = true;
          }
        }
        break;
      }
      case TaskOutcome::Killed:
        if (job->interrupted->load()) break;
        // The loser of a speculative pair, or a copy killed while the other is running.
        if (spec.enabled && (othersInFlight || !isPending(stage->id, r.partition))) break;
        [[fallthrough]];
      case TaskOutcome::Failed: {
        // Another attempt already produced this partition: nothing to retry.
        if (spec.enabled && job->running.count(stage->id) && !isPending(stage->id, r.partition))
          break;
        int failures = ++job->taskFailures[{stage->id, r.partition}];
        if (failures >= opts.maxTaskFailures || r.deterministicError) {
          std::string how =
              r.deterministicError
                  ? std::string(
                        "failed on its input or on the query, which another attempt would "
                        "repeat, so it was not retried")
                  : fmt::format("failed {} times (the limit is ember.task.maxFailures={})",
                                failures, opts.maxTaskFailures);
          std::string why = fmt::format(
              "Job {} aborted: task for partition {} of stage {} ({}) {}. Most recent failure: "
              "stage {}, partition {}, attempt {}, executor {}: {}",
              job->id, r.partition, stage->id, stage->name, how, stage->id, r.partition,
              r.attempt, r.executorId, r.error);
          finishStage(stage, false, why);
          abort(why);
          break;
        }
        logWarn("lost task: stage {} partition {} attempt {} on executor {}: {} (retrying)",
                stage->id, r.partition, r.attempt, r.executorId, r.error);
        // With a copy still running, that copy is the retry.
        if (job->running.count(stage->id) && !othersInFlight) {
          int attempt = failures;
          if (spec.enabled)
            attempt = std::max(attempt, job->maxAttempt[{stage->id, r.partition}] + 1);
          launchOne(stage, r.partition, attempt);
        }
        break;
      }
      case TaskOutcome::FetchFailed: {
        // Several reduce tasks usually fail on the same lost output; the later reports
        // can arrive after the map task was rerun, and must not throw its new output away.
        auto reg = outputRegisteredAt_.find({r.fetchShuffleId, r.fetchMapId});
        bool stale = reg != outputRegisteredAt_.end() && r.taskId < reg->second;
        if (!stale && tracker_.hasShuffle(r.fetchShuffleId))
          tracker_.unregisterMapOutput(r.fetchShuffleId, r.fetchMapId);
        logWarn("fetch failed in stage {} partition {}: {}; recomputing the lost map output",
                stage->id, r.partition, r.error);
        if (job->running.count(stage->id) && r.stageAttempt == stage->attempt) {
          if (++stage->fetchFailures >= kMaxConsecutiveStageAttempts) {
            std::string why = fmt::format(
                "Job {} aborted: stage {} ({}) failed {} consecutive times because shuffle "
                "output could not be read: {}",
                job->id, stage->id, stage->name, stage->fetchFailures, r.error);
            finishStage(stage, false, why);
            abort(why);
            break;
          }
          finishStage(stage, false, "FetchFailed: " + r.error);
          job->failed.insert(stage->id);
          for (auto& p : stage->parents)
            if (p->dep->shuffleId() == r.fetchShuffleId) job->failed.insert(p->id);
          std::vector<int> f(job->failed.begin(), job->failed.end());
          for (int id : f) submitStage(job->stages[id]);
        }
        break;
      }
    }
  }

  // Tear down: drop our queued tasks, interrupt running ones, close the stages still
  // running (listeners such as the progress bar track them), release shared stages.
  if (job->abortReason) {
    job->interrupted->store(true);
    job->outstanding -= tasks_.cancelJob(job->id);
    std::vector<int> running(job->running.begin(), job->running.end());
    for (int id : running) finishStage(job->stages[id], false, *job->abortReason);
    // Let the interrupted tasks end (bounded) before the caller sees the failure: a failed
    // write must not have tasks still creating files in the staging directory it is about
    // to remove, and the next job should not share the slots with them.
    for (auto& e : inbox)
      if (std::holds_alternative<TaskResult>(e)) job->outstanding--;
    inbox.clear();
    lock.unlock();
    int64_t deadline = steadyNowMs() + kAbortWaitMs;
    while (job->outstanding > 0) {
      int64_t left = deadline - steadyNowMs();
      if (left <= 0) break;
      job->popAll(inbox, left);
      for (auto& e : inbox)
        if (std::holds_alternative<TaskResult>(e)) job->outstanding--;
      inbox.clear();
    }
    lock.lock();
  }
  for (auto it = mapStageOwner_.begin(); it != mapStageOwner_.end();) {
    if (it->second == job->id)
      it = mapStageOwner_.erase(it);
    else
      ++it;
  }
  activeJobs_.erase(job->id);
  notifyAllJobs();
  if (bus_) bus_->post(JobEnd{job->id, !job->abortReason, job->abortReason.value_or(""), nowMs()});
  // The job object can outlive this call (slots still hold it as their sink), so it
  // lets go of the stages, and through them of the program's RDDs, here: RDDs dropped
  // after an action are then freed (and their shuffles cleaned) on this thread, after
  // the lock is released (cleaning takes it).
  auto stages = std::move(job->stages);
  job->stages.clear();
  auto releasedFinal = std::move(job->finalStage);
  lock.unlock();
  stages.clear();
  releasedFinal.reset();
  if (job->abortReason) throw JobFailedError(*job->abortReason);
}

void DAGScheduler::cancelJob(int jobId, const std::string& reason) {
  std::lock_guard lock(mutex_);
  auto it = activeJobs_.find(jobId);
  if (it == activeJobs_.end()) return;
  it->second->interrupted->store(true);
  it->second->push(Job::Cancel{reason});
}

void DAGScheduler::cancelJobGroup(const std::string& group) {
  std::lock_guard lock(mutex_);
  for (auto& [id, job] : activeJobs_) {
    if (job->group != group) continue;
    job->interrupted->store(true);
    job->push(Job::Cancel{"part of cancelled job group '" + group + "'"});
  }
}

void DAGScheduler::cancelAllJobs() {
  std::lock_guard lock(mutex_);
  for (auto& [id, job] : activeJobs_) {
    job->interrupted->store(true);
    job->push(Job::Cancel{"all jobs were cancelled"});
  }
}

std::vector<int> DAGScheduler::activeJobIds() const {
  std::lock_guard lock(mutex_);
  std::vector<int> ids;
  for (auto& [id, job] : activeJobs_) ids.push_back(id);
  return ids;
}

void DAGScheduler::shutdown() {
  std::unique_lock lock(mutex_);
  stopping_ = true;
  for (auto& [id, job] : activeJobs_) {
    job->interrupted->store(true);
    job->push(Job::Cancel{"the context is stopping"});
  }
  exited_.wait(lock, [&] { return jobsInside_ == 0; });
}

void DAGScheduler::removeShuffle(int shuffleId) {
  std::shared_ptr<Stage> dropped;  // destroyed after the lock is released: dropping a
                                   // stage can release upstream RDDs, which clean theirs
  std::lock_guard lock(mutex_);
  auto it = shuffleStages_.find(shuffleId);
  if (it != shuffleStages_.end()) {
    dropped = std::move(it->second);
    shuffleStages_.erase(it);
  }
  std::erase_if(outputRegisteredAt_, [&](const auto& e) { return e.first.first == shuffleId; });
  tasks_.shuffleRemoved(shuffleId);  // executors with their own files (cluster mode)
}

}  // namespace ember
