// Higher-order functions over arrays with lambdas (Spark's transform, filter, exists,
// forall, aggregate/reduce): the lambda's parameters become attributes with fresh ids,
// visible to its body next to the row's own columns; the body is resolved like any
// expression. Evaluation: exec_lambda.cpp.
#include "ember/common/errors.h"
#include "ember/sql/analyzer_internal.h"
#include "ember/sql/function.h"
#include "ember/sql/lambda.h"

namespace ember::sql {

namespace {
ExprPtr castExpr(const ExprPtr& e, const DataType& t) {
  if (e->type == t) return e;
  auto c = std::make_shared<Expr>();
  c->kind = ExprKind::Cast;
  c->type = t;
  c->nullable = true;
  c->resolved = true;
  c->args = {e};
  c->position = e->position;
  return c;
}
}  // namespace

ExprPtr Analyzer::resolveHigherOrder(const ExprPtr& e, const Scope& scope) {
  const std::string& fn = e->name;
  auto bad = [&](const std::string& what) -> UserError {
    fail(fn + ": " + what + " (usage: " + higherOrderUsage(fn) + ")", e->position);
  };
  size_t lambdas = 0;
  for (const auto& a : e->args) lambdas += a->kind == ExprKind::Lambda;
  bool isAggregate = fn == "aggregate" || fn == "reduce";
  size_t wantArgs = isAggregate ? 3 : 2;
  if (e->args.size() < wantArgs || e->args.size() > wantArgs + (isAggregate ? 1 : 0) ||
      lambdas != e->args.size() - (isAggregate ? 2 : 1))
    throw bad("wrong arguments");
  std::vector<ExprPtr> args;
  args.push_back(resolveExpr(e->args[0], scope));
  DataType arr = args[0]->type;
  if (arr.id() == TypeId::Null) arr = DataType::array(DataType::null());
  if (arr.id() != TypeId::List)
    throw bad("the first argument must be an array, got " + arr.toString());
  args[0] = castExpr(args[0], arr);
  const DataType elem = arr.elementType();

  // Resolves lambda `l` with parameters of `types` (a lambda may name fewer, as Spark's
  // transform(a, x -> ...) vs transform(a, (x, i) -> ...)).
  auto resolveLambda = [&](const ExprPtr& l, const std::vector<DataType>& types, size_t minParams) {
    if (l->kind != ExprKind::Lambda) throw bad("expected a lambda such as x -> x + 1");
    size_t n = l->args.size() - 1;
    if (n < minParams || n > types.size())
      throw bad("the lambda takes " + std::to_string(minParams) +
                (types.size() > minParams ? " or " + std::to_string(types.size()) : "") +
                " parameter(s), got " + std::to_string(n));
    Scope inner{{}, scope.outer};
    auto r = std::make_shared<Expr>(*l);
    r->args.clear();
    std::vector<ExprPtr> params;
    for (size_t i = 0; i < n; ++i) {
      Attribute a{l->args[i + 1]->name, types[i], true, newAttributeId(), {}};
      inner.attrs.push_back(a);
      params.push_back(refTo(a));
    }
    // Parameters shadow the row's columns of the same name.
    for (const auto& a : scope.attrs) inner.attrs.push_back(a);
    r->args.push_back(resolveExpr(l->args[0], inner));
    for (auto& p : params) r->args.push_back(p);
    r->type = r->args[0]->type;
    r->resolved = true;
    return r;
  };

  auto out = std::make_shared<Expr>(*e);
  DataType result;
  if (fn == "transform") {
    ExprPtr l = resolveLambda(e->args[1], {elem, DataType::int32()}, 1);
    args.push_back(l);
    result = DataType::array(l->type);
  } else if (fn == "filter" || fn == "exists" || fn == "forall") {
    ExprPtr l = resolveLambda(e->args[1], {elem, DataType::int32()}, 1);
    if (fn != "filter" && l->args.size() > 2) throw bad("the lambda takes one parameter");
    if (l->type.id() != TypeId::Boolean && l->type.id() != TypeId::Null)
      throw bad("the lambda must return a boolean, got " + l->type.toString());
    args.push_back(l);
    result = fn == "filter" ? arr : DataType::boolean();
  } else {  // aggregate(arr, zero, (acc, x) -> merge [, acc -> finish])
    ExprPtr zero = resolveExpr(e->args[1], scope);
    ExprPtr merge = resolveLambda(e->args[2], {zero->type, elem}, 2);
    // The accumulator keeps the wider of the start value's and the merge result's type.
    DataType acc = zero->type;
    if (merge->type != acc) {
      auto w = widerType(acc, merge->type);
      if (!w)
        throw bad("the merge lambda returns " + merge->type.toString() +
                  ", which does not fit the start value's type " + acc.toString());
      acc = *w;
      merge = resolveLambda(e->args[2], {acc, elem}, 2);
    }
    auto m = std::make_shared<Expr>(*merge);
    m->args[0] = castExpr(merge->args[0], acc);
    m->type = acc;
    args.push_back(castExpr(zero, acc));
    args.push_back(m);
    result = acc;
    if (e->args.size() == 4) {
      ExprPtr finish = resolveLambda(e->args[3], {acc}, 1);
      args.push_back(finish);
      result = finish->type;
    }
  }
  out->args = std::move(args);
  out->type = result;
  out->nullable = true;
  out->resolved = true;
  return out;
}

}  // namespace ember::sql
