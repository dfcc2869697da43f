// The console progress bar, as Spark's ConsoleProgressBar: an EventListener that tracks
// the running stages and redraws one terminal line, e.g.
//   [Stage 1:=================>                                       (12 + 2) / 40]
// (completed + running) / total tasks. Only stages running for more than 500 ms are
// shown, so short jobs leave no trace; up to three concurrent stages are shown side by
// side, each with an equal share of the width. When no stage is shown any more, the line
// is cleared once.
//
// Drawing: a timer thread renders every `updateIntervalMs` and writes '\r' + bar + '\r'
// to `fd` when the text changed (or once a minute, to keep idle ssh sessions alive), so
// log lines printed meanwhile start at column 0 and overwrite the bar. It draws only if
// `forceEnabled` or the fd is a terminal with TERM != dumb; otherwise it just tracks.
//
// Threading: the callbacks (from the event bus dispatcher), render() and the timer thread
// may run concurrently; state is guarded by one mutex, and the terminal is written
// outside it.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_set>
#include <utility>

#include "ember/core/events.h"

namespace ember {

class ConsoleProgressBar : public EventListener {
 public:
  static constexpr int64_t kFirstDelayMs = 500;
  static constexpr size_t kMaxStagesShown = 3;

  explicit ConsoleProgressBar(int fd = 2, int64_t updateIntervalMs = 200, int width = 80,
                              bool forceEnabled = false);
  // Stops the timer thread and clears the line if a bar is shown.
  ~ConsoleProgressBar() override;
  ConsoleProgressBar(const ConsoleProgressBar&) = delete;
  ConsoleProgressBar& operator=(const ConsoleProgressBar&) = delete;

  // Whether to show a bar on `fd`: configEnabled (ember.ui.showConsoleProgress), fd is a
  // terminal, and TERM is not "dumb".
  static bool shouldEnable(bool configEnabled, int fd);

  // The bar for time `nowMs` (ms since epoch), without '\r'; empty when no stage has run
  // for more than kFirstDelayMs. At most `width` columns.
  std::string render(int64_t nowMs) const;
  // Whether the timer thread draws on the fd.
  bool drawing() const { return drawing_; }

  void onStageSubmitted(const StageSubmitted& e) override;
  void onStageCompleted(const StageCompleted& e) override;
  void onTaskStart(const TaskStart& e) override;
  void onTaskEnd(const TaskEnd& e) override;

 private:
  struct StageProgress {
    int stageId = 0;
    int numTasks = 0;
    int64_t submittedMs = 0;
    int running = 0;
    // Distinct partitions that succeeded: a retried or speculative copy that also
    // succeeds must not push the count past the total.
    std::unordered_set<int> completed;
  };

  void timerLoop();
  void refresh(int64_t nowMs);  // timer thread only
  void writeAll(const std::string& text) const;

  const int fd_;
  const int64_t intervalMs_;
  const int width_;
  const bool drawing_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::map<std::pair<int, int>, StageProgress> stages_;  // by (stageId, attempt)

  // Owned by the timer thread (then the destructor, after the join).
  std::string lastShown_;
  int64_t lastWriteMs_ = 0;
  std::thread timer_;
};

}  // namespace ember
