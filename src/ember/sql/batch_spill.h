// Spilling batches to local disk, partitioned by a hash of key columns: the building
// block of the spilling hash aggregation (and, later, grace hash joins). Files are
// task-scoped scratch files removed when the task ends.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ember/sql/exec_node.h"

namespace ember::sql {

class BatchSpiller {
 public:
  // `level` salts the hash so that a partition spilled again splits differently.
  BatchSpiller(TaskContext& ctx, int numPartitions, int level);
  ~BatchSpiller();
  // Routes each row of `b` to partition mix(hash(keys), level) % numPartitions.
  void add(const Batch& b, const std::vector<ColumnPtr>& keys);
  // Finishes writing; afterwards partition(i) streams partition i's batches back.
  void finish();
  int numPartitions() const { return numPartitions_; }
  StreamPtr partition(int i) const;
  int64_t bytesWritten() const { return bytes_; }
  int level() const { return level_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  int numPartitions_;
  int level_;
  int64_t bytes_ = 0;
};

}  // namespace ember::sql
