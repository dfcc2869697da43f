// Scheduler events and task metrics of real jobs: what listeners (UI, event log,
// progress bar) are told must add up.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "core_scheduler_test_util.h"

namespace ember {
namespace {

using testutil::flush;
using testutil::makeContext;
using testutil::record;

std::vector<std::string> splitWords(const std::string& line) {
  std::vector<std::string> out;
  std::istringstream in(line);
  std::string w;
  while (in >> w) out.push_back(w);
  return out;
}

class TempDir {
 public:
  TempDir() {
    path_ =
        std::filesystem::temp_directory_path() /
        ("ember-events-test-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
         "-" + std::to_string(reinterpret_cast<uintptr_t>(this)));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// Field-by-field sum, as the scheduler should compute a stage's totals.
void expectTotals(const TaskMetrics& got, const TaskMetrics& want, const std::string& what) {
  EXPECT_EQ(got.runTimeNs, want.runTimeNs) << what;
  EXPECT_EQ(got.recordsRead, want.recordsRead) << what;
  EXPECT_EQ(got.bytesRead, want.bytesRead) << what;
  EXPECT_EQ(got.recordsWritten, want.recordsWritten) << what;
  EXPECT_EQ(got.bytesWritten, want.bytesWritten) << what;
  EXPECT_EQ(got.shuffleRecordsRead, want.shuffleRecordsRead) << what;
  EXPECT_EQ(got.shuffleBytesRead, want.shuffleBytesRead) << what;
  EXPECT_EQ(got.shuffleRecordsWritten, want.shuffleRecordsWritten) << what;
  EXPECT_EQ(got.shuffleBytesWritten, want.shuffleBytesWritten) << what;
  EXPECT_EQ(got.memoryBytesSpilled, want.memoryBytesSpilled) << what;
  EXPECT_EQ(got.diskBytesSpilled, want.diskBytesSpilled) << what;
  EXPECT_EQ(got.resultBytes, want.resultBytes) << what;
  EXPECT_EQ(got.peakExecutionMemory, want.peakExecutionMemory) << what;
}

TEST(EventsMetrics, WordCountTaskMetricsAddUp) {
  TempDir dir;
  std::string path = dir.file("words.txt");
  const int kLines = 3000;
  {
    std::ofstream out(path);
    for (int i = 0; i < kLines; ++i)
      out << "w" << (i % 37) << " common v" << (i % 101) << " x" << (i * 7919 % 500) << "\n";
  }
  auto ctx = makeContext();
  auto lines = ctx->textFile(path, 4);
  ASSERT_GE(lines.getNumPartitions(), 2);
  // Expected per-map-task distinct keys, from the lines each split holds.
  auto perSplit = lines.glom().collect();
  int64_t wantShuffleRecords = 0;
  int64_t totalLines = 0;
  for (const auto& split : perSplit) {
    std::set<std::string> keys;
    for (const auto& l : split)
      for (auto& w : splitWords(l)) keys.insert(w);
    wantShuffleRecords += static_cast<int64_t>(keys.size());
    totalLines += static_cast<int64_t>(split.size());
  }
  ASSERT_EQ(totalLines, kLines);

  auto rec = record(*ctx);
  auto counts = lines
                    .flatMap([](std::string l) {
                      std::vector<std::pair<std::string, int>> out;
                      size_t i = 0;
                      while (i < l.size()) {
                        size_t j = l.find(' ', i);
                        if (j == std::string::npos) j = l.size();
                        if (j > i) out.emplace_back(l.substr(i, j - i), 1);
                        i = j + 1;
                      }
                      return out;
                    })
                    .reduceByKey([](int a, int b) { return a + b; }, 3)
                    .collectAsMap();
  EXPECT_EQ(counts.at("common"), kLines);
  flush(*ctx);

  auto subs = rec->stageSubmitted();
  ASSERT_EQ(subs.size(), 2u);
  int mapStage = subs[0].stageId, resultStage = subs[1].stageId;
  std::map<int, TaskMetrics> sums;
  int64_t mapRecordsRead = 0, written = 0, read = 0, recordsWritten = 0, recordsReadBack = 0;
  for (const auto& e : rec->taskEnds()) {
    ASSERT_TRUE(e.succeeded) << e.reason;
    sums[e.stageId].add(e.metrics);
    if (e.stageId == mapStage) {
      mapRecordsRead += e.metrics.recordsRead;
      written += e.metrics.shuffleBytesWritten;
      recordsWritten += e.metrics.shuffleRecordsWritten;
      EXPECT_GT(e.metrics.bytesRead, 0);
      EXPECT_EQ(e.metrics.shuffleBytesRead, 0);
      // The map-side combine reserved memory for its hash table.
      EXPECT_GE(e.metrics.peakExecutionMemory, 1 << 20);
    } else {
      EXPECT_EQ(e.stageId, resultStage);
      read += e.metrics.shuffleBytesRead;
      recordsReadBack += e.metrics.shuffleRecordsRead;
      EXPECT_EQ(e.metrics.shuffleBytesWritten, 0);
      EXPECT_GT(e.metrics.resultBytes, 0);
    }
    EXPECT_GT(e.metrics.runTimeNs, 0);
  }
  EXPECT_EQ(mapRecordsRead, kLines);
  EXPECT_GT(written, 0);
  EXPECT_EQ(read, written) << "reduce side read a different number of bytes than were written";
  EXPECT_EQ(recordsWritten, wantShuffleRecords);
  EXPECT_EQ(recordsReadBack, recordsWritten);

  // StageCompleted carries the sum of its tasks' metrics.
  auto done = rec->stageCompleted();
  ASSERT_EQ(done.size(), 2u);
  for (const auto& c : done) {
    EXPECT_TRUE(c.succeeded);
    expectTotals(c.totals, sums[c.stageId], "stage " + std::to_string(c.stageId));
  }

  // Job events bracket the job and list its stages.
  ASSERT_EQ(rec->jobStarts().size(), 1u);
  ASSERT_EQ(rec->jobEnds().size(), 1u);
  EXPECT_EQ(rec->jobStarts()[0].jobId, rec->jobEnds()[0].jobId);
  EXPECT_TRUE(rec->jobEnds()[0].succeeded);
  EXPECT_EQ(rec->jobEnds()[0].error, "");
  std::vector<int> jobStages = rec->jobStarts()[0].stageIds;
  EXPECT_EQ(std::set<int>(jobStages.begin(), jobStages.end()),
            (std::set<int>{mapStage, resultStage}));
  EXPECT_NE(rec->jobStarts()[0].callSite.find("collect at core_events_metrics_test.cpp:"),
            std::string::npos)
      << rec->jobStarts()[0].callSite;
  // Every task that started ended, and in order per task.
  EXPECT_EQ(rec->taskStarts().size(), rec->taskEnds().size());
}

int failOnSeven(int x) {
  if (x == 7) throw std::runtime_error("seven is not allowed");
  return x;
}

TEST(EventsMetrics, FailedJobReportsItsError) {
  auto ctx = makeContext({{"ember.task.maxFailures", "1"}});
  auto rec = record(*ctx);
  std::vector<int> data(20);
  for (int i = 0; i < 20; ++i) data[static_cast<size_t>(i)] = i;
  std::string msg;
  try {
    ctx->parallelize(data, 4).map(failOnSeven).count();
  } catch (const JobFailedError& e) {
    msg = e.what();
  }
  ASSERT_FALSE(msg.empty());
  flush(*ctx);
  ASSERT_EQ(rec->jobEnds().size(), 1u);
  const JobEnd end = rec->jobEnds()[0];
  EXPECT_FALSE(end.succeeded);
  EXPECT_EQ(end.error, msg);
  EXPECT_NE(end.error.find("seven is not allowed"), std::string::npos);
  // The failed stage is reported as failed, with the reason.
  auto done = rec->stageCompleted();
  ASSERT_EQ(done.size(), 1u);
  EXPECT_FALSE(done[0].succeeded);
  EXPECT_NE(done[0].failureReason.find("seven is not allowed"), std::string::npos);
  // The failing task's end event says why.
  bool sawFailure = false;
  for (const auto& e : rec->taskEnds())
    if (!e.succeeded) {
      sawFailure = true;
      EXPECT_EQ(e.partition, 1);
      EXPECT_EQ(e.reason.rfind("ExceptionFailure: ", 0), 0u) << e.reason;
    }
  EXPECT_TRUE(sawFailure);
}

}  // namespace
}  // namespace ember
