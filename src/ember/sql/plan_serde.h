// Shipping SQL plans to executor processes (ARCHITECTURE.md §2: "DataFrame plans travel
// as plan fragments").
//
// A stage of a SQL query is a physical subtree cut at exchanges (exec_exchange.h). Its
// payload is that subtree, written operator by operator with the *resolved logical*
// expressions each operator was built from; the executor rebuilds every operator through
// its ordinary constructor, which binds the expressions to input ordinals and kernels
// again (PhysicalExpr::compile, bindAggregate). So nothing that depends on this process
// (function pointers, compiled kernels, memory) is ever written, and the executor runs
// the operators the driver planned, byte for byte the same plan.
//
// What is written for the leaves of a stage:
//   - a shuffle exchange: only what its reduce side needs (shuffle id, map count); the
//     map side is shipped separately, as the dependency of its own map stage;
//   - a broadcast exchange: the id of a broadcast variable holding the built table
//     (fetched once per executor process, not once per task);
//   - a file scan: the splits planned on the driver (executors never list files);
//   - an in-memory table: its batches (inline when small, else as a broadcast variable).
//
// Scalar functions and UDFs are looked up by name on the executor: UDFs must be
// registered in code every process runs (udf.h). Subqueries never reach a physical
// plan (the optimizer rewrites them into joins), so they are not shippable.
//
// Adding an operator: give it `friend struct PlanSerde;` and a case in plan_serde.cpp;
// until then shipping a plan with it fails with an error that names the operator.
#pragma once

#include "ember/common/serde.h"
#include "ember/sql/exec_node.h"

namespace ember::sql {

void writeExpr(ByteWriter& w, const ExprPtr& e);  // null allowed
ExprPtr readExpr(ByteReader& r);

void writeAttributes(ByteWriter& w, const std::vector<Attribute>& attrs);
std::vector<Attribute> readAttributes(ByteReader& r);

// The subtree below `root`, down to and including the exchanges that end the stage.
void writePhysicalPlan(ByteWriter& w, const PhysicalNode& root);
PhysicalPtr readPhysicalPlan(ByteReader& r);

}  // namespace ember::sql
