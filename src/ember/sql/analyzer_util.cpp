// Tree helpers shared by the analyzer and the optimizer.
#include <unordered_map>

#include "ember/sql/analyzer.h"

namespace ember::sql {

void forEachExpr(const ExprPtr& e, const std::function<void(const ExprPtr&)>& f) {
  if (!e) return;
  f(e);
  for (const auto& a : e->args) forEachExpr(a, f);
  if (e->window) {
    for (const auto& p : e->window->partitionBy) forEachExpr(p, f);
    for (const auto& o : e->window->orderBy) forEachExpr(o.expr, f);
  }
}

ExprPtr transformExpr(const ExprPtr& e, const std::function<ExprPtr(const ExprPtr&)>& f) {
  if (!e) return e;
  bool changed = false;
  std::vector<ExprPtr> args;
  args.reserve(e->args.size());
  for (const auto& a : e->args) {
    args.push_back(transformExpr(a, f));
    changed |= args.back() != a;
  }
  std::shared_ptr<const WindowSpec> window = e->window;
  if (e->window) {
    auto w = std::make_shared<WindowSpec>(*e->window);
    bool wc = false;
    for (auto& p : w->partitionBy) {
      auto n = transformExpr(p, f);
      wc |= n != p;
      p = n;
    }
    for (auto& o : w->orderBy) {
      auto n = transformExpr(o.expr, f);
      wc |= n != o.expr;
      o.expr = n;
    }
    if (wc) {
      window = w;
      changed = true;
    }
  }
  if (!changed) return f(e);
  auto copy = std::make_shared<Expr>(*e);
  copy->args = std::move(args);
  copy->window = window;
  return f(copy);
}

bool sameExpr(const ExprPtr& a, const ExprPtr& b) {
  if (a == b) return true;
  if (!a || !b) return false;
  if (a->kind != b->kind || a->args.size() != b->args.size()) return false;
  switch (a->kind) {
    case ExprKind::Literal:
      if (!(a->value == b->value)) return false;
      break;
    case ExprKind::ColumnRef:
    case ExprKind::OuterRef:
      if (a->resolved && b->resolved) return a->id == b->id;
      if (!equalsIgnoreCase(a->name, b->name) || a->qualifier.size() != b->qualifier.size())
        return false;
      for (size_t i = 0; i < a->qualifier.size(); ++i)
        if (!equalsIgnoreCase(a->qualifier[i], b->qualifier[i])) return false;
      break;
    case ExprKind::Alias:
      return sameExpr(a->args[0], b->args[0]);
    case ExprKind::Lambda:  // same body and parameters (ids: resolved ones differ per lambda)
      break;
    case ExprKind::Call:
    case ExprKind::AggregateCall:
      if (a->name != b->name || a->distinct != b->distinct || a->hasFilter != b->hasFilter)
        return false;
      break;
    case ExprKind::Cast:
      if (a->type != b->type) return false;
      break;
    case ExprKind::WindowCall:
    case ExprKind::ScalarSubquery:
    case ExprKind::InSubquery:
    case ExprKind::Exists:
      return false;  // never merged
    case ExprKind::Star:
      return false;
  }
  for (size_t i = 0; i < a->args.size(); ++i)
    if (!sameExpr(a->args[i], b->args[i])) return false;
  return true;
}

bool containsAggregate(const ExprPtr& e) {
  if (!e) return false;
  if (e->kind == ExprKind::AggregateCall) return true;
  if (e->kind == ExprKind::WindowCall) {
    // sum(x) OVER (...) is a window aggregate; only aggregates inside its arguments or
    // its window (sum(sum(x)) OVER ...) are grouping aggregates.
    for (const auto& a : e->args[0]->args)
      if (containsAggregate(a)) return true;
    if (e->window) {
      for (const auto& p : e->window->partitionBy)
        if (containsAggregate(p)) return true;
      for (const auto& o : e->window->orderBy)
        if (containsAggregate(o.expr)) return true;
    }
    return false;
  }
  for (const auto& a : e->args)
    if (containsAggregate(a)) return true;
  return false;
}

bool containsWindow(const ExprPtr& e) {
  bool found = false;
  forEachExpr(e, [&](const ExprPtr& x) {
    if (x->kind == ExprKind::WindowCall) found = true;
  });
  return found;
}

Attribute toAttribute(const Expr& e) {
  Attribute a;
  a.type = e.type;
  a.nullable = e.nullable;
  if (e.kind == ExprKind::Alias) {
    a.name = e.name;
    a.id = e.id;
  } else if (e.kind == ExprKind::ColumnRef) {
    a.name = e.name;
    a.id = e.id;
    a.qualifier = e.qualifier;
  } else {
    a.name = e.prettyName();
    a.id = e.id;
  }
  return a;
}

namespace {
// newInstance: rebuilds bottom-up; leaves and aliases get fresh ids recorded in `ids`.
struct Reinstancer {
  std::unordered_map<int64_t, int64_t> ids;

  int64_t fresh(int64_t old) {
    int64_t n = newAttributeId();
    ids[old] = n;
    return n;
  }
  ExprPtr expr(const ExprPtr& e) {
    return transformExpr(e, [&](const ExprPtr& x) -> ExprPtr {
      if ((x->kind == ExprKind::ColumnRef || x->kind == ExprKind::OuterRef) && x->resolved) {
        auto it = ids.find(x->id);
        if (it == ids.end()) return x;
        auto c = std::make_shared<Expr>(*x);
        c->id = it->second;
        return c;
      }
      if (x->kind == ExprKind::Alias && x->id >= 0) {
        auto c = std::make_shared<Expr>(*x);
        c->id = fresh(x->id);
        return c;
      }
      if (x->subquery) {
        auto c = std::make_shared<Expr>(*x);
        c->subquery = plan(x->subquery);
        return c;
      }
      return x;
    });
  }
  PlanPtr plan(const PlanPtr& p) {
    auto n = std::make_shared<LogicalPlan>(*p);
    for (auto& [name, cte] : n->ctes) cte = plan(cte);
    for (auto& c : n->children) c = plan(c);
    if (p->kind == PlanKind::FileScan || p->kind == PlanKind::LocalRelation ||
        p->kind == PlanKind::Range) {
      for (auto& a : n->output) a.id = fresh(a.id);
      return n;
    }
    for (auto& e : n->exprs) e = expr(e);
    for (auto& e : n->groupBy) e = expr(e);
    for (auto& o : n->order) o.expr = expr(o.expr);
    for (auto& a : n->generatorOutput) a.id = fresh(a.id);  // Generate's own columns
    for (auto& a : n->output) {
      auto it = ids.find(a.id);
      if (it != ids.end()) a.id = it->second;
    }
    return n;
  }
};
}  // namespace

PlanPtr newInstance(const PlanPtr& plan) { return Reinstancer{}.plan(plan); }

}  // namespace ember::sql
