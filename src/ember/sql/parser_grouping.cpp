// GROUP BY GROUPING SETS / ROLLUP / CUBE, grouping() / grouping_id(), and PIVOT.
//
// Translated into one aggregate per grouping set, combined with UNION ALL: in the branch
// of a set, the grouping expressions outside the set read as NULL in the select list
// and HAVING (aggregate arguments still see the real values), grouping(e) is 1 for them
// and 0 for the others, and grouping_id() packs those bits (the first grouping
// expression is the highest bit), as in Spark. Each branch reads the input again: simple
// and exact; an Expand operator feeding one aggregation would read it once.
#include <algorithm>
#include <set>

#include "ember/common/errors.h"
#include "ember/sql/parser_internal.h"

namespace ember::sql::detail {

namespace {

using Set = std::vector<ExprPtr>;

bool usesGroupingFunction(const ExprPtr& e) {
  if (!e) return false;
  if (e->kind == ExprKind::Call && (e->name == "grouping" || e->name == "grouping_id")) return true;
  for (const auto& a : e->args)
    if (usesGroupingFunction(a)) return true;
  return false;
}

bool containsWindow(const ExprPtr& e) {
  if (!e) return false;
  if (e->kind == ExprKind::WindowCall) return true;
  for (const auto& a : e->args)
    if (containsWindow(a)) return true;
  return false;
}

// Every combination of one option from each list, concatenated.
std::vector<Set> product(const std::vector<Set>& left, const std::vector<Set>& right) {
  std::vector<Set> out;
  for (const auto& l : left)
    for (const auto& r : right) {
      Set s = l;
      s.insert(s.end(), r.begin(), r.end());
      out.push_back(std::move(s));
    }
  return out;
}

struct Branch {
  const std::vector<std::string>& all;  // keys (toString) of every grouping expression
  std::set<std::string> excluded;       // keys of those outside this branch's set

  ExprPtr rewrite(const ExprPtr& e) const {
    if (!e || e->kind == ExprKind::AggregateCall || e->subquery) return e;
    if (e->kind == ExprKind::Call && (e->name == "grouping" || e->name == "grouping_id")) {
      std::vector<std::string> keys;
      for (const auto& a : e->args) keys.push_back(a->toString());
      if (e->name == "grouping" && keys.size() != 1)
        throw UserError("grouping() takes one grouping expression" + at(e));
      if (keys.empty()) keys = all;  // grouping_id(): every grouping expression
      int64_t bits = 0;
      for (const auto& k : keys) {
        if (std::find(all.begin(), all.end(), k) == all.end())
          throw UserError(e->name + "() argument " + k + " is not one of the GROUP BY expressions" +
                          at(e));
        bits = (bits << 1) | (excluded.count(k) ? 1 : 0);
      }
      auto l =
          lit(e->name == "grouping" ? Value::int8(static_cast<int8_t>(bits)) : Value::int64(bits));
      std::const_pointer_cast<Expr>(l)->position = e->position;
      return l;
    }
    if (e->kind != ExprKind::Alias && excluded.count(e->toString())) {
      auto l = std::const_pointer_cast<Expr>(lit(Value::null()));
      l->position = e->position;
      return l;
    }
    std::vector<ExprPtr> args;
    bool changed = false;
    for (const auto& a : e->args) {
      args.push_back(rewrite(a));
      changed = changed || args.back() != a;
    }
    return changed ? withArgs(*e, std::move(args)) : e;
  }

