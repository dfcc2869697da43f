// Physical expressions: resolved expressions bound to the ordinals of an input batch
// and to their kernels, evaluated a whole batch at a time.
#pragma once

#include <memory>
#include <vector>

#include "ember/columnar/batch.h"
#include "ember/sql/expr.h"
#include "ember/sql/function.h"
#include "ember/sql/lambda.h"
#include "ember/sql/logical_plan.h"

namespace ember::sql {

class PhysicalExpr;
using PhysicalExprPtr = std::shared_ptr<const PhysicalExpr>;

class PhysicalExpr {
 public:
  enum class Kind : uint8_t { Column, Literal, Call, Cast, HigherOrder };

  // Binds a resolved expression (ColumnRef ids -> positions in `input`; calls re-bound
  // through the function registry). Aliases are looked through. Throws InternalError
  // for nodes that must have been planned away (aggregates, windows, subqueries).
  static PhysicalExprPtr compile(const ExprPtr& e, const std::vector<Attribute>& input);

  ColumnPtr eval(const Batch& batch) const;
  const DataType& type() const { return type_; }
  Kind kind() const { return kind_; }
  int ordinal() const { return ordinal_; }       // Column
  const Value& value() const { return value_; }  // Literal

 private:
  Kind kind_ = Kind::Literal;
  DataType type_;
  int ordinal_ = -1;
  Value value_;
  BoundFunction fn_;
  std::vector<PhysicalExprPtr> args_;
  std::string name_;                     // for error messages
  std::string function_;                 // HigherOrder: transform, filter, ...
  std::vector<CompiledLambda> lambdas_;  // HigherOrder
};

// A column of `rows` copies of `v` (typed as `t`).
ColumnPtr constantColumn(const Value& v, const DataType& t, int64_t rows);
// Position of attribute `id` in `attrs`, or -1.
int indexOfId(const std::vector<Attribute>& attrs, int64_t id);

}  // namespace ember::sql
