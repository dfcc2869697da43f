#include "ember/sql/expr.h"

#include <set>

#include "ember/sql/logical_plan.h"

namespace ember::sql {

namespace {
std::shared_ptr<Expr> node(ExprKind kind) {
  auto e = std::make_shared<Expr>();
  e->kind = kind;
  return e;
}

std::string joinArgs(const std::vector<ExprPtr>& args, size_t from = 0, size_t to = SIZE_MAX) {
  std::string s;
  for (size_t i = from; i < args.size() && i < to; ++i) {
    if (i > from) s += ", ";
    s += args[i]->toString();
  }
  return s;
}

const std::set<std::string>& binaryOperators() {
  static const std::set<std::string> ops = {"+",   "-",  "*",    "/",     "%",     "=",
                                            "<>",  "<",  "<=",   ">",     ">=",    "<=>",
                                            "and", "or", "like", "ilike", "rlike", "||"};
  return ops;
}

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}
}  // namespace

ExprPtr lit(Value v) {
  auto e = node(ExprKind::Literal);
  e->type = v.type();
  e->nullable = v.isNull();
  e->value = std::move(v);
  e->resolved = true;
  return e;
}

ExprPtr col(std::string name, std::vector<std::string> qualifier) {
  auto e = node(ExprKind::ColumnRef);
  e->name = std::move(name);
  e->qualifier = std::move(qualifier);
  return e;
}

ExprPtr star(std::vector<std::string> qualifier) {
  auto e = node(ExprKind::Star);
  e->qualifier = std::move(qualifier);
  return e;
}

ExprPtr alias(ExprPtr child, std::string name) {
  auto e = node(ExprKind::Alias);
  e->name = std::move(name);
  e->args.push_back(std::move(child));
  return e;
}

ExprPtr call(std::string name, std::vector<ExprPtr> args) {
  auto e = node(ExprKind::Call);
  for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  e->name = std::move(name);
  e->args = std::move(args);
  return e;
}

ExprPtr aggCall(std::string name, std::vector<ExprPtr> args, bool distinct) {
  auto e = node(ExprKind::AggregateCall);
  for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  e->name = std::move(name);
  e->args = std::move(args);
  e->distinct = distinct;
  return e;
}

ExprPtr cast(ExprPtr child, DataType to) {
  auto e = node(ExprKind::Cast);
  e->type = std::move(to);
  e->args.push_back(std::move(child));
  return e;
}

ExprPtr withArgs(const Expr& e, std::vector<ExprPtr> args) {
  auto copy = std::make_shared<Expr>(e);
  copy->args = std::move(args);
  return copy;
}

std::string Expr::toString() const {
  switch (kind) {
    case ExprKind::Literal:
      return value.toSql();
    case ExprKind::Lambda: {  // Spark's form: lambdafunction(body, x, y)
      std::string s = "lambdafunction(" + args[0]->toString();
      for (size_t i = 1; i < args.size(); ++i) s += ", " + args[i]->toString();
      return s + ")";
    }
    case ExprKind::ColumnRef:
    case ExprKind::OuterRef: {
      std::string s;
      for (const auto& q : qualifier) s += q + ".";
      s += name;
      if (id >= 0) s += "#" + std::to_string(id);
      return kind == ExprKind::OuterRef ? "outer(" + s + ")" : s;
    }
    case ExprKind::Star: {
      std::string s;
      for (const auto& q : qualifier) s += q + ".";
      return s + "*";
    }
    case ExprKind::Alias:
      return args[0]->toString() + " AS " + name + (id >= 0 ? "#" + std::to_string(id) : "");
    case ExprKind::Call: {
      if (binaryOperators().count(name) && args.size() == 2)
        return "(" + args[0]->toString() + " " +
               (name == "and" || name == "or" ? upper(name) : name) + " " + args[1]->toString() +
               ")";
      if (name == "not" && args.size() == 1) return "(NOT " + args[0]->toString() + ")";
      if (name == "negate" && args.size() == 1) return "(- " + args[0]->toString() + ")";
      if (name == "isnull" && args.size() == 1) return "(" + args[0]->toString() + " IS NULL)";
      if (name == "isnotnull" && args.size() == 1)
        return "(" + args[0]->toString() + " IS NOT NULL)";
      if (name == "in" && !args.empty())
        return "(" + args[0]->toString() + " IN (" + joinArgs(args, 1) + "))";
      if (name == "case") {
        std::string s = "CASE";
        size_t i = 0;
        for (; i + 1 < args.size(); i += 2)
          s += " WHEN " + args[i]->toString() + " THEN " + args[i + 1]->toString();
        if (i < args.size()) s += " ELSE " + args[i]->toString();
        return s + " END";
      }
      return name + "(" + joinArgs(args) + ")";
    }
    case ExprKind::AggregateCall: {
      size_t n = hasFilter ? args.size() - 1 : args.size();
      std::string s = name + "(" + (distinct ? "DISTINCT " : "") + joinArgs(args, 0, n) + ")";
      if (hasFilter) s += " FILTER (WHERE " + args.back()->toString() + ")";
      return s;
    }
    case ExprKind::WindowCall: {
      std::string s = args[0]->toString() + " OVER (";
      if (window) {
        if (!window->partitionBy.empty()) s += "PARTITION BY " + joinArgs(window->partitionBy);
        if (!window->orderBy.empty()) {
          if (!window->partitionBy.empty()) s += " ";
          s += "ORDER BY ";
          for (size_t i = 0; i < window->orderBy.size(); ++i) {
            if (i) s += ", ";
            s += window->orderBy[i].expr->toString() +
                 (window->orderBy[i].ascending ? " ASC" : " DESC");
          }
        }
      }
      return s + ")";
    }
    case ExprKind::Cast:
      return "CAST(" + args[0]->toString() + " AS " + type.toString() + ")";
    case ExprKind::ScalarSubquery:
      return "scalar-subquery";
    case ExprKind::InSubquery: {
      std::string values;
      for (size_t i = 0; i < args.size(); ++i) values += (i ? ", " : "") + args[i]->toString();
      if (args.size() != 1) values = "(" + values + ")";
      return "(" + values + (negated ? " NOT IN " : " IN ") + "(subquery))";
    }
    case ExprKind::Exists:
      return negated ? "NOT EXISTS (subquery)" : "EXISTS (subquery)";
  }
  return "?";
}

std::string Expr::prettyName() const {
  switch (kind) {
    case ExprKind::ColumnRef:
    case ExprKind::OuterRef:
    case ExprKind::Alias:
      return name;
    case ExprKind::Literal:
      return value.isNull() ? "NULL" : value.toString();
    case ExprKind::Call:
      // Spark names s.f after the field and a[0] / m['k'] with brackets.
      if (name == "get_field" && args.size() == 2 && args[1]->kind == ExprKind::Literal)
        return args[1]->value.toString();
      if (name == "get" && args.size() == 2)
        return args[0]->prettyName() + "[" + args[1]->prettyName() + "]";
      break;
    default:
      break;
  }
  // Spark prints column references without ids in generated names.
  std::string s = toString();
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '#') {
      while (i + 1 < s.size() && std::isdigit(static_cast<unsigned char>(s[i + 1]))) ++i;
      continue;
    }
    out += s[i];
  }
  return out;
}

}  // namespace ember::sql
