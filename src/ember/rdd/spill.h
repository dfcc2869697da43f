// Spilling building blocks shared by shuffle writers, external sort and external
// aggregation: spill runs in temporary frame files that are removed when the task
// ends, whether it succeeds or not.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "ember/core/executor_env.h"
#include "ember/core/task_context.h"
#include "ember/shuffle/frame_file.h"
#include "ember/storage/disk_manager.h"
#include "ember/storage/memory_manager.h"

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

// A MemoryConsumer seen by an operator that also frees memory while it runs (the old
// slot array of a hash table after it grew): the consumer cannot hand part of its
// reservation back, so freed bytes are kept as credit and serve later reservations.
class Reservation {
 public:
  explicit Reservation(MemoryConsumer& mem) : mem_(mem) {}
  // Accounts n more bytes (from the credit first); false if the manager refused.
  bool reserve(int64_t n) {
    if (n <= credit_) {
      credit_ -= n;
      return true;
    }
    if (!mem_.tryReserve(n - credit_)) return false;
    credit_ = 0;
    return true;
  }
  // n reserved bytes were freed.
  void credit(int64_t n) { credit_ += n; }
  void releaseAll() {
    mem_.releaseAll();
    credit_ = 0;
  }
  int64_t used() const { return mem_.used() - credit_; }

 private:
  MemoryConsumer& mem_;
  int64_t credit_ = 0;
};

// Reorders `entries` so that each group's entries are contiguous (an in-place
// counting sort that swaps entries into their group's range; 4 bytes of extra memory
// per entry instead of a copy of the data) and returns one range per group.
// groupOf(entry) must return a value in [0, numGroups).
template <class X, class GroupOf>
std::vector<std::span<const X>> groupInPlace(std::span<X> entries, size_t numGroups,
                                             GroupOf groupOf) {
  std::vector<uint32_t> gid(entries.size());
  std::vector<size_t> start(numGroups + 1, 0);
  for (size_t i = 0; i < entries.size(); ++i) {
    gid[i] = static_cast<uint32_t>(groupOf(entries[i]));
    ++start[gid[i] + 1];
  }
  for (size_t g = 0; g < numGroups; ++g) start[g + 1] += start[g];
  std::vector<size_t> next(start.begin(), start.end() - 1);
  for (size_t g = 0; g < numGroups; ++g) {
    while (next[g] < start[g + 1]) {
      size_t i = next[g];
      size_t q = gid[i];
      if (q == g) {
        ++next[g];
        continue;
      }
      size_t j = next[q]++;  // entry i belongs at j; what was at j is examined next
      std::swap(entries[i], entries[j]);
      std::swap(gid[i], gid[j]);
    }
  }
  std::vector<std::span<const X>> out;
  out.reserve(numGroups);
  for (size_t g = 0; g < numGroups; ++g)
    out.emplace_back(entries.data() + start[g], start[g + 1] - start[g]);
  return out;
}

}  // namespace ember
