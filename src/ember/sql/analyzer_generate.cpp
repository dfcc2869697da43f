// Analysis of generators (explode & co., generators.h) and of struct field references.
#include "ember/common/errors.h"
#include "ember/sql/analyzer_internal.h"
#include "ember/sql/generators.h"

namespace ember::sql {

PlanPtr Analyzer::resolveGenerate(const LogicalPlan& p, PlanPtr child, const Scope* outer) {
  Scope scope{child->output, outer};
  const ExprPtr& call = p.exprs.at(0);
  if (call->args.size() != 1)
    fail(call->name + "() takes one argument (an array or a map), got " +
             std::to_string(call->args.size()),
         call->position);
  auto g = std::make_shared<Expr>(*call);
  g->args = {resolveExpr(call->args[0], scope)};
  g->resolved = true;
  std::vector<Field> fields;
  try {
    fields = generatorFields(g->name, g->args[0]->type);
  } catch (const UserError& e) {
    fail(e.what(), call->position);
  }
  if (!p.columnAliases.empty() && p.columnAliases.size() != fields.size()) {
    std::string names;
    for (const auto& f : fields) names += (names.empty() ? "" : ", ") + f.name;
    fail(g->name + "() produces " + std::to_string(fields.size()) + " column(s) (" + names +
             ") but " + std::to_string(p.columnAliases.size()) + " alias(es) were given",
         call->position);
  }
  auto n = std::make_shared<LogicalPlan>(p);
  n->children = {child};
  n->exprs = {g};
  n->generatorOutput.clear();
  std::vector<std::string> qualifier;
  if (!p.name.empty()) qualifier = {p.name.back()};
  for (size_t i = 0; i < fields.size(); ++i)
    n->generatorOutput.push_back({p.columnAliases.empty() ? fields[i].name : p.columnAliases[i],
                                  fields[i].type, fields[i].nullable, newAttributeId(), qualifier});
  n->output = child->output;
  n->output.insert(n->output.end(), n->generatorOutput.begin(), n->generatorOutput.end());
  n->resolved = true;
  return n;
}

bool Analyzer::extractGenerator(std::vector<ExprPtr>& items, PlanPtr& child, const Scope* outer) {
  int found = -1;
  for (size_t i = 0; i < items.size(); ++i) {
    const ExprPtr& e = items[i]->kind == ExprKind::Alias ? items[i]->args[0] : items[i];
    if (e->kind == ExprKind::Call && isGeneratorName(e->name)) {
      if (found >= 0)
        fail(
            "only one generator (explode, posexplode, inline) is allowed per SELECT; use "
            "LATERAL VIEW for more",
            e->position);
      found = static_cast<int>(i);
    }
  }
  if (found < 0) return false;
  const ExprPtr& item = items[static_cast<size_t>(found)];
  auto gen = std::make_shared<LogicalPlan>();
  gen->kind = PlanKind::Generate;
  gen->exprs = {item->kind == ExprKind::Alias ? item->args[0] : item};
  if (item->kind == ExprKind::Alias) gen->columnAliases = {item->name};
  gen->position = gen->exprs[0]->position;
  PlanPtr g = resolveGenerate(*gen, child, outer);
  std::vector<ExprPtr> replaced;
  for (size_t i = 0; i < items.size(); ++i) {
    if (static_cast<int>(i) != found) {
      replaced.push_back(items[i]);
      continue;
    }
    for (const auto& a : g->generatorOutput) replaced.push_back(refTo(a));
  }
  items = std::move(replaced);
  child = g;
  return true;
}

ExprPtr Analyzer::resolveStructField(const ExprPtr& ref, const Scope& scope) {
  // parts = qualifier + name; try the column as parts[0] (then t.parts[1]) and the rest
  // as fields.
  std::vector<std::string> parts = ref->qualifier;
  parts.push_back(ref->name);
  for (size_t colAt = 0; colAt + 1 < parts.size() && colAt < 2; ++colAt) {
    std::vector<std::string> q(parts.begin(), parts.begin() + static_cast<long>(colAt));
    const Attribute* match = nullptr;
    for (const Scope* s = &scope; s && !match; s = s->outer)
      for (const auto& a : s->attrs)
        if (equalsIgnoreCase(a.name, parts[colAt]) && a.type.id() == TypeId::Struct &&
            (q.empty() || (!a.qualifier.empty() && equalsIgnoreCase(a.qualifier.back(), q.back()))))
          match = &a;
    if (!match) continue;
    ExprPtr e = col(parts[colAt], q);
    for (size_t k = colAt + 1; k < parts.size(); ++k)
      e = call("get_field", {e, lit(Value::string(parts[k]))});
    auto positioned = std::make_shared<Expr>(*e);
    positioned->position = ref->position;
    return resolveExpr(positioned, scope);
  }
  return nullptr;
}

}  // namespace ember::sql
