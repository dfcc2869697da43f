// Higher-order array functions that take lambdas (transform, filter, exists, forall,
// aggregate/reduce): names and usage for the analyzer (analyzer_lambda.cpp), the
// evaluator (exec_lambda.cpp) and SHOW FUNCTIONS.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ember/columnar/batch.h"
#include "ember/sql/expr.h"

namespace ember::sql {

bool isHigherOrderFunction(const std::string& lowerName);
std::string higherOrderUsage(const std::string& lowerName);

class PhysicalExpr;

// One compiled lambda: its body reads `rowColumns` (the row's columns it uses, gathered
// per element) followed by its `params` parameters.
struct CompiledLambda {
  std::shared_ptr<const PhysicalExpr> body;
  std::vector<int> rowOrdinals;  // positions in the operator's input batch
  int params = 1;
};

// Evaluates a resolved higher-order call: `array` is the evaluated array argument,
// `start` aggregate's start value (else null), `input` the operator's input batch.
ColumnPtr evalHigherOrder(const std::string& name, const DataType& resultType,
                          const ColumnPtr& array, const ColumnPtr& start,
                          const std::vector<CompiledLambda>& lambdas, const Batch& input);

}  // namespace ember::sql
