#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <string>

#include "ember/common/errors.h"
#include "ember/core/progress_bar.h"

namespace ember {
namespace {

constexpr int64_t kT0 = 1'700'000'000'000;  // a submission time, ms since epoch

StageSubmitted submitted(int stageId, int numTasks, int64_t time, int attempt = 0) {
  StageSubmitted e;
  e.stageId = stageId;
  e.attempt = attempt;
  e.name = "map at test.cpp:1";
  e.numTasks = numTasks;
  e.time = time;
  return e;
}

TaskStart started(int stageId, int partition, int attempt = 0) {
  TaskStart e;
  e.stageId = stageId;
  e.taskId = stageId * 1000 + partition;
  e.partition = partition;
  e.attempt = attempt;
  return e;
}

TaskEnd ended(int stageId, int partition, bool ok) {
  TaskEnd e;
  e.stageId = stageId;
  e.taskId = stageId * 1000 + partition;
  e.partition = partition;
  e.succeeded = ok;
  e.reason = ok ? "Success" : "ExceptionFailure: boom";
  return e;
}

StageCompleted completed(int stageId, int attempt = 0) {
  StageCompleted e;
  e.stageId = stageId;
  e.attempt = attempt;
  e.succeeded = true;
  return e;
}

// Stage `id` with `total` tasks: `done` succeeded, `running` running.
void runStage(ConsoleProgressBar& bar, int id, int total, int done, int running, int64_t t) {
  bar.onStageSubmitted(submitted(id, total, t));
  for (int p = 0; p < done + running; ++p) bar.onTaskStart(started(id, p));
  for (int p = 0; p < done; ++p) bar.onTaskEnd(ended(id, p, true));
}

TEST(ProgressBarTest, RendersOneStageInSparkFormat) {
  ConsoleProgressBar bar(-1, 200, 80, false);
  runStage(bar, 1, 40, 12, 2, kT0);
  // 57 bar columns, 57 * 12 / 40 = 17 of them completed.
  EXPECT_EQ(bar.render(kT0 + 1000),
            "[Stage 1:=================>                                       (12 + 2) / 40]");
  EXPECT_EQ(bar.render(kT0 + 1000).size(), 80u);
}

TEST(ProgressBarTest, RendersTwoStagesSideBySide) {
  ConsoleProgressBar bar(-1, 200, 80, false);
  runStage(bar, 2, 10, 3, 1, kT0);
  runStage(bar, 1, 40, 12, 2, kT0);
  EXPECT_EQ(bar.render(kT0 + 1000),
            "[Stage 1:=====>           (12 + 2) / 40]"
            "[Stage 2:=====>            (3 + 1) / 10]");
}

TEST(ProgressBarTest, ShowsOnlyStagesOlderThanHalfASecond) {
  ConsoleProgressBar bar(-1, 200, 80, false);
  runStage(bar, 1, 4, 0, 1, kT0);
  EXPECT_EQ(bar.render(kT0 + 100), "");
  EXPECT_EQ(bar.render(kT0 + 500), "");
  EXPECT_EQ(bar.render(kT0 + 501).substr(0, 10), "[Stage 1:>");
  // A second stage submitted later joins the line only after its own delay.
  runStage(bar, 2, 4, 0, 0, kT0 + 400);
  EXPECT_EQ(bar.render(kT0 + 800).find("[Stage 2:"), std::string::npos);
  EXPECT_NE(bar.render(kT0 + 901).find("[Stage 2:"), std::string::npos);
}

TEST(ProgressBarTest, FinishedStageDisappears) {
  ConsoleProgressBar bar(-1, 200, 80, false);
  runStage(bar, 1, 40, 12, 2, kT0);
  runStage(bar, 2, 10, 3, 1, kT0);
  bar.onStageCompleted(completed(1));
  std::string line = bar.render(kT0 + 1000);
  EXPECT_EQ(line.find("[Stage 1:"), std::string::npos);
  EXPECT_EQ(line.substr(0, 9), "[Stage 2:");
  EXPECT_EQ(line.size(), 80u);  // the remaining stage takes the whole width
  bar.onStageCompleted(completed(2));
  EXPECT_EQ(bar.render(kT0 + 1000), "");
}

TEST(ProgressBarTest, FailedAttemptsAreNotCompleted) {
  ConsoleProgressBar bar(-1, 200, 40, false);
  bar.onStageSubmitted(submitted(3, 2, kT0));
  bar.onTaskStart(started(3, 0));
  bar.onTaskStart(started(3, 1));
  bar.onTaskEnd(ended(3, 0, false));
  EXPECT_NE(bar.render(kT0 + 600).find("(0 + 1) / 2]"), std::string::npos);
  bar.onTaskStart(started(3, 0, 1));  // the retry
  bar.onTaskEnd(ended(3, 0, true));
  // A speculative duplicate of partition 0 succeeding does not count twice.
  bar.onTaskStart(started(3, 0, 2));
  bar.onTaskEnd(ended(3, 0, true));
  EXPECT_NE(bar.render(kT0 + 600).find("(1 + 1) / 2]"), std::string::npos);
  bar.onTaskEnd(ended(3, 1, true));
  EXPECT_EQ(bar.render(kT0 + 600),
            "[Stage 3:===================(2 + 0) / 2]");  // 19 columns, all completed
}

TEST(ProgressBarTest, NeverWiderThanWidth) {
  ConsoleProgressBar bar(-1, 200, 30, false);
  runStage(bar, 100, 100000, 5000, 8, kT0);
  runStage(bar, 101, 100000, 5000, 8, kT0);
  runStage(bar, 102, 100000, 5000, 8, kT0);
  runStage(bar, 103, 100000, 5000, 8, kT0);  // a fourth stage is not shown
  std::string line = bar.render(kT0 + 1000);
  EXPECT_EQ(line.size(), 30u);
  EXPECT_EQ(line.substr(0, 11), "[Stage 100:");
}

TEST(ProgressBarTest, StageAttemptsAreTrackedSeparately) {
  ConsoleProgressBar bar(-1, 200, 80, false);
  bar.onStageSubmitted(submitted(1, 4, kT0, 0));
  bar.onStageCompleted(completed(1, 0));  // failed attempt 0 (fetch failure)
  bar.onStageSubmitted(submitted(1, 2, kT0, 1));
  TaskStart s = started(1, 3);
  s.stageAttempt = 1;
  bar.onTaskStart(s);
  EXPECT_NE(bar.render(kT0 + 600).find("(0 + 1) / 2]"), std::string::npos);
}

TEST(ProgressBarTest, InvalidSettingsAreRejected) {
  EXPECT_THROW(ConsoleProgressBar(-1, 0, 80, false), ConfigError);
  EXPECT_THROW(ConsoleProgressBar(-1, 200, 0, false), ConfigError);
}

TEST(ProgressBarTest, ShouldEnableOnlyOnTerminals) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  EXPECT_FALSE(ConsoleProgressBar::shouldEnable(true, fds[1]));  // a pipe is no terminal
  EXPECT_FALSE(ConsoleProgressBar::shouldEnable(false, fds[1]));
  ConsoleProgressBar bar(fds[1], 200, 80, false);
  EXPECT_FALSE(bar.drawing());
  close(fds[0]);
  close(fds[1]);
}

// Reads from `fd` until `needle` appears or `timeoutMs` passes; returns all bytes read.
std::string readUntil(int fd, const std::string& needle, int timeoutMs) {
  std::string got;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeoutMs);
  while (got.find(needle) == std::string::npos) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now())
                    .count();
    if (left <= 0) break;
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left)) <= 0) break;
    char buf[4096];
    ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) break;
    got.append(buf, static_cast<size_t>(n));
  }
  return got;
}

