// Internals of the analyzer (analyzer*.cpp).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "ember/sql/analyzer.h"
#include "ember/sql/catalog.h"

namespace ember::sql {

// Attributes visible to expressions, plus the outer queries' (correlated subqueries).
struct Scope {
  std::vector<Attribute> attrs;
  const Scope* outer = nullptr;
};

class Analyzer {
 public:
  explicit Analyzer(const AnalyzerContext& ctx) : ctx_(ctx) {}
  PlanPtr resolve(const PlanPtr& plan, const Scope* outer);
  PlanPtr setOpAll(const LogicalPlan& p, PlanPtr left, PlanPtr right);

  // Expressions (analyzer_expr.cpp).
  ExprPtr resolveExpr(const ExprPtr& e, const Scope& scope);
  [[noreturn]] void fail(const std::string& message, int position) const;
  std::string where(int position) const;

 private:
  PlanPtr resolveNode(const PlanPtr& plan, const Scope* outer);
  PlanPtr resolveRelation(const LogicalPlan& p, const Scope* outer);
  PlanPtr resolveProject(const LogicalPlan& p, PlanPtr child, const Scope* outer);
  // Generate nodes (analyzer_generate.cpp): LATERAL VIEW / FROM generators, and a
  // generator in a select list, which becomes a Generate under the projection.
  PlanPtr resolveGenerate(const LogicalPlan& p, PlanPtr child, const Scope* outer);
  // Select items with a generator call: replaced by references to a Generate over `child`
  // (which is updated); false when the list has none.
  bool extractGenerator(std::vector<ExprPtr>& items, PlanPtr& child, const Scope* outer);
  // `s.f` / `t.s.f` when `s` is a struct column: get_field calls; null when no such column.
  ExprPtr resolveStructField(const ExprPtr& ref, const Scope& scope);
  // transform / filter / exists / forall / aggregate with lambdas (analyzer_lambda.cpp).
  ExprPtr resolveHigherOrder(const ExprPtr& call, const Scope& scope);
  PlanPtr resolveAggregate(const LogicalPlan& p, PlanPtr child, const Scope* outer);
  PlanPtr resolveFilter(const LogicalPlan& p, PlanPtr child, const Scope* outer);
  PlanPtr resolveSort(const LogicalPlan& p, PlanPtr child, const Scope* outer);
  PlanPtr resolveJoin(const LogicalPlan& p, PlanPtr left, PlanPtr right, const Scope* outer);
  PlanPtr resolveSetOp(const LogicalPlan& p, PlanPtr left, PlanPtr right);
  std::vector<ExprPtr> expandSelectList(const std::vector<ExprPtr>& exprs,
                                        const std::vector<Attribute>& input);
  PlanPtr extractWindows(PlanPtr projectOrAgg);

  const AnalyzerContext& ctx_;
  std::vector<std::map<std::string, PlanPtr>> ctes_;  // innermost last
  // Resolving the aggregate of `agg(...) OVER (...)`: its arguments may be aggregates of the
  // GROUP BY (sum(sum(x)) OVER ()).
  bool windowAggregate_ = false;
};

std::shared_ptr<LogicalPlan> makePlan(PlanKind kind, std::vector<PlanPtr> children);
ExprPtr refTo(const Attribute& a);
// Names every expression of a select list (Alias with prettyName where needed).
ExprPtr named(const ExprPtr& e);

}  // namespace ember::sql
