// DataFrame partitioning: repartition, repartitionByRange, coalesce, sortWithinPartitions.
#include "ember/common/errors.h"
#include "ember/sql/dataframe.h"
#include "ember/sql/exec_node.h"
#include "ember/sql/query_execution.h"

namespace ember::sql {

namespace {
std::shared_ptr<LogicalPlan> repartitionNode(const PlanPtr& child, int n) {
  if (n < 0) throw UserError("the number of partitions must be positive, got " + std::to_string(n));
  auto p = std::make_shared<LogicalPlan>();
  p->kind = PlanKind::Repartition;
  p->children = {child};
  p->numPartitions = n;
  return p;
}
}  // namespace

DataFrame DataFrame::repartition(int numPartitions) const {
  if (numPartitions < 1)
    throw UserError("repartition needs at least 1 partition, got " + std::to_string(numPartitions));
  return DataFrame(session_, repartitionNode(plan_, numPartitions));
}

DataFrame DataFrame::repartition(int numPartitions, const std::vector<ExprPtr>& columns) const {
  auto p = repartitionNode(plan_, numPartitions);
  p->exprs = columns;
  return DataFrame(session_, p);
}

DataFrame DataFrame::repartition(const std::vector<std::string>& columnNames) const {
  std::vector<ExprPtr> cols;
  for (const auto& n : columnNames) cols.push_back(col(n));
  return repartition(0, cols);
}

DataFrame DataFrame::repartitionByRange(int numPartitions, const std::vector<SortKey>& keys) const {
  if (keys.empty()) throw UserError("repartitionByRange needs at least one sort key");
  auto p = repartitionNode(plan_, numPartitions);
  p->order = keys;
  return DataFrame(session_, p);
}

DataFrame DataFrame::coalesce(int numPartitions) const {
  if (numPartitions < 1)
    throw UserError("coalesce needs at least 1 partition, got " + std::to_string(numPartitions));
  auto p = repartitionNode(plan_, numPartitions);
  p->shuffle = false;
  return DataFrame(session_, p);
}

DataFrame DataFrame::sortWithinPartitions(const std::vector<SortKey>& keys) const {
  auto p = std::make_shared<LogicalPlan>();
  p->kind = PlanKind::LocalSort;
  p->children = {plan_};
  p->order = keys;
  return DataFrame(session_, p);
}

int DataFrame::getNumPartitions() const {
  QueryExecution qe(*session_, plan_);
  return qe.physical()->numPartitions();
}

}  // namespace ember::sql
