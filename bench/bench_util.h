// Helpers shared by the benchmark programs in bench/: command-line handling, timing,
// medians and two listeners (StageCompleted totals, per-stage log). Header-only; each bench/*.cpp
// is its own executable (bench/CMakeLists.txt), so nothing here is shared state.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

#include "ember/common/app_args.h"
#include "ember/core/context.h"
#include "ember/core/events.h"

namespace bench {

// Parses the shared Ember options (--master, --conf, --name); the progress bar is off
// unless the command line asks for it (it would write to stderr while being timed).
// Prints usage and exits with 2 when the arguments are malformed.
inline std::unique_ptr<ember::Context> makeContext(int argc, const char* const* argv,
                                                   const std::string& usageTail,
                                                   std::vector<std::string>* positional) {
  ember::AppArgs args;
  try {
    args = ember::parseAppArgs(argc, argv);
  } catch (const ember::UserError& e) {
    std::cerr << e.what() << "\n" << ember::appArgsUsage(argv[0], usageTail);
    std::exit(2);
  }
  if (args.help) {
    std::cout << ember::appArgsUsage(argv[0], usageTail);
    std::exit(0);
  }
  ember::Config conf = ember::configFromArgs(args);
  if (conf.origin("ember.ui.showConsoleProgress") == "default") {
    conf.set("ember.ui.showConsoleProgress", "false");
  }
  *positional = args.positional;
  return std::make_unique<ember::Context>(std::move(conf));
}

// Number of task slots of a "local[N]" master ("local" = 1, "local[*]" = hardware threads).
// The whole file; exits with status 2 and a message when it cannot be read.
inline std::string readFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    std::cerr << "cannot read " << path << "\n";
    std::exit(2);
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline int slotsOf(const std::string& master) { return ember::MasterSpec::parse(master).slots; }

inline double secondsSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

inline double median(std::vector<double> xs) {
  if (xs.empty()) return 0;
  std::sort(xs.begin(), xs.end());
  size_t n = xs.size();
  return n % 2 ? xs[n / 2] : (xs[n / 2 - 1] + xs[n / 2]) / 2;
}

// Sums the TaskMetrics totals of every completed stage (all jobs) until reset().
// Callbacks run on the bus dispatcher thread; read totals() after
// eventBus().waitUntilEmpty().
class StageTotals : public ember::EventListener {
 public:
  void onStageCompleted(const ember::StageCompleted& e) override {
    std::lock_guard lock(mutex_);
    totals_.add(e.totals);
    ++stages_;
  }
  ember::TaskMetrics totals() const {
    std::lock_guard lock(mutex_);
    return totals_;
  }
  int stages() const {
    std::lock_guard lock(mutex_);
    return stages_;
  }
  void reset() {
    std::lock_guard lock(mutex_);
    totals_ = {};
    stages_ = 0;
  }

 private:
  mutable std::mutex mutex_;
  ember::TaskMetrics totals_;
  int stages_ = 0;
};

// Collects one line per completed stage (name, wall time from submission, records read,
// shuffle bytes written and read, bytes spilled) until take() returns and clears them.
// Callbacks run on the bus dispatcher thread; call take() after eventBus().waitUntilEmpty().
class StageLog : public ember::EventListener {
 public:
  void onStageSubmitted(const ember::StageSubmitted& e) override {
    std::lock_guard lock(mutex_);
    submitted_[e.stageId] = e.time;
  }
  void onStageCompleted(const ember::StageCompleted& e) override {
    std::lock_guard lock(mutex_);
    const auto& m = e.totals;
    char line[512];
    std::snprintf(line, sizeof line,
                  "  stage %d %s: %d tasks, %.3f s, task time %.3f s, records read %lld, shuffle "
                  "write %.1f MB, shuffle read %.1f MB, disk spilled %.1f MB\n",
                  e.stageId, e.name.c_str(), e.numTasks,
                  static_cast<double>(e.time - submitted_[e.stageId]) / 1e3,
                  static_cast<double>(m.runTimeNs) / 1e9, static_cast<long long>(m.recordsRead),
                  static_cast<double>(m.shuffleBytesWritten) / 1048576.0,
                  static_cast<double>(m.shuffleBytesRead) / 1048576.0,
                  static_cast<double>(m.diskBytesSpilled) / 1048576.0);
    lines_ += line;
  }
  std::string take() {
    std::lock_guard lock(mutex_);
    std::string out;
    out.swap(lines_);
    return out;
  }

 private:
  std::mutex mutex_;
  std::map<int, int64_t> submitted_;
  std::string lines_;
};

}  // namespace bench
