// Physical planning: an optimized logical plan -> physical operators with exchanges.
// Strategies (Spark's): partial aggregation before the shuffle; broadcast hash join when
// the build side is estimated below ember.sql.autoBroadcastJoinThreshold, otherwise a
// shuffled hash join; global sort and limit through a single partition; ORDER BY +
// LIMIT as a per-partition top-N.
#pragma once

#include <cstdint>

#include "ember/sql/exec_node.h"
#include "ember/sql/logical_plan.h"

namespace ember::sql {

struct PlannerOptions {
  int shufflePartitions = 8;                   // ember.sql.shuffle.partitions
  int64_t broadcastThreshold = 10 << 20;       // ember.sql.autoBroadcastJoinThreshold (-1: never)
  int defaultParallelism = 2;                  // partitions of local relations
  int64_t filesMaxPartitionBytes = 128 << 20;  // ember.sql.files.maxPartitionBytes
  int64_t rangeSortMinBytes = 64 << 20;        // ember.sql.sort.rangePartitionMinBytes
  int batchRows = 4096;                        // ember.sql.batchSize
};

PhysicalPtr planPhysical(const PlanPtr& plan, const PlannerOptions& options);

// Estimated output bytes of a logical plan (for join strategy and build side).
int64_t estimateBytes(const LogicalPlan& plan);

}  // namespace ember::sql
