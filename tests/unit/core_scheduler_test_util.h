// Shared helpers of the scheduler, fault, closure and event tests: a local context
// that ignores the environment and conf files, and a listener recording every event.
#pragma once

#include <algorithm>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "ember/core/event_bus.h"
#include "ember/ember.h"

namespace ember::testutil {

inline std::unique_ptr<Context> makeContext(
    const std::vector<std::pair<std::string, std::string>>& extra = {},
    const std::string& master = "local[2]") {
  std::map<std::string, std::string> noEnv;
  Config c = Config::load({}, &noEnv, "");
  c.set("ember.master", master);
  c.set("ember.ui.showConsoleProgress", "false");
  c.set("ember.log.level", "error");
  for (const auto& [k, v] : extra) c.set(k, v);
  return std::make_unique<Context>(std::move(c));
}

// Records every scheduler event; query after ctx.eventBus().waitUntilEmpty().
class EventRecorder : public EventListener {
 public:
  void onJobStart(const JobStart& e) override { add(jobStarts_, e); }
  void onJobEnd(const JobEnd& e) override { add(jobEnds_, e); }
  void onStageSubmitted(const StageSubmitted& e) override { add(stageSubmitted_, e); }
  void onStageCompleted(const StageCompleted& e) override { add(stageCompleted_, e); }
  void onTaskStart(const TaskStart& e) override { add(taskStarts_, e); }
  void onTaskEnd(const TaskEnd& e) override { add(taskEnds_, e); }

  std::vector<JobStart> jobStarts() const { return get(jobStarts_); }
  std::vector<JobEnd> jobEnds() const { return get(jobEnds_); }
  std::vector<StageSubmitted> stageSubmitted() const { return get(stageSubmitted_); }
  std::vector<StageCompleted> stageCompleted() const { return get(stageCompleted_); }
  std::vector<TaskStart> taskStarts() const { return get(taskStarts_); }
  std::vector<TaskEnd> taskEnds() const { return get(taskEnds_); }

  // TaskStart events per stage id.
  std::map<int, int> taskStartsPerStage() const {
    std::map<int, int> m;
    for (const auto& e : taskStarts()) m[e.stageId]++;
    return m;
  }
  void clear() {
    std::lock_guard lock(mu_);
    jobStarts_.clear();
    jobEnds_.clear();
    stageSubmitted_.clear();
    stageCompleted_.clear();
    taskStarts_.clear();
    taskEnds_.clear();
  }

 private:
  template <class E>
  void add(std::vector<E>& v, const E& e) {
    std::lock_guard lock(mu_);
    v.push_back(e);
  }
  template <class E>
  std::vector<E> get(const std::vector<E>& v) const {
    std::lock_guard lock(mu_);
    return v;
  }
  mutable std::mutex mu_;
  std::vector<JobStart> jobStarts_;
  std::vector<JobEnd> jobEnds_;
  std::vector<StageSubmitted> stageSubmitted_;
  std::vector<StageCompleted> stageCompleted_;
  std::vector<TaskStart> taskStarts_;
  std::vector<TaskEnd> taskEnds_;
};

// Records the events of jobs run from now on: events of earlier jobs still queued in
// the (asynchronous) bus are delivered first, so they do not reach the recorder.
inline std::shared_ptr<EventRecorder> record(Context& ctx) {
  ctx.eventBus().waitUntilEmpty(10000);
  auto r = std::make_shared<EventRecorder>();
  ctx.addListener(r);
  return r;
}

inline std::vector<int> iota(int n) {
  std::vector<int> v(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) v[static_cast<size_t>(i)] = i;
  return v;
}

// Delivers every event posted so far (the bus is asynchronous).
inline void flush(Context& ctx) { ctx.eventBus().waitUntilEmpty(10000); }

// The shuffle id of the first shuffle dependency of an RDD node.
inline int shuffleIdOf(const RDDBasePtr& rdd) {
  for (const auto& d : rdd->dependencies())
    if (d->isShuffle()) return std::static_pointer_cast<ShuffleDependencyBase>(d)->shuffleId();
  return -1;
}

}  // namespace ember::testutil
