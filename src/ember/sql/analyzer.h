// The analyzer: resolves an unresolved logical plan (from the parser or the DataFrame
// API) against the catalog: relations, columns (to attribute ids), stars, functions and
// their argument casts, aggregates (GROUP BY ordinals and aliases, HAVING, validation
// that selected columns are grouped), ORDER BY on columns not selected, window
// functions, set-operation type widening, CTEs and subqueries (correlated references
// become OuterRef). Errors are UserError with the position in the SQL text and the
// closest names.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "ember/sql/logical_plan.h"

namespace ember::sql {

class Catalog;

class CacheManager;

struct AnalyzerContext {
  const Catalog* catalog = nullptr;
  // Cached plans: a table or view whose plan is cached is read through an
  // InMemoryRelation (cache_manager.h).
  const CacheManager* cache = nullptr;
  // The schema of a file source (inferring it when the source has none).
  std::function<Schema(const FileSource&)> fileSchema;
  std::string sqlText;  // for error positions; empty for DataFrame plans
};

PlanPtr analyze(const PlanPtr& plan, const AnalyzerContext& ctx);

// A copy of a resolved plan whose leaves and aliases produce fresh attribute ids, with
// every reference remapped (two references to one view; self-joins).
PlanPtr newInstance(const PlanPtr& plan);

// The output attributes an expression produces in a Project/Aggregate list.
Attribute toAttribute(const Expr& e);

// Visits every node of an expression tree (pre-order); subquery plans are not entered.
void forEachExpr(const ExprPtr& e, const std::function<void(const ExprPtr&)>& f);
// Rebuilds a tree bottom-up: f gets a node whose args were already transformed and
// returns it or a replacement.
ExprPtr transformExpr(const ExprPtr& e, const std::function<ExprPtr(const ExprPtr&)>& f);
// Structural equality, ignoring positions (and alias ids when ignoreAliasIds).
bool sameExpr(const ExprPtr& a, const ExprPtr& b);
bool containsAggregate(const ExprPtr& e);
bool containsWindow(const ExprPtr& e);

}  // namespace ember::sql
