// Plan resolution (bottom-up). See analyzer.h for what is resolved.
#include <algorithm>
#include <functional>
#include <set>
#include <unordered_set>

#include "ember/common/errors.h"
#include "ember/sql/analyzer_internal.h"
#include "ember/sql/cache_manager.h"
#include "ember/sql/feed_internal.h"
#include "ember/sql/function.h"

namespace ember::sql {

std::shared_ptr<LogicalPlan> makePlan(PlanKind kind, std::vector<PlanPtr> children) {
  auto p = std::make_shared<LogicalPlan>();
  p->kind = kind;
  p->children = std::move(children);
  return p;
}

ExprPtr refTo(const Attribute& a) {
  auto e = std::make_shared<Expr>();
  e->kind = ExprKind::ColumnRef;
  e->name = a.name;
  e->qualifier = a.qualifier;
  e->id = a.id;
  e->type = a.type;
  e->nullable = a.nullable;
  e->resolved = true;
  return e;
}

ExprPtr named(const ExprPtr& e) {
  if (e->kind == ExprKind::Alias || e->kind == ExprKind::ColumnRef) return e;
  auto a = std::make_shared<Expr>();
  a->kind = ExprKind::Alias;
  a->name = e->prettyName();
  a->args = {e};
  a->type = e->type;
  a->nullable = e->nullable;
  a->id = newAttributeId();
  a->resolved = e->resolved;
  return a;
}

namespace {
std::vector<Attribute> outputsOf(const std::vector<ExprPtr>& exprs) {
  std::vector<Attribute> out;
  for (const auto& e : exprs) out.push_back(toAttribute(*e));
  return out;
}

std::string joinName(const std::vector<std::string>& parts) {
  std::string s;
  for (size_t i = 0; i < parts.size(); ++i) s += (i ? "." : "") + parts[i];
  return s;
}

// The resolved select-list entry an ordinal (GROUP BY 2, ORDER BY 1) points to.
bool asOrdinal(const ExprPtr& e, int64_t& ordinal) {
  if (e->kind != ExprKind::Literal || e->value.isNull() || !e->value.type().isInteger())
    return false;
  ordinal = e->value.asInt64();
  return true;
}
}  // namespace

PlanPtr analyze(const PlanPtr& plan, const AnalyzerContext& ctx) {
  Analyzer a(ctx);
  return a.resolve(plan, nullptr);
}

PlanPtr Analyzer::resolve(const PlanPtr& plan, const Scope* outer) {
  if (plan->resolved) return plan;
  return resolveNode(plan, outer);
}

PlanPtr Analyzer::resolveNode(const PlanPtr& plan, const Scope* outer) {
  const LogicalPlan& p = *plan;
  if (p.kind == PlanKind::With) {
    std::map<std::string, PlanPtr> scope;
    ctes_.push_back({});
    for (const auto& [name, cte] : p.ctes) {
      // Each CTE sees the ones before it; it is resolved on every reference (fresh ids).
      resolve(cte, nullptr);  // validates it once; CTE bodies are never correlated
      ctes_.back()[toLowerAscii(name)] = cte;
    }
    auto child = resolve(p.children[0], outer);
    ctes_.pop_back();
    return child;
  }
  if (p.kind == PlanKind::UnresolvedRelation) return resolveRelation(p, outer);

  std::vector<PlanPtr> children;
  for (const auto& c : p.children) children.push_back(resolve(c, outer));
  auto n = std::make_shared<LogicalPlan>(p);
  n->children = children;
  n->resolved = true;
  switch (p.kind) {
    case PlanKind::FileScan: {
      // A feed reference becomes a scan of one pinned snapshot's data files.
      if (isFeedFormat(p.source->format)) return resolveFeedScan(*p.source);
      if (!p.source->hasUserSchema || p.source->userSchema.size() == 0) {
        // The planner reads columns by name from the data schema: infer it once here.
        auto src = std::make_shared<FileSource>(*p.source);
        src->userSchema = ctx_.fileSchema(*p.source);
        src->hasUserSchema = true;
        n->source = src;
      }
      if (n->output.empty())
        for (const auto& f : n->source->userSchema.fields())
          n->output.push_back({f.name, f.type, true, newAttributeId(), {}});
      return n;
    }
    case PlanKind::LocalRelation:
    case PlanKind::OneRow:
    case PlanKind::Range:
      return n;
    case PlanKind::Project:
      return resolveProject(p, children[0], outer);
    case PlanKind::Aggregate:
      return resolveAggregate(p, children[0], outer);
    case PlanKind::Filter:
      return resolveFilter(p, children[0], outer);
    case PlanKind::Sort:
      return resolveSort(p, children[0], outer);
    case PlanKind::Join:
      return resolveJoin(p, children[0], children[1], outer);
    case PlanKind::SetOp:
      return resolveSetOp(p, children[0], children[1]);
    case PlanKind::Limit:
    case PlanKind::Sample:
      n->output = children[0]->output;
      return n;
    case PlanKind::Distinct:
      n->output = children[0]->output;
      return n;
    case PlanKind::SubqueryAlias: {
      n->output = children[0]->output;
      if (!p.columnAliases.empty() && p.columnAliases.size() != n->output.size())
        fail("alias " + joinName(p.name) + " names " + std::to_string(p.columnAliases.size()) +
                 " columns but the relation has " + std::to_string(n->output.size()),
             p.position);
      if (!p.columnAliases.empty()) {
        // Renaming needs new attributes: a Project of aliases under the qualifier.
        auto proj = makePlan(PlanKind::Project, {children[0]});
        for (size_t i = 0; i < n->output.size(); ++i) {
          auto a = std::make_shared<Expr>();
          a->kind = ExprKind::Alias;
          a->name = p.columnAliases[i];
          a->args = {refTo(n->output[i])};
          a->type = n->output[i].type;
          a->nullable = n->output[i].nullable;
          a->id = newAttributeId();
          a->resolved = true;
          proj->exprs.push_back(a);
        }
        proj->output = outputsOf(proj->exprs);
        proj->resolved = true;
        n->children = {proj};
        n->output = proj->output;
      }
      for (auto& a : n->output) a.qualifier = {p.name.empty() ? "" : p.name.back()};
      return n;
    }
    case PlanKind::Window:
      n->output = children[0]->output;
      for (const auto& e : p.exprs) n->output.push_back(toAttribute(*e));
      return n;
    case PlanKind::Generate:
      return resolveGenerate(p, children[0], outer);
    case PlanKind::InMemoryRelation:
      n->output = children[0]->output;
      return n;
    case PlanKind::Repartition:
    case PlanKind::LocalSort: {
      Scope scope{children[0]->output, outer};
      for (auto& e : n->exprs) e = resolveExpr(e, scope);
      for (auto& k : n->order) {
        k.expr = resolveExpr(k.expr, scope);
        if (k.expr->type.id() == TypeId::Map)
          fail("cannot order by " + k.expr->prettyName() + " of type map", k.expr->position);
      }
      n->output = children[0]->output;
      return n;
    }
    default:
      break;
  }
  fail("cannot analyze " + p.nodeString(), p.position);
}

PlanPtr Analyzer::resolveRelation(const LogicalPlan& p, const Scope* outer) {
  std::string name = joinName(p.name);
  PlanPtr found;
  if (p.name.size() == 1) {
    for (auto it = ctes_.rbegin(); it != ctes_.rend() && !found; ++it) {
      auto f = it->find(toLowerAscii(name));
      if (f != it->end()) found = f->second;
    }
  }
  if (!found && ctx_.catalog) found = ctx_.catalog->lookup(name);
  if (!found && ctx_.catalog) {
    // `t VERSION AS OF 3` arrives as the name "t@v3" (parser pre-pass): time travel on a
    // feed table.
    std::string base, key, value;
    if (splitFeedTimeTravelName(p.name.back(), base, key, value)) {
      LogicalPlan stripped = p;
      stripped.name.back() = base;
      std::string baseName = joinName(stripped.name);
      PlanPtr table = ctx_.catalog->lookup(baseName);
      if (table) {
        if (table->kind != PlanKind::FileScan || !table->source ||
            !isFeedFormat(table->source->format))
          fail("time travel (VERSION / TIMESTAMP AS OF) needs a feed table (USING feed); " +
                   baseName + " is not one",
               p.position);
        auto src = std::make_shared<FileSource>(*table->source);
        src->options[key] = value;
        auto scan = std::make_shared<LogicalPlan>(*table);
        scan->source = src;
        auto alias = makePlan(PlanKind::SubqueryAlias, {resolve(scan, nullptr)});
        alias->name = {base};
        alias->output = alias->children[0]->output;
        for (auto& a : alias->output) a.qualifier = {base};
        alias->resolved = true;
        return alias;
      }
    }
  }
  if (!found) {
    std::vector<std::string> cands =
        ctx_.catalog ? ctx_.catalog->listViews() : std::vector<std::string>{};
    for (const auto& s : ctes_)
      for (const auto& [k, v] : s) cands.push_back(k);
    auto sugg = closestNames(name, cands);
    std::string msg = "table or view not found: " + name;
    if (!sugg.empty()) {
      msg += "; did you mean ";
      for (size_t i = 0; i < sugg.size(); ++i) msg += (i ? ", " : "") + sugg[i];
      msg += "?";
    } else {
      msg +=
          " (register it with createOrReplaceTempView or CREATE TEMPORARY VIEW ... USING csv "
          "OPTIONS (path '...'))";
    }
    fail(msg, p.position);
  }
  // Resolve the view's plan afresh: each reference gets its own attribute ids.
  // A view or CTE body does not see the scope it is referenced from.
  (void)outer;
  // Cached plans inside the view (or the view itself) are marked before the copy: the
  // copy's nodes are new, so they could not be found by address later.
  PlanPtr resolved = found->resolved
                         ? newInstance(ctx_.cache ? ctx_.cache->useCachedData(found) : found)
                         : resolve(found, nullptr);
  auto alias = makePlan(PlanKind::SubqueryAlias, {resolved});
  alias->name = {p.name.back()};
  alias->output = resolved->output;
  for (auto& a : alias->output) a.qualifier = {p.name.back()};
  alias->resolved = true;
  return alias;
}

std::vector<ExprPtr> Analyzer::expandSelectList(const std::vector<ExprPtr>& exprs,
                                                const std::vector<Attribute>& input) {
  std::vector<ExprPtr> out;
  for (const auto& e : exprs) {
    if (e->kind != ExprKind::Star) {
      out.push_back(e);
      continue;
    }
    bool any = false;
    for (const auto& a : input) {
      if (!e->qualifier.empty()) {
        if (a.qualifier.empty() || !equalsIgnoreCase(a.qualifier.back(), e->qualifier.back()))
          continue;
      }
      out.push_back(refTo(a));
      any = true;
    }
    if (!any && !e->qualifier.empty())
      fail("cannot expand " + e->toString() + ": no table or alias named " + e->qualifier.back(),
           e->position);
  }
  return out;
}

PlanPtr Analyzer::resolveProject(const LogicalPlan& p, PlanPtr child, const Scope* outer) {
  std::vector<ExprPtr> items = expandSelectList(p.exprs, child->output);
  extractGenerator(items, child, outer);
  Scope scope{child->output, outer};
  std::vector<ExprPtr> exprs;
  for (const auto& e : items) exprs.push_back(named(resolveExpr(e, scope)));
  bool agg = false;
  for (const auto& e : exprs) agg = agg || containsAggregate(e);
  if (agg) {
    // SELECT sum(x) FROM t: a global aggregation.
    auto a = std::make_shared<LogicalPlan>(p);
    a->kind = PlanKind::Aggregate;
    a->exprs = p.exprs;
    a->children = {child};
    return resolveAggregate(*a, child, outer);
  }
  auto n = makePlan(PlanKind::Project, {child});
  n->exprs = exprs;
  n->output = outputsOf(exprs);
  n->resolved = true;
  n->position = p.position;
  return extractWindows(n);
}

PlanPtr Analyzer::resolveAggregate(const LogicalPlan& p, PlanPtr child, const Scope* outer) {
  Scope scope{child->output, outer};
  if (p.name.size() == 1 && p.name[0] == "__ember_pivot") {
    // PIVOT (parser_grouping.cpp): grouped by every input column the pivot does not use.
    std::set<int64_t> used;
    std::function<void(const ExprPtr&)> collect = [&](const ExprPtr& e) {
      if (e->kind == ExprKind::ColumnRef) used.insert(e->id);
      for (const auto& a : e->args) collect(a);
    };
    for (const auto& e : p.exprs) collect(resolveExpr(e, scope));
    auto q = std::make_shared<LogicalPlan>(p);
    q->name.clear();
    q->exprs.clear();
    for (const auto& a : child->output)
      if (!used.count(a.id)) {
        q->groupBy.push_back(refTo(a));
        q->exprs.push_back(refTo(a));
      }
    q->exprs.insert(q->exprs.end(), p.exprs.begin(), p.exprs.end());
    return resolveAggregate(*q, child, outer);
  }
  std::vector<ExprPtr> selectList = expandSelectList(p.exprs, child->output);
  std::vector<ExprPtr> outputs;
  for (const auto& e : selectList) outputs.push_back(named(resolveExpr(e, scope)));
  std::vector<ExprPtr> keys;
  for (const auto& g : p.groupBy) {
    int64_t ord;
    if (asOrdinal(g, ord)) {
      if (ord < 1 || ord > static_cast<int64_t>(outputs.size()))
        fail("GROUP BY position " + std::to_string(ord) + " is not in the select list (1.." +
                 std::to_string(outputs.size()) + ")",
             g->position);
      ExprPtr k = outputs[static_cast<size_t>(ord - 1)];
      if (k->kind == ExprKind::Alias) k = k->args[0];
      if (containsAggregate(k))
        fail("GROUP BY position " + std::to_string(ord) + " refers to an aggregate", g->position);
      keys.push_back(k);
      continue;
    }
    try {
      ExprPtr k = resolveExpr(g, scope);
      // A select-list alias wins over a column of an outer query.
      if (k->kind == ExprKind::OuterRef) throw UserError("outer reference");
      keys.push_back(k);
    } catch (const UserError&) {
      // GROUP BY an alias of the select list (Spark allows it).
      bool found = false;
      if (g->kind == ExprKind::ColumnRef && g->qualifier.empty())
        for (const auto& o : outputs)
          if (o->kind == ExprKind::Alias && equalsIgnoreCase(o->name, g->name) &&
              !containsAggregate(o)) {
            keys.push_back(o->args[0]);
            found = true;
            break;
          }
      if (!found) throw;
    }
  }
  // Every column outside an aggregate must be (part of) a grouping key.
  std::function<void(const ExprPtr&)> check = [&](const ExprPtr& e) {
    for (const auto& k : keys)
      if (sameExpr(e, k)) return;
    if (e->kind == ExprKind::AggregateCall || e->kind == ExprKind::Literal ||
        e->kind == ExprKind::OuterRef || e->kind == ExprKind::ScalarSubquery ||
        e->kind == ExprKind::WindowCall)
      return;
    if (e->kind == ExprKind::ColumnRef)
      fail("column '" + e->name +
               "' must appear in the GROUP BY clause or be used in an aggregate function",
           e->position);
    for (const auto& a : e->args) check(a);
  };
  for (const auto& o : outputs) check(o->kind == ExprKind::Alias ? o->args[0] : o);
  auto n = makePlan(PlanKind::Aggregate, {child});
  n->groupBy = keys;
  n->exprs = outputs;
  n->output = outputsOf(outputs);
  n->resolved = true;
  n->position = p.position;
  return extractWindows(n);
}

// Window functions in a select list: Project(refs) <- Window(child cols + calls) <- child.
PlanPtr Analyzer::extractWindows(PlanPtr node) {
  bool any = false;
  for (const auto& e : node->exprs) any = any || containsWindow(e);
  if (!any) return node;
  auto base = std::make_shared<LogicalPlan>(*node);
  std::vector<ExprPtr> windowAliases;
  std::vector<ExprPtr> top;
  if (node->kind == PlanKind::Aggregate) {
    // Aggregates used inside window calls become hidden outputs of the aggregate.
    std::vector<ExprPtr> aggOutputs;
    for (const auto& e : node->exprs)
      if (!containsWindow(e)) aggOutputs.push_back(e);
    auto hide = [&](const ExprPtr& x) -> ExprPtr {
      if (x->kind != ExprKind::AggregateCall && x->kind != ExprKind::ColumnRef) return x;
      for (const auto& o : aggOutputs) {
        ExprPtr inner = o->kind == ExprKind::Alias ? o->args[0] : o;
        if (sameExpr(inner, x)) return refTo(toAttribute(*o));
      }
      auto a = named(x);
      if (a->kind == ExprKind::ColumnRef) return x;
      aggOutputs.push_back(a);
      return refTo(toAttribute(*a));
    };
    for (const auto& e : node->exprs) {
      if (!containsWindow(e)) continue;
      auto replaced = transformExpr(e, [&](const ExprPtr& x) -> ExprPtr {
        if (x->kind == ExprKind::WindowCall) {
          auto w = std::make_shared<Expr>(*x);
          auto inner = std::make_shared<Expr>(*x->args[0]);
          if (inner->kind == ExprKind::AggregateCall) {
            // sum(sum(x)) OVER ...: the inner aggregate is computed by the Aggregate.
            for (auto& a : inner->args) a = transformExpr(a, hide);
          } else {
            for (auto& a : inner->args) a = transformExpr(a, hide);
          }
          w->args = {inner};
          auto spec = std::make_shared<WindowSpec>(*x->window);
          for (auto& pe : spec->partitionBy) pe = transformExpr(pe, hide);
          for (auto& o : spec->orderBy) o.expr = transformExpr(o.expr, hide);
          w->window = spec;
          return w;
        }
        return x;
      });
      top.push_back(replaced);
    }
    base->exprs = aggOutputs;
    base->output = outputsOf(aggOutputs);
  } else {
    // The Window needs every column the window calls read: project the child through.
    base->exprs = {};
    for (const auto& a : node->children[0]->output) base->exprs.push_back(refTo(a));
    for (const auto& e : node->exprs)
      if (!containsWindow(e) && e->kind == ExprKind::Alias) base->exprs.push_back(e);
    base->output = outputsOf(base->exprs);
  }
  // Window node: base output + one alias per window call.
  auto window = makePlan(PlanKind::Window, {base});
  // Replace each WindowCall by a reference to its alias on the Window node.
  std::vector<ExprPtr> projected;
  size_t t = 0;
  for (const auto& e : node->exprs) {
    if (!containsWindow(e)) {
      projected.push_back(refTo(toAttribute(*e)));
      continue;
    }
    ExprPtr src = node->kind == PlanKind::Aggregate ? top[t++] : e;
    auto replaced = transformExpr(src, [&](const ExprPtr& x) -> ExprPtr {
      if (x->kind != ExprKind::WindowCall) return x;
      auto a = named(x);
      windowAliases.push_back(a);
      return refTo(toAttribute(*a));
    });
    if (replaced->kind != ExprKind::Alias) {
      auto al = std::make_shared<Expr>(*std::static_pointer_cast<const Expr>(named(e)));
      al->args = {replaced};
      replaced = al;
    } else if (e->kind == ExprKind::Alias) {
      auto al = std::make_shared<Expr>(*replaced);
      al->id = e->id;
      replaced = al;
    }
    projected.push_back(replaced);
  }
  // One Window node per distinct specification (PARTITION BY, ORDER BY, frame), stacked:
  // each sorts its input its own way, as Spark's ExtractWindowExpressions does.
  auto specKey = [](const ExprPtr& alias) {
    const WindowSpec& w = *alias->args[0]->window;
    std::string k;
    for (const auto& e : w.partitionBy) k += e->toString() + ",";
    k += "|";
    for (const auto& o : w.orderBy)
      k += o.expr->toString() + (o.ascending ? "+" : "-") + (o.nullsFirst ? "f" : "l") + ",";
    k += "|" + std::to_string(w.hasFrame) + std::to_string(static_cast<int>(w.frameType)) +
         std::to_string(static_cast<int>(w.start.kind)) + ":" + std::to_string(w.start.offset) +
         std::to_string(static_cast<int>(w.end.kind)) + ":" + std::to_string(w.end.offset);
    return k;
  };
  std::vector<std::pair<std::string, std::vector<ExprPtr>>> groups;
  for (const auto& w : windowAliases) {
    std::string k = specKey(w);
    auto it =
        std::find_if(groups.begin(), groups.end(), [&](const auto& g) { return g.first == k; });
    if (it == groups.end()) {
      groups.push_back({k, {w}});
    } else {
      it->second.push_back(w);
    }
  }
  PlanPtr below = base;
  for (size_t g = 0; g < groups.size(); ++g) {
    auto w = g == 0 ? window : makePlan(PlanKind::Window, {below});
    w->exprs = groups[g].second;
    w->output = below->output;
    for (const auto& e : groups[g].second) w->output.push_back(toAttribute(*e));
    w->resolved = true;
    below = w;
  }
  auto proj = makePlan(PlanKind::Project, {below});
  proj->exprs = projected;
  proj->output = outputsOf(projected);
  proj->resolved = true;
  return proj;
}

// HAVING / WHERE. A condition over an Aggregate may use aggregates and grouping columns
// that the select list does not output: they are added as hidden outputs and projected
// away above the filter.
PlanPtr Analyzer::resolveFilter(const LogicalPlan& p, PlanPtr child, const Scope* outer) {
  const ExprPtr& cond = p.exprs[0];
  auto finish = [&](PlanPtr c, ExprPtr resolvedCond) {
    if (resolvedCond->type.id() != TypeId::Boolean && resolvedCond->type.id() != TypeId::Null)
      fail("the filter condition must be boolean, got " + resolvedCond->type.toString() + ": " +
               cond->toString(),
           cond->position);
    auto n = makePlan(PlanKind::Filter, {c});
    n->exprs = {resolvedCond};
    n->output = c->output;
    n->resolved = true;
    return n;
  };
  const LogicalPlan* agg = child.get();
  if (agg->kind == PlanKind::Aggregate) {
    auto newAgg = std::make_shared<LogicalPlan>(*agg);
    Scope below{agg->children[0]->output, outer};
    Scope above{agg->output, outer};
    std::function<ExprPtr(const ExprPtr&)> rewrite = [&](const ExprPtr& e) -> ExprPtr {
      if (e->kind == ExprKind::AggregateCall) {
        auto r = resolveExpr(e, below);
        for (const auto& o : newAgg->exprs) {
          ExprPtr inner = o->kind == ExprKind::Alias ? o->args[0] : o;
          if (sameExpr(inner, r)) return refTo(toAttribute(*o));
        }
        auto a = named(r);
        newAgg->exprs.push_back(a);
        return refTo(toAttribute(*a));
      }
      if (e->kind == ExprKind::ColumnRef) {
        try {
          return resolveExpr(e, above);
        } catch (const UserError&) {
          auto r = resolveExpr(e, below);
          for (const auto& k : newAgg->groupBy)
            if (sameExpr(k, r)) {
              newAgg->exprs.push_back(r);
              return r;
            }
          throw;
        }
      }
      if (e->kind == ExprKind::Literal || e->kind == ExprKind::ScalarSubquery ||
          e->kind == ExprKind::Exists || e->kind == ExprKind::InSubquery)
        return resolveExpr(e, above);
      auto copy = std::make_shared<Expr>(*e);
      for (auto& a : copy->args) a = rewrite(a);
      copy->resolved = false;
      return resolveExpr(copy,
                         above.attrs.empty() ? above : Scope{outputsOf(newAgg->exprs), outer});
    };
    ExprPtr rc = rewrite(cond);
    if (newAgg->exprs.size() == agg->exprs.size()) return finish(child, rc);
    newAgg->output = outputsOf(newAgg->exprs);
    auto f = finish(newAgg, rc);
    auto proj = makePlan(PlanKind::Project, {f});
    for (const auto& a : agg->output) proj->exprs.push_back(refTo(a));
    proj->output = agg->output;
    proj->resolved = true;
    return proj;
  }
  Scope scope{child->output, outer};
  return finish(child, resolveExpr(cond, scope));
}

PlanPtr Analyzer::resolveSort(const LogicalPlan& p, PlanPtr child, const Scope* outer) {
  Scope scope{child->output, outer};
  std::vector<SortKey> keys;
  std::vector<ExprPtr> hidden;  // columns from below the select list
  const LogicalPlan* proj = child.get();
  bool canHide = proj->kind == PlanKind::Project || proj->kind == PlanKind::Aggregate;
  for (const auto& k : p.order) {
    SortKey r = k;
    int64_t ord;
    if (asOrdinal(k.expr, ord)) {
      if (ord < 1 || ord > static_cast<int64_t>(child->output.size()))
        fail("ORDER BY position " + std::to_string(ord) + " is not in the select list (1.." +
                 std::to_string(child->output.size()) + ")",
             k.expr->position);
      r.expr = refTo(child->output[static_cast<size_t>(ord - 1)]);
      keys.push_back(r);
      continue;
    }
    try {
      r.expr = resolveExpr(k.expr, scope);
      // An aggregate that reads no column (count(*)) resolves against the select list's
      // output too; it is computed by the Aggregate below like any other.
      if (containsAggregate(r.expr) && proj->kind == PlanKind::Aggregate)
        throw UserError("aggregate in ORDER BY");
    } catch (const UserError&) {
      if (!canHide) throw;
      // ORDER BY a column (or aggregate) the select list does not output.
      if (proj->kind == PlanKind::Aggregate) {
        hidden.push_back(k.expr);
        r.expr = nullptr;
      } else {
        Scope below{proj->children[0]->output, outer};
        ExprPtr e = resolveExpr(k.expr, below);
        auto a = named(e);
        hidden.push_back(a);
        r.expr = refTo(toAttribute(*a));
      }
    }
    if (r.expr && r.expr->type.id() == TypeId::Map)
      fail("cannot order by " + r.expr->prettyName() + " of type " + r.expr->type.toString() +
               ": maps have no order (order by map_keys(...) or an entry instead)",
           k.expr->position);
    keys.push_back(r);
  }
  if (hidden.empty()) {
    auto n = makePlan(PlanKind::Sort, {child});
    n->order = keys;
    n->output = child->output;
    n->resolved = true;
    return n;
  }
  PlanPtr widened;
  if (proj->kind == PlanKind::Aggregate) {
    // Re-resolve as a filter-style rewrite: aggregates/keys added as hidden outputs.
    auto newAgg = std::make_shared<LogicalPlan>(*proj);
    Scope below{proj->children[0]->output, outer};
    for (auto& k : keys) {
      if (k.expr) continue;
      size_t idx = static_cast<size_t>(&k - &keys[0]);
      ExprPtr e = resolveExpr(p.order[idx].expr, below);
      ExprPtr ref;
      for (const auto& o : newAgg->exprs) {
        ExprPtr inner = o->kind == ExprKind::Alias ? o->args[0] : o;
        if (sameExpr(inner, e)) ref = refTo(toAttribute(*o));
      }
      if (!ref) {
        auto a = named(e);
        newAgg->exprs.push_back(a);
        ref = refTo(toAttribute(*a));
      }
      k.expr = ref;
    }
    newAgg->output = outputsOf(newAgg->exprs);
    widened = newAgg;
  } else {
    auto newProj = std::make_shared<LogicalPlan>(*proj);
    for (const auto& h : hidden) newProj->exprs.push_back(h);
    newProj->output = outputsOf(newProj->exprs);
    widened = newProj;
  }
  auto sort = makePlan(PlanKind::Sort, {widened});
  sort->order = keys;
  sort->output = widened->output;
  sort->resolved = true;
  auto top = makePlan(PlanKind::Project, {sort});
  for (const auto& a : child->output) top->exprs.push_back(refTo(a));
  top->output = child->output;
  top->resolved = true;
  return top;
}

PlanPtr Analyzer::resolveJoin(const LogicalPlan& p, PlanPtr left, PlanPtr right,
                              const Scope* outer) {
  // Self-join of one resolved plan: give the right side fresh ids.
  std::unordered_set<int64_t> leftIds;
  for (const auto& a : left->output) leftIds.insert(a.id);
  for (const auto& a : right->output)
    if (leftIds.count(a.id)) {
      // (cached sub-plans marked first: the copy would not be found by address)
      right = newInstance(ctx_.cache ? ctx_.cache->useCachedData(right) : right);
      break;
    }
  auto n = makePlan(PlanKind::Join, {left, right});
  n->joinType = p.joinType;
  n->position = p.position;
  std::vector<Attribute> both = left->output;
  both.insert(both.end(), right->output.begin(), right->output.end());
  Scope scope{both, outer};
  std::vector<std::string> usingCols = p.usingColumns;
  if (p.natural) {
    for (const auto& l : left->output)
      for (const auto& r : right->output)
        if (equalsIgnoreCase(l.name, r.name)) usingCols.push_back(l.name);
  }
  ExprPtr cond = p.exprs.empty() ? nullptr : p.exprs[0];
  std::vector<std::pair<Attribute, Attribute>> usingPairs;
  if (!usingCols.empty()) {
    for (const auto& c : usingCols) {
      auto find = [&](const std::vector<Attribute>& out, const char* side) {
        for (const auto& a : out)
          if (equalsIgnoreCase(a.name, c)) return a;
        fail("USING column '" + c + "' is not in the " + side + " side of the join", p.position);
      };
      Attribute l = find(left->output, "left"), r = find(right->output, "right");
      usingPairs.emplace_back(l, r);
      ExprPtr eq = call("=", {refTo(l), refTo(r)});
      cond = cond ? call("and", {cond, eq}) : eq;
    }
  }
  if (cond) {
    ExprPtr rc = resolveExpr(cond, scope);
    if (rc->type.id() != TypeId::Boolean)
      fail("the join condition must be boolean, got " + rc->type.toString(), p.position);
    n->exprs = {rc};
  }
  auto nullableAll = [](std::vector<Attribute> v) {
    for (auto& a : v) a.nullable = true;
    return v;
  };
  switch (p.joinType) {
    case JoinType::LeftSemi:
    case JoinType::LeftAnti:
      n->output = left->output;
      break;
    case JoinType::LeftOuter:
      n->output = left->output;
      for (const auto& a : nullableAll(right->output)) n->output.push_back(a);
      break;
    case JoinType::RightOuter:
      n->output = nullableAll(left->output);
      n->output.insert(n->output.end(), right->output.begin(), right->output.end());
      break;
    case JoinType::FullOuter:
      n->output = nullableAll(both);
      break;
    default:
      n->output = both;
  }
  n->resolved = true;
  if (usingPairs.empty() || p.joinType == JoinType::LeftSemi || p.joinType == JoinType::LeftAnti)
    return n;
  // USING / NATURAL: one output column per key (coalesced for full joins), then the rest.
  auto proj = makePlan(PlanKind::Project, {n});
  std::unordered_set<int64_t> keyIds;
  for (const auto& [l, r] : usingPairs) {
    keyIds.insert(l.id);
    keyIds.insert(r.id);
    if (p.joinType == JoinType::RightOuter) {
      proj->exprs.push_back(refTo(r));
    } else if (p.joinType == JoinType::FullOuter) {
      auto c = resolveExpr(call("coalesce", {refTo(l), refTo(r)}), scope);
      proj->exprs.push_back(alias(c, l.name));
      proj->exprs.back() = resolveExpr(proj->exprs.back(), scope);
    } else {
      proj->exprs.push_back(refTo(l));
    }
  }
  for (const auto& a : n->output)
    if (!keyIds.count(a.id)) proj->exprs.push_back(refTo(a));
  proj->output = outputsOf(proj->exprs);
  proj->resolved = true;
  return proj;
}

// INTERSECT ALL / EXCEPT ALL keep duplicates: a row that occurs l times on the left and
// r times on the right appears min(l, r) / max(l - r, 0) times. Built from operators
// the engine has: number each left row within its group of equal rows (row_number),
// count the right side's equal rows, left-join the counts on null-safe equality and
// keep the rows numbered up to (INTERSECT) or beyond (EXCEPT) the right count.
PlanPtr Analyzer::setOpAll(const LogicalPlan& p, PlanPtr left, PlanPtr right) {
  size_t n = left->output.size();
  std::vector<std::string> cols;
  for (size_t i = 0; i < n; ++i) cols.push_back("__c" + std::to_string(i));
  auto aliased = [&](PlanPtr side, const char* name) {
    auto a = makePlan(PlanKind::SubqueryAlias, {std::move(side)});
    a->name = {name};
    a->columnAliases = cols;
    a->resolved = false;
    return a;
  };
  std::vector<ExprPtr> keys;
  for (const auto& c : cols) keys.push_back(col(c));
  // Left rows numbered within their group.
  auto numbered = makePlan(PlanKind::Project, {aliased(left, "__ember_l")});
  numbered->resolved = false;
  for (const auto& c : cols) numbered->exprs.push_back(col(c));
  auto rn = std::make_shared<Expr>();
  rn->kind = ExprKind::WindowCall;
  rn->args = {call("row_number", {})};
  auto spec = std::make_shared<WindowSpec>();
  spec->partitionBy = keys;
  rn->window = spec;
  numbered->exprs.push_back(alias(rn, "__rn"));
  // Right rows counted by group.
  auto counts = makePlan(PlanKind::Aggregate, {aliased(right, "__ember_r")});
  counts->resolved = false;
  counts->groupBy = keys;
  counts->exprs = keys;
  counts->exprs.push_back(alias(aggCall("count", {}), "__cr"));
  auto lw = makePlan(PlanKind::SubqueryAlias, {numbered});
  lw->name = {"__ember_lw"};
  lw->resolved = false;
  auto rc = makePlan(PlanKind::SubqueryAlias, {counts});
  rc->name = {"__ember_rc"};
  rc->resolved = false;
  auto join = makePlan(PlanKind::Join, {lw, rc});
  join->resolved = false;
  join->joinType = JoinType::LeftOuter;
  ExprPtr cond;
  for (const auto& c : cols) {
    ExprPtr eq = call("<=>", {col(c, {"__ember_lw"}), col(c, {"__ember_rc"})});
    cond = cond ? call("and", {cond, eq}) : eq;
  }
  join->exprs = {cond};
  auto filter = makePlan(PlanKind::Filter, {join});
  filter->resolved = false;
  ExprPtr right_count = call("coalesce", {col("__cr"), lit(Value::int64(0))});
  filter->exprs = {call(p.setOp == SetOpKind::Intersect ? "<=" : ">", {col("__rn"), right_count})};
  auto out = makePlan(PlanKind::Project, {filter});
  out->resolved = false;
  for (size_t i = 0; i < n; ++i)
    out->exprs.push_back(alias(col(cols[i], {"__ember_lw"}), left->output[i].name));
  return resolve(out, nullptr);
}

PlanPtr Analyzer::resolveSetOp(const LogicalPlan& p, PlanPtr left, PlanPtr right) {
  if (p.byName) {
    // unionByName: reorder the right side's columns by the left side's names.
    auto proj = makePlan(PlanKind::Project, {right});
    for (const auto& l : left->output) {
      bool found = false;
      for (const auto& r : right->output)
        if (equalsIgnoreCase(l.name, r.name)) {
          proj->exprs.push_back(refTo(r));
          found = true;
          break;
        }
      if (!found)
        fail("unionByName: column '" + l.name + "' is missing on the right side", p.position);
    }
    proj->output = outputsOf(proj->exprs);
    proj->resolved = true;
    right = proj;
  }
  const char* op = p.setOp == SetOpKind::Union       ? "UNION"
                   : p.setOp == SetOpKind::Intersect ? "INTERSECT"
                                                     : "EXCEPT";
  if (left->output.size() != right->output.size())
    fail(std::string(op) + " needs the same number of columns on both sides: " +
             std::to_string(left->output.size()) + " vs " + std::to_string(right->output.size()),
         p.position);
  // Widen column types: a Project of casts on the side that needs it.
  std::vector<DataType> types;
  for (size_t i = 0; i < left->output.size(); ++i) {
    const auto& l = left->output[i].type;
    const auto& r = right->output[i].type;
    if (l == r) {
      types.push_back(l);
      continue;
    }
    auto c = widerType(l, r);
    if (!c)
      fail(std::string(op) + " column " + std::to_string(i + 1) + " (" + left->output[i].name +
               ") has types " + l.toString() + " and " + r.toString() + " with no common type",
           p.position);
    types.push_back(*c);
  }
  auto widen = [&](PlanPtr side) -> PlanPtr {
    bool need = false;
    for (size_t i = 0; i < types.size(); ++i) need = need || side->output[i].type != types[i];
    if (!need) return side;
    auto proj = makePlan(PlanKind::Project, {side});
    for (size_t i = 0; i < types.size(); ++i) {
      const auto& a = side->output[i];
      if (a.type == types[i]) {
        proj->exprs.push_back(refTo(a));
        continue;
      }
      auto c = std::make_shared<Expr>();
      c->kind = ExprKind::Cast;
      c->type = types[i];
      c->args = {refTo(a)};
      c->resolved = true;
      auto al = std::make_shared<Expr>();
      al->kind = ExprKind::Alias;
      al->name = a.name;
      al->args = {c};
      al->type = types[i];
      al->id = newAttributeId();
      al->resolved = true;
      proj->exprs.push_back(al);
    }
    proj->output = outputsOf(proj->exprs);
    proj->resolved = true;
    return proj;
  };
  if (p.all && p.setOp != SetOpKind::Union) return setOpAll(p, widen(left), widen(right));
  auto n = makePlan(PlanKind::SetOp, {widen(left), widen(right)});
  n->setOp = p.setOp;
  n->all = p.all;
  n->byName = p.byName;
  // The result has new attributes (a union is not one of its inputs).
  for (size_t i = 0; i < types.size(); ++i) {
    Attribute a = n->children[0]->output[i];
    a.type = types[i];
    a.nullable = a.nullable || n->children[1]->output[i].nullable;
    a.id = newAttributeId();
    a.qualifier.clear();
    n->output.push_back(a);
  }
  n->resolved = true;
  return n;
}

}  // namespace ember::sql
