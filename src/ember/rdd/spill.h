// Spilling building blocks shared by shuffle writers, external sort and external
// aggregation: spill runs in temporary frame files that are removed when the task
// ends, whether it succeeds or not.
#pragma once

#include <string>
#include <vector>

#include "ember/core/executor_env.h"
#include "ember/core/task_context.h"
#include "ember/shuffle/frame_file.h"
#include "ember/storage/disk_manager.h"

namespace ember {

struct SpillRun {
  std::string path;
  std::vector<Segment> segments;
};

// A new spill file, removed at the end of the task.
inline std::string newSpillFile(TaskContext& ctx, std::string_view prefix) {
  DiskManager* disk = ctx.env().disk;
  std::string path = disk->createTempFile(prefix);
  ctx.addCompletionCallback([disk, path] { disk->removeFile(path); });
  return path;
}

// Counts spill metrics for a finished spill file.
inline void recordSpill(TaskContext& ctx, int64_t memoryBytes, uint64_t diskBytes) {
  ctx.metrics().memoryBytesSpilled += memoryBytes;
  ctx.metrics().diskBytesSpilled += static_cast<int64_t>(diskBytes);
}

}  // namespace ember
