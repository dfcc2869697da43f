// QueryExecution: the life of one query (Spark's QueryExecution): analyzed ->
// optimized -> physical plan -> jobs. Each step runs once, on first use.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "ember/columnar/batch.h"
#include "ember/sql/exec_node.h"
#include "ember/sql/logical_plan.h"

namespace ember::sql {

class Session;

class QueryExecution {
 public:
  // `plan` must be analyzed (DataFrames analyze eagerly).
  QueryExecution(Session& session, PlanPtr analyzed);

  const PlanPtr& analyzed() const { return analyzed_; }
  PlanPtr optimized();
  // Prepared physical plan (exchanges registered, broadcasts and scalar subqueries run).
  PhysicalPtr physical();
  // Runs the query; batches of all partitions in partition order.
  std::vector<BatchPtr> collect();
  // mode: simple | extended | formatted | cost
  std::string explain(const std::string& mode);

 private:
  PhysicalPtr planOnly();
  Session& session_;
  PlanPtr analyzed_;
  PlanPtr optimized_;
  PhysicalPtr physical_;
  bool prepared_ = false;
  std::mutex mutex_;
};

}  // namespace ember::sql
