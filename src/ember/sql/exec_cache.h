// InMemoryScanExec: reads a cached plan (cache_manager.h) partition by partition from the
// executor's block manager, computing and storing a partition the first time it is
// asked for (or again after it was evicted or lost).
#pragma once

#include <memory>
#include <string>

#include "ember/core/rdd_base.h"
#include "ember/sql/exec_node.h"

namespace ember::sql {

struct CachedPlan;

class InMemoryScanExec : public PhysicalNode {
  friend struct PlanSerde;  // ships the operator to executors (plan_serde.cpp)

 public:
  // Driver: the cached plan's shared physical plan becomes the child; `out` are this
  // query's attributes for its columns (positionally).
  InMemoryScanExec(std::shared_ptr<CachedPlan> cache, std::vector<Attribute> out);
  // Executor: the child plan and the id of the RDD whose blocks hold the partitions.
  InMemoryScanExec(std::vector<Attribute> out, PhysicalPtr child, int rddId, StorageLevel level);
  std::string describe() const override;
  void prepare(Context& ctx) override;
  StreamPtr execute(int partition, TaskContext& ctx) const override;

 private:
  std::shared_ptr<CachedPlan> cache_;  // driver only
  std::shared_ptr<RDDBase> rdd_;       // the persisted RDD of the child plan
  StorageLevel level_ = StorageLevel::MemoryAndDisk;
};

}  // namespace ember::sql
