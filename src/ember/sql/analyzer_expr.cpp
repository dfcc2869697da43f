// Expression resolution: columns to attribute ids, functions to types and argument
// casts, aggregates, window functions and subqueries.
#include <set>

#include "ember/common/errors.h"
#include "ember/sql/aggregate_sketches.h"
#include "ember/sql/aggregates.h"
#include "ember/sql/analyzer_internal.h"
#include "ember/sql/function.h"
#include "ember/sql/generators.h"
#include "ember/sql/lambda.h"
#include "ember/sql/parser.h"

namespace ember::sql {

namespace {
// Parameters of aggregates (not the aggregated values) must be constants, checked here:
// a bad one found inside the tasks would only fail the job after every retry.
void checkAggregateParameters(const std::string& name, const std::vector<ExprPtr>& args) {
  if (name == "approx_count_distinct" && args.size() == 2) {
    const Expr& rsd = *args[1];
    if (rsd.kind != ExprKind::Literal)
      throw UserError("approx_count_distinct: relativeSD must be a constant number, got " +
                      rsd.toString());
    if (!rsd.value.isNull()) hyperLogLogPrecision(rsd.value.asDouble());
  }
  if ((name == "first" || name == "first_value" || name == "last" || name == "last_value" ||
       name == "any_value") &&
      args.size() == 2 &&
      (args[1]->kind != ExprKind::Literal || args[1]->type.id() != TypeId::Boolean))
    throw UserError(name + ": the second argument (ignoreNulls) must be true or false, got " +
                    args[1]->toString());
  if ((name == "string_agg" || name == "listagg") && args.size() == 2 &&
      args[1]->kind != ExprKind::Literal)
    throw UserError(name + ": the delimiter must be a constant string, got " + args[1]->toString());
  if (name == "percentile" && args.size() == 2) {
    if (args[1]->kind != ExprKind::Literal || args[1]->value.isNull())
      throw UserError("percentile: the percentage must be a constant, got " + args[1]->toString());
    checkPercentileParameters(args[1]->value.asDouble(), 1);
  }
  if ((name == "percentile_approx" || name == "approx_percentile") && args.size() >= 2) {
    // The percentage: a constant, or array(constants, ...).
    std::vector<ExprPtr> pcts = {args[1]};
    if (args[1]->kind == ExprKind::Call && args[1]->name == "array") pcts = args[1]->args;
    for (auto& p : pcts)  // array(0.25, 0.5): elements arrive cast to a common type
      if (p->kind == ExprKind::Cast && p->args[0]->kind == ExprKind::Literal) p = p->args[0];
    if (pcts.empty()) throw UserError(name + ": the array of percentages is empty");
    for (size_t i = 1; i < args.size(); ++i) {
      std::vector<ExprPtr> check = i == 1 ? pcts : std::vector<ExprPtr>{args[i]};
      for (const auto& c : check)
        if (c->kind != ExprKind::Literal || c->value.isNull())
          throw UserError(name + ": the " + (i == 1 ? "percentage" : "accuracy") +
                          " must be a constant, got " + args[i]->toString());
    }
    int64_t accuracy = args.size() > 2 ? args[2]->value.asInt64() : 10000;
    for (const auto& p : pcts) checkPercentileParameters(p->value.asDouble(), accuracy);
  }
}
}  // namespace

namespace {
bool qualifierMatches(const std::vector<std::string>& ref, const std::vector<std::string>& attr) {
  if (ref.empty()) return true;
  if (ref.size() > attr.size()) return false;
  for (size_t i = 0; i < ref.size(); ++i)
    if (!equalsIgnoreCase(ref[ref.size() - 1 - i], attr[attr.size() - 1 - i])) return false;
  return true;
}

std::string qualifiedName(const Expr& e) {
  std::string s;
  for (const auto& q : e.qualifier) s += q + ".";
  return s + e.name;
}

const std::set<std::string>& rankingFunctions() {
  static const std::set<std::string> names = {"row_number",   "rank",      "dense_rank",
                                              "percent_rank", "cume_dist", "ntile",
                                              "lag",          "lead",      "nth_value"};
  return names;
}

ExprPtr castTo(const ExprPtr& e, const DataType& t) {
  if (e->type == t) return e;
  auto c = std::make_shared<Expr>();
  c->kind = ExprKind::Cast;
  c->type = t;
  c->nullable = e->nullable;
  c->resolved = true;
  c->args = {e};
  c->position = e->position;
  return c;
}
}  // namespace

std::string Analyzer::where(int position) const {
  if (position < 0 || ctx_.sqlText.empty()) return "";
  return "\n" + describePosition(ctx_.sqlText, position);
}

void Analyzer::fail(const std::string& message, int position) const {
  throw UserError(message + where(position));
}

ExprPtr Analyzer::resolveExpr(const ExprPtr& e, const Scope& scope) {
  if (e->resolved && e->kind != ExprKind::Alias) return e;
  switch (e->kind) {
    case ExprKind::Literal:
      return e;
    case ExprKind::ColumnRef: {
      for (const Scope* s = &scope; s; s = s->outer) {
        std::vector<const Attribute*> matches;
        for (const auto& a : s->attrs)
          if (equalsIgnoreCase(a.name, e->name) && qualifierMatches(e->qualifier, a.qualifier))
            matches.push_back(&a);
        // Same attribute reachable twice (e.g. USING join output) is not ambiguous.
        if (matches.size() > 1) {
          bool same = true;
          for (auto* m : matches) same = same && m->id == matches[0]->id;
          if (same) matches.resize(1);
        }
        if (matches.size() > 1) {
          std::string cands;
          for (auto* m : matches) {
            std::string q;
            for (const auto& x : m->qualifier) q += x + ".";
            cands += (cands.empty() ? "" : ", ") + q + m->name;
          }
          fail("column reference '" + qualifiedName(*e) + "' is ambiguous: it could be " + cands +
                   "; qualify it with a table name or alias",
               e->position);
        }
        if (matches.size() == 1) {
          auto r = std::make_shared<Expr>(*e);
          const Attribute& a = *matches[0];
          r->kind = s == &scope ? ExprKind::ColumnRef : ExprKind::OuterRef;
          r->name = a.name;
          r->qualifier = a.qualifier;
          r->id = a.id;
          r->type = a.type;
          r->nullable = a.nullable;
          r->resolved = true;
          return r;
        }
      }
      if (!e->qualifier.empty())
        if (ExprPtr field = resolveStructField(e, scope)) return field;
      std::vector<std::string> names;
      for (const auto& a : scope.attrs) {
        std::string q = a.qualifier.empty() ? "" : a.qualifier.back() + ".";
        names.push_back(e->qualifier.empty() ? a.name : q + a.name);
      }
      auto sugg = closestNames(qualifiedName(*e), names);
      std::string msg = "cannot resolve column '" + qualifiedName(*e) + "'";
      if (!sugg.empty()) {
        msg += "; did you mean ";
        for (size_t i = 0; i < sugg.size(); ++i) msg += (i ? ", " : "") + ("'" + sugg[i] + "'");
        msg += "?";
      } else {
        std::string all;
        for (size_t i = 0; i < names.size() && i < 12; ++i) all += (i ? ", " : "") + names[i];
        msg += " among (" + all + (names.size() > 12 ? ", ..." : "") + ")";
      }
      fail(msg, e->position);
    }
    case ExprKind::Star:
      fail("'*' is only allowed in a select list or count(*)", e->position);
    case ExprKind::Lambda:
      fail(
          "a lambda (x -> ...) is only allowed as an argument of transform, filter, exists, "
          "forall or aggregate",
          e->position);
    case ExprKind::Alias: {
      auto r = std::make_shared<Expr>(*e);
      r->args = {resolveExpr(e->args[0], scope)};
      r->type = r->args[0]->type;
      r->nullable = r->args[0]->nullable;
      if (r->id < 0) r->id = newAttributeId();
      r->resolved = true;
      return r;
    }
    case ExprKind::Cast: {
      auto arg = resolveExpr(e->args[0], scope);
      if (!canCast(arg->type, e->type))
        fail("cannot cast " + arg->type.toString() + " to " + e->type.toString(), e->position);
      auto r = std::make_shared<Expr>(*e);
      r->args = {arg};
      r->nullable = true;
      r->resolved = true;
      return r;
    }
    case ExprKind::Call: {
      if (isAggregateFunctionName(e->name)) {
        auto a = std::make_shared<Expr>(*e);
        a->kind = ExprKind::AggregateCall;
        return resolveExpr(a, scope);
      }
      if (isHigherOrderFunction(e->name)) return resolveHigherOrder(e, scope);
      if (isGeneratorName(e->name))
        fail(e->name + "() is a generator: use it alone in a SELECT list or in LATERAL VIEW",
             e->position);
      if (e->name == "struct") {
        // Spark names the fields after the columns (struct(a, b) -> {a, b}), col<n> else.
        std::vector<ExprPtr> named;
        for (size_t i = 0; i < e->args.size(); ++i) {
          const ExprPtr& a = e->args[i];
          std::string n = a->kind == ExprKind::ColumnRef ? a->name
                          : a->kind == ExprKind::Alias   ? a->name
                                                         : "col" + std::to_string(i + 1);
          named.push_back(lit(Value::string(n)));
          named.push_back(a->kind == ExprKind::Alias ? a->args[0] : a);
        }
        auto ns = std::make_shared<Expr>(*e);
        ns->name = "named_struct";
        ns->args = named;
        if (!named.empty()) return resolveExpr(ns, scope);
      }
      std::vector<ExprPtr> args;
      for (const auto& a : e->args) args.push_back(resolveExpr(a, scope));
      if (e->name == "typeof") {  // Spark's typeof(expr): the type's name, a constant
        if (args.size() != 1) fail("typeof() takes one argument", e->position);
        auto l = std::make_shared<Expr>();
        l->kind = ExprKind::Literal;
        l->value = Value::string(args[0]->type.toString());
        l->type = DataType::string();
        l->nullable = false;
        l->resolved = true;
        l->position = e->position;
        return l;
      }
      const ScalarFunction* f = FunctionRegistry::builtin().find(e->name);
      if (!f) {
        if (rankingFunctions().count(e->name))
          fail(e->name + "() is a window function: it needs an OVER (...) clause", e->position);
        auto sugg = FunctionRegistry::builtin().suggest(e->name);
        std::string msg = "undefined function " + e->name + "()";
        if (!sugg.empty()) {
          msg += "; did you mean ";
          for (size_t i = 0; i < sugg.size(); ++i) msg += (i ? ", " : "") + sugg[i] + "()";
          msg += "?";
        }
        fail(msg, e->position);
      }
      std::vector<DataType> types;
      std::vector<std::optional<Value>> lits;
      for (const auto& a : args) {
        types.push_back(a->type);
        lits.push_back(a->kind == ExprKind::Literal ? std::optional<Value>(a->value)
                                                    : std::nullopt);
      }
      BoundFunction b;
      try {
        b = f->bind(types, lits);
      } catch (const UserError& err) {
        fail(err.what(), e->position);
      }
      for (size_t i = 0; i < args.size() && i < b.argTypes.size(); ++i)
        args[i] = castTo(args[i], b.argTypes[i]);
      auto r = std::make_shared<Expr>(*e);
      r->name = f->name;
      r->args = std::move(args);
      r->type = b.resultType;
      r->nullable = true;
      r->resolved = true;
      return r;
    }
    case ExprKind::AggregateCall: {
      bool overWindow = windowAggregate_;  // agg(agg(x)) OVER (...): the inner one groups
      windowAggregate_ = false;
      std::vector<ExprPtr> args;
      for (const auto& a : e->args) {
        if (a->kind == ExprKind::Star) {
          if (e->name != "count") fail(e->name + "(*) is not allowed; only count(*)", e->position);
          continue;  // count(*) counts rows
        }
        args.push_back(resolveExpr(a, scope));
      }
      ExprPtr filter;
      if (e->hasFilter) {
        filter = args.back();
        args.pop_back();
        if (filter->type.id() != TypeId::Boolean)
          fail("the FILTER clause of " + e->name + "() must be a boolean condition, got " +
                   filter->type.toString(),
               e->position);
      }
      // count(1), count(literal) count rows too.
      if (e->name == "count" && args.size() == 1 && args[0]->kind == ExprKind::Literal &&
          !args[0]->value.isNull())
        args.clear();
      for (const auto& a : args)
        if (containsAggregate(a) && !overWindow)
          fail("aggregate function calls cannot be nested: " + e->toString(), e->position);
      std::vector<DataType> types;
      for (const auto& a : args) types.push_back(a->type);
      AggregateFunctionPtr f;
      try {
        f = bindAggregate(e->name, types, e->distinct);
        checkAggregateParameters(e->name, args);
      } catch (const UserError& err) {
        fail(err.what(), e->position);
      }
      for (size_t i = 0; i < args.size() && i < f->argTypes().size(); ++i)
        args[i] = castTo(args[i], f->argTypes()[i]);
      if (filter) args.push_back(filter);
      auto r = std::make_shared<Expr>(*e);
      r->args = std::move(args);
      r->type = f->resultType();
      r->nullable = f->nullable();
      r->resolved = true;
      return r;
    }
    case ExprKind::WindowCall: {
      const Expr& fn = *e->args[0];
      ExprPtr inner;
      if (fn.kind == ExprKind::Call && rankingFunctions().count(fn.name)) {
        auto r = std::make_shared<Expr>(fn);
        r->args.clear();
        for (const auto& a : fn.args) r->args.push_back(resolveExpr(a, scope));
        if (fn.name == "percent_rank" || fn.name == "cume_dist")
          r->type = DataType::float64();
        else if (fn.name == "lag" || fn.name == "lead" || fn.name == "nth_value") {
          if (r->args.empty()) fail(fn.name + "() needs an argument", fn.position);
          r->type = r->args[0]->type;
          if (r->args.size() >= 3) r->args[2] = castTo(r->args[2], r->type);
        } else
          r->type = DataType::int32();
        r->nullable = true;
        r->resolved = true;
        inner = r;
      } else {
        windowAggregate_ = true;
        try {
          inner = resolveExpr(e->args[0], scope);
        } catch (...) {
          windowAggregate_ = false;
          throw;
        }
        windowAggregate_ = false;
        if (inner->kind != ExprKind::AggregateCall)
          fail("only aggregate and ranking functions can be used with OVER: " + fn.toString(),
               e->position);
      }
      auto w = std::make_shared<WindowSpec>(*e->window);
      auto isOffset = [](const FrameBound& b) {
        return b.kind == FrameBound::Preceding || b.kind == FrameBound::Following;
      };
      if (w->hasFrame && w->frameType == FrameType::Range &&
          (isOffset(w->start) || isOffset(w->end)))
        fail(
            "RANGE frames with offsets (RANGE BETWEEN n PRECEDING ...) are not supported yet; "
            "use ROWS BETWEEN, or RANGE with UNBOUNDED and CURRENT ROW",
            e->position);
      for (auto& p : w->partitionBy) p = resolveExpr(p, scope);
      for (auto& o : w->orderBy) o.expr = resolveExpr(o.expr, scope);
      auto r = std::make_shared<Expr>(*e);
      r->args = {inner};
      r->window = w;
      r->type = inner->type;
      r->nullable = true;
      r->resolved = true;
      return r;
    }
    case ExprKind::ScalarSubquery:
    case ExprKind::InSubquery:
    case ExprKind::Exists: {
      auto r = std::make_shared<Expr>(*e);
      auto saved = ctes_;
      r->subquery = resolve(e->subquery, &scope);
      if (e->kind == ExprKind::ScalarSubquery) {
        if (r->subquery->output.size() != 1)
          fail("a scalar subquery must return exactly one column, this one returns " +
                   std::to_string(r->subquery->output.size()),
               e->position);
        r->type = r->subquery->output[0].type;
      } else {
        r->type = DataType::boolean();
      }
      if (e->kind == ExprKind::InSubquery) {
        // x IN (SELECT y ...) or (x1, x2) IN (SELECT y1, y2 ...): pairwise common types.
        size_t n = e->args.size();
        if (r->subquery->output.size() != n)
          fail("the subquery of IN must return " + std::to_string(n) + " column" +
                   (n == 1 ? "" : "s") + " (as many as the values before IN), this one returns " +
                   std::to_string(r->subquery->output.size()),
               e->position);
        std::vector<ExprPtr> values, outs;
        bool castOut = false;
        for (size_t i = 0; i < n; ++i) {
          auto value = resolveExpr(e->args[i], scope);
          const Attribute& out = r->subquery->output[i];
          ExprPtr o = refTo(out);
          if (value->type != out.type) {
            auto common = commonType(value->type, out.type);
            if (!common)
              fail("IN compares " + value->type.toString() + " with a subquery of " +
                       out.type.toString(),
                   e->position);
            value = castTo(value, *common);
            if (out.type != *common) {
              o = castTo(o, *common);
              castOut = true;
            }
          }
          values.push_back(value);
          auto a = std::make_shared<Expr>();
          a->kind = ExprKind::Alias;
          a->name = out.name;
          a->args = {o};
          a->type = o->type;
          a->id = newAttributeId();
          a->resolved = true;
          outs.push_back(a);
        }
        if (castOut) {
          auto proj = makePlan(PlanKind::Project, {r->subquery});
          proj->exprs = outs;
          for (const auto& a : outs) proj->output.push_back(toAttribute(*a));
          proj->resolved = true;
          r->subquery = proj;
        }
        r->args = values;
      }
      r->nullable = true;
      r->resolved = true;
      return r;
    }
    case ExprKind::OuterRef:
      return e;
  }
  fail("cannot resolve " + e->toString(), e->position);
}

}  // namespace ember::sql
