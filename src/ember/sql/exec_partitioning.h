// CoalesceExec: fewer partitions without a shuffle (Spark's coalesce(n)): output
// partition p reads the child's partitions [p * m / n, (p + 1) * m / n) one after the
// other, in the same task.
#pragma once

#include <string>

#include "ember/sql/exec_node.h"

namespace ember::sql {

class CoalesceExec : public PhysicalNode {
  friend struct PlanSerde;  // ships the operator to executors (plan_serde.cpp)

 public:
  CoalesceExec(PhysicalPtr child, int numPartitions);
  std::string describe() const override;
  int numPartitions() const override { return partitions_; }
  StreamPtr execute(int partition, TaskContext& ctx) const override;

 private:
  int partitions_;
};

}  // namespace ember::sql
