// The rule-based optimizer. Rules, in order (see optimizer.cpp):
//   INTERSECT/EXCEPT to semi/anti joins, subqueries (IN / EXISTS / correlated scalar)
//   decorrelated into joins, constant folding, filter combination, predicate pushdown
//   (through projections, joins, aggregates and into scans), inner-join reordering so
//   that every join has a join condition (greedy, smallest first), projection pruning
//   down to the scans, limit pushdown.
#pragma once

#include <functional>

#include "ember/sql/logical_plan.h"

namespace ember::sql {

struct OptimizerOptions {
  // Evaluates a constant expression (no column references) to a literal; used for
  // constant folding. May be empty (no folding).
  std::function<Value(const ExprPtr&)> evalConstant;
};

PlanPtr optimize(const PlanPtr& analyzed, const OptimizerOptions& options);

}  // namespace ember::sql