  std::string at(const ExprPtr& e) const {
    return e->position >= 0 ? " (position " + std::to_string(e->position + 1) + ")" : "";
  }
};

}  // namespace

std::vector<std::vector<ExprPtr>> PgTranslator::groupingSetsOf(const Json& g) {
  if (!g.contains("GroupingSet")) return {{expr(g)}};
  const Json& b = g["GroupingSet"];
  std::string kind = b.value("kind", "");
  // Items of ROLLUP/CUBE: an expression or a parenthesised list `(a, b)` kept together.
  std::vector<Set> items;
  for (const auto& c : b.value("content", Json::array())) {
    if (c.contains("RowExpr")) {
      Set s;
      for (const auto& a : c["RowExpr"].value("args", Json::array())) s.push_back(expr(a));
      items.push_back(std::move(s));
    } else if (c.contains("GroupingSet")) {
      if (kind != "GROUPING_SET_SETS") fail(c["GroupingSet"], "nested grouping sets here");
      items.push_back({});  // placeholder, expanded below
    } else {
      items.push_back({expr(c)});
    }
  }
  std::vector<Set> sets;
  if (kind == "GROUPING_SET_EMPTY") return {{}};
  if (kind == "GROUPING_SET_ROLLUP") {
    for (size_t n = items.size() + 1; n-- > 0;) {
      Set s;
      for (size_t i = 0; i < n; ++i) s.insert(s.end(), items[i].begin(), items[i].end());
      sets.push_back(std::move(s));
    }
  } else if (kind == "GROUPING_SET_CUBE") {
    if (items.size() > 12) fail(b, "CUBE of more than 12 expressions (4096 grouping sets)");
    size_t n = items.size();
    for (size_t mask = (size_t{1} << n); mask-- > 0;) {
      Set s;
      for (size_t i = 0; i < n; ++i)
        if (mask & (size_t{1} << (n - 1 - i))) s.insert(s.end(), items[i].begin(), items[i].end());
      sets.push_back(std::move(s));
    }
  } else if (kind == "GROUPING_SET_SETS") {
    const Json& content = b["content"];
    for (size_t i = 0; i < content.size(); ++i) {
      if (content[i].contains("GroupingSet")) {
        for (auto& s : groupingSetsOf(content[i])) sets.push_back(std::move(s));
      } else {
        sets.push_back(items[i]);
      }
    }
  } else {
    fail(b, "unsupported grouping set (" + kind + ")");
  }
  return sets;
}

bool PgTranslator::needsGroupingSets(const Json& groupClause, const std::vector<ExprPtr>& targets,
                                     const ExprPtr& having) const {
  for (const auto& g : groupClause)
    if (g.contains("GroupingSet")) return true;
  for (const auto& t : targets)
    if (usesGroupingFunction(t)) return true;
  return usesGroupingFunction(having);
}

PlanPtr PgTranslator::groupingSetsAggregate(const PlanPtr& child, const Json& groupClause,
                                            const std::vector<ExprPtr>& targets,
                                            const ExprPtr& having) {
  std::vector<Set> sets = {{}};
  for (const auto& g : groupClause) sets = product(sets, groupingSetsOf(g));
  for (const auto& t : targets)
    if (containsWindow(t))
      throw UserError(
          "window functions together with GROUPING SETS, ROLLUP or CUBE are not supported; "
          "compute the aggregate in a subquery and apply the window outside it");
  // Ordinals (GROUP BY ROLLUP(1)) and select-list aliases name select-list expressions.
  auto normalise = [&](const ExprPtr& e) -> ExprPtr {
    if (e->kind == ExprKind::Literal && e->value.type().isInteger()) {
      int64_t i = e->value.asInt64();
      if (i < 1 || i > static_cast<int64_t>(targets.size()))
        throw UserError("GROUP BY position " + std::to_string(i) + " is not in the select list");
      const ExprPtr& t = targets[static_cast<size_t>(i - 1)];
      return t->kind == ExprKind::Alias ? t->args[0] : t;
    }
    if (e->kind == ExprKind::ColumnRef && e->qualifier.empty())
      for (const auto& t : targets)
        if (t->kind == ExprKind::Alias && t->name == e->name &&
            !(t->args[0]->kind == ExprKind::ColumnRef && t->args[0]->name == e->name))
          return t->args[0];
    return e;
  };
  std::vector<std::string> all;
  for (auto& s : sets) {
    Set unique;
    std::set<std::string> seen;
    for (const auto& e : s) {
      ExprPtr n = normalise(e);
      std::string k = n->toString();
      if (!seen.insert(k).second) continue;
      unique.push_back(n);
      if (std::find(all.begin(), all.end(), k) == all.end()) all.push_back(k);
    }
    s = std::move(unique);
  }
  PlanPtr plan;
  for (const auto& s : sets) {
    Branch br{all, {}};
    std::set<std::string> in;
    for (const auto& e : s) in.insert(e->toString());
    for (const auto& k : all)
      if (!in.count(k)) br.excluded.insert(k);
    auto a = std::make_shared<LogicalPlan>();
    a->kind = PlanKind::Aggregate;
    a->children = {child};
    a->groupBy = s;
    for (const auto& t : targets) {
      ExprPtr r = br.rewrite(t);
      // A bare column that became NULL keeps its name (the union takes the first branch's).
      if (r != t && t->kind != ExprKind::Alias) r = alias(r, t->prettyName());
      a->exprs.push_back(r);
    }
    PlanPtr branch = a;
    if (having) {
      auto f = std::make_shared<LogicalPlan>();
      f->kind = PlanKind::Filter;
      f->children = {branch};
      f->exprs.push_back(br.rewrite(having));
      branch = f;
    }
    if (!plan) {
      plan = branch;
    } else {
      auto u = std::make_shared<LogicalPlan>();
      u->kind = PlanKind::SetOp;
      u->setOp = SetOpKind::Union;
      u->all = true;
      u->children = {plan, branch};
      plan = u;
    }
  }
  return plan;
}

// PIVOT (agg FOR col IN (v1 [AS a1], ...)): for each value and aggregate, the aggregate
// over the rows whose col is the value (a CASE inside the aggregate's arguments), named
// a1 / v1, or "<value>_<aggregate>" with several aggregates (Spark's names). The node is
// marked: the analyzer groups it by every input column the pivot does not use.
PlanPtr PgTranslator::pivotAggregate(const PlanPtr& child, const std::vector<ExprPtr>& targets) {
  const ExprPtr& marker = targets[0]->kind == ExprKind::Alias ? targets[0]->args[0] : targets[0];
  if (targets.size() < 2) throw UserError("PIVOT needs at least one aggregate");
  const ExprPtr& column = marker->args[0];
  auto p = std::make_shared<LogicalPlan>();
  p->kind = PlanKind::Aggregate;
  p->children = {child};
  p->name = {kPivotMarker};
  for (size_t v = 1; v + 1 < marker->args.size(); v += 2) {
    const ExprPtr& value = marker->args[v];
    const ExprPtr& valueAlias = marker->args[v + 1];
    std::string valueName =
        valueAlias->kind == ExprKind::Literal && !valueAlias->value.isNull()
            ? valueAlias->value.asString()
            : (value->kind == ExprKind::Literal ? value->value.toString() : value->toString());
    ExprPtr match = call("<=>", {column, value});
    for (size_t a = 1; a < targets.size(); ++a) {
      const ExprPtr& t = targets[a];
      const ExprPtr& fn = t->kind == ExprKind::Alias ? t->args[0] : t;
      if (fn->kind != ExprKind::AggregateCall)
        throw UserError("PIVOT needs aggregate functions before FOR, got " + fn->toString());
      std::vector<ExprPtr> args;
      if (fn->args.empty()) args.push_back(call("case", {match, lit(Value::int32(1))}));
      for (const auto& x : fn->args) args.push_back(call("case", {match, x}));
      std::string name = valueName;
      if (targets.size() > 2)
        name += "_" + (t->kind == ExprKind::Alias ? t->name : fn->prettyName());
      p->exprs.push_back(alias(withArgs(*fn, std::move(args)), name));
    }
  }
  return p;
}

}  // namespace ember::sql::detail
