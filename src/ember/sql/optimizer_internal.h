// Internals shared by the optimizer's files.
#pragma once

#include <unordered_set>
#include <vector>

#include "ember/sql/optimizer.h"

namespace ember::sql {

using IdSet = std::unordered_set<int64_t>;

IdSet idsOf(const std::vector<Attribute>& attrs);
IdSet referencedIds(const ExprPtr& e);
bool subsetOf(const IdSet& a, const IdSet& b);
bool hasOuterRef(const ExprPtr& e);
bool hasSubquery(const ExprPtr& e);
void conjuncts(const ExprPtr& e, std::vector<ExprPtr>& out);
ExprPtr conjunction(const std::vector<ExprPtr>& cs);
ExprPtr equals(const ExprPtr& a, const ExprPtr& b);
std::vector<Attribute> deriveOutput(const LogicalPlan& p);
PlanPtr withChildren(const LogicalPlan& p, std::vector<PlanPtr> children);
PlanPtr filterOver(PlanPtr child, const std::vector<ExprPtr>& cs);

// optimizer_rewrite.cpp
PlanPtr rewriteSetOperations(const PlanPtr& plan);
PlanPtr rewriteSubqueries(const PlanPtr& plan);
PlanPtr foldConstants(const PlanPtr& plan, const OptimizerOptions& o);

}  // namespace ember::sql
