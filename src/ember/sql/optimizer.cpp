#include "ember/sql/optimizer.h"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "ember/common/errors.h"
#include "ember/sql/analyzer.h"
#include "ember/sql/analyzer_internal.h"
#include "ember/sql/optimizer_internal.h"
#include "ember/sql/planner.h"

namespace ember::sql {

// ---------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------
IdSet idsOf(const std::vector<Attribute>& attrs) {
  IdSet s;
  for (const auto& a : attrs) s.insert(a.id);
  return s;
}

IdSet referencedIds(const ExprPtr& e) {
  IdSet s;
  forEachExpr(e, [&](const ExprPtr& x) {
    if (x->kind == ExprKind::ColumnRef) s.insert(x->id);
  });
  return s;
}

bool subsetOf(const IdSet& a, const IdSet& b) {
  for (auto id : a)
    if (!b.count(id)) return false;
  return true;
}

bool hasOuterRef(const ExprPtr& e) {
  bool found = false;
  forEachExpr(e, [&](const ExprPtr& x) {
    if (x->kind == ExprKind::OuterRef) found = true;
  });
  return found;
}

bool hasSubquery(const ExprPtr& e) {
  bool found = false;
  forEachExpr(e, [&](const ExprPtr& x) {
    if (x->subquery) found = true;
  });
  return found;
}

void conjuncts(const ExprPtr& e, std::vector<ExprPtr>& out) {
  if (!e) return;
  if (e->kind == ExprKind::Call && e->name == "and" && e->args.size() == 2) {
    conjuncts(e->args[0], out);
    conjuncts(e->args[1], out);
  } else {
    out.push_back(e);
  }
}

ExprPtr conjunction(const std::vector<ExprPtr>& cs) {
  if (cs.empty()) return nullptr;
  ExprPtr r = cs[0];
  for (size_t i = 1; i < cs.size(); ++i) {
    auto a = std::make_shared<Expr>();
    a->kind = ExprKind::Call;
    a->name = "and";
    a->args = {r, cs[i]};
    a->type = DataType::boolean();
    a->resolved = true;
    r = a;
  }
  return r;
}

ExprPtr equals(const ExprPtr& a, const ExprPtr& b) {
  auto e = std::make_shared<Expr>();
  e->kind = ExprKind::Call;
  e->name = "=";
  e->args = {a, b};
  e->type = DataType::boolean();
  e->resolved = true;
  return e;
}

// Output of a resolved node computed from its children (after children changed).
std::vector<Attribute> deriveOutput(const LogicalPlan& p) {
  auto nullable = [](std::vector<Attribute> v) {
    for (auto& a : v) a.nullable = true;
    return v;
  };
  switch (p.kind) {
    case PlanKind::Filter:
    case PlanKind::Sort:
    case PlanKind::Limit:
    case PlanKind::Distinct:
    case PlanKind::Sample:
    case PlanKind::Repartition:
    case PlanKind::LocalSort:
      return p.children[0]->output;
    case PlanKind::SubqueryAlias: {
      auto out = p.children[0]->output;
      for (auto& a : out) a.qualifier = {p.name.empty() ? "" : p.name.back()};
      return out;
    }
    case PlanKind::Project:
    case PlanKind::Aggregate: {
      std::vector<Attribute> out;
      for (const auto& e : p.exprs) out.push_back(toAttribute(*e));
      return out;
    }
    case PlanKind::Window: {
      auto out = p.children[0]->output;
      for (const auto& e : p.exprs) out.push_back(toAttribute(*e));
      return out;
    }
    case PlanKind::Generate: {
      auto out = p.children[0]->output;
      out.insert(out.end(), p.generatorOutput.begin(), p.generatorOutput.end());
      return out;
    }
    case PlanKind::InMemoryRelation:  // opaque: the cached plan keeps all its columns
      return p.output;
    case PlanKind::Join: {
      const auto& l = p.children[0]->output;
      const auto& r = p.children[1]->output;
      std::vector<Attribute> out;
      switch (p.joinType) {
        case JoinType::LeftSemi:
        case JoinType::LeftAnti:
          return l;
        case JoinType::LeftOuter:
          out = l;
          for (const auto& a : nullable(r)) out.push_back(a);
          return out;
        case JoinType::RightOuter:
          out = nullable(l);
          out.insert(out.end(), r.begin(), r.end());
          return out;
        case JoinType::FullOuter:
          out = nullable(l);
          for (const auto& a : nullable(r)) out.push_back(a);
          return out;
        default:
          out = l;
          out.insert(out.end(), r.begin(), r.end());
          return out;
      }
    }
    default:
      return p.output;
  }
}

PlanPtr withChildren(const LogicalPlan& p, std::vector<PlanPtr> children) {
  auto n = std::make_shared<LogicalPlan>(p);
  n->children = std::move(children);
  n->output = deriveOutput(*n);
  return n;
}

PlanPtr filterOver(PlanPtr child, const std::vector<ExprPtr>& cs) {
  if (cs.empty()) return child;
  auto f = makePlan(PlanKind::Filter, {child});
  f->exprs = {conjunction(cs)};
  f->output = child->output;
  f->resolved = true;
  return f;
}

// ---------------------------------------------------------------------------------
// Predicate pushdown
// ---------------------------------------------------------------------------------
namespace {

bool deterministic(const ExprPtr& e) {
  bool ok = true;
  forEachExpr(e, [&](const ExprPtr& x) {
    if (x->kind == ExprKind::Call &&
        (x->name == "rand" || x->name == "random" || x->name == "uuid"))
      ok = false;
  });
  return ok;
}

// Replaces references to a Project's aliases by the aliased expressions.
ExprPtr substituteAliases(const ExprPtr& e, const std::vector<ExprPtr>& projectList) {
  std::unordered_map<int64_t, ExprPtr> aliases;
  for (const auto& p : projectList)
    if (p->kind == ExprKind::Alias) aliases[p->id] = p->args[0];
  return transformExpr(e, [&](const ExprPtr& x) -> ExprPtr {
    if (x->kind == ExprKind::ColumnRef) {
      auto it = aliases.find(x->id);
      if (it != aliases.end()) return it->second;
    }
    return x;
  });
}

PlanPtr pushDown(const PlanPtr& plan);

// Pushes `cs` (conjuncts over `plan`'s output) as far down into `plan` as they go.
PlanPtr pushInto(const PlanPtr& plan, std::vector<ExprPtr> cs) {
  if (cs.empty()) return plan;
  const LogicalPlan& p = *plan;
  std::vector<ExprPtr> stay;
  switch (p.kind) {
    case PlanKind::Filter: {
      conjuncts(p.exprs[0], cs);
      return pushInto(p.children[0], cs);
    }
    case PlanKind::SubqueryAlias:
      return withChildren(p, {pushInto(p.children[0], cs)});
    case PlanKind::Repartition:
    case PlanKind::LocalSort: {
      // Filtering before the shuffle moves fewer rows; rows keep their partition.
      std::vector<ExprPtr> below;
      for (const auto& c : cs) (deterministic(c) && !hasSubquery(c) ? below : stay).push_back(c);
      if (below.empty()) return filterOver(plan, stay);
      return filterOver(withChildren(p, {pushInto(p.children[0], below)}), stay);
    }
    case PlanKind::Project: {
      std::vector<ExprPtr> below;
      for (const auto& c : cs) {
        bool ok = deterministic(c) && !hasSubquery(c);
        for (const auto& e : p.exprs)
          if (e->kind == ExprKind::Alias && !deterministic(e)) ok = false;
        if (ok)
          below.push_back(substituteAliases(c, p.exprs));
        else
          stay.push_back(c);
      }
      if (below.empty()) return filterOver(plan, stay);
      return filterOver(withChildren(p, {pushInto(p.children[0], below)}), stay);
    }
    case PlanKind::Aggregate: {
      // Conjuncts over grouping keys only move below the aggregation.
      IdSet keyIds;
      std::vector<ExprPtr> keyOutputs;
      for (const auto& e : p.exprs) {
        ExprPtr inner = e->kind == ExprKind::Alias ? e->args[0] : e;
        for (const auto& g : p.groupBy)
          if (sameExpr(inner, g)) {
            keyIds.insert(e->id);
            keyOutputs.push_back(e);
          }
      }
      std::vector<ExprPtr> below;
      for (const auto& c : cs) {
        if (!p.groupBy.empty() && subsetOf(referencedIds(c), keyIds) && deterministic(c) &&
            !hasSubquery(c))
          below.push_back(substituteAliases(c, keyOutputs));
        else
          stay.push_back(c);
      }
      if (below.empty()) return filterOver(plan, stay);
      return filterOver(withChildren(p, {pushInto(p.children[0], below)}), stay);
    }
    case PlanKind::Join: {
      IdSet l = idsOf(p.children[0]->output), r = idsOf(p.children[1]->output);
      std::vector<ExprPtr> toLeft, toRight, toJoin;
      JoinType t = p.joinType;
      bool inner = t == JoinType::Inner || t == JoinType::Cross;
      for (const auto& c : cs) {
        IdSet ids = referencedIds(c);
        bool sub = hasSubquery(c);
        if (!sub && subsetOf(ids, l) &&
            (inner || t == JoinType::LeftOuter || t == JoinType::LeftSemi ||
             t == JoinType::LeftAnti))
          toLeft.push_back(c);
        else if (!sub && subsetOf(ids, r) && (inner || t == JoinType::RightOuter))
          toRight.push_back(c);
        else if (!sub && inner)
          toJoin.push_back(c);
        else
          stay.push_back(c);
      }
      auto n = std::make_shared<LogicalPlan>(p);
      if (!toJoin.empty()) {
        std::vector<ExprPtr> cond;
        if (!p.exprs.empty() && p.exprs[0]) conjuncts(p.exprs[0], cond);
        cond.insert(cond.end(), toJoin.begin(), toJoin.end());
        n->exprs = {conjunction(cond)};
        if (n->joinType == JoinType::Cross) n->joinType = JoinType::Inner;
      }
      n->children = {pushInto(p.children[0], toLeft), pushInto(p.children[1], toRight)};
      n->output = deriveOutput(*n);
      return filterOver(n, stay);
    }
    case PlanKind::Generate: {
      // Conjuncts over the input's columns run before the rows are multiplied.
      IdSet in = idsOf(p.children[0]->output);
      std::vector<ExprPtr> below;
      for (const auto& c : cs) {
        if (deterministic(c) && !hasSubquery(c) && subsetOf(referencedIds(c), in))
          below.push_back(c);
        else
          stay.push_back(c);
      }
      if (below.empty()) return filterOver(plan, stay);
      return filterOver(withChildren(p, {pushInto(p.children[0], below)}), stay);
    }
    default:
      return filterOver(plan, cs);
  }
}

// Pushes one-sided conjuncts of join conditions into the join's inputs.
PlanPtr pushJoinCondition(const LogicalPlan& p, std::vector<PlanPtr> kids) {
  auto n = std::make_shared<LogicalPlan>(p);
  n->children = std::move(kids);
  if (p.exprs.empty() || !p.exprs[0]) {
    n->output = deriveOutput(*n);
    return n;
  }
  IdSet l = idsOf(n->children[0]->output), r = idsOf(n->children[1]->output);
  std::vector<ExprPtr> cs, keep, toLeft, toRight;
  conjuncts(p.exprs[0], cs);
  JoinType t = p.joinType;
  for (const auto& c : cs) {
    IdSet ids = referencedIds(c);
    bool sub = hasSubquery(c);
    if (!sub && !ids.empty() && subsetOf(ids, l) &&
        (t == JoinType::Inner || t == JoinType::RightOuter || t == JoinType::LeftSemi))
      toLeft.push_back(c);
    else if (!sub && !ids.empty() && subsetOf(ids, r) &&
             (t == JoinType::Inner || t == JoinType::LeftOuter || t == JoinType::LeftSemi ||
              t == JoinType::LeftAnti))
      toRight.push_back(c);
    else
      keep.push_back(c);
  }
  n->exprs = keep.empty() ? std::vector<ExprPtr>{} : std::vector<ExprPtr>{conjunction(keep)};
  n->children = {pushInto(n->children[0], toLeft), pushInto(n->children[1], toRight)};
  n->output = deriveOutput(*n);
  return n;
}

PlanPtr pushDown(const PlanPtr& plan) {
  std::vector<PlanPtr> kids;
  for (const auto& c : plan->children) kids.push_back(pushDown(c));
  if (plan->kind == PlanKind::Filter) {
    std::vector<ExprPtr> cs;
    conjuncts(plan->exprs[0], cs);
    return pushInto(kids[0], cs);
  }
  if (plan->kind == PlanKind::Join) return pushJoinCondition(*plan, kids);
  if (kids == plan->children) return plan;
  return withChildren(*plan, kids);
}

// ---------------------------------------------------------------------------------
// Join reordering: a tree of inner joins becomes a left-deep chain in which every join
// has a condition (no accidental cross products), starting from the largest input and
// adding the smallest connected input next.
// ---------------------------------------------------------------------------------
void flattenInner(const PlanPtr& p, std::vector<PlanPtr>& leaves, std::vector<ExprPtr>& conds) {
  if (p->kind == PlanKind::Join &&
      (p->joinType == JoinType::Inner || p->joinType == JoinType::Cross)) {
    flattenInner(p->children[0], leaves, conds);
    flattenInner(p->children[1], leaves, conds);
    if (!p->exprs.empty() && p->exprs[0]) conjuncts(p->exprs[0], conds);
    return;
  }
  if (p->kind == PlanKind::Filter && p->children[0]->kind == PlanKind::Join &&
      (p->children[0]->joinType == JoinType::Inner ||
       p->children[0]->joinType == JoinType::Cross)) {
    std::vector<ExprPtr> cs;
    conjuncts(p->exprs[0], cs);
    bool pure = true;
    for (const auto& c : cs) pure = pure && !hasSubquery(c);
    if (pure) {
      conds.insert(conds.end(), cs.begin(), cs.end());
      flattenInner(p->children[0], leaves, conds);
      return;
    }
  }
  leaves.push_back(p);
}

PlanPtr reorder(const PlanPtr& plan);

// Whether attribute `id` is the first column of the base table (scan or local
// relation) it comes from inside `p`.
bool isLeadingColumn(const LogicalPlan& p, int64_t id) {
  if (p.kind == PlanKind::Range) return !p.output.empty() && p.output[0].id == id;
  if (p.kind == PlanKind::FileScan || p.kind == PlanKind::LocalRelation) {
    if (p.kind == PlanKind::FileScan) {
      const Schema& s = p.source->userSchema;
      for (const auto& a : p.output)
        if (a.id == id) return s.size() > 0 && equalsIgnoreCase(s.field(0).name, a.name);
      return false;
    }
    return !p.output.empty() && p.output[0].id == id;
  }
  if (p.kind == PlanKind::Project) {
    // Through plain column references only.
    for (const auto& e : p.exprs)
      if (e->kind == ExprKind::ColumnRef && e->id == id) return isLeadingColumn(*p.children[0], id);
    return false;
  }
  if (p.kind == PlanKind::Filter || p.kind == PlanKind::SubqueryAlias)
    return isLeadingColumn(*p.children[0], id);
  if (p.kind == PlanKind::Join)
    return isLeadingColumn(*p.children[0], id) || isLeadingColumn(*p.children[1], id);
  return false;
}

PlanPtr reorderJoinTree(const PlanPtr& plan) {
  std::vector<PlanPtr> leaves;
  std::vector<ExprPtr> conds;
  flattenInner(plan, leaves, conds);
  for (auto& l : leaves) l = reorder(l);
  if (leaves.size() <= 2 && conds.size() <= 1) {
    // Nothing to gain; keep the tree but with reordered inputs.
    std::vector<PlanPtr> kids;
    for (const auto& c : plan->children) kids.push_back(reorder(c));
    return withChildren(*plan, kids);
  }
  std::vector<int64_t> size;
  for (const auto& l : leaves) size.push_back(estimateBytes(*l));
  std::vector<bool> used(leaves.size(), false);
  size_t start = static_cast<size_t>(std::max_element(size.begin(), size.end()) - size.begin());
  PlanPtr cur = leaves[start];
  used[start] = true;
  IdSet curIds = idsOf(cur->output);
  int64_t curSize = size[start];
  IdSet keyIds;  // leading columns of the inputs joined so far
  for (const auto& a : cur->output)
    if (isLeadingColumn(*cur, a.id)) keyIds.insert(a.id);
  std::vector<bool> condUsed(conds.size(), false);
  for (size_t step = 1; step < leaves.size(); ++step) {
    // The connected input with the smallest estimated join result. Without column
    // statistics, a base table's leading column stands for its key: joining on it
    // (cur.fk = next.key) keeps the current size, joining on a key of the current set
    // (next.fk = cur.key) gives the new input's size, and a join on non-key columns on
    // both sides (e.g. nation keys of customers and suppliers) is assumed to multiply
    // rows. Ties go to the smaller input.
    int best = -1;
    double bestCost = 0;
    for (size_t i = 0; i < leaves.size(); ++i) {
      if (used[i]) continue;
      IdSet li = idsOf(leaves[i]->output);
      bool connected = false;
      double cost = -1;
      double cs = static_cast<double>(curSize), ns = static_cast<double>(size[i]);
      for (size_t c = 0; c < conds.size(); ++c) {
        if (condUsed[c]) continue;
        IdSet ids = referencedIds(conds[c]);
        bool touchesL = false, touchesCur = false, other = false;
        for (auto id : ids) {
          if (li.count(id))
            touchesL = true;
          else if (curIds.count(id))
            touchesCur = true;
          else
            other = true;
        }
        if (!(touchesL && touchesCur && !other)) continue;
        connected = true;
        double est = std::max(cs, ns) * 16;  // non-key join
        for (auto id : ids) {
          if (li.count(id) && isLeadingColumn(*leaves[i], id)) est = std::min(est, cs);
          if (curIds.count(id) && keyIds.count(id)) est = std::min(est, ns);
        }
        cost = cost < 0 ? est : std::min(cost, est);
      }
      if (!connected) continue;
      if (best < 0 || cost < bestCost ||
          (cost == bestCost && size[i] < size[static_cast<size_t>(best)])) {
        best = static_cast<int>(i);
        bestCost = cost;
      }
    }
    if (best < 0) {
      for (size_t i = 0; i < leaves.size(); ++i)
        if (!used[i] && (best < 0 || size[i] < size[static_cast<size_t>(best)]))
          best = static_cast<int>(i);
    }
    auto& next = leaves[static_cast<size_t>(best)];
    used[static_cast<size_t>(best)] = true;
    curSize = bestCost > 0 ? static_cast<int64_t>(std::min(bestCost, 9e18))
                           : curSize * size[static_cast<size_t>(best)];
    for (const auto& a : next->output)
      if (isLeadingColumn(*next, a.id)) keyIds.insert(a.id);
    IdSet both = curIds;
    for (const auto& a : next->output) both.insert(a.id);
    std::vector<ExprPtr> joinConds;
    for (size_t c = 0; c < conds.size(); ++c)
      if (!condUsed[c] && subsetOf(referencedIds(conds[c]), both)) {
        joinConds.push_back(conds[c]);
        condUsed[c] = true;
      }
    auto j = makePlan(PlanKind::Join, {cur, next});
    j->joinType = joinConds.empty() ? JoinType::Cross : JoinType::Inner;
    if (!joinConds.empty()) j->exprs = {conjunction(joinConds)};
    j->output = deriveOutput(*j);
    j->resolved = true;
    cur = j;
    curIds = both;
  }
  std::vector<ExprPtr> rest;
  for (size_t c = 0; c < conds.size(); ++c)
    if (!condUsed[c]) rest.push_back(conds[c]);
  cur = filterOver(cur, rest);
  // The original column order is restored by a projection.
  auto proj = makePlan(PlanKind::Project, {cur});
  for (const auto& a : plan->output) proj->exprs.push_back(refTo(a));
  proj->output = plan->output;
  proj->resolved = true;
  return proj;
}

PlanPtr reorder(const PlanPtr& plan) {
  if (plan->kind == PlanKind::Join &&
      (plan->joinType == JoinType::Inner || plan->joinType == JoinType::Cross))
    return reorderJoinTree(plan);
  std::vector<PlanPtr> kids;
  for (const auto& c : plan->children) kids.push_back(reorder(c));
  if (kids == plan->children) return plan;
  return withChildren(*plan, kids);
}

// ---------------------------------------------------------------------------------
// Projection pruning: every node keeps only the columns its parents use.
// ---------------------------------------------------------------------------------
void addRefs(const ExprPtr& e, IdSet& s) {
  forEachExpr(e, [&](const ExprPtr& x) {
    if (x->kind == ExprKind::ColumnRef) s.insert(x->id);
    if (x->subquery) {
      // Correlated references of an unrewritten subquery point at our columns.
      std::function<void(const LogicalPlan&)> walk = [&](const LogicalPlan& q) {
        auto visit = [&](const ExprPtr& y) {
          forEachExpr(y, [&](const ExprPtr& z) {
            if (z->kind == ExprKind::OuterRef) s.insert(z->id);
          });
        };
        for (const auto& y : q.exprs) visit(y);
        for (const auto& y : q.groupBy) visit(y);
        for (const auto& c : q.children) walk(*c);
      };
      walk(*x->subquery);
    }
  });
}

PlanPtr prune(const PlanPtr& plan, const IdSet& required) {
  const LogicalPlan& p = *plan;
  switch (p.kind) {
    case PlanKind::FileScan: {
      auto n = std::make_shared<LogicalPlan>(p);
      n->output.clear();
      for (const auto& a : p.output)
        if (required.count(a.id)) n->output.push_back(a);
      if (n->output.empty() && !p.output.empty())
        n->output.push_back(p.output[0]);  // rows still count
      return n;
    }
    case PlanKind::LocalRelation:
    case PlanKind::OneRow:
    case PlanKind::Range:
      return plan;
    case PlanKind::Project: {
      auto n = std::make_shared<LogicalPlan>(p);
      n->exprs.clear();
      for (const auto& e : p.exprs)
        if (required.count(e->id)) n->exprs.push_back(e);
      IdSet need;
      for (const auto& e : n->exprs) addRefs(e, need);
      n->children = {prune(p.children[0], need)};
      n->output = deriveOutput(*n);
      return n;
    }
    case PlanKind::Aggregate: {
      auto n = std::make_shared<LogicalPlan>(p);
      n->exprs.clear();
      for (const auto& e : p.exprs)
        if (required.count(e->id)) n->exprs.push_back(e);
      IdSet need;
      for (const auto& e : n->exprs) addRefs(e, need);
      for (const auto& g : p.groupBy) addRefs(g, need);
      n->children = {prune(p.children[0], need)};
      n->output = deriveOutput(*n);
      return n;
    }
    case PlanKind::Window:
    case PlanKind::Generate: {
      IdSet need = required;
      for (const auto& e : p.exprs) addRefs(e, need);
      return withChildren(p, {prune(p.children[0], need)});
    }
    case PlanKind::Filter:
    case PlanKind::Sort:
    case PlanKind::Limit:
    case PlanKind::Sample:
    case PlanKind::SubqueryAlias:
    case PlanKind::Repartition:
    case PlanKind::LocalSort:
    case PlanKind::Join: {
      IdSet need = required;
      for (const auto& e : p.exprs)
        if (e) addRefs(e, need);
      for (const auto& o : p.order) addRefs(o.expr, need);
      std::vector<PlanPtr> kids;
      for (const auto& c : p.children) kids.push_back(prune(c, need));
      return withChildren(p, kids);
    }
    case PlanKind::Distinct:
    case PlanKind::SetOp: {
      // Every column matters (distinctness, positions).
      std::vector<PlanPtr> kids;
      for (const auto& c : p.children) kids.push_back(prune(c, idsOf(c->output)));
      auto n = std::make_shared<LogicalPlan>(p);
      n->children = kids;
      if (p.kind == PlanKind::Distinct) n->output = deriveOutput(*n);
      return n;
    }
    default:
      return plan;
  }
}

}  // namespace

PlanPtr optimize(const PlanPtr& analyzed, const OptimizerOptions& options) {
  PlanPtr p = rewriteSetOperations(analyzed);
  p = rewriteSubqueries(p);
  p = foldConstants(p, options);
  p = pushDown(p);
  p = reorder(p);
  p = pushDown(p);
  p = prune(p, idsOf(p->output));
  return p;
}

}  // namespace ember::sql
