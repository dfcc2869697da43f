// A listener the examples use to print what their jobs ran: one line per completed
// stage with tasks, time, records and shuffle bytes.
#pragma once

#include <fmt/core.h>

#include <map>
#include <mutex>
#include <ostream>
#include <string>

#include "ember/core/event_bus.h"
#include "ember/core/events.h"

namespace examples {

class StageReport : public ember::EventListener {
 public:
  void onStageSubmitted(const ember::StageSubmitted& e) override {
    std::lock_guard lock(mutex_);
    submitted_[e.stageId] = e.time;
  }
  void onStageCompleted(const ember::StageCompleted& e) override {
    std::lock_guard lock(mutex_);
    const auto& m = e.totals;
    lines_ += fmt::format(
        "  Stage {:>2} {:<40} {:>4} tasks {:>8} ms  records in {:>10}  shuffle write {:>9} B  "
        "shuffle read {:>9} B  spilled {:>9} B{}\n",
        e.stageId, e.name, e.numTasks, e.time - submitted_[e.stageId], m.recordsRead,
        m.shuffleBytesWritten, m.shuffleBytesRead, m.diskBytesSpilled,
        e.succeeded ? "" : "  FAILED: " + e.failureReason);
  }
  void onJobEnd(const ember::JobEnd& e) override {
    std::lock_guard lock(mutex_);
    lines_ += fmt::format("  Job {} {}\n", e.jobId, e.succeeded ? "succeeded" : "failed: " + e.error);
  }
  void print(ember::EventBus& bus, std::ostream& out) {
    bus.waitUntilEmpty(5000);
    std::lock_guard lock(mutex_);
    out << "Stages run:\n" << lines_;
  }

 private:
  std::mutex mutex_;
  std::map<int, int64_t> submitted_;
  std::string lines_;
};

}  // namespace examples