TEST(ProgressBarTest, TimerDrawsThenClearsTheLineOnce) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  fcntl(fds[0], F_SETFL, O_NONBLOCK);
  const std::string clear = '\r' + std::string(40, ' ') + '\r';
  {
    ConsoleProgressBar bar(fds[1], 10, 40, true);
    ASSERT_TRUE(bar.drawing());
    auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count();
    runStage(bar, 5, 8, 4, 1, now - 2000);
    std::string drawn = readUntil(fds[0], "(4 + 1) / 8]\r", 5000);
    ASSERT_NE(drawn.find("\r[Stage 5:"), std::string::npos) << drawn;
    bar.onStageCompleted(completed(5));
    std::string cleared = readUntil(fds[0], clear, 5000);
    EXPECT_NE(cleared.find(clear), std::string::npos);
    // Nothing more is written while no stage runs (several timer ticks).
    usleep(100 * 1000);
    EXPECT_EQ(readUntil(fds[0], "\r", 50), "");
  }
  // The line was already clear: the destructor writes nothing either.
  EXPECT_EQ(readUntil(fds[0], "\r", 50), "");
  close(fds[0]);
  close(fds[1]);
}

TEST(ProgressBarTest, DestructorClearsAShownBar) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  fcntl(fds[0], F_SETFL, O_NONBLOCK);
  const std::string clear = '\r' + std::string(40, ' ') + '\r';
  {
    ConsoleProgressBar bar(fds[1], 10, 40, true);
    auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count();
    runStage(bar, 6, 8, 0, 1, now - 2000);
    ASSERT_NE(readUntil(fds[0], "(0 + 1) / 8]\r", 5000).find("[Stage 6:"), std::string::npos);
  }
  EXPECT_EQ(readUntil(fds[0], clear, 1000), clear);
  close(fds[0]);
  close(fds[1]);
}

}  // namespace
}  // namespace ember
