// Rewrites that change the shape of a plan: set operations and subqueries to joins,
// constant folding.
#include <functional>
#include <optional>
#include <set>

#include "ember/common/errors.h"
#include "ember/sql/analyzer.h"
#include "ember/sql/analyzer_internal.h"
#include "ember/sql/optimizer_internal.h"

namespace ember::sql {

namespace {
ExprPtr toColumnRef(const ExprPtr& e) {
  return transformExpr(e, [](const ExprPtr& x) -> ExprPtr {
    if (x->kind != ExprKind::OuterRef) return x;
    auto c = std::make_shared<Expr>(*x);
    c->kind = ExprKind::ColumnRef;
    return c;
  });
}

ExprPtr nullSafeEquals(const ExprPtr& a, const ExprPtr& b) {
  auto e = std::make_shared<Expr>();
  e->kind = ExprKind::Call;
  e->name = "<=>";
  e->args = {a, b};
  e->type = DataType::boolean();
  e->nullable = false;
  e->resolved = true;
  return e;
}

// Renames `child`'s columns to the attributes `to` (same types, positions).
PlanPtr relabel(PlanPtr child, const std::vector<Attribute>& to) {
  auto proj = makePlan(PlanKind::Project, {child});
  for (size_t i = 0; i < to.size(); ++i) {
    auto a = std::make_shared<Expr>();
    a->kind = ExprKind::Alias;
    a->name = to[i].name;
    a->args = {refTo(child->output[i])};
    a->type = to[i].type;
    a->nullable = to[i].nullable;
    a->id = to[i].id;
    a->resolved = true;
    proj->exprs.push_back(a);
  }
  proj->output = to;
  proj->resolved = true;
  return proj;
}

// Moves correlated conjuncts (with OuterRefs) out of a subquery plan. Returns the plan
// without them; `preds` receives them with OuterRefs turned into ColumnRefs. Inner
// columns the predicates need are added to projections / grouping keys on the way up.
PlanPtr pullCorrelated(const PlanPtr& plan, std::vector<ExprPtr>& preds) {
  const LogicalPlan& p = *plan;
  switch (p.kind) {
    case PlanKind::Filter: {
      std::vector<ExprPtr> cs, keep;
      conjuncts(p.exprs[0], cs);
      for (const auto& c : cs) {
        if (hasOuterRef(c) && !hasSubquery(c))
          preds.push_back(toColumnRef(c));
        else
          keep.push_back(c);
      }
      PlanPtr child = pullCorrelated(p.children[0], preds);
      return filterOver(child, keep);
    }
    case PlanKind::SubqueryAlias:
    case PlanKind::Sort:
    case PlanKind::Limit:
    case PlanKind::Distinct: {
      PlanPtr child = pullCorrelated(p.children[0], preds);
      return withChildren(p, {child});
    }
    case PlanKind::Join: {
      PlanPtr l = pullCorrelated(p.children[0], preds);
      PlanPtr r = pullCorrelated(p.children[1], preds);
      return withChildren(p, {l, r});
    }
    case PlanKind::Project:
    case PlanKind::Aggregate: {
      size_t before = preds.size();
      PlanPtr child = pullCorrelated(p.children[0], preds);
      if (p.kind == PlanKind::Aggregate)
        for (size_t i = before; i < preds.size(); ++i)
          if (!(preds[i]->kind == ExprKind::Call &&
                (preds[i]->name == "=" || preds[i]->name == "<=>")))
            // Grouping by the inner column would aggregate per inner value, not per outer
            // row (Spark rejects these too).
            throw UserError(
                "a correlated subquery with an aggregate can refer to the outer query only in "
                "equality predicates, got " +
                preds[i]->toString() + "; rewrite it as a join");
      auto n = std::make_shared<LogicalPlan>(p);
      n->children = {child};
      IdSet childIds = idsOf(child->output);
      IdSet have;
      for (const auto& e : n->exprs) have.insert(e->id);
      if (p.kind == PlanKind::Aggregate)
        for (size_t i = before; i < preds.size(); ++i) {
          // `f(inner) = g(outer)`: the groups must be the values of f(inner), not of the
          // columns it reads; group by f(inner) as a new column and join on it.
          const ExprPtr& pr = preds[i];
          int innerSide = -1;
          for (int side = 0; side < 2; ++side) {
            IdSet ids = referencedIds(pr->args[static_cast<size_t>(side)]);
            bool allInner = !ids.empty();
            for (auto id : ids) allInner = allInner && childIds.count(id);
            if (allInner) innerSide = side;
          }
          if (innerSide < 0)
            throw UserError(
                "a correlated subquery with an aggregate needs predicates of the "
                "form inner expression = outer expression, got " +
                pr->toString() + "; rewrite it as a join");
          const ExprPtr& inner = pr->args[static_cast<size_t>(innerSide)];
          if (inner->kind == ExprKind::ColumnRef) continue;
          Attribute key{"__corr_key", inner->type, inner->nullable, newAttributeId(), {}};
          auto al = std::make_shared<Expr>();
          al->kind = ExprKind::Alias;
          al->name = key.name;
          al->args = {inner};
          al->type = inner->type;
          al->nullable = inner->nullable;
          al->id = key.id;
          al->resolved = true;
          n->groupBy.push_back(inner);
          n->exprs.push_back(al);
          have.insert(key.id);
          auto np = std::make_shared<Expr>(*pr);
          np->args[static_cast<size_t>(innerSide)] = refTo(key);
          preds[i] = np;
        }
      for (size_t i = before; i < preds.size(); ++i) {
        for (auto id : referencedIds(preds[i])) {
          if (!childIds.count(id) || have.count(id)) continue;
          for (const auto& a : child->output)
            if (a.id == id) {
              n->exprs.push_back(refTo(a));
              if (p.kind == PlanKind::Aggregate) n->groupBy.push_back(refTo(a));
              have.insert(id);
            }
        }
      }
      n->output = deriveOutput(*n);
      return n;
    }
    default:
      return plan;
  }
}

// The value a correlated scalar subquery's aggregate gives for an outer row without
// inner rows (COUNT -> 0 where the outer join would give NULL: the "count bug"), as an
// expression with aggregates replaced by their empty-input values; null when that value
// is NULL anyway (no COUNT in it) or cannot be told.
ExprPtr emptyAggregateValue(const LogicalPlan& q) {
  if (q.kind != PlanKind::Aggregate || q.exprs.empty()) return nullptr;
  bool hasCount = false, ok = true;
  ExprPtr e = transformExpr(q.exprs[0], [&](const ExprPtr& x) -> ExprPtr {
    if (x->kind == ExprKind::ColumnRef) ok = false;  // a grouping column: no value
    if (x->kind != ExprKind::AggregateCall) return x;
    auto l = std::make_shared<Expr>();
    l->kind = ExprKind::Literal;
    l->type = x->type;
    l->resolved = true;
    if (x->name == "count" || x->name == "count_if") {
      hasCount = true;
      l->value = Value::int64(0);
      l->nullable = false;
    } else {
      l->value = Value::null(x->type);
    }
    return l;
  });
  if (!ok || !hasCount) return nullptr;
  return e->kind == ExprKind::Alias ? e->args[0] : e;
}

// Whether `c` holds a scalar subquery that refers to the outer query.
bool hasCorrelatedScalar(const ExprPtr& c) {
  bool correlatedScalar = false;
  forEachExpr(c, [&](const ExprPtr& x) {
    if (x->kind == ExprKind::ScalarSubquery) {
      bool corr = false;
      std::function<void(const LogicalPlan&)> walk = [&](const LogicalPlan& q) {
        for (const auto& e : q.exprs)
          if (e && hasOuterRef(e)) corr = true;
        for (const auto& k : q.children) walk(*k);
      };
      walk(*x->subquery);
      correlatedScalar = correlatedScalar || corr;
    }
  });
  return correlatedScalar;
}

// `TRUE AS name` as a new column: joins add it to tell matched rows from unmatched ones.
// `e AS name` as a new column (a fresh attribute, described in `out`).
ExprPtr newColumn(const std::string& name, const ExprPtr& e, bool nullable, Attribute& out) {
  out = {name, e->type, nullable, newAttributeId(), {}};
  auto al = std::make_shared<Expr>();
  al->kind = ExprKind::Alias;
  al->name = name;
  al->args = {e};
  al->type = e->type;
  al->nullable = nullable;
  al->id = out.id;
  al->resolved = true;
  return al;
}

ExprPtr trueColumn(const std::string& name, Attribute& out) {
  auto t = std::make_shared<Expr>();
  t->kind = ExprKind::Literal;
  t->value = Value::boolean(true);
  t->type = DataType::boolean();
  t->nullable = false;
  t->resolved = true;
  return newColumn(name, t, true, out);
}

// Replaces the correlated scalar subqueries of `c` by columns of left outer joins added
// on top of `child` (the subquery grouped by its correlation columns; COUNT's empty value
// restored for outer rows without inner rows).
ExprPtr decorrelateScalars(const ExprPtr& c, PlanPtr& child) {
  return transformExpr(c, [&](const ExprPtr& x) -> ExprPtr {
    if (x->kind != ExprKind::ScalarSubquery) return x;
    std::vector<ExprPtr> preds;
    PlanPtr q = pullCorrelated(rewriteSubqueries(x->subquery), preds);
    if (preds.empty()) return x;
    ExprPtr empty = emptyAggregateValue(*q);
    Attribute matched;
    if (empty) {
      // A TRUE column tells joined outer rows from those without inner rows.
      auto a = std::make_shared<LogicalPlan>(*q);
      a->exprs.push_back(trueColumn("__matched", matched));
      a->output.push_back(matched);
      q = a;
    }
    auto j = makePlan(PlanKind::Join, {child, q});
    j->joinType = JoinType::LeftOuter;
    j->exprs = {conjunction(preds)};
    j->output = deriveOutput(*j);
    j->resolved = true;
    child = j;
    if (!empty) return refTo(q->output[0]);
    auto isNull = std::make_shared<Expr>();
    isNull->kind = ExprKind::Call;
    isNull->name = "isnull";
    isNull->args = {refTo(matched)};
    isNull->type = DataType::boolean();
    isNull->nullable = false;
    isNull->resolved = true;
    auto kase = std::make_shared<Expr>();
    kase->kind = ExprKind::Call;
    kase->name = "case";
    kase->args = {isNull, empty, refTo(q->output[0])};
    kase->type = q->output[0].type;
    kase->resolved = true;
    return kase;
  });
}

// Whether `e` holds an IN / EXISTS subquery.
bool hasPredicateSubquery(const ExprPtr& e) {
  bool found = false;
  forEachExpr(e, [&](const ExprPtr& x) {
    found = found || x->kind == ExprKind::InSubquery || x->kind == ExprKind::Exists;
  });
  return found;
}

ExprPtr resolvedCall(const std::string& name, std::vector<ExprPtr> args, DataType type) {
  auto e = std::make_shared<Expr>();
  e->kind = ExprKind::Call;
  e->name = name;
  e->args = std::move(args);
  e->type = std::move(type);
  e->resolved = true;
  return e;
}

ExprPtr boolLiteral(std::optional<bool> v) {
  auto l = std::make_shared<Expr>();
  l->kind = ExprKind::Literal;
  l->value = v ? Value::boolean(*v) : Value::null(DataType::boolean());
  l->type = DataType::boolean();
  l->nullable = !v;
  l->resolved = true;
  return l;
}

// `count(*)` (arg null) or `count(arg)` as `name`, a new column of an aggregation.
ExprPtr countColumn(const std::string& name, const ExprPtr& arg, Attribute& out) {
  auto c = std::make_shared<Expr>();
  c->kind = ExprKind::AggregateCall;
  c->name = "count";
  if (arg) c->args = {arg};
  c->type = DataType::int64();
  c->nullable = false;
  c->resolved = true;
  return newColumn(name, c, false, out);
}

bool isCorrelated(const PlanPtr& q) {
  bool corr = false;
  std::function<void(const LogicalPlan&)> walk = [&](const LogicalPlan& p) {
    for (const auto& e : p.exprs)
      if (e && hasOuterRef(e)) corr = true;
    for (const auto& k : p.children) walk(*k);
  };
  walk(*q);
  return corr;
}

// IN / EXISTS subqueries inside an expression (`a IN (...) OR b > 1`, `NOT (a IN ...)`,
// `CASE WHEN a IN (...) ...` in a select list): each becomes a left outer join with the
// subquery's distinct matching keys plus a TRUE marker. EXISTS is then `marker IS NOT
// NULL`. IN is too where only TRUE matters (under AND/OR at the top of a filter); anywhere
// else it needs SQL's three values, so an uncorrelated single-column IN also gets the
// subquery's row and non-NULL counts (one row, cross joined):
//   TRUE if matched; else NULL if the subquery has rows and x is NULL or it holds a NULL;
//   else FALSE.
ExprPtr markJoins(const ExprPtr& c, PlanPtr& child, bool inFilter) {
  std::set<const Expr*> threeValued;  // IN subqueries that need NULL-aware answers
  std::function<void(const ExprPtr&, bool)> check = [&](const ExprPtr& x, bool positive) {
    if (x->kind == ExprKind::InSubquery || x->kind == ExprKind::Exists) {
      bool plain = inFilter && positive && !x->negated;
      if (x->kind == ExprKind::InSubquery && !plain) {
        if (x->args.size() != 1 || isCorrelated(x->subquery))
          throw UserError(
              "a correlated or multi-column [NOT] IN subquery is supported only as an "
              "AND/OR-ed filter condition, not under NOT or inside other expressions; "
              "rewrite it with EXISTS or a join: " +
              c->toString());
        threeValued.insert(x.get());
      }
      return;
    }
    bool isLogic = x->kind == ExprKind::Call && (x->name == "and" || x->name == "or");
    bool isNot = x->kind == ExprKind::Call && x->name == "not";
    for (const auto& a : x->args)
      check(a, (isLogic || isNot) ? (isNot ? !positive : positive) : false);
  };
  check(c, true);
  return transformExpr(c, [&](const ExprPtr& x) -> ExprPtr {
    if (x->kind != ExprKind::InSubquery && x->kind != ExprKind::Exists) return x;
    std::vector<ExprPtr> preds;
    PlanPtr q = pullCorrelated(rewriteSubqueries(x->subquery), preds);
    for (size_t i = 0; x->kind == ExprKind::InSubquery && i < x->args.size(); ++i)
      preds.push_back(equals(x->args[i], refTo(q->output[i])));
    // Distinct on the subquery's columns the join condition uses, plus the marker.
    IdSet qIds = idsOf(q->output), keyIds;
    for (const auto& p : preds)
      for (auto id : referencedIds(p))
        if (qIds.count(id)) keyIds.insert(id);
    auto agg = makePlan(PlanKind::Aggregate, {q});
    for (const auto& a : q->output)
      if (keyIds.count(a.id)) {
        agg->groupBy.push_back(refTo(a));
        agg->exprs.push_back(refTo(a));
      }
    Attribute mark;
    agg->exprs.push_back(trueColumn("__in_mark", mark));
    agg->output = deriveOutput(*agg);
    agg->resolved = true;
    auto j = makePlan(PlanKind::Join, {child, agg});
    j->joinType = JoinType::LeftOuter;
    j->exprs = {conjunction(preds)};
    j->output = deriveOutput(*j);
    j->resolved = true;
    child = j;
    ExprPtr matched = resolvedCall("isnotnull", {refTo(mark)}, DataType::boolean());
    std::const_pointer_cast<Expr>(matched)->nullable = false;
    ExprPtr answer = matched;
    if (threeValued.count(x.get())) {
      Attribute rows, nonNull;
      auto stats = makePlan(PlanKind::Aggregate, {q});
      stats->exprs = {countColumn("__in_rows", nullptr, rows),
                      countColumn("__in_values", refTo(q->output[0]), nonNull)};
      stats->output = deriveOutput(*stats);
      stats->resolved = true;
      auto cj = makePlan(PlanKind::Join, {child, stats});
      cj->joinType = JoinType::Cross;
      cj->output = deriveOutput(*cj);
      cj->resolved = true;
      child = cj;
      auto zero = std::make_shared<Expr>(*lit(Value::int64(0)));
      zero->type = DataType::int64();
      zero->resolved = true;
      ExprPtr hasRows = resolvedCall(">", {refTo(rows), zero}, DataType::boolean());
      ExprPtr someNull = resolvedCall("<", {refTo(nonNull), refTo(rows)}, DataType::boolean());
      ExprPtr xNull = resolvedCall("isnull", {x->args[0]}, DataType::boolean());
      ExprPtr unknown =
          resolvedCall("and", {hasRows, resolvedCall("or", {xNull, someNull}, DataType::boolean())},
                       DataType::boolean());
      answer = resolvedCall(
          "case",
          {matched, boolLiteral(true), unknown, boolLiteral(std::nullopt), boolLiteral(false)},
          DataType::boolean());
    }
    if (x->negated) answer = resolvedCall("not", {answer}, DataType::boolean());
    return answer;
  });
}

PlanPtr rewriteFilter(const LogicalPlan& filter, PlanPtr child) {
  std::vector<ExprPtr> cs, keep;
  conjuncts(filter.exprs[0], cs);
  std::vector<Attribute> originalOutput = child->output;
  bool changed = false;
  for (const auto& c : cs) {
    const Expr* sub = c.get();
    bool negated = false;
    if (sub->kind == ExprKind::Call && sub->name == "not" && sub->args.size() == 1 &&
        (sub->args[0]->kind == ExprKind::Exists || sub->args[0]->kind == ExprKind::InSubquery)) {
      negated = true;
      sub = sub->args[0].get();
    }
    if (sub->kind == ExprKind::Exists || sub->kind == ExprKind::InSubquery) {
      negated = negated != sub->negated;
      std::vector<ExprPtr> preds;
      PlanPtr q = pullCorrelated(rewriteSubqueries(sub->subquery), preds);
      for (size_t i = 0; sub->kind == ExprKind::InSubquery && i < sub->args.size(); ++i) {
        // (x1, x2) IN (SELECT y1, y2 ...): one equality per column.
        ExprPtr eq = equals(sub->args[i], refTo(q->output[i]));
        if (negated && (sub->args[i]->nullable || q->output[i].nullable)) {
          // NOT IN is null-aware: a NULL on either side makes `x NOT IN (...)` NULL, so
          // the row goes unless the subquery is empty. As an anti join: drop the row
          // when some subquery row gives `x = y` TRUE or NULL (Spark's rewrite).
          auto isNull = std::make_shared<Expr>();
          isNull->kind = ExprKind::Call;
          isNull->name = "isnull";
          isNull->args = {eq};
          isNull->type = DataType::boolean();
          isNull->nullable = false;
          isNull->resolved = true;
          auto either = std::make_shared<Expr>(*isNull);
          either->name = "or";
          either->args = {eq, isNull};
          eq = either;
        }
        preds.push_back(eq);
      }
      auto j = makePlan(PlanKind::Join, {child, q});
      j->joinType = negated ? JoinType::LeftAnti : JoinType::LeftSemi;
      if (!preds.empty()) j->exprs = {conjunction(preds)};
      j->output = deriveOutput(*j);
      j->resolved = true;
      child = j;
      changed = true;
      continue;
    }
    // Correlated scalar subqueries: left outer join with the subquery grouped by its
    // correlation columns.
    ExprPtr c2 = c;
    if (hasPredicateSubquery(c)) {  // IN / EXISTS under OR (the top-level ones are above)
      c2 = markJoins(c, child, true);
      changed = true;
      if (!hasCorrelatedScalar(c2)) {
        keep.push_back(c2);
        continue;
      }
    }
    if (!hasCorrelatedScalar(c2)) {
      keep.push_back(c2);
      continue;
    }
    ExprPtr rewritten = decorrelateScalars(c2, child);
    keep.push_back(rewritten);
    changed = true;
  }
  if (!changed) return nullptr;
  PlanPtr f = filterOver(child, keep);
  if (f->output.size() == originalOutput.size()) return f;
  auto proj = makePlan(PlanKind::Project, {f});
  for (const auto& a : originalOutput) proj->exprs.push_back(refTo(a));
  proj->output = originalOutput;
  proj->resolved = true;
  return proj;
}

// Correlated scalar subqueries in a select list: the same joins, below the projection.
PlanPtr rewriteProject(const LogicalPlan& project, PlanPtr child) {
  bool any = false;
  for (const auto& e : project.exprs)
    any = any || hasCorrelatedScalar(e) || hasPredicateSubquery(e);
  if (!any) return nullptr;
  auto p = std::make_shared<LogicalPlan>(project);
  p->exprs.clear();
  for (const auto& e : project.exprs) {
    // IN / EXISTS in a select list (`CASE WHEN a IN (SELECT ...) ...`): mark joins below.
    ExprPtr x = hasPredicateSubquery(e) ? markJoins(e, child, false) : e;
    p->exprs.push_back(hasCorrelatedScalar(x) ? decorrelateScalars(x, child) : x);
  }
  p->children = {child};
  return p;
}
}  // namespace

PlanPtr rewriteSubqueries(const PlanPtr& plan) {
  std::vector<PlanPtr> kids;
  bool changed = false;
  for (const auto& c : plan->children) {
    kids.push_back(rewriteSubqueries(c));
    changed = changed || kids.back() != c;
  }
  if (plan->kind == PlanKind::Filter) {
    if (auto r = rewriteFilter(*plan, kids[0])) return r;
  }
  if (plan->kind == PlanKind::Project) {
    if (auto r = rewriteProject(*plan, kids[0])) return r;
  }
  if (!changed) return plan;
  return withChildren(*plan, kids);
}

PlanPtr rewriteSetOperations(const PlanPtr& plan) {
  std::vector<PlanPtr> kids;
  for (const auto& c : plan->children) kids.push_back(rewriteSetOperations(c));
  if (plan->kind == PlanKind::SetOp && plan->setOp != SetOpKind::Union) {
    const char* name = plan->setOp == SetOpKind::Intersect ? "INTERSECT" : "EXCEPT";
    // (INTERSECT ALL / EXCEPT ALL are rewritten by the analyzer: Analyzer::setOpAll.)
    if (plan->all) throw InternalError(std::string(name) + " ALL reached the optimizer");
    const auto& l = kids[0]->output;
    const auto& r = kids[1]->output;
    std::vector<ExprPtr> conds;
    for (size_t i = 0; i < l.size(); ++i) conds.push_back(nullSafeEquals(refTo(l[i]), refTo(r[i])));
    auto j = makePlan(PlanKind::Join, {kids[0], kids[1]});
    j->joinType = plan->setOp == SetOpKind::Intersect ? JoinType::LeftSemi : JoinType::LeftAnti;
    j->exprs = {conjunction(conds)};
    j->output = deriveOutput(*j);
    j->resolved = true;
    auto d = makePlan(PlanKind::Distinct, {j});
    d->output = j->output;
    d->resolved = true;
    return relabel(d, plan->output);
  }
  bool changed = false;
  for (size_t i = 0; i < kids.size(); ++i) changed = changed || kids[i] != plan->children[i];
  return changed ? withChildren(*plan, kids) : plan;
}

namespace {
void disjuncts(const ExprPtr& e, std::vector<ExprPtr>& out) {
  if (e->kind == ExprKind::Call && e->name == "or" && e->args.size() == 2) {
    disjuncts(e->args[0], out);
    disjuncts(e->args[1], out);
  } else {
    out.push_back(e);
  }
}

ExprPtr makeOr(const ExprPtr& a, const ExprPtr& b) {
  auto e = std::make_shared<Expr>();
  e->kind = ExprKind::Call;
  e->name = "or";
  e->args = {a, b};
  e->type = DataType::boolean();
  e->resolved = true;
  return e;
}

// (A and B) or (A and C)  ->  A and (B or C): exposes join keys repeated in every branch
// of a disjunction (TPC-H Q19) to the join planner.
ExprPtr factorDisjunction(const ExprPtr& e) {
  std::vector<ExprPtr> branches;
  disjuncts(e, branches);
  if (branches.size() < 2) return e;
  std::vector<std::vector<ExprPtr>> parts(branches.size());
  for (size_t i = 0; i < branches.size(); ++i) conjuncts(branches[i], parts[i]);
  std::vector<ExprPtr> common;
  for (const auto& c : parts[0]) {
    bool everywhere = true;
    for (size_t i = 1; i < parts.size() && everywhere; ++i) {
      bool found = false;
      for (const auto& d : parts[i]) found = found || sameExpr(c, d);
      everywhere = found;
    }
    if (everywhere) common.push_back(c);
  }
  if (common.empty()) return e;
  ExprPtr rest;
  for (auto& branch : parts) {
    std::vector<ExprPtr> left;
    for (const auto& c : branch) {
      bool isCommon = false;
      for (const auto& k : common) isCommon = isCommon || sameExpr(c, k);
      if (!isCommon) left.push_back(c);
    }
    if (left.empty()) return conjunction(common);  // one branch is just the common part
    ExprPtr b = conjunction(left);
    rest = rest ? makeOr(rest, b) : b;
  }
  common.push_back(rest);
  return conjunction(common);
}

ExprPtr foldExpr(const ExprPtr& e, const OptimizerOptions& o) {
  return transformExpr(e, [&](const ExprPtr& x) -> ExprPtr {
    if (x->kind == ExprKind::Call && x->name == "or") return factorDisjunction(x);
    if (x->kind == ExprKind::Call && x->name == "and" && x->args.size() == 2) {
      for (int i = 0; i < 2; ++i) {
        const auto& a = x->args[static_cast<size_t>(i)];
        if (a->kind == ExprKind::Literal && !a->value.isNull() && a->type.id() == TypeId::Boolean)
          return a->value.asBool() ? x->args[static_cast<size_t>(1 - i)] : a;
      }
    }
    if (x->kind == ExprKind::Call && x->name == "or" && x->args.size() == 2) {
      for (int i = 0; i < 2; ++i) {
        const auto& a = x->args[static_cast<size_t>(i)];
        if (a->kind == ExprKind::Literal && !a->value.isNull() && a->type.id() == TypeId::Boolean)
          return a->value.asBool() ? a : x->args[static_cast<size_t>(1 - i)];
      }
    }
    if (!o.evalConstant) return x;
    if (x->kind != ExprKind::Call && x->kind != ExprKind::Cast) return x;
    if (x->kind == ExprKind::Call &&
        (x->name == "rand" || x->name == "random" || x->name == "current_date" ||
         x->name == "spark_partition_id" || x->name == "current_timestamp" || x->name == "now" ||
         x->name == "uuid"))
      return x;
    for (const auto& a : x->args)
      if (a->kind != ExprKind::Literal) return x;
    try {
      Value v = o.evalConstant(x);
      auto l = lit(v);
      auto m = std::make_shared<Expr>(*l);
      m->type = x->type;
      m->position = x->position;
      return m;
    } catch (const EmberError&) {
      return x;  // leave it: the error (if any) surfaces at run time with its context
    }
  });
}
}  // namespace

PlanPtr foldConstants(const PlanPtr& plan, const OptimizerOptions& o) {
  auto n = std::make_shared<LogicalPlan>(*plan);
  for (auto& c : n->children) c = foldConstants(c, o);
  if (n->kind == PlanKind::Generate) {
    // The generator itself is not a scalar function: fold its argument only.
    auto g = std::make_shared<Expr>(*n->exprs[0]);
    for (auto& a : g->args) a = foldExpr(a, o);
    n->exprs[0] = g;
    return n;
  }
  for (auto& e : n->exprs)
    if (e) e = foldExpr(e, o);
  for (auto& g : n->groupBy) g = foldExpr(g, o);
  for (auto& s : n->order) s.expr = foldExpr(s.expr, o);
  return n;
}

}  // namespace ember::sql
