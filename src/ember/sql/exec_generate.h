// GenerateExec: runs a generator (generators.h) over each input row and emits the input
// columns repeated for every generated row, followed by the generated columns.
#pragma once

#include <string>
#include <vector>

#include "ember/sql/exec_expr.h"
#include "ember/sql/exec_node.h"

namespace ember::sql {

class GenerateExec : public PhysicalNode {
  friend struct PlanSerde;  // ships the operator to executors (plan_serde.cpp)

 public:
  // `generator`: the resolved generator call (one argument); `generated`: its output
  // attributes (appended to the child's); `batchRows`: output batches are cut to about
  // this many rows (one exploded row can yield many).
  GenerateExec(PhysicalPtr child, ExprPtr generator, std::vector<Attribute> generated,
               int batchRows);
  std::string describe() const override;
  StreamPtr execute(int partition, TaskContext& ctx) const override;

 private:
  ExprPtr generator_;
  std::vector<Attribute> generated_;
  int batchRows_;
  PhysicalExprPtr arg_;
};

}  // namespace ember::sql
