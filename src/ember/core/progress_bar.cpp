#include "ember/core/progress_bar.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "ember/common/errors.h"

namespace ember {

namespace {

int64_t nowMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Redraw an unchanged bar this often anyway, as Spark does: some ssh setups close
// connections that print nothing for a while.
constexpr int64_t kKeepAliveMs = 60 * 1000;

}  // namespace

ConsoleProgressBar::ConsoleProgressBar(int fd, int64_t updateIntervalMs, int width,
                                       bool forceEnabled)
    : fd_(fd),
      intervalMs_(updateIntervalMs),
      width_(width),
      drawing_(forceEnabled || shouldEnable(true, fd)) {
  if (updateIntervalMs <= 0) {
    throw ConfigError("progress bar: update interval must be > 0 ms, got " +
                      std::to_string(updateIntervalMs));
  }
  if (width <= 0) {
    throw ConfigError("progress bar: width must be > 0 columns, got " + std::to_string(width));
  }
  if (drawing_) timer_ = std::thread([this] { timerLoop(); });
}

ConsoleProgressBar::~ConsoleProgressBar() {
  if (timer_.joinable()) {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    timer_.join();
  }
  if (!lastShown_.empty()) writeAll('\r' + std::string(width_, ' ') + '\r');
}

bool ConsoleProgressBar::shouldEnable(bool configEnabled, int fd) {
  if (!configEnabled || isatty(fd) != 1) return false;
  const char* term = std::getenv("TERM");
  return term == nullptr || std::strcmp(term, "dumb") != 0;
}

void ConsoleProgressBar::onStageSubmitted(const StageSubmitted& e) {
  std::lock_guard lock(mu_);
  StageProgress& s = stages_[{e.stageId, e.attempt}];
  s.stageId = e.stageId;
  s.numTasks = e.numTasks;
  s.submittedMs = e.time;
}

void ConsoleProgressBar::onStageCompleted(const StageCompleted& e) {
  std::lock_guard lock(mu_);
  stages_.erase({e.stageId, e.attempt});
}

void ConsoleProgressBar::onTaskStart(const TaskStart& e) {
  std::lock_guard lock(mu_);
  auto it = stages_.find({e.stageId, e.stageAttempt});
  if (it != stages_.end()) ++it->second.running;
}

void ConsoleProgressBar::onTaskEnd(const TaskEnd& e) {
  std::lock_guard lock(mu_);
  auto it = stages_.find({e.stageId, e.stageAttempt});
  if (it == stages_.end()) return;  // the stage already completed (e.g. a late kill)
  StageProgress& s = it->second;
  s.running = std::max(0, s.running - 1);
  if (e.succeeded) s.completed.insert(e.partition);
}

std::string ConsoleProgressBar::render(int64_t nowMs) const {
  std::vector<const StageProgress*> shown;
  std::lock_guard lock(mu_);
  for (const auto& [key, s] : stages_) {
    if (nowMs - s.submittedMs > kFirstDelayMs) shown.push_back(&s);
    if (shown.size() == kMaxStagesShown) break;
  }
  if (shown.empty()) return {};
  const int share = width_ / static_cast<int>(shown.size());
  std::string line;
  for (const StageProgress* s : shown) {
    int total = s->numTasks;
    int done = std::min(static_cast<int>(s->completed.size()), total);
    std::string header = "[Stage " + std::to_string(s->stageId) + ":";
    std::string tailer = "(" + std::to_string(done) + " + " + std::to_string(s->running) + ") / " +
                         std::to_string(total) + "]";
    line += header;
    int w = share - static_cast<int>(header.size() + tailer.size());
    if (w > 0) {
      // Same arithmetic as Spark: '=' for the completed fraction, '>' at its tip.
      int filled = total > 0 ? static_cast<int>(int64_t{w} * done / total) : 0;
      for (int i = 0; i < w; ++i) line += i < filled ? '=' : i == filled ? '>' : ' ';
    }
    line += tailer;
  }
  // Narrow terminals: header and counts alone may exceed a stage's share.
  if (line.size() > static_cast<size_t>(width_)) line.resize(width_);
  return line;
}

void ConsoleProgressBar::timerLoop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    cv_.wait_for(lock, std::chrono::milliseconds(intervalMs_));
    if (stopping_) break;
    lock.unlock();  // render() locks by itself, and the terminal may block
    refresh(nowMillis());
    lock.lock();
  }
}

void ConsoleProgressBar::refresh(int64_t nowMs) {
  std::string bar = render(nowMs);
  if (bar.empty()) {
    if (!lastShown_.empty()) {
      writeAll('\r' + std::string(width_, ' ') + '\r');
      lastShown_.clear();
    }
    return;
  }
  if (bar == lastShown_ && nowMs - lastWriteMs_ <= kKeepAliveMs) return;
  std::string out = '\r' + bar;
  // A shorter bar (fewer stages, narrower share) must not leave the old one's tail.
  if (lastShown_.size() > bar.size()) out.append(lastShown_.size() - bar.size(), ' ');
  out += '\r';
  writeAll(out);
  lastShown_ = std::move(bar);
  lastWriteMs_ = nowMs;
}

void ConsoleProgressBar::writeAll(const std::string& text) const {
  size_t off = 0;
  while (off < text.size()) {
    ssize_t n = ::write(fd_, text.data() + off, text.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // a closed terminal is no reason to fail the application
    off += static_cast<size_t>(n);
  }
}

}  // namespace ember
